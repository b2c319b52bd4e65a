//! `ouvrage import docx`: Word and LibreOffice documents become chapters
//! of a book. The fixtures are described in
//! tests/fixtures/import/docx/README.md (how each file was produced): two
//! documents written by LibreOffice from the `.fodt` sources beside them,
//! and small documents written by Microsoft Word that mammoth.js and
//! python-docx keep as test data. Documents built in memory here (the
//! `Doc` builder) test what no fixture shows: localised style names,
//! Zotero and Mendeley citations, fields and objects that cannot be
//! converted, hostile packages. Every check reads the written Markdown;
//! one document is then checked and built by ouvrage.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use ouvrage::import::docx::{Changes, Request, convert, docx_to_markdown, import_docx};

// ---------------------------------------------------------------- helpers

/// A copy of the book the fixtures are imported into.
fn book() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("book");
    copy_dir(&docx_fixtures().join("book"), &dest);
    (tmp, dest)
}

fn docx_fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/import/docx")
}

/// A fixture document's path, as an absolute path string.
fn fixture_doc(rel: &str) -> String {
    let path = docx_fixtures().join(rel);
    assert!(path.is_file(), "{} is missing", path.display());
    path.to_string_lossy().into_owned()
}

/// Every file of a folder with its bytes, to tell whether anything was
/// written.
fn listing(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), Vec::new());
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

/// Runs `ouvrage import docx` in the book; it must succeed. Returns
/// stdout and stderr together.
fn import_ok(book: &Path, file: &str, args: &[&str]) -> String {
    let mut all = vec!["import", "docx", file];
    all.extend_from_slice(args);
    let out = ouvrage(book, &all);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all:?}:\n{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

/// Runs `ouvrage import docx`, which must fail with exit 1 and write
/// nothing; returns its stderr.
fn import_fails(book: &Path, file: &str, args: &[&str]) -> String {
    let before = listing(book);
    let mut all = vec!["import", "docx", file];
    all.extend_from_slice(args);
    let out = ouvrage(book, &all);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all:?}:\n{stdout}\n{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(
        listing(book) == before,
        "{all:?} wrote something:\n{stderr}"
    );
    stderr
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The chapter file `chapters/NN-id.md` of a book, by its id.
fn chapter(book: &Path, id: &str) -> String {
    let dir = book.join("chapters");
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(&format!("-{id}.md")))
        .unwrap_or_else(|| panic!("no chapter {id} in {}", dir.display()));
    read(dir.join(name))
}

/// The text after a chapter's front matter.
fn body(chapter: &str) -> &str {
    let rest = chapter.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("front matter end");
    rest[end + 5..].trim_start()
}

// A document built in memory: the parts of a minimal WordprocessingML
// package, the body and the other parts given as XML.

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office""#;

const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

#[derive(Default, Clone)]
struct Doc {
    body: String,
    styles: Option<String>,
    numbering: Option<String>,
    footnotes: Option<String>,
    comments: Option<String>,
    /// Extra relationships of the document: id, type (after `…/relationships/`), target, external.
    rels: Vec<(String, String, String, bool)>,
    media: Vec<(String, Vec<u8>)>,
    title: Option<String>,
}

impl Doc {
    fn new(body: &str) -> Doc {
        Doc {
            body: body.to_string(),
            ..Doc::default()
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut put = |name: &str, data: &[u8]| {
            zip.start_file(name, options).unwrap();
            zip.write_all(data).unwrap();
        };
        put(
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        );
        put(
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#
            )
            .as_bytes(),
        );
        if let Some(title) = &self.title {
            put(
                "docProps/core.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>"#).as_bytes(),
            );
        }
        let mut rels = String::new();
        let mut add = |id: &str, kind: &str, target: &str, external: bool| {
            rels.push_str(&format!(
                r#"<Relationship Id="{id}" Type="{REL}/{kind}" Target="{target}"{}/>"#,
                if external {
                    r#" TargetMode="External""#
                } else {
                    ""
                }
            ));
        };
        for (name, kind, part) in [
            ("styles.xml", "styles", &self.styles),
            ("numbering.xml", "numbering", &self.numbering),
            ("footnotes.xml", "footnotes", &self.footnotes),
            ("comments.xml", "comments", &self.comments),
        ] {
            if part.is_some() {
                add(&format!("rId{kind}"), kind, name, false);
            }
        }
        for (id, kind, target, external) in &self.rels {
            add(id, kind, target, *external);
        }
        put(
            "word/_rels/document.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).as_bytes(),
        );
        put(
            "word/document.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{}</w:body></w:document>"#, self.body).as_bytes(),
        );
        for (name, root, part) in [
            ("word/styles.xml", "styles", &self.styles),
            ("word/numbering.xml", "numbering", &self.numbering),
            ("word/footnotes.xml", "footnotes", &self.footnotes),
            ("word/comments.xml", "comments", &self.comments),
        ] {
            if let Some(xml) = part {
                put(
                    name,
                    format!(
                        r#"<?xml version="1.0" encoding="UTF-8"?><w:{root} {NS}>{xml}</w:{root}>"#
                    )
                    .as_bytes(),
                );
            }
        }
        for (name, bytes) in &self.media {
            put(&format!("word/media/{name}"), bytes);
        }
        zip.finish().unwrap().into_inner()
    }

    /// Written into `dir` as `name`; returns the path as a string.
    fn write(&self, dir: &Path, name: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, self.bytes()).unwrap();
        path.to_string_lossy().into_owned()
    }
}

fn p(text: &str) -> String {
    format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

fn styled(style: &str, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#
    )
}

/// A Zotero (or Mendeley) citation field printing `shown`.
fn citation_field(instr_prefix: &str, json: &str, shown: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
    };
    // The instruction split over two runs, as Word writes long ones.
    let half = json
        .char_indices()
        .map(|(i, _)| i)
        .find(|i| *i >= json.len() / 2)
        .unwrap();
    let (a, b) = (escape(&json[..half]), escape(&json[half..]));
    format!(
        r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr_prefix} {a}</w:instrText></w:r><w:r><w:instrText xml:space="preserve">{b} RNDx</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#
    )
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A picture of the document in a run (`rid` names it in the document's
/// relationships).
fn picture(rid: &str, descr: &str) -> String {
    format!(
        r#"<w:r><w:drawing><wp:inline><wp:extent cx="95250" cy="95250"/><wp:docPr id="1" name="Picture 1" descr="{descr}"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
}

// ---------------------------------------------------- LibreOffice documents

#[test]
fn a_libreoffice_document_becomes_a_chapter_that_checks_and_builds() {
    let (_tmp, book) = book();
    let out = import_ok(
        &book,
        &fixture_doc("libreoffice/features.docx"),
        &["--id", "communs", "--author", "ana"],
    );
    assert!(out.contains("imported"), "{out}");
    let text = chapter(&book, "communs");
    assert!(
        text.starts_with("---\ntitle: \"Les communs *numériques*\"\nauthors: [ana]\n---\n\n"),
        "{text}"
    );
    let md = body(&text);
    // Headings: Heading 1 is a section, `##`, under the Title.
    assert!(md.starts_with("## Introduction\n\n"), "{md}");
    assert!(md.contains("\n### Listes\n"), "{md}");
    assert!(md.contains("\n## Données\n"), "{md}");
    // Inline formatting.
    for expected in [
        "en *italique*, en **gras**, le 1^er^ janvier, du CO~2~ et [Elinor Ostrom]{.smallcaps} en petites capitales.[^1]",
        "[site des communs](https://example.org/communs?a=1&b=2)",
        "une ligne\\\npuis la suivante.",
        // No-break spaces stay characters.
        "Espaces insécables\u{a0}: «\u{a0}ici\u{a0}» et là\u{202f}\\![^2]",
        // Characters Markdown would read as syntax are escaped.
        "5 \\* 3 = 15, un\\_mot, \\[crochets\\], 100 \\$ et contact\\@example.org.",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    // Notes: the footnote and the endnote, in the order of the text.
    assert!(
        md.contains("[^1]: Une note de bas de page avec un *mot* en italique.\n"),
        "{md}"
    );
    assert!(md.contains("[^2]: Une note de fin.\n"), "{md}");
    // Lists, nested, and two lists in a row.
    assert!(
        md.contains(
            "- Premier point\n  1. Sous-point numéroté\n  2. Autre sous-point\n- Second point\n"
        ),
        "{md}"
    );
    assert!(md.contains("1. Étape un\n2. Étape deux\n"), "{md}");
    // The table with its caption (label and number left to the book).
    assert!(
        md.contains("Table: Budget du projet\n\n| Poste | Montant |\n| --- | --- |\n| Local \\| salle | 120 |\n"),
        "{md}"
    );
    // The figure, captioned by the caption paragraph after it.
    let figure = md
        .lines()
        .find(|l| l.starts_with("![Le quartier en rouge](images/communs/"))
        .unwrap_or_else(|| panic!("no figure in:\n{md}"));
    let src = figure
        .trim_start_matches("![Le quartier en rouge](")
        .trim_end_matches(')');
    let image = book.join("chapters").join(src);
    assert!(
        std::fs::read(&image).unwrap().starts_with(b"\x89PNG"),
        "{}",
        image.display()
    );
    assert!(
        md.contains("> La tragédie des communs n’est pas une fatalité.\n"),
        "{md}"
    );
    // The text box is a warning naming its paragraph and its words.
    assert!(
        out.contains("a text box (“Encadré hors du texte courant”) is not carried over"),
        "{out}"
    );
    assert!(!md.contains("Encadré hors"), "{md}");
    // book.toml lists the new chapter after the others.
    assert!(
        read(book.join("book.toml")).contains("chapters = [\"intro\", \"communs\"]"),
        "{}",
        read(book.join("book.toml"))
    );

    // The book checks and builds, and the site shows the chapter's notes,
    // table, figure and citation.
    let out = ok(&book, &["check"]);
    assert!(out.contains("no errors"), "{out}");
    ok(&book, &["build", "--html"]);
    let page = page(&book.join("_book/html/communs.html"));
    let notes = texts(&page, "section.footnotes li, .footnotes li");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("Une note de bas de page"), "{notes:?}");
    let captions = texts(&page, "table caption, figcaption");
    assert!(
        captions.iter().any(|c| c.contains("Budget du projet"))
            && captions.iter().any(|c| c.contains("Le quartier en rouge")),
        "{captions:?}"
    );
    assert_eq!(texts(&page, "table th"), ["Poste", "Montant"]);
    assert_eq!(texts(&page, "table td")[0], "Local | salle");
    let imgs = attrs(&page, "figure img", "src");
    assert_eq!(imgs.len(), 1, "{imgs:?}");
    assert!(book.join("_book/html").join(&imgs[0]).is_file(), "{imgs:?}");
    assert!(
        texts(&page, "sup").iter().any(|t| t == "er"),
        "{:?}",
        texts(&page, "sup")
    );
    assert!(
        texts(&page, "sub").iter().any(|t| t == "2"),
        "{:?}",
        texts(&page, "sub")
    );
    assert_eq!(texts(&page, "span.smallcaps"), ["Elinor Ostrom"]);
    // The PDF's Typst has them too.
    ok(&book, &["build", "--pdf", "--emit-typst", "typ"]);
    let typ = read(book.join("typ/__ouvrage/chapters/communs.typ"));
    for expected in ["#smallcaps[Elinor Ostrom]", "#super[er]", "#sub[2]"] {
        assert!(typ.contains(expected), "missing {expected} in:\n{typ}");
    }
    assert_eq!(
        texts(&page, "blockquote p"),
        ["La tragédie des communs n’est pas une fatalité."]
    );
    assert!(texts(&page, "main a[href='https://example.org/communs?a=1&b=2']").len() == 1);
}

#[test]
fn libreoffice_tracked_changes_are_refused_then_accepted_or_rejected() {
    let (_tmp, book) = book();
    let file = fixture_doc("libreoffice/revisions.docx");
    let err = import_fails(&book, &file, &["--id", "relu", "--author", "ana"]);
    assert!(
        err.contains("tracked change") && err.contains("1 comment"),
        "{err}"
    );
    assert!(err.contains("--accept-changes"), "{err}");

    let out = import_ok(
        &book,
        &file,
        &["--id", "relu", "--author", "ana", "--accept-changes"],
    );
    let md = chapter(&book, "relu");
    assert!(md.contains("Le texte reste, nouveau et fini."), "{md}");
    assert!(
        out.contains("comment by Relectrice on “passage commenté”: “À vérifier.”"),
        "{out}"
    );
    assert!(
        out.contains("paragraph 3 (“Un passage commenté ici.”): comment by Relectrice"),
        "{out}"
    );

    let out = import_ok(
        &book,
        &file,
        &["--id", "avant", "--author", "ana", "--reject-changes"],
    );
    let md = chapter(&book, "avant");
    assert!(
        md.contains("Le texte ancien reste, et fini."),
        "{md}\n{out}"
    );
}

// ------------------------------------------------------------ Word documents

#[test]
fn word_documents_notes_tables_lists_pictures_links_and_styles() {
    let (_tmp, book) = book();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "word/python-docx/footnotes.docx",
            "notes",
            &[
                "This paragraph contains one footnote here[^1].\n\nThis paragraph has no footnote.\n\nAnd this paragraph contains two footnotes, here[^2] and here[^3].\n",
                "\n[^1]: ",
                "\n[^3]: ",
            ],
        ),
        (
            "word/mammoth/tables.docx",
            "tables",
            &[
                "Above\n\n| Top left | Top right |\n| --- | --- |\n| Bottom left | Bottom right |\n\nBelow\n",
            ],
        ),
        (
            "word/mammoth/simple-list.docx",
            "liste",
            &["- Apple\n- Banana\n"],
        ),
        (
            "word/python-docx/num-having-numbering-part.docx",
            "numeros",
            &["1. Paragraph having List Number style.\n"],
        ),
        (
            "word/python-docx/par-hyperlinks.docx",
            "liens",
            &[
                "One [awesome hyperlink](",
                "Three hyperlinks: [the first one](",
            ],
        ),
        (
            "word/python-docx/par-known-styles.docx",
            "styles",
            &["no specified style\n\nmissing style\n\n## Heading 1\n\nBody Text\n"],
        ),
        ("word/mammoth/strict-format.docx", "strict", &["Test\n"]),
        (
            "word/mammoth/strikethrough.docx",
            "barre",
            &["~~Today's Special: Salmon~~ Sold out\n"],
        ),
    ];
    for (file, id, expected) in cases {
        import_ok(
            &book,
            &fixture_doc(file),
            &["--id", id, "--author", "bo", "--title", "Titre"],
        );
        let text = chapter(&book, id);
        let md = body(&text);
        for e in *expected {
            assert!(md.contains(e), "{file}: missing {e:?} in:\n{md}");
        }
    }
    // The footnotes' text, without Word's leading space.
    let notes = chapter(&book, "notes");
    assert!(
        notes.contains("[^1]: This is footnote text for the first footnote.\n"),
        "{notes}"
    );

    // A picture is extracted under chapters/images/<id>/.
    import_ok(
        &book,
        &fixture_doc("word/mammoth/tiny-picture.docx"),
        &["--id", "image", "--author", "bo", "--title", "Image"],
    );
    let md = chapter(&book, "image");
    let line = md
        .lines()
        .find(|l| l.starts_with("!["))
        .unwrap_or_else(|| panic!("{md}"));
    let src = &line[line.find("](").unwrap() + 2..line.len() - 1];
    assert!(src.starts_with("images/image/"), "{line}");
    assert!(book.join("chapters").join(src).is_file(), "{src}");

    // A text box: a warning with its first words.
    let out = import_ok(
        &book,
        &fixture_doc("word/mammoth/text-box.docx"),
        &["--id", "encadre", "--author", "bo", "--title", "Encadré"],
    );
    assert!(
        out.contains("paragraph 1: a text box (“Datum plane”) is not carried over"),
        "{out}"
    );

    // Every chapter checks.
    let out = ok(&book, &["check"]);
    assert!(out.contains("no errors"), "{out}");
}

#[test]
fn word_comments_and_tracked_changes() {
    let (_tmp, book) = book();
    let comments = fixture_doc("word/mammoth/comments.docx");
    let err = import_fails(
        &book,
        &comments,
        &["--id", "c", "--author", "ana", "--title", "C"],
    );
    assert!(err.contains("2 comments"), "{err}");
    let out = import_ok(
        &book,
        &comments,
        &[
            "--id",
            "c",
            "--author",
            "ana",
            "--title",
            "C",
            "--accept-changes",
        ],
    );
    assert!(
        out.contains("paragraph 1 (“Ouch.”): comment by Michael Williamson on “Ouch”: “A tachyon walks into a bar.”"),
        "{out}"
    );

    let track = fixture_doc("word/mammoth/track-changes-test.docx");
    let err = import_fails(&book, &track, &["--id", "t", "--author", "ana"]);
    assert!(err.contains("tracked changes"), "{err}");
    import_ok(
        &book,
        &track,
        &["--id", "t", "--author", "ana", "--accept-changes"],
    );
    let md = chapter(&book, "t");
    assert!(md.contains("title: \"Track Changes Test\""), "{md}");
    for e in [
        "This is the content.",
        "And here is much more content.",
        "This is new content, that I suggest.",
        "Link 1: [www.adobe.com](http://www.adobe.com?foo=bar)",
        "Link 2: www.hlx.live",
        "Link 3: [www.hlx.live](http://www.hlx.live)",
    ] {
        assert!(md.contains(e), "accepted: missing {e:?} in:\n{md}");
    }
    assert!(
        !md.contains("Item 1") && !md.contains("default") && !md.contains("C1"),
        "{md}"
    );
    import_ok(
        &book,
        &track,
        &["--id", "t2", "--author", "ana", "--reject-changes"],
    );
    let md = chapter(&book, "t2");
    for e in [
        "This is the default content.",
        "And here is some  more content.",
        "- Item 1\n- Item 2",
        "Link 1: [www.adobe.com](http://www.adobe.com)",
        "| C1 |",
    ] {
        assert!(md.contains(e), "rejected: missing {e:?} in:\n{md}");
    }
    assert!(!md.contains("new content"), "{md}");
}

// ------------------------------------------------- documents built in memory

#[test]
fn headings_are_found_by_localised_names_outline_levels_and_chains() {
    let mut doc = Doc::new(&[
        styled("Titre", "Le titre"),
        styled("Titre1", "Premier niveau"),
        styled("berschrift2", "Zweite Ebene"),
        styled("Titolo3", "Terzo livello"),
        styled("Ttulo4", "Cuarto nivel"),
        styled("Intertitre", "Par niveau de plan"),
        styled("Derive", "Par héritage"),
        r#"<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Niveau direct</w:t></w:r></w:p>"#.to_string(),
        p("Texte."),
    ]
    .concat());
    doc.styles = Some(
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
           <w:style w:type="paragraph" w:styleId="Titre"><w:name w:val="Title"/></w:style>
           <w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
           <w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="Überschrift 2"/></w:style>
           <w:style w:type="paragraph" w:styleId="Titolo3"><w:name w:val="Titolo 3"/></w:style>
           <w:style w:type="paragraph" w:styleId="Ttulo4"><w:name w:val="Título 4"/></w:style>
           <w:style w:type="paragraph" w:styleId="Intertitre"><w:name w:val="Intertitre maison"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
           <w:style w:type="paragraph" w:styleId="Derive"><w:name w:val="Dérivé"/><w:basedOn w:val="Titolo3"/></w:style>"#
            .to_string(),
    );
    let (_tmp, book) = book();
    import_ok(
        &book,
        &doc.write(&book, "h.docx"),
        &["--id", "titres", "--author", "ana"],
    );
    let text = chapter(&book, "titres");
    assert!(text.contains("title: \"Le titre\""), "{text}");
    assert_eq!(
        body(&text),
        "## Premier niveau\n\n### Zweite Ebene\n\n#### Terzo livello\n\n##### Cuarto nivel\n\n### Par niveau de plan\n\n#### Par héritage\n\n### Niveau direct\n\nTexte.\n"
    );
}

#[test]
fn a_lone_opening_heading_1_or_the_properties_give_the_title() {
    let (_tmp, book) = book();
    let doc = Doc::new(
        &[
            styled("Heading1", "Chapitre unique"),
            p("Intro."),
            styled("Heading2", "Section"),
        ]
        .concat(),
    );
    import_ok(
        &book,
        &doc.write(&book, "a.docx"),
        &["--id", "a", "--author", "ana"],
    );
    let text = chapter(&book, "a");
    assert!(text.contains("title: \"Chapitre unique\""), "{text}");
    assert_eq!(body(&text), "Intro.\n\n## Section\n");

    let mut doc = Doc::new(&p("Rien que du texte."));
    doc.title = Some("Titre &amp; propriétés".into());
    import_ok(
        &book,
        &doc.write(&book, "b.docx"),
        &["--id", "b", "--author", "ana"],
    );
    assert!(
        chapter(&book, "b").contains("title: \"Titre \\\\& propriétés\""),
        "{}",
        chapter(&book, "b")
    );

    // No title anywhere and no --title: an error.
    let doc = Doc::new(&p("Rien."));
    let err = import_fails(
        &book,
        &doc.write(&book, "c.docx"),
        &["--id", "c", "--author", "ana"],
    );
    assert!(err.contains("no title") && err.contains("--title"), "{err}");
}

#[test]
fn zotero_and_mendeley_citations_become_citations_of_the_bibliography() {
    let zotero = r#"{"citationID":"x1","properties":{"formattedCitation":"(Ostrom 1990, 12)"},"citationItems":[{"id":1,"itemData":{"type":"book","title":"Governing the Commons","DOI":"10.1017/CBO9780511807763"},"locator":"12","label":"page"}],"schema":"https://github.com/citation-style-language/schema/raw/master/csl-citation.json"}"#;
    let mendeley = r#"{"citationItems":[{"id":"ITEM-1","itemData":{"type":"book","title":"Le retour des communs : la crise de l’idéologie propriétaire","id":"ITEM-1"},"suppress-author":1,"prefix":"voir"}],"mendeley":{"formattedCitation":"(2015)"},"properties":{"noteIndex":0},"schema":"https://github.com/citation-style-language/schema/raw/master/csl-citation.json"}"#;
    let legacy = r#"{"citationItems":[{"itemData":{"title":"Governing the commons"}}]}"#;
    let unknown =
        r#"{"citationItems":[{"itemData":{"title":"Un livre absent","DOI":"10.9999/absent"}}]}"#;
    let body = [
        styled("Title", "Citations"),
        format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">Selon Ostrom </w:t></w:r>{}<w:r><w:t xml:space=\"preserve\"> et Coriat </w:t></w:r>{}<w:r><w:t>.</w:t></w:r></w:p>",
            citation_field("ADDIN ZOTERO_ITEM CSL_CITATION", zotero, "(Ostrom 1990, 12)"),
            citation_field("ADDIN CSL_CITATION", mendeley, "(2015)"),
        ),
        format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">Ancien Mendeley </w:t></w:r>{}</w:p>",
            citation_field("ADDIN Mendeley Citation{6e9f2a0c-0000-0000-0000-000000000000} CSL_CITATION", legacy, "(Ostrom, 1990)"),
        ),
        format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">Un ouvrage inconnu </w:t></w:r>{}<w:r><w:t>.</w:t></w:r></w:p>",
            citation_field("ADDIN ZOTERO_ITEM CSL_CITATION", unknown, "(Absent 2020)"),
        ),
        // Zotero's bibliography: the book prints its own.
        r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> ADDIN ZOTERO_BIBL {"uncited":[]} CSL_BIBLIOGRAPHY </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Ostrom, Elinor. 1990. Governing the Commons.</w:t></w:r></w:p><w:p><w:r><w:t>Coriat, Benjamin. 2015. Le retour des communs.</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_string(),
        p("Fin."),
    ]
    .concat();
    let (_tmp, book) = book();
    let out = import_ok(
        &book,
        &Doc::new(&body).write(&book, "cit.docx"),
        &["--id", "cit", "--author", "ana"],
    );
    let text = chapter(&book, "cit");
    let md = body_of(&text);
    assert_eq!(
        md,
        "Selon Ostrom [@ostrom1990, p. 12] et Coriat [voir -@coriat2015].\n\nAncien Mendeley [@ostrom1990]\n\nUn ouvrage inconnu (Absent 2020).\n\nFin.\n"
    );
    assert!(
        out.contains("paragraph 4 (“Un ouvrage inconnu (Absent 2020).”): the citation “(Absent 2020)” stays text: “Un livre absent” is not in the book's bibliography"),
        "{out}"
    );
    assert!(
        out.contains("bibliography a reference manager wrote"),
        "{out}"
    );
    assert!(out.contains("3 citation(s)"), "{out}");
    let check = ok(&book, &["check"]);
    assert!(check.contains("no errors"), "{check}");
}

fn body_of(chapter: &str) -> String {
    body(chapter).to_string()
}

#[test]
fn what_cannot_be_converted_is_a_warning_at_its_paragraph() {
    let mut doc = Doc::new(&[
        styled("Title", "Objets"),
        // A table of contents: left out, with a note.
        r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>TOC \o "1-3" \h</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Introduction 1</w:t></w:r></w:p><w:p><w:r><w:t>Méthodes 2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>7</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> du rapport.</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t xml:space="preserve">Un schéma SmartArt </w:t></w:r><w:r><w:drawing><wp:inline><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram"/></a:graphic></wp:inline></w:drawing></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t xml:space="preserve">Un graphique </w:t></w:r><w:r><w:drawing><wp:inline><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"/></a:graphic></wp:inline></w:drawing></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t xml:space="preserve">Un tableur incorporé </w:t></w:r><w:r><w:object><v:shape id="o1"/><o:OLEObject ProgID="Excel.Sheet.12"/></w:object></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t xml:space="preserve">Une équation </w:t></w:r><m:oMath><m:r><m:t>x=1</m:t></m:r></m:oMath></w:p>"#.to_string(),
        format!(r#"<w:p><w:r><w:t xml:space="preserve">Une image EMF </w:t></w:r>{}</w:p>"#, picture("rIdEmf", "")),
        format!(r#"<w:p>{}</w:p>"#, picture("rIdPng", "Un point")),
        r#"<w:p><w:r><w:t xml:space="preserve">Voir </w:t></w:r><w:hyperlink r:id="rIdFile"><w:r><w:t>le rapport</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> et </w:t></w:r><w:hyperlink r:id="rIdWeb"><w:r><w:t>le site</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:r><w:t xml:space="preserve">Un encadré </w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Texte de l'encadré</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Texte de l'encadré</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.to_string(),
    ]
    .concat());
    let mut emf = vec![1, 0, 0, 0];
    emf.extend([0u8; 36]);
    emf.extend(b" EMF");
    emf.extend([0u8; 16]);
    doc.media = vec![
        ("image1.emf".into(), emf),
        ("image2.png".into(), PNG.to_vec()),
    ];
    doc.rels = vec![
        (
            "rIdEmf".into(),
            "image".into(),
            "media/image1.emf".into(),
            false,
        ),
        (
            "rIdPng".into(),
            "image".into(),
            "media/image2.png".into(),
            false,
        ),
        (
            "rIdFile".into(),
            "hyperlink".into(),
            "file:///C:/Users/ana/rapport.pdf".into(),
            true,
        ),
        (
            "rIdWeb".into(),
            "hyperlink".into(),
            "https://example.org/".into(),
            true,
        ),
    ];
    let (_tmp, book) = book();
    let out = import_ok(
        &book,
        &doc.write(&book, "o.docx"),
        &["--id", "objets", "--author", "ana"],
    );
    let md = body_of(&chapter(&book, "objets"));
    assert_eq!(
        md,
        "Page 7 du rapport.\n\nUn schéma SmartArt\n\nUn graphique\n\nUn tableur incorporé\n\nUne équation\n\nUne image EMF\n\n![Un point](images/objets/image2.png)\n\nVoir le rapport et [le site](https://example.org/).\n\nUn encadré\n"
    );
    for warning in [
        "paragraph 4 (“Page 7 du rapport.”): a PAGE field stays as the text it shows (“7”)",
        "paragraph 5 (“Un schéma SmartArt”): a SmartArt diagram is not carried over",
        "paragraph 6 (“Un graphique”): a chart is not carried over",
        "paragraph 7 (“Un tableur incorporé”): an embedded object (OLE",
        "paragraph 8 (“Une équation”): an equation (Word's equation editor) is not carried over",
        "paragraph 9 (“Une image EMF”): a picture in a format the book cannot show (EMF)",
        "paragraph 11 (“Voir le rapport et le site.”): a link to “file:///C:/Users/ana/rapport.pdf” (a file, not a web address) stays as its text",
        "paragraph 12 (“Un encadré”): a text box (“Texte de l'encadré”) is not carried over",
        "the document's table of contents is left out",
    ] {
        assert!(out.contains(warning), "missing {warning:?} in:\n{out}");
    }
    assert!(!out.contains("Méthodes"), "{out}");
    assert_eq!(
        std::fs::read_dir(book.join("chapters/images/objets"))
            .unwrap()
            .count(),
        1,
        "only the PNG is written"
    );
}

#[test]
fn lists_quotes_tables_captions_and_notes_from_word_styles() {
    let mut doc = Doc::new(&[
        r#"<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Structures</w:t></w:r><w:r><w:footnoteReference w:id="6"/></w:r></w:p>"#.to_string(),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Un</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Un.a</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="2"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Puce</w:t></w:r></w:p>"#.to_string(),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Deux</w:t><w:footnoteReference w:id="5"/></w:r></w:p>"#.to_string(),
        styled("Citation", "Une citation longue."),
        styled("Lgende", "Tableau 2 : Chiffres"),
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>B</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:gridSpan w:val="1"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p><w:p><w:r><w:t>suite</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Fusion</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
    ]
    .concat());
    doc.numbering = Some(
        r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/></w:lvl><w:lvl w:ilvl="2"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#.to_string(),
    );
    doc.styles = Some(
        r#"<w:style w:type="paragraph" w:styleId="Citation"><w:name w:val="Quote"/></w:style><w:style w:type="paragraph" w:styleId="Lgende"><w:name w:val="caption"/></w:style>"#.to_string(),
    );
    doc.footnotes = Some(
        r#"<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="5"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Première.</w:t></w:r></w:p><w:p><w:r><w:t>Seconde.</w:t></w:r></w:p></w:footnote><w:footnote w:id="6"><w:p><w:r><w:t>Sur le titre.</w:t></w:r></w:p></w:footnote>"#.to_string(),
    );
    let (_tmp, book) = book();
    let out = import_ok(
        &book,
        &doc.write(&book, "s.docx"),
        &["--id", "structures", "--author", "ana"],
    );
    let text = chapter(&book, "structures");
    assert!(text.contains("title: \"Structures\"\n"), "{text}");
    // The title's note has nowhere to go: left out, with a warning.
    assert!(out.contains("the note on the title is left out"), "{out}");
    assert_eq!(
        body_of(&text),
        "1. Un\n   1. Un.a\n      - Puce\n2. Deux[^2]\n\n> Une citation longue.\n\nTable: Chiffres\n\n| A | B |\n| --- | --- |\n| 1 suite |  |\n| Fusion |  |\n\n[^2]: Première.\n\n    Seconde.\n"
    );
    let check = ok(&book, &["check"]);
    assert!(check.contains("no errors"), "{check}");
}

// ------------------------------------------------------------------- errors

#[test]
fn files_that_are_no_docx_are_clear_errors_and_nothing_is_written() {
    let (_tmp, book) = book();
    let dir = book.parent().unwrap().to_path_buf();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    };
    let args = ["--id", "x", "--author", "ana", "--title", "X"];

    let err = import_fails(&book, &write("bruit.docx", &[7u8; 3000]), &args);
    assert!(
        err.contains("bruit.docx: this file is not a DOCX document"),
        "{err}"
    );

    let fixture = std::fs::read(fixture_doc("word/mammoth/tables.docx")).unwrap();
    let err = import_fails(
        &book,
        &write("tronque.docx", &fixture[..fixture.len() / 2]),
        &args,
    );
    assert!(
        err.contains("tronque.docx: this DOCX file is damaged"),
        "{err}"
    );

    // The document part's compressed data garbled.
    let mut corrupt = fixture.clone();
    let at = fixture
        .windows(17)
        .position(|w| w == b"word/document.xml")
        .unwrap();
    for b in corrupt.iter_mut().skip(at + 40).take(300) {
        *b = 0x55;
    }
    let err = import_fails(&book, &write("abime.docx", &corrupt), &args);
    assert!(err.contains("damaged"), "{err}");

    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0u8; 1000]);
    let mut encrypted = ole.clone();
    encrypted.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let err = import_fails(&book, &write("secret.docx", &encrypted), &args);
    assert!(err.contains("protected by a password"), "{err}");

    let err = import_fails(&book, &write("ancien.doc", &ole), &args);
    assert!(
        err.contains("Word 97–2003 document (.doc)")
            && err.contains("save it as a Word document (.docx)"),
        "{err}"
    );

    let err = import_fails(&book, &write("faux.doc", b"not a document at all"), &args);
    assert!(err.contains("a `.doc` file is not a DOCX"), "{err}");

    let odt = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", options).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.text")
            .unwrap();
        zip.start_file("content.xml", options).unwrap();
        zip.write_all(b"<office:document-content/>").unwrap();
        zip.finish().unwrap().into_inner()
    };
    let err = import_fails(&book, &write("texte.odt", &odt), &args);
    assert!(
        err.contains("OpenDocument") && err.contains("save it as Word"),
        "{err}"
    );

    let err = import_fails(&book, &write("vide.docx", b""), &args);
    assert!(err.contains("empty"), "{err}");

    let err = import_fails(&book, &dir.join("absent.docx").to_string_lossy(), &args);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn authors_ids_and_existing_files_are_checked_before_anything_is_written() {
    let (_tmp, book) = book();
    let file = fixture_doc("word/mammoth/tables.docx");
    let err = import_fails(
        &book,
        &file,
        &["--id", "t", "--author", "anna", "--title", "T"],
    );
    assert!(
        err.contains("unknown contributor `anna`") && err.contains("did you mean `ana`"),
        "{err}"
    );
    let err = import_fails(
        &book,
        &file,
        &["--id", "intro", "--author", "ana", "--title", "T"],
    );
    assert!(
        err.contains("a chapter with the id `intro` already exists"),
        "{err}"
    );
    let err = import_fails(
        &book,
        &file,
        &["--id", "Pas_Valide", "--author", "ana", "--title", "T"],
    );
    assert!(err.contains("not a valid chapter id"), "{err}");
    // A picture's file already there is never written over.
    std::fs::create_dir_all(book.join("chapters/images/pic")).unwrap();
    let picture = fixture_doc("word/mammoth/tiny-picture.docx");
    let converted = convert(
        std::fs::read(&picture).unwrap(),
        &ouvrage::import::docx::Options::default(),
    )
    .unwrap();
    let name = &converted.images[0].0;
    std::fs::write(book.join("chapters/images/pic").join(name), b"mine").unwrap();
    let err = import_fails(
        &book,
        &picture,
        &["--id", "pic", "--author", "ana", "--title", "P"],
    );
    assert!(err.contains("exists already"), "{err}");
}

/// A zip whose one part decompresses far beyond what a document holds,
/// one with too many entries, and a document nested thousands of levels
/// deep are refused, not read.
#[test]
fn zip_bombs_and_deep_nesting_are_refused() {
    let options = ouvrage::import::docx::Options::default();
    let mut bomb = Doc::new(&p("x"));
    bomb.media = vec![("huge.png".into(), vec![0u8; 65 * 1024 * 1024])];
    bomb.rels = vec![(
        "rIdB".into(),
        "image".into(),
        "media/huge.png".into(),
        false,
    )];
    bomb.body = format!("<w:p>{}</w:p>", picture("rIdB", ""));
    let bytes = bomb.bytes();
    assert!(
        bytes.len() < 1024 * 1024,
        "the bomb is small: {}",
        bytes.len()
    );
    let err = convert(bytes, &options).unwrap_err();
    assert!(err.message.contains("zip bomb"), "{}", err.message);

    let many = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        for i in 0..10_001 {
            zip.start_file(format!("f{i}"), o).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    let err = convert(many, &options).unwrap_err();
    assert!(err.message.contains("entries"), "{}", err.message);

    let depth = 5000;
    let deep = Doc::new(&format!(
        "{}<w:p><w:r><w:t>x</w:t></w:r></w:p>{}",
        "<w:sdt><w:sdtContent>".repeat(depth),
        "</w:sdtContent></w:sdt>".repeat(depth)
    ));
    let err = convert(deep.bytes(), &options).unwrap_err();
    assert!(err.message.contains("levels deep"), "{}", err.message);

    let deep_runs = Doc::new(&format!(
        "<w:p>{}<w:r><w:t>x</w:t></w:r>{}</w:p>",
        "<w:smartTag>".repeat(depth),
        "</w:smartTag>".repeat(depth)
    ));
    assert!(convert(deep_runs.bytes(), &options).is_err());

    // Entities are never expanded: a DTD is refused.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", o).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"#).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let err = convert(bytes, &options).unwrap_err();
    assert!(
        err.message.contains("not well-formed XML"),
        "{}",
        err.message
    );
}

#[test]
fn the_library_converts_bytes_to_markdown() {
    let bytes = std::fs::read(fixture_doc("word/python-docx/footnotes.docx")).unwrap();
    let md = docx_to_markdown(&bytes).unwrap();
    assert!(
        md.starts_with("This paragraph contains one footnote here[^1].\n"),
        "{md}"
    );
    assert!(md.contains("\n[^2]: "), "{md}");
    let err = docx_to_markdown(b"nope").unwrap_err();
    assert!(err.contains("not a DOCX"), "{err}");
}

// ------------------------------------------------------------------ proptest

mod mutations {
    use super::*;
    use proptest::prelude::*;

    fn fixtures() -> Vec<Vec<u8>> {
        [
            "word/mammoth/tables.docx",
            "word/mammoth/track-changes-test.docx",
            "word/python-docx/footnotes.docx",
            "libreoffice/features.docx",
        ]
        .iter()
        .map(|f| std::fs::read(fixture_doc(f)).unwrap())
        .collect()
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        Truncate(usize),
        Flip(Vec<(usize, u8)>),
        Splice(usize, Vec<u8>),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (0usize..100_000).prop_map(Mutation::Truncate),
            prop::collection::vec((0usize..100_000, any::<u8>()), 1..12).prop_map(Mutation::Flip),
            (0usize..100_000, prop::collection::vec(any::<u8>(), 1..64))
                .prop_map(|(at, b)| Mutation::Splice(at, b)),
        ]
    }

    fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
        let len = bytes.len().max(1);
        match m {
            Mutation::Truncate(at) => bytes.truncate(at % len),
            Mutation::Flip(flips) => {
                for (at, b) in flips {
                    let i = at % len;
                    if let Some(x) = bytes.get_mut(i) {
                        *x ^= b | 1;
                    }
                }
            }
            Mutation::Splice(at, b) => {
                let i = at % len;
                bytes.splice(i..i, b.iter().copied());
            }
        }
        bytes
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, .. ProptestConfig::default() })]

        /// A damaged document never makes the import panic, and an import
        /// that fails writes nothing (one that succeeds writes the chapter).
        #[test]
        fn damaged_documents_never_panic_and_never_half_write(which in 0usize..4, m in mutation()) {
            let original = fixtures().swap_remove(which);
            let bytes = apply(original, &m);
            let (_tmp, book) = book();
            let file = book.parent().unwrap().join("mutant.docx");
            std::fs::write(&file, &bytes).unwrap();
            let before = listing(&book);
            let request = Request {
                file: file.clone(),
                id: "mutant".into(),
                authors: vec!["ana".into()],
                title: Some("Mutant".into()),
                changes: Changes::Accept,
            };
            match import_docx(&book, &request) {
                Ok(done) => prop_assert!(book.join(&done.chapter).is_file()),
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    prop_assert!(listing(&book) == before, "an import that failed wrote something: {errors:?}");
                }
            }
        }
    }
}
