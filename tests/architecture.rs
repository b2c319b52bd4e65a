//! The shape of the code: no dependency cycle between top-level modules.
//!
//! A top-level module is a folder or a file directly under `src/` (`git`,
//! `render`, `url`…; `lib.rs` and `main.rs` are not modules). Module `a`
//! depends on `b` when some file under `a` names `crate::b` (a path, or an
//! item of a `use crate::{b, …}` group). Comments, strings and items under
//! `#[cfg(test)]` do not count: a unit test may build a whole book through
//! the pipeline without the module depending on it. Modules that depend on
//! each other, directly or through others, cannot be understood, tested or
//! split into crates one at a time (ARCHITECTURE.md: "draw module borders
//! as if they were crates").

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module, and for each module it depends on the files
/// (with a line) that name it.
type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[test]
fn no_cycle_between_top_level_modules() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "{}", describe(&graph, &cycles));
}

/// Reads every `.rs` file under `src` into the graph of top-level modules.
fn module_graph(src: &Path) -> Graph {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src).expect("src/") {
        let path = entry.expect("src/ entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            modules.insert(stem.to_string());
        }
    }
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeMap::new()))
        .collect();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let first = first.to_string_lossy();
        let module = first.strip_suffix(".rs").unwrap_or(&first).to_string();
        if !modules.contains(&module) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a UTF-8 source file");
        let code = without_tests(&blank_comments_and_literals(&text));
        for (line, named) in named_modules(&code) {
            if named != module && modules.contains(&named) {
                graph
                    .get_mut(&module)
                    .unwrap()
                    .entry(named)
                    .or_default()
                    .push(format!("src/{}:{line}", relative.display()));
            }
        }
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `text` with comments, string literals and character literals replaced
/// by spaces (line breaks kept, so that lines still count), leaving code
/// where `crate::` and braces mean what they say.
fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let before = if i > 0 { Some(chars[i - 1]) } else { None };
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    blank(&mut out, ' ');
                    blank(&mut out, ' ');
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    blank(&mut out, ' ');
                    blank(&mut out, ' ');
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && !before.is_some_and(|b| ident(b) && b != 'b')
            && matches!(next, Some('"') | Some('#'))
            && raw_string_end(&chars, i + 1).is_some()
        {
            // r"…", r#"…"#, br#"…"#: no escapes, ends at `"` and the hashes.
            let end = raw_string_end(&chars, i + 1).unwrap();
            while i < end {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '\'' && next == Some('\\') {
            // '\n', '\'', '\u{7b}': up to the next quote after the escape.
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' || j == i + 2 {
                j += 1;
            }
            while i <= j.min(chars.len() - 1) {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // 'x' (a lifetime `'a` has no closing quote after one character).
            for _ in 0..3 {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Where the raw string whose `#`s or `"` start at `at` ends (the index
/// after its last `#`), if it is one.
fn raw_string_end(chars: &[char], at: usize) -> Option<usize> {
    let hashes = chars[at..].iter().take_while(|c| **c == '#').count();
    if chars.get(at + hashes) != Some(&'"') {
        return None;
    }
    let mut i = at + hashes + 1;
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    None
}

/// `code` (blanked) without the items under `#[cfg(test)]`: up to the
/// item's `;`, or through its braces.
fn without_tests(code: &str) -> String {
    let mut out = code.to_string();
    let marker = "#[cfg(test)]";
    let mut from = 0;
    while let Some(found) = out[from..].find(marker) {
        let start = from + found;
        let after = start + marker.len();
        let rest = &out[after..];
        let end = match (rest.find('{'), rest.find(';')) {
            (Some(brace), semicolon) if semicolon.is_none_or(|s| brace < s) => {
                let mut depth = 0;
                let mut end = out.len();
                for (k, c) in rest[brace..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = after + brace + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (_, Some(semicolon)) => after + semicolon + 1,
            _ => out.len(),
        };
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
        from = end;
    }
    out
}

/// The first segment of every `crate::` path in `code`, with its line:
/// `crate::render::x` names `render`, `use crate::{a, b::c}` names `a`
/// and `b`.
fn named_modules(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let ident_char = |c: char| c.is_alphanumeric() || c == '_';
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    for (at, _) in code.match_indices("crate") {
        if code[..at].chars().next_back().is_some_and(ident_char) {
            continue;
        }
        let rest = code[at + "crate".len()..].trim_start();
        let Some(rest) = rest.strip_prefix("::") else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Each item at the group's own depth starts with a module.
            let mut depth = 0;
            let mut expecting = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => expecting = true,
                    c if expecting && ident_char(c) => {
                        expecting = false;
                        let name: String =
                            group[k..].chars().take_while(|c| ident_char(*c)).collect();
                        if name != "self" {
                            found.push((line_of(at), name));
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| ident_char(*c)).collect();
            if !name.is_empty() {
                found.push((line_of(at), name));
            }
        }
    }
    found
}

/// The groups of modules that depend on each other (strongly connected
/// components of more than one module), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let names: Vec<&String> = graph.keys().collect();
    let index: BTreeMap<&String, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let n = names.len();
    // Reachability by Floyd–Warshall: a few dozen modules.
    let mut reach = vec![vec![false; n]; n];
    for (from, targets) in graph {
        for to in targets.keys() {
            reach[index[from]][index[to]] = true;
        }
    }
    for k in 0..n {
        let via_k = reach[k].clone();
        for row in reach.iter_mut().filter(|row| row[k]) {
            for (to, &through_k) in row.iter_mut().zip(&via_k) {
                *to |= through_k;
            }
        }
    }
    let mut seen = vec![false; n];
    let mut groups = Vec::new();
    for i in 0..n {
        if seen[i] {
            continue;
        }
        let group: Vec<usize> = (0..n)
            .filter(|&j| j == i || (reach[i][j] && reach[j][i]))
            .collect();
        for &j in &group {
            seen[j] = true;
        }
        if group.len() > 1 {
            groups.push(group.iter().map(|&j| names[j].clone()).collect());
        }
    }
    groups
}

/// The dependencies between modules of one group.
fn edges_within(graph: &Graph, group: &[String]) -> Vec<(String, String)> {
    let mut edges = Vec::new();
    for from in group {
        for to in graph[from].keys() {
            if group.contains(to) {
                edges.push((from.clone(), to.clone()));
            }
        }
    }
    edges
}

/// Each group of modules in a cycle, with each dependency inside it and
/// the first place that makes it.
fn describe(graph: &Graph, cycles: &[Vec<String>]) -> String {
    let mut text = String::new();
    for group in cycles {
        text.push_str(&format!("modules in a cycle: {}\n", group.join(", ")));
        for (from, to) in edges_within(graph, group) {
            let places = &graph[&from][&to];
            text.push_str(&format!(
                "  {from} → {to}: {}{}\n",
                places[0],
                if places.len() > 1 {
                    format!(" and {} more", places.len() - 1)
                } else {
                    String::new()
                }
            ));
        }
    }
    text
}

#[test]
fn the_reader_of_paths_sees_code_only() {
    let text = r####"
//! crate::a in a doc comment
use crate::{b, c::{d, e}, self};
/* crate::f /* nested crate::g */ still crate::h */
fn x<'a>(s: &'a str) -> char {
    let _ = "crate::i \" crate::j";
    let _ = r#"crate::k " crate::l"#;
    let _ = br##"crate::m"##;
    let _ = '{';
    let _ = '\'';
    let _ = '\u{7d}';
    crate::n::call();
    my_crate::o::call();
    crate :: p ::call()
}
#[cfg(test)]
mod tests {
    use crate::q;
    fn t() { if true { crate::r(); } }
}
#[cfg(test)]
use crate::s;
fn after() { crate::t::x(); }
"####;
    let code = without_tests(&blank_comments_and_literals(text));
    assert_eq!(code.lines().count(), text.lines().count());
    let named: Vec<String> = named_modules(&code).into_iter().map(|(_, m)| m).collect();
    assert_eq!(named, ["b", "c", "n", "p", "t"], "{code}");
    let lines: Vec<usize> = named_modules(&code).into_iter().map(|(l, _)| l).collect();
    assert_eq!(lines, [3, 3, 12, 14, 23]);
}

#[test]
fn cycles_are_found_with_their_places() {
    let mut graph: Graph = BTreeMap::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")] {
        graph
            .entry(from.to_string())
            .or_default()
            .insert(to.to_string(), vec![format!("src/{from}.rs:1")]);
        graph.entry(to.to_string()).or_default();
    }
    let found = cycles(&graph);
    assert_eq!(found, [["a", "b", "c"]]);
    let text = describe(&graph, &found);
    assert!(text.contains("c → a: src/c.rs:1"), "{text}");
    assert!(!text.contains("→ d"), "{text}");
}
