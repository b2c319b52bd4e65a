//! The EPUB: fixture books built with `--epub` and read back with Rust
//! crates only (zip, roxmltree): the container, the package's metadata,
//! manifest and spine, the navigation, every document well-formed, links
//! and images that resolve, the cover, and reproducible bytes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use common::epub::{ids, package, resolve, xml};
use common::{edit, edit_n, fixture, ok, ouvrage, sample_book, text};

use common::epub::OPF_NS;
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const EPUB_NS: &str = "http://www.idpf.org/2007/ops";

/// An EPUB read back: its entries in zip order, with their bytes.
struct Epub {
    names: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
    /// The compression method of each entry.
    methods: BTreeMap<String, zip::CompressionMethod>,
}

impl Epub {
    fn read(path: &Path) -> Epub {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut epub = Epub {
            names: Vec::new(),
            files: BTreeMap::new(),
            methods: BTreeMap::new(),
        };
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            epub.methods.insert(name.clone(), file.compression());
            epub.names.push(name.clone());
            epub.files.insert(name, content);
        }
        epub
    }

    fn text(&self, name: &str) -> &str {
        std::str::from_utf8(
            self.files
                .get(name)
                .unwrap_or_else(|| panic!("{name} is not in the EPUB: {:?}", self.names)),
        )
        .unwrap()
    }

    /// The package document's path, from the container.
    fn package_path(&self) -> String {
        let container = xml(self.text("META-INF/container.xml"));
        container
            .descendants()
            .find(|n| n.has_tag_name("rootfile"))
            .and_then(|n| n.attribute("full-path"))
            .expect("a rootfile")
            .to_string()
    }
}

/// `ouvrage build --epub` with a fixed SOURCE_DATE_EPOCH, returning the EPUB's path.
fn build_epub(book: &Path, out: &Path, epoch: Option<&str>) -> PathBuf {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    cmd.args(["build", "--epub", "--out"])
        .arg(out)
        .current_dir(book)
        .env("NO_COLOR", "1");
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let output = cmd.output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "build failed:\n{stdout}\n{stderr}");
    let epubs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .collect();
    assert_eq!(epubs.len(), 1, "{epubs:?}");
    epubs[0].clone()
}

/// Text of the metadata elements `(ns, name)`.
fn meta_texts(opf: &roxmltree::Document<'_>, ns: &str, name: &str) -> Vec<String> {
    opf.descendants()
        .filter(|n| n.has_tag_name((ns, name)))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// The `<meta refines="#id" property="…">` values.
fn refinements(opf: &roxmltree::Document<'_>, id: &str, property: &str) -> Vec<String> {
    let target = format!("#{id}");
    opf.descendants()
        .filter(|n| {
            n.has_tag_name((OPF_NS, "meta"))
                && n.attribute("refines") == Some(target.as_str())
                && n.attribute("property") == Some(property)
        })
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// The id of the `dc:…` element whose text is `text`.
fn dc_id(opf: &roxmltree::Document<'_>, name: &str, text: &str) -> String {
    opf.descendants()
        .find(|n| n.has_tag_name((DC_NS, name)) && n.text() == Some(text))
        .and_then(|n| n.attribute("id"))
        .unwrap_or_else(|| panic!("no dc:{name} {text}"))
        .to_string()
}

#[test]
fn the_features_book_makes_a_complete_epub() {
    let (_tmp, book) = fixture("features");
    let out = book.join("out");
    let path = build_epub(&book, &out, Some("1714557600"));
    assert_eq!(
        path.file_name().unwrap(),
        "livre-d-essai.epub",
        "named after the book"
    );
    // `--epub` alone builds the EPUB alone.
    assert!(!out.join("html").exists() && !out.join("livre-d-essai.pdf").exists());
    let epub = Epub::read(&path);

    // The container: mimetype first and stored, then the package.
    assert_eq!(epub.names[0], "mimetype");
    assert_eq!(epub.text("mimetype"), "application/epub+zip");
    assert_eq!(epub.methods["mimetype"], zip::CompressionMethod::Stored);
    let opf_path = epub.package_path();
    assert_eq!(opf_path, "EPUB/package.opf");
    let opf = xml(epub.text(&opf_path));
    let root = opf.root_element();
    assert_eq!(root.attribute("version"), Some("3.0"));

    // Metadata.
    let unique = root.attribute("unique-identifier").unwrap();
    let identifier = opf
        .descendants()
        .find(|n| n.has_tag_name((DC_NS, "identifier")) && n.attribute("id") == Some(unique))
        .and_then(|n| n.text())
        .unwrap();
    assert!(
        identifier.starts_with("urn:uuid:") && &identifier[23..24] == "5",
        "a version-5 UUID: {identifier}"
    );
    assert_eq!(
        meta_texts(&opf, DC_NS, "title"),
        ["Livre d'essai", "Toutes les fonctions"]
    );
    let subtitle = dc_id(&opf, "title", "Toutes les fonctions");
    assert_eq!(refinements(&opf, &subtitle, "title-type"), ["subtitle"]);
    assert_eq!(meta_texts(&opf, DC_NS, "language"), ["fr"]);
    assert_eq!(meta_texts(&opf, DC_NS, "creator"), ["Edith Éditrice"]);
    // The editor, who also signs the foreword.
    let editor = dc_id(&opf, "creator", "Edith Éditrice");
    assert_eq!(refinements(&opf, &editor, "role"), ["edt", "aut"]);
    assert_eq!(
        meta_texts(&opf, DC_NS, "contributor"),
        ["Ana Autrice", "Bo Auteur"]
    );
    for name in ["Ana Autrice", "Bo Auteur"] {
        let id = dc_id(&opf, "contributor", name);
        assert_eq!(refinements(&opf, &id, "role"), ["aut"]);
        let scheme = opf
            .descendants()
            .find(|n| n.attribute("refines") == Some(format!("#{id}").as_str()))
            .and_then(|n| n.attribute("scheme"));
        assert_eq!(scheme, Some("marc:relators"));
    }
    assert_eq!(meta_texts(&opf, DC_NS, "publisher"), ["Éditions d'essai"]);
    assert_eq!(
        meta_texts(&opf, DC_NS, "date"),
        ["2026"],
        "the year of book.toml"
    );
    assert_eq!(meta_texts(&opf, DC_NS, "rights"), ["CC BY-SA 4.0"]);
    let modified: Vec<String> = opf
        .descendants()
        .filter(|n| n.attribute("property") == Some("dcterms:modified"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert_eq!(modified, ["2024-05-01T10:00:00Z"], "from SOURCE_DATE_EPOCH");

    // Manifest and zip hold the same files; the spine reads the manifest.
    let pkg = package(&opf, &opf_path);
    let in_manifest: BTreeSet<&str> = pkg.manifest.values().map(|(p, ..)| p.as_str()).collect();
    let in_zip: BTreeSet<&str> = epub
        .names
        .iter()
        .map(String::as_str)
        .filter(|n| *n != "mimetype" && !n.starts_with("META-INF/") && *n != opf_path)
        .collect();
    assert_eq!(in_manifest, in_zip);
    assert_eq!(pkg.manifest.len(), in_manifest.len(), "one item per file");
    for idref in &pkg.spine {
        assert!(pkg.manifest.contains_key(idref), "spine item {idref}");
    }
    let first = &pkg.manifest[&pkg.spine[0]];
    assert_eq!(first.0, "EPUB/cover.xhtml", "the cover opens the book");
    let with = |property: &str| -> Vec<&str> {
        pkg.manifest
            .values()
            .filter(|(_, _, props)| props.split(' ').any(|p| p == property))
            .map(|(p, ..)| p.as_str())
            .collect()
    };
    assert_eq!(with("nav"), ["EPUB/nav.xhtml"]);
    assert_eq!(with("cover-image"), ["EPUB/cover.svg"]);
    let image = pkg
        .manifest
        .values()
        .find(|(p, ..)| p == "EPUB/chapters/images/schema.svg")
        .expect("the figure's image");
    assert_eq!(image.1, "image/svg+xml");

    // Every XHTML document is well-formed, in its chapter's language, and
    // every internal link resolves to a file and an anchor that exist.
    let xhtml: Vec<&str> = pkg
        .manifest
        .values()
        .filter(|(_, t, _)| t == "application/xhtml+xml")
        .map(|(p, ..)| p.as_str())
        .collect();
    let anchors: BTreeMap<&str, BTreeSet<String>> = xhtml
        .iter()
        .map(|p| (*p, ids(&xml(epub.text(p)))))
        .collect();
    let mut links = 0;
    for path in &xhtml {
        let doc = xml(epub.text(path));
        for node in doc.descendants().filter(|n| n.is_element()) {
            for (attr, url) in [
                ("href", node.attribute("href")),
                ("src", node.attribute("src")),
            ] {
                let Some(url) = url else { continue };
                let scheme = url.split_once(':').is_some_and(|(s, _)| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                });
                if scheme {
                    assert!(
                        url.starts_with("https:")
                            || url.starts_with("http:")
                            || url.starts_with("mailto:"),
                        "{path}: {attr}={url}"
                    );
                    continue;
                }
                assert!(!url.contains(".html"), "{path}: a link to the site: {url}");
                let (file, fragment) = resolve(path, url);
                assert!(epub.files.contains_key(&file), "{path}: {url} → {file}");
                if let Some(f) = fragment {
                    assert!(
                        anchors
                            .get(file.as_str())
                            .is_some_and(|ids| ids.contains(&f)),
                        "{path}: {url}: no #{f} in {file}"
                    );
                }
                links += 1;
            }
        }
    }
    assert!(links > 20, "{links} links checked");
    let lang = |id: &str| {
        let text = epub.text(&format!("EPUB/text/{id}.xhtml")).to_string();
        let doc = xml(&text);
        let html = doc.root_element();
        (
            html.attribute("lang").map(String::from),
            html.attribute((roxmltree::NS_XML_URI, "lang"))
                .map(String::from),
        )
    };
    assert_eq!(lang("premier"), (Some("fr".into()), Some("fr".into())));
    assert_eq!(lang("scuola"), (Some("it".into()), Some("it".into())));

    // A link to another chapter goes to its document and anchor.
    let avant = xml(epub.text("EPUB/text/avant-propos.xhtml"));
    let hrefs: Vec<&str> = avant
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(hrefs.contains(&"premier.xhtml#sec:methode"), "{hrefs:?}");

    // Footnotes are EPUB 3 footnotes, referenced by noterefs.
    let premier = xml(epub.text("EPUB/text/premier.xhtml"));
    let noterefs: Vec<&str> = premier
        .descendants()
        .filter(|n| n.attribute((EPUB_NS, "type")) == Some("noteref"))
        .map(|n| n.attribute("href").unwrap())
        .collect();
    assert_eq!(noterefs, ["#fn-1", "#fn-2", "#fn-1"]);
    let notes: Vec<&str> = premier
        .descendants()
        .filter(|n| {
            n.has_tag_name((XHTML_NS, "aside"))
                && n.attribute((EPUB_NS, "type")) == Some("footnote")
        })
        .map(|n| n.attribute("id").unwrap())
        .collect();
    assert_eq!(notes, ["fn-1", "fn-2"]);
    let premier_text = epub.text("EPUB/text/premier.xhtml");
    for expected in [
        "Le premier chapitre",
        "Ana Autrice",
        "Université d",
        "Un résumé avec de l’<em>emphase</em>.",
        "Première note.",
    ] {
        assert!(
            premier_text.contains(expected),
            "{expected:?} in\n{premier_text}"
        );
    }
    // The figure's image is in the EPUB and its src resolves to it.
    let srcs: Vec<&str> = premier
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "img")))
        .map(|n| n.attribute("src").unwrap())
        .collect();
    assert_eq!(srcs, ["../chapters/images/schema.svg"]);
    assert_eq!(
        epub.files["EPUB/chapters/images/schema.svg"],
        std::fs::read(book.join("chapters/images/schema.svg")).unwrap()
    );

    // The navigation lists every chapter in reading order, nested in parts,
    // with authors, then the contributors' page, and landmarks.
    let nav = xml(epub.text("EPUB/nav.xhtml"));
    let toc = nav
        .descendants()
        .find(|n| {
            n.has_tag_name((XHTML_NS, "nav")) && n.attribute((EPUB_NS, "type")) == Some("toc")
        })
        .expect("a toc nav");
    let entries: Vec<String> = toc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "a")))
        .map(|n| resolve("EPUB/nav.xhtml", n.attribute("href").unwrap()).0)
        .collect();
    let mut chapters: Vec<String> = ["avant-propos", "premier", "second", "scuola"]
        .map(|id| format!("EPUB/text/{id}.xhtml"))
        .to_vec();
    chapters.push("EPUB/contributors.xhtml".into());
    assert_eq!(entries, chapters);
    let parts: Vec<String> = toc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "li")))
        .filter_map(|li| {
            let span = li
                .first_element_child()
                .filter(|c| c.has_tag_name((XHTML_NS, "span")))?;
            let chapters = li
                .children()
                .find(|c| c.has_tag_name((XHTML_NS, "ol")))?
                .children()
                .filter(|c| c.is_element())
                .count();
            Some(format!("{}: {chapters}", span.text().unwrap()))
        })
        .collect();
    assert_eq!(parts, ["Première partie: 2", "Altrove: 1"]);
    let toc_text: String = toc.descendants().filter_map(|n| n.text()).collect();
    assert!(toc_text.contains("Bo Auteur, Ana Autrice"), "{toc_text}");
    let landmarks: Vec<&str> = nav
        .descendants()
        .filter(|n| {
            n.has_tag_name((XHTML_NS, "nav")) && n.attribute((EPUB_NS, "type")) == Some("landmarks")
        })
        .flat_map(|n| n.descendants())
        .filter_map(|n| n.attribute((EPUB_NS, "type")))
        .collect();
    assert_eq!(landmarks, ["landmarks", "cover", "toc", "bodymatter"]);

    // The cover: the title page as SVG with its glyphs as paths.
    let cover = epub.text("EPUB/cover.svg");
    let svg = xml(cover);
    assert!(
        svg.root_element()
            .has_tag_name(("http://www.w3.org/2000/svg", "svg"))
    );
    assert!(svg.descendants().any(|n| n.has_tag_name("path")));
    assert!(
        !svg.descendants().any(|n| n.has_tag_name("text")),
        "no font needed"
    );
    let cover_page = xml(epub.text("EPUB/cover.xhtml"));
    let img = cover_page
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "img")))
        .unwrap();
    assert_eq!(img.attribute("src"), Some("cover.svg"));
    assert_eq!(
        img.attribute("alt"),
        Some("Livre d'essai. Toutes les fonctions")
    );

    // The stylesheet hyphenates.
    assert!(epub.text("EPUB/style.css").contains("hyphens: auto"));
}

#[test]
fn two_builds_are_byte_identical() {
    let (_tmp, book) = fixture("features");
    // No git and no SOURCE_DATE_EPOCH: the date is the files' own.
    let a = build_epub(&book, &book.join("a"), None);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = build_epub(&book, &book.join("b"), None);
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    // The same book elsewhere gets the same identifier.
    let (_tmp2, other) = fixture("features");
    let c = build_epub(&other, &other.join("c"), Some("1714557600"));
    let id = |p: &Path| {
        let epub = Epub::read(p);
        let opf = xml(epub.text("EPUB/package.opf"));
        meta_texts(&opf, DC_NS, "identifier")
    };
    assert_eq!(id(&a), id(&c));
}

#[test]
fn an_isbn_is_the_identifier_and_authors_create_a_book_without_editors() {
    let (_tmp, book) = fixture("features");
    let toml = book.join("book.toml");
    edit(
        &toml,
        "editors = [\"ed\"]\n",
        "isbn = \"978-2-1234-5680-3\"\n",
    );
    edit(&toml, "year = 2026\n", "");
    let path = build_epub(&book, &book.join("out"), Some("1714557600"));
    let epub = Epub::read(&path);
    let opf = xml(epub.text("EPUB/package.opf"));
    assert_eq!(
        meta_texts(&opf, DC_NS, "identifier"),
        ["urn:isbn:9782123456803"]
    );
    assert_eq!(
        meta_texts(&opf, DC_NS, "creator"),
        ["Edith Éditrice", "Ana Autrice", "Bo Auteur"],
        "the authors, in reading order"
    );
    let ana = dc_id(&opf, "creator", "Ana Autrice");
    assert_eq!(refinements(&opf, &ana, "role"), ["aut"]);
    assert!(meta_texts(&opf, DC_NS, "contributor").is_empty());
    assert_eq!(
        meta_texts(&opf, DC_NS, "date"),
        ["2024-05-01"],
        "without a year, the document date"
    );
}

#[test]
fn raw_html_is_well_formed_xhtml_under_every_policy() {
    for policy in ["escape", "sanitize", "allow"] {
        let (_tmp, book) = fixture("features");
        edit(
            book.join("book.toml"),
            "search = true",
            &format!("search = true\nraw-html = \"{policy}\""),
        );
        std::fs::write(
            book.join("chapters/04-raw.md"),
            "---\ntitle: Brut\n---\n\nUne ligne<br>coupée, un <img src=\"https://e.org/x.png\" alt=\"loin\">, \
             <span title=\"a&nbsp;b\">&nbsp;</span> et <lbl>balise</lbl>.\n\n<div><p>ouvert<hr></div>\n\n\
             <svg viewBox=\"0 0 1 1\"><circle r=\"1\"/></svg>\n",
        )
        .unwrap();
        // In the reading order, and in the part that ends with scuola.
        edit_n(
            book.join("book.toml"),
            "\"scuola\"]",
            "\"scuola\", \"raw\"]",
            2,
        );
        let path = build_epub(&book, &book.join("out"), Some("1714557600"));
        let epub = Epub::read(&path);
        for (name, bytes) in &epub.files {
            if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".svg") {
                xml(std::str::from_utf8(bytes).unwrap());
            }
        }
        let premier = epub.text("EPUB/text/premier.xhtml");
        let raw = epub.text("EPUB/text/raw.xhtml");
        let opf = epub.text("EPUB/package.opf");
        // No policy lets a script or an event handler through.
        let doc = xml(premier);
        assert!(
            !doc.descendants()
                .any(|n| n.has_tag_name("script") || n.attribute("onclick").is_some()),
            "{policy}: {premier}"
        );
        assert!(!opf.contains("scripted"), "{policy}: {opf}");
        if policy == "allow" {
            // The rest of the markup stays as written: the `div` that held
            // the handler, line breaks, no-break spaces, SVG.
            assert!(premier.contains("<div>bloc HTML</div>"), "{premier}");
            assert!(raw.contains("<br />") && raw.contains("\u{a0}"), "{raw}");
            assert!(
                raw.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{raw}"
            );
            // No remote image, no unknown element.
            assert!(!raw.contains("e.org") && !raw.contains("<lbl"), "{raw}");
        }
    }
}

#[test]
fn the_books_templates_replace_the_built_in_ones() {
    let (_tmp, book) = fixture("features");
    std::fs::create_dir_all(book.join("templates")).unwrap();
    std::fs::write(
        book.join("templates/epub-style.css"),
        "body { color: teal; }\n",
    )
    .unwrap();
    let path = build_epub(&book, &book.join("out"), Some("1714557600"));
    assert_eq!(
        Epub::read(&path).text("EPUB/style.css"),
        "body { color: teal; }\n"
    );

    // A chapter template that writes broken XML is reported as such.
    std::fs::write(
        book.join("templates/epub-chapter.xhtml"),
        "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>{{ chapter.title }}<br></p></body></html>\n",
    )
    .unwrap();
    let out = ouvrage(&book, &["build", "--epub"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("epub-chapter.xhtml") && stderr.contains("not well-formed XML"),
        "{stderr}"
    );
    assert!(!book.join("_book/livre-d-essai.epub").exists());
}

#[test]
fn a_build_without_format_flags_writes_the_epub_and_the_site_links_to_it() {
    let (_tmp, book) = fixture("features");
    ok(&book, &["build"]);
    let epub = book.join("_book/livre-d-essai.epub");
    assert!(epub.is_file());
    let links = || {
        common::attrs(
            &common::page(&book.join("_book/html/index.html")),
            "a",
            "href",
        )
    };
    assert!(
        links().contains(&"../livre-d-essai.epub".to_string()),
        "{:?}",
        links()
    );
    // The site alone, later, still links to the EPUB that is there.
    ok(&book, &["build", "--html"]);
    assert!(links().contains(&"../livre-d-essai.epub".to_string()));
}

#[test]
fn images_in_types_epub_readers_may_not_show_are_flagged() {
    let (_tmp, book) = fixture("features");
    std::fs::write(book.join("chapters/images/photo.webp"), b"RIFF\0\0\0\0WEBP").unwrap();
    std::fs::write(book.join("chapters/images/scan.tif"), b"II*\0").unwrap();
    let chapter = book.join("chapters/02-second.md");
    let mut markdown = std::fs::read_to_string(&chapter).unwrap();
    markdown.push_str(
        "\n![Une photo](images/photo.webp)\n\nUn scan ![le scan](images/scan.tif) en ligne.\n",
    );
    std::fs::write(&chapter, markdown).unwrap();

    let out = book.join("out");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    let output = cmd
        .args(["build", "--epub", "--out"])
        .arg(&out)
        .current_dir(&book)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("photo.webp") && stderr.contains("EPUB 3.3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("scan.tif") && stderr.contains("left out"),
        "{stderr}"
    );

    let epub = Epub::read(&out.join("livre-d-essai.epub"));
    let opf = xml(epub.text("EPUB/package.opf"));
    let pkg = package(&opf, "EPUB/package.opf");
    let types: BTreeMap<&str, &str> = pkg
        .manifest
        .values()
        .map(|(p, t, _)| (p.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        types.get("EPUB/chapters/images/photo.webp"),
        Some(&"image/webp")
    );
    assert!(!epub.files.contains_key("EPUB/chapters/images/scan.tif"));
    let second = epub.text("EPUB/text/second.xhtml");
    assert!(
        second.contains("<span class=\"missing-image\">le scan</span>"),
        "{second}"
    );
}

/// What reading systems and screen readers read in the chapters: each
/// document's description, formulas' `alttext`, reference entries marked
/// with EPUB's vocabulary rather than DPUB-ARIA's deprecated role, and
/// footnote links the style leaves underlined.
#[test]
fn documents_carry_what_reading_systems_read() {
    let (tmp, book) = sample_book();
    let epub = Epub::read(&build_epub(
        &book,
        &tmp.path().join("out"),
        Some("1700000000"),
    ));
    let (mut formulas, mut entries) = (0, 0);
    for name in epub.names.iter().filter(|n| n.ends_with(".xhtml")) {
        let text = epub.text(name);
        let doc = xml(text);
        let descriptions: Vec<&str> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name((XHTML_NS, "meta")) && n.attribute("name") == Some("description")
            })
            .filter_map(|n| n.attribute("content"))
            .collect();
        assert_eq!(descriptions.len(), 1, "{name}");
        assert!(!descriptions[0].trim().is_empty(), "{name}");
        assert!(!text.contains("doc-biblioentry"), "{name}");
        for math in doc.descendants().filter(|n| n.has_tag_name("math")) {
            formulas += 1;
            let tex = math
                .descendants()
                .find(|n| n.has_tag_name("annotation"))
                .and_then(|n| n.text())
                .unwrap_or_default();
            let folded = tex.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(math.attribute("alttext"), Some(folded.as_str()), "{name}");
        }
        for entry in doc
            .descendants()
            .filter(|n| n.attribute("id").is_some_and(|id| id.starts_with("ref-")))
        {
            entries += 1;
            assert_eq!(
                entry.attribute((EPUB_NS, "type")),
                Some("biblioentry"),
                "{name}"
            );
            assert!(entry.has_tag_name((XHTML_NS, "li")), "{name}");
        }
    }
    assert!(
        formulas > 3 && entries > 10,
        "{formulas} formulas, {entries} entries"
    );
    // The abstract of a chapter that has one, else its first paragraph.
    let intro = epub.text("EPUB/text/introduction.xhtml");
    assert!(
        intro.contains("<meta name=\"description\" content=\"Présentation provisoire de l’ouvrage"),
        "{intro}"
    );
    let style = epub.text("EPUB/style.css");
    assert!(
        !style.contains("footnote-back { text-decoration: none"),
        "{style}"
    );
    assert!(
        !style.contains(".footnote-ref a { text-decoration: none"),
        "{style}"
    );
}

/// The EPUB has the contributors' page the site and the PDF have: after
/// the chapters in the spine, last in the contents, each person with their
/// bio (completed like a chapter's text) and links to their chapters.
#[test]
fn the_epub_has_a_contributors_page_after_the_chapters() {
    let (_tmp, book) = fixture("features");
    let path = build_epub(&book, &book.join("out"), Some("1714557600"));
    let epub = Epub::read(&path);
    let page = epub.text("EPUB/contributors.xhtml");
    let doc = xml(page);
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("contributor-name"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(names.len(), 3, "{page}");
    assert!(names.contains(&"Edith Éditrice"), "{names:?}");
    // The bio, with the book's typography; links to the chapters' documents.
    assert!(page.contains("<em>livre d’essai</em>"), "{page}");
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .filter(|h| h.starts_with("text/"))
        .collect();
    assert!(hrefs.contains(&"text/premier.xhtml"), "{hrefs:?}");
    for href in &hrefs {
        assert!(epub.files.contains_key(&format!("EPUB/{href}")), "{href}");
    }
    // In the manifest and last in the spine; last in the contents.
    let opf = xml(epub.text("EPUB/package.opf"));
    let spine: Vec<&str> = opf
        .descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .filter_map(|n| n.attribute("idref"))
        .collect();
    assert_eq!(spine.last(), Some(&"contributors"), "{spine:?}");
    let nav = epub.text("EPUB/nav.xhtml");
    let toc_end = nav.find("</nav>").unwrap();
    let link = nav
        .find("href=\"contributors.xhtml\"")
        .expect("a link in the contents");
    assert!(
        link < toc_end && link > nav.find("scuola.xhtml").unwrap(),
        "{nav}"
    );
}

/// The `<meta property="…">` values of the package.
fn properties(opf: &roxmltree::Document<'_>, property: &str) -> Vec<String> {
    opf.descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "meta")) && n.attribute("property") == Some(property))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// EPUB Accessibility 1.1 (issue 20): the package says how the book can be
/// read, from what its text holds; it claims WCAG 2.1 AA only while every
/// image has a text alternative.
#[test]
fn the_package_declares_its_accessibility() {
    let (tmp, book) = fixture("features");
    std::fs::write(
        book.join("chapters/02-second.md"),
        "---\ntitle: Second\n---\n\n## Résultats {#resultats}\n\nUne formule $x^2$.\n",
    )
    .unwrap();
    let epub = Epub::read(&build_epub(
        &book,
        &tmp.path().join("a"),
        Some("1700000000"),
    ));
    let opf_text = epub.text("EPUB/package.opf").to_string();
    let opf = xml(&opf_text);
    assert_eq!(properties(&opf, "schema:accessMode"), ["textual", "visual"]);
    assert_eq!(properties(&opf, "schema:accessModeSufficient"), ["textual"]);
    let features = properties(&opf, "schema:accessibilityFeature");
    for f in [
        "structuralNavigation",
        "tableOfContents",
        "alternativeText",
        "MathML",
    ] {
        assert!(features.contains(&f.to_string()), "{f} not in {features:?}");
        // The same image in a table cell, where a look at paragraphs alone
        // would not find it.
        std::fs::write(
        book.join("chapters/02-second.md"),
        "---\ntitle: Second\n---\n\n## Résultats {#resultats}\n\n| A | B |\n|---|---|\n| ![](images/schema.svg) | x |\n",
    )
    .unwrap();
        let epub = Epub::read(&build_epub(
            &book,
            &tmp.path().join("c"),
            Some("1700000000"),
        ));
        let opf_text = epub.text("EPUB/package.opf").to_string();
        let opf = xml(&opf_text);
        assert!(
            properties(&opf, "dcterms:conformsTo").is_empty(),
            "{opf_text}"
        );
    }
    assert_eq!(properties(&opf, "schema:accessibilityHazard"), ["none"]);
    assert_eq!(properties(&opf, "schema:accessibilitySummary").len(), 1);
    assert_eq!(
        properties(&opf, "dcterms:conformsTo"),
        ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    );
    // An image without a text alternative: no claim, and the visual mode
    // is needed too.
    std::fs::write(
        book.join("chapters/02-second.md"),
        "---\ntitle: Second\n---\n\n## Résultats {#resultats}\n\nUne image ![](images/schema.svg) sans texte.\n",
    )
    .unwrap();
    let epub = Epub::read(&build_epub(
        &book,
        &tmp.path().join("b"),
        Some("1700000000"),
    ));
    let opf_text = epub.text("EPUB/package.opf").to_string();
    let opf = xml(&opf_text);
    assert_eq!(
        properties(&opf, "schema:accessModeSufficient"),
        ["textual,visual"]
    );
    assert!(properties(&opf, "dcterms:conformsTo").is_empty());
    assert!(
        !properties(&opf, "schema:accessibilityFeature").contains(&"alternativeText".to_string())
    );
}

#[test]
fn an_image_without_alt_text_is_a_warning_once_or_an_error_when_the_epub_declares_conformance() {
    let (tmp, book) = fixture("features");
    std::fs::write(
        book.join("chapters/02-second.md"),
        "---\ntitle: Second\n---\n\n## Résultats {#resultats}\n\n![](images/schema.svg)\n",
    )
    .unwrap();
    let build = |out: &str, formats: &[&str]| {
        let mut args = vec!["build"];
        args.extend_from_slice(formats);
        let out = tmp.path().join(out);
        args.extend(["--out", out.to_str().unwrap()]);
        let output = ouvrage(&book, &args);
        let (_, stderr) = text(&output);
        (output.status.code(), stderr)
    };
    // The PDF and the EPUB both find it: it is said once, as a warning.
    let (code, stderr) = build("both", &["--pdf", "--epub"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr.matches("has no alt text").count(), 1, "{stderr}");
    assert!(stderr.contains("02-second.md:7"), "{stderr}");
    // The EPUB alone says it too.
    let (code, stderr) = build("epub", &["--epub"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr.matches("has no alt text").count(), 1, "{stderr}");
    // A book that declares the EPUB's conformance may not leave it out.
    let config = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        format!("{config}\n[epub]\nconformance = true\n"),
    )
    .unwrap();
    let (code, stderr) = build("declared", &["--epub"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("error"), "{stderr}");
    assert!(stderr.contains("02-second.md:7"), "{stderr}");
    assert!(stderr.contains("[epub] conformance = true"), "{stderr}");
    assert!(
        !tmp.path().join("declared").exists()
            || std::fs::read_dir(tmp.path().join("declared"))
                .unwrap()
                .all(|e| e.unwrap().path().extension().is_none_or(|x| x != "epub")),
        "no EPUB is written"
    );
}
