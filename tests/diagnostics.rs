//! Bad input gives diagnostics at file:line:col, all of them in one run,
//! and exit code 1; never a panic.

mod common;

use common::*;

fn check_json(book: &std::path::Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = ouvrage(book, &["check", "--format", "json"]);
    let (stdout, stderr) = text(&out);
    let doc: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (
        out.status.code(),
        doc["diagnostics"].as_array().unwrap().clone(),
    )
}

fn located(d: &serde_json::Value) -> String {
    format!(
        "{}:{}:{}",
        d["file"].as_str().unwrap_or("?"),
        d["line"],
        d["column"]
    )
}

#[test]
fn broken_book_gives_one_diagnostic_per_fault() {
    let (_tmp, book) = fixture("broken");
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for expected in [
        "book.toml:4:1",
        "chapters/01-fablabs.md:3:11",
        "chapters/01-fablabs.md:10:1",
        "chapters/01-fablabs.md:12:9",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected} in:\n{stderr}"
        );
    }
    // The source line is quoted with a caret, and suggestions are made.
    assert!(
        stderr.contains("editor = [\"ed\"]") && stderr.contains("^^^^^^"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `editors`?"), "{stderr}");
    assert!(stderr.contains("did you mean `gheorghiu`?"), "{stderr}");
    assert!(stderr.contains("4 errors, 0 warnings"), "{stderr}");

    let (code, diags) = check_json(&book);
    assert_eq!(code, Some(1));
    let places: Vec<String> = diags.iter().map(located).collect();
    assert_eq!(
        places,
        [
            "book.toml:4:1",
            "chapters/01-fablabs.md:3:11",
            "chapters/01-fablabs.md:10:1",
            "chapters/01-fablabs.md:12:9"
        ]
    );
    // check writes nothing.
    assert!(!book.join("_book").exists());
}

#[test]
fn github_annotations_name_file_and_line() {
    let (_tmp, book) = fixture("broken");
    let out = ouvrage(&book, &["check", "--format", "github"]);
    let (stdout, _) = text(&out);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(
        stdout.lines().count(),
        4,
        "one line per diagnostic:\n{stdout}"
    );
    assert!(
        lines[0].starts_with("::error file=book.toml,line=4,col=1::unknown key"),
        "{}",
        lines[0]
    );
    let places: Vec<&str> = lines
        .iter()
        .map(|l| l.split("::").nth(1).unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "error file=book.toml,line=4,col=1",
            "error file=chapters/01-fablabs.md,line=3,col=11",
            "error file=chapters/01-fablabs.md,line=10,col=1",
            "error file=chapters/01-fablabs.md,line=12,col=9"
        ]
    );
    // The hints follow the message on escaped newlines.
    assert!(
        lines[0].contains("%0Adid you mean `editors`?"),
        "{}",
        lines[0]
    );
}

#[test]
fn gitlab_code_quality_report_of_a_broken_book() {
    let (_tmp, book) = fixture("broken");
    let out = ouvrage(&book, &["check", "--format", "gitlab"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let issues = report.as_array().unwrap();
    let places: Vec<String> = issues
        .iter()
        .map(|i| {
            format!(
                "{}:{} {} {}",
                i["location"]["path"].as_str().unwrap(),
                i["location"]["lines"]["begin"],
                i["severity"].as_str().unwrap(),
                i["check_name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            "book.toml:4 major ouvrage",
            "chapters/01-fablabs.md:3 major ouvrage",
            "chapters/01-fablabs.md:10 major ouvrage",
            "chapters/01-fablabs.md:12 major ouvrage"
        ]
    );
    let fingerprints: std::collections::HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), 4, "unique fingerprints");
    assert!(
        issues[0]["description"]
            .as_str()
            .unwrap()
            .contains("did you mean `editors`?")
    );
    // The same run twice gives the same fingerprints (GitLab compares them
    // between the merge request and its target).
    let again: serde_json::Value =
        serde_json::from_str(&text(&ouvrage(&book, &["check", "--format", "gitlab"])).0).unwrap();
    assert_eq!(again, report);
}

#[test]
fn many_kinds_of_fault_are_all_reported() {
    let (_tmp, book) = broken_features();
    let (code, diags) = check_json(&book);
    assert_eq!(code, Some(1));
    let all: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {} {}", located(d), d["message"], d["hints"]))
        .collect();
    let has = |place: &str, words: &str| {
        assert!(
            all.iter()
                .any(|d| d.starts_with(place) && d.contains(words)),
            "no `{words}` at {place} in:\n{}",
            all.join("\n")
        )
    };
    has("book.toml:7:8", "must be a whole number");
    has("book.toml:8:8", "ISBN");
    has("book.toml:10:40", "did you mean `second`");
    has("chapters/04-copie.md:3:5", "already used");
    has("chapters/05-latin1.md:5:4", "UTF-8");
    has("chapters/06-ancre.md:3:1", "did you mean `authors`");
    has("chapters/06-ancre.md:6:6", "did you mean `sec:methode`");
}

#[test]
fn no_book_and_missing_title() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ouvrage(tmp.path(), &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("no book.toml") && stderr.contains("ouvrage init"),
        "{stderr}"
    );

    std::fs::write(tmp.path().join("book.toml"), "[book]\nsubtitle = \"x\"\n").unwrap();
    std::fs::create_dir(tmp.path().join("chapters")).unwrap();
    let out = ouvrage(tmp.path(), &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("has no `title`") && stderr.contains("book.toml:1:1"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        ouvrage(tmp.path(), &["build", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(ouvrage(tmp.path(), &["frobnicate"]).status.code(), Some(2));
    // A combination clap cannot refuse: the sources of a PDF this build
    // does not make (it was silently ignored).
    let (_tmp, book) = fixture("minimal");
    let out = ouvrage(&book, &["build", "--html", "--emit-typst", "typ"]);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("--emit-typst") && stderr.contains("add --pdf"),
        "{stderr}"
    );
    assert!(!book.join("_book").exists(), "nothing built");
}

#[test]
fn garbage_never_panics() {
    let (_tmp, book) = fixture("minimal");
    let samples: &[&[u8]] = &[
        b"---\n",
        b"+++\ntitle = \n+++\n",
        b"---\n- a\n- b\n---\n",
        b"---\ntitle: [unclosed\n---\n",
        b"---\ntitle: &a x\nid: *a\n---\n",
        b"\xff\xfe\x00garbage",
        b"# \n\n![](\n\n[x](../../../../etc/passwd)\n\n![a](/etc/passwd)\n",
        b"| a |\n|---|\n| b | c | d |\n\nTable: {#tbl:}\n\n[^x]\n\n[^x]: \n",
        b"## {#}\n\n## {#a}\n\n## {#a}\n\n```{=}\n```\n\n$$\n\n$x$\n",
    ];
    for (i, sample) in samples.iter().enumerate() {
        std::fs::write(book.join("chapters/zz.md"), sample).unwrap();
        let out = ouvrage(&book, &["build", "--html"]);
        let (_, stderr) = text(&out);
        assert!(
            !stderr.contains("panicked") && out.status.code().is_some_and(|c| c <= 1),
            "sample {i}: {stderr}"
        );
    }
}

#[test]
fn paths_outside_the_book_are_refused() {
    let (tmp, book) = fixture("minimal");
    std::fs::write(tmp.path().join("secret.png"), b"x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        tmp.path().join("secret.png"),
        book.join("chapters/link.png"),
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\n![a](../../secret.png)\n\n![b](link.png)\n\n[c](../../secret.png)\n",
    )
    .unwrap();
    let (code, diags) = check_json(&book);
    assert_eq!(code, Some(1));
    let outside = diags
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("outside the book"))
        .count();
    assert_eq!(outside, if cfg!(unix) { 3 } else { 2 }, "{diags:?}");
}

/// Messages say what is wrong in the writer's terms, once (issue 29).
#[test]
fn config_messages_are_exact_and_said_once() {
    let (_tmp, book) = fixture("features");
    let toml = book.join("book.toml");
    edit(&toml, "year = 2026", "year = -3");
    edit(
        &toml,
        "[html]",
        "[pdf]\nfont-size = 10\nwidth = \"150mm\"\n\n[html]",
    );
    let (code, diags) = check_json(&book);
    assert_eq!(code, Some(1));
    let all: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {} {}", located(d), d["message"], d["hints"]))
        .collect();
    let text = all.join("\n");
    assert!(text.contains("`year` cannot be negative (-3)"), "{text}");
    assert!(!text.contains("not an integer"), "{text}");
    let font: Vec<&String> = all.iter().filter(|d| d.contains("font-size")).collect();
    assert_eq!(font.len(), 1, "said once: {text}");
    assert!(font[0].contains("font-size = \\\"10pt\\\""), "{text}");
    assert!(text.contains("`width` without `height`"), "{text}");
    // A year of five digits, a paper with lengths; a lowercase ORCID check
    // character is the same as `X`.
    edit(&toml, "year = -3", "year = 20266");
    edit(&toml, "font-size = 10\n", "paper = \"a5\"\n");
    edit(
        book.join("contributors.toml"),
        "roles = [\"editor\"]",
        "roles = [\"editor\"]\norcid = \"0000-0002-1694-233x\"",
    );
    let (_, diags) = check_json(&book);
    let text: Vec<String> = diags.iter().map(|d| d["message"].to_string()).collect();
    let text = text.join("\n");
    assert!(
        text.contains("`20266` is not a year of four digits"),
        "{text}"
    );
    assert!(
        text.contains("`width` and `paper = \\\"a5\\\"` both set the page"),
        "{text}"
    );
    assert!(!text.contains("ORCID"), "{text}");
    edit(&toml, "year = 20266", "year = 2026");
    edit(&toml, "width = \"150mm\"\n", "");
    ok(&book, &["build", "--html"]);
    let people = std::fs::read_to_string(book.join("_book/html/contributors.html")).unwrap();
    assert!(
        people.contains("0000-0002-1694-233X"),
        "printed with the registry's X"
    );
}

/// A heading that skips a level is a warning at its line, and is numbered
/// as the next level: no `.0` for the level that is not there, in the site
/// as in the PDF's source.
#[test]
fn a_heading_that_skips_a_level_is_warned_and_numbered_without_a_zero() {
    let (tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\n---\n\n## Un\n\n#### Sous un\n\n### Deux sous un\n\n## Deux\n\n### Sous deux\n",
    )
    .unwrap();
    let (code, diagnostics) = check_json(&book);
    assert_eq!(code, Some(0), "a warning: {diagnostics:?}");
    let [d] = &diagnostics[..] else {
        panic!("{diagnostics:?}")
    };
    assert_eq!(d["severity"], "warning", "{d}");
    assert_eq!(located(d), "chapters/seul.md:7:1", "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("`####` after `##`"),
        "{d}"
    );
    assert!(d.to_string().contains("write `###` here"), "{d}");

    let typ = tmp.path().join("typ");
    ok(
        &book,
        &[
            "build",
            "--html",
            "--pdf",
            "--emit-typst",
            typ.to_str().unwrap(),
        ],
    );
    let html = page(&book.join("_book/html/seul.html"));
    assert_eq!(
        texts(&html, ".section-number"),
        ["1.1", "1.1.1", "1.1.2", "1.2", "1.2.1"]
    );
    let source = std::fs::read_to_string(typ.join("__ouvrage/chapters/seul.typ")).unwrap();
    assert!(source.contains("section-number(\"1.1.2\")"), "{source}");
    assert!(!source.contains(".0"), "{source}");
}

/// Every independent fault of a run comes at once: a book.toml without a
/// title still has its bibliography checked, a style that cannot be read
/// still has the citations' keys checked, a malformed entry does not make
/// its key "unknown" too, and a missing contributors.toml is one error
/// naming the file (issue 29).
#[test]
fn independent_faults_come_in_one_round() {
    let (_tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("book.toml"),
        "[book]\neditors = [\"ed\"]\n\n[bibliography]\nfiles = [\"refs.bib\", \"broken.bib\"]\nstyle = \"chicago-autor-date\"\n",
    )
    .unwrap();
    std::fs::write(
        book.join("refs.bib"),
        "@book{ostrom1990,\n  author = {Ostrom, Elinor},\n  title = {Governing the Commons},\n  year = {1990},\n}\n",
    )
    .unwrap();
    std::fs::write(
        book.join("broken.bib"),
        "@book{hess2007,\n  title = {Unclosed\n",
    )
    .unwrap();
    std::fs::write(
        book.join("chapters/seul.md"),
        "---\ntitle: Seul\nauthors: [ana, bo]\n---\n\nVoir [@ostrom1990], [@hess2007] et [@nulle].\n",
    )
    .unwrap();
    let (code, diags) = check_json(&book);
    assert_eq!(code, Some(1));
    let all: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", located(d), d["message"]))
        .collect();
    let text = all.join("\n");
    let has = |words: &str| assert!(text.contains(words), "no `{words}` in:\n{text}");
    has("has no `title`");
    has("chicago-autor-date");
    has("broken.bib");
    has("no entry `nulle`");
    has("contributors.toml is missing, and the book names contributors: ed, ana, bo");
    assert!(
        !text.contains("no entry `hess2007`"),
        "its file's error covers it:\n{text}"
    );
    assert!(!text.contains("no entry `ostrom1990`"), "{text}");
    assert!(!text.contains("unknown contributor"), "{text}");
}

/// A front matter that is not YAML says what is wrong in its writer's
/// terms at the place to fix, and no spurious "no title" (issue 29).
#[test]
fn broken_front_matter_is_said_in_the_writers_terms() {
    let (_tmp, book) = fixture("minimal");
    let chapter = book.join("chapters/seul.md");
    std::fs::write(&chapter, "---\ntitle: Seul\n\tlang: fr\n---\n\nTexte.\n").unwrap();
    let (code, diags) = check_json(&book);
    assert_eq!(code, Some(1));
    let [d] = &diags[..] else {
        panic!("one fault: {diags:?}")
    };
    assert_eq!(located(d), "chapters/seul.md:3:1");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("indented with a tab"),
        "{d}"
    );
    assert!(d.to_string().contains("`lang: fr` starts the line"), "{d}");

    std::fs::write(
        &chapter,
        "---\ntitle: \"Seul\nauthors: [a]\n---\n\nTexte.\n",
    )
    .unwrap();
    let (_, diags) = check_json(&book);
    let [d] = &diags[..] else {
        panic!("one fault: {diags:?}")
    };
    assert_eq!(located(d), "chapters/seul.md:2:8");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("the quote that opens the value of `title` is not closed"),
        "{d}"
    );
    assert!(!d.to_string().contains("has no title"), "{d}");
}
