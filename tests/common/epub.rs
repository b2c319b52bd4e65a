//! The EPUB's structure, read back with roxmltree: shared by the tests of
//! the EPUB (`tests/epub.rs`) and the fuzz run (`tests/fuzz.rs`).

use std::collections::{BTreeMap, BTreeSet};

/// The OPF namespace.
pub const OPF_NS: &str = "http://www.idpf.org/2007/opf";

/// Parses well-formed XML (DTDs allowed), or panics with the text.
pub fn xml(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{text}"))
}

/// The folder of a path in the zip, with a trailing `/`.
pub fn folder(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    }
}

/// Resolves a relative URL from the document at `from` (a path in the zip).
pub fn resolve(from: &str, url: &str) -> (String, Option<String>) {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (url, None),
    };
    if path.is_empty() {
        return (from.to_string(), fragment);
    }
    let mut parts: Vec<String> = folder(from)
        .split('/')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    for segment in percent_decode(path).split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop().expect("a URL that leaves the EPUB");
            }
            s => parts.push(s.to_string()),
        }
    }
    (parts.join("/"), fragment)
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Ids of every element of a document.
pub fn ids(doc: &roxmltree::Document<'_>) -> BTreeSet<String> {
    doc.descendants()
        .filter_map(|n| n.attribute("id"))
        .map(String::from)
        .collect()
}

/// The package: manifest (id → (href, media type, properties)) and spine.
pub struct Package {
    pub manifest: BTreeMap<String, (String, String, String)>,
    pub spine: Vec<String>,
}

pub fn package(opf: &roxmltree::Document<'_>, opf_path: &str) -> Package {
    let manifest = opf
        .descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "item")))
        .map(|n| {
            let href = n.attribute("href").unwrap();
            (
                n.attribute("id").unwrap().to_string(),
                (
                    resolve(opf_path, href).0,
                    n.attribute("media-type").unwrap().to_string(),
                    n.attribute("properties").unwrap_or("").to_string(),
                ),
            )
        })
        .collect();
    let spine = opf
        .descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "itemref")))
        .map(|n| n.attribute("idref").unwrap().to_string())
        .collect();
    Package { manifest, spine }
}

/// The structural checks of an EPUB's files (paths in the zip and bytes,
/// `mimetype` aside): the container names the package, the manifest lists
/// exactly the files and the spine only manifest items, every XHTML
/// document and the package are well-formed XML, and every link and image
/// of a document resolves to a file of the publication and its fragment to
/// an id there. Returns the problems found.
pub fn structure_problems(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    let text = |name: &str| {
        files
            .get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let Some(container) = text("META-INF/container.xml") else {
        return vec!["no META-INF/container.xml".into()];
    };
    let container = xml(&container);
    let Some(opf_path) = container
        .descendants()
        .find(|n| n.has_tag_name("rootfile"))
        .and_then(|n| n.attribute("full-path"))
        .map(str::to_string)
    else {
        return vec!["no rootfile in the container".into()];
    };
    let Some(opf_text) = text(&opf_path) else {
        return vec![format!("no package at {opf_path}")];
    };
    let opf = xml(&opf_text);
    let pkg = package(&opf, &opf_path);
    let in_manifest: BTreeSet<&str> = pkg.manifest.values().map(|(p, ..)| p.as_str()).collect();
    let in_zip: BTreeSet<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|n| *n != "mimetype" && !n.starts_with("META-INF/") && *n != opf_path)
        .collect();
    if in_manifest != in_zip {
        problems.push(format!("manifest {in_manifest:?} != files {in_zip:?}"));
    }
    for idref in &pkg.spine {
        if !pkg.manifest.contains_key(idref) {
            problems.push(format!("spine item {idref} is not in the manifest"));
        }
    }
    let documents: BTreeMap<&str, String> = pkg
        .manifest
        .values()
        .filter(|(_, t, _)| t == "application/xhtml+xml")
        .filter_map(|(p, ..)| Some((p.as_str(), text(p)?)))
        .collect();
    let parsed: BTreeMap<&str, roxmltree::Document<'_>> =
        documents.iter().map(|(p, t)| (*p, xml(t))).collect();
    for (path, doc) in &parsed {
        for node in doc.descendants() {
            for attr in ["href", "src"] {
                let Some(url) = node.attribute(attr) else {
                    continue;
                };
                if url.contains("://") || url.starts_with("mailto:") || url.starts_with("data:") {
                    continue;
                }
                let (target, fragment) = resolve(path, url);
                if !files.contains_key(&target) {
                    problems.push(format!("{path}: {url} leads to no file"));
                    continue;
                }
                if let (Some(fragment), Some(target_doc)) = (fragment, parsed.get(target.as_str()))
                    && !fragment.is_empty()
                    && !ids(target_doc).contains(&fragment)
                {
                    problems.push(format!("{path}: {url} leads to no id"));
                }
            }
        }
    }
    problems
}
