//! Math: `$…$` and `$$…$$` become MathML in the site and Typst equations in
//! the PDF; a formula that cannot be converted is an error at its line; and
//! no formula, however hostile, runs Typst code or reads a file.

mod common;

use common::*;
use ouvrage::render::typst::PdfOptions;

/// The minimal fixture with one chapter of `body`.
fn book_with(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, book) = fixture("minimal");
    std::fs::write(
        book.join("chapters/seul.md"),
        format!("---\ntitle: Seul\n---\n\n{body}"),
    )
    .unwrap();
    (tmp, book)
}

const FORMULAS: &str = "Le théorème $a^2+b^2=c^2$ en ligne.\n\nEt la moyenne :\n\n$$\\bar{x} = \\frac{1}{n} \\sum_{i=1}^n x_i$$\n";

/// Whitespace removed.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The `<math>…</math>` elements of a page, as written.
fn math_elements(html: &str) -> Vec<&str> {
    html.match_indices("<math")
        .map(|(start, _)| {
            let end = html[start..].find("</math>").unwrap() + start + "</math>".len();
            &html[start..end]
        })
        .collect()
}

#[test]
fn formulas_are_mathml_in_the_site() {
    let (_tmp, book) = book_with(FORMULAS);
    ok(&book, &["build", "--html"]);
    let site = book.join("_book/html");
    let html = std::fs::read_to_string(site.join("seul.html")).unwrap();
    let maths = math_elements(&html);
    assert_eq!(maths.len(), 2, "{html}");
    // Inline: superscripts as <msup>, within the paragraph.
    assert!(
        maths[0].contains("<msup><mi>a</mi><mn>2</mn></msup>"),
        "{}",
        maths[0]
    );
    assert!(!maths[0].contains("display=\"block\""));
    let doc = page(&site.join("seul.html"));
    assert_eq!(texts(&doc, "p math msup").len(), 3);
    // Display: a block, with a fraction and a sum with its limits.
    assert!(maths[1].contains("display=\"block\""), "{}", maths[1]);
    assert!(maths[1].contains("<mfrac>") && maths[1].contains("<munderover>"));
    assert_eq!(texts(&doc, "div.math-display > math").len(), 1);
    // Valid XML (the EPUB is XHTML), in the MathML namespace, with the LaTeX
    // kept for screen readers and copying.
    for math in &maths {
        let xml = roxmltree::Document::parse(math).unwrap_or_else(|e| panic!("{e}: {math}"));
        let root = xml.root_element();
        assert_eq!(root.tag_name().name(), "math");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/1998/Math/MathML")
        );
        let annotation = root
            .descendants()
            .find(|n| n.has_tag_name(("http://www.w3.org/1998/Math/MathML", "annotation")))
            .expect("an annotation");
        assert_eq!(annotation.attribute("encoding"), Some("application/x-tex"));
        // What screen readers and reading systems read where they do not
        // lay out MathML: the LaTeX, its white space folded.
        let tex = annotation.text().unwrap_or("");
        assert_eq!(
            root.attribute("alttext"),
            Some(
                tex.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .as_str()
            ),
            "{math}"
        );
    }
    assert!(maths[1].contains(r"\frac{1}{n} \sum_{i=1}^n x_i</annotation>"));
    // Nothing from another host, no script: the checks every site gets.
    check_site_links(&site);
    assert!(!html.contains("<script src=\"http"));
    // The search index keeps the LaTeX as the formula's text.
    let index = std::fs::read_to_string(site.join("search-index.json")).unwrap();
    assert!(index.contains("a^2+b^2=c^2"), "{index}");
}

#[test]
fn formulas_are_typst_equations_in_the_pdf() {
    let (tmp, book) = book_with(FORMULAS);
    let typ = tmp.path().join("typ");
    ok(
        &book,
        &["build", "--pdf", "--emit-typst", typ.to_str().unwrap()],
    );
    let source = std::fs::read_to_string(typ.join("__ouvrage/chapters/seul.typ")).unwrap();
    assert!(
        source.contains("#import \"/__ouvrage/math.typ\": *"),
        "{source}"
    );
    assert!(source.contains("$a ^(2 )+ b ^(2 )= c ^(2 )$"), "{source}");
    assert!(
        source.contains("$ macron(x ) =  frac(1 ,n ) sum _(i = 1 )^(n ) x _(i ) $"),
        "{source}"
    );
    assert!(!source.contains("raw(lang: \"latex\""), "{source}");
    assert!(typ.join("__ouvrage/math.typ").is_file());
    // The compiled text has the formula's glyphs (math italic letters, the
    // summation sign), not its LaTeX.
    let text = squeeze(&compiled_text(&book, &PdfOptions::default()));
    assert!(text.contains("𝑎2+𝑏2=𝑐2"), "{text}");
    assert!(text.contains('∑') && text.contains("𝑥𝑖"), "{text}");
    for latex in ["a^2", "\\frac", "\\sum", "\\bar"] {
        assert!(!text.contains(latex), "{latex} in {text}");
    }
}

#[test]
fn an_unconvertible_formula_is_an_error_at_its_line() {
    let (_tmp, book) = book_with("Un paragraphe.\n\nUne fraction $x + \\frac{a$ ouverte.\n");
    for command in [&["check"][..], &["build"], &["build", "--draft"]] {
        let out = ouvrage(&book, command);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        // Line 7 of the file (front matter included), at the fault: the end
        // of the formula, where the brace is missing.
        assert!(stderr.contains("chapters/seul.md:7:26"), "{stderr}");
        assert!(
            stderr.contains("this formula cannot be converted"),
            "{stderr}"
        );
        assert!(stderr.contains("x + \\frac{a"), "the source line: {stderr}");
    }
    assert!(!book.join("_book").exists(), "nothing is written");
    let out = ouvrage(&book, &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("chapters/seul.md"), Some(7), Some(26)),
        "{doc}"
    );
}

#[test]
fn a_formula_the_pdf_cannot_typeset_is_an_error() {
    // math-core knows `\emph`; mitex writes it as `#emph[…]`, code that the
    // check refuses.
    let (_tmp, book) = book_with("Texte.\n\n$$\\emph{x} + 1$$\n");
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("chapters/seul.md:7:1")
            && stderr.contains("this formula cannot be typeset in the PDF"),
        "{stderr}"
    );
}

/// Formulas that both converters accept although they are full of Typst
/// syntax: they must print, and run nothing.
const HOSTILE_ACCEPTED: &str = r#"Un $\text{\#read("/etc/passwd")}$ et $\operatorname{\#panic()}$.

Des commentaires $x // y /* z$ et $a \# b$ fin.

$$\text{*a* @c <d> = e \% f ] [} \quad \mathrm{\#import}$$

Ligne finale.
"#;

/// Markers that a file was read or code ran.
fn assert_nothing_ran(text: &str) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines().filter(|l| l.len() > 8).take(3) {
        assert!(!text.contains(line), "file contents in the PDF: {line}");
    }
    assert!(!text.contains("root:x:0"), "{text}");
}

#[test]
fn hostile_formulas_run_no_code() {
    let (tmp, book) = book_with(HOSTILE_ACCEPTED);
    let typ = tmp.path().join("typ");
    ok(
        &book,
        &["build", "--pdf", "--emit-typst", typ.to_str().unwrap()],
    );
    let source = std::fs::read_to_string(typ.join("__ouvrage/chapters/seul.typ")).unwrap();
    // Every `#` in the equations is escaped or calls one of our text
    // functions (or the equation with its LaTeX as alt text, a string).
    let body = &source[source.find("<chapter-seul>").unwrap()..];
    for (at, _) in body.match_indices('#') {
        let before = &body[..at];
        let after = &body[at + 1..];
        let in_alt_string = before
            .rfind("#math.equation(alt: \"")
            .is_some_and(|start| !before[start..].contains(", block: "));
        assert!(
            before.ends_with('\\')
                || after.starts_with("textmath[")
                || after.starts_with("footnote")
                || after.starts_with("math.equation(alt: \"")
                || in_alt_string,
            "unescaped # in {body}"
        );
    }
    let text = compiled_text(&book, &PdfOptions::default());
    assert_nothing_ran(&text);
    let squeezed = squeeze(&text);
    for printed in ["passwd", "panic", "Lignefinale."] {
        assert!(
            squeezed.contains(printed),
            "{printed} missing from {squeezed}"
        );
    }
}

#[test]
fn hostile_formulas_that_fail_are_errors_and_stay_text() {
    // Each with a word that must be printed.
    let cases = [
        (r#"$\text{#read("/etc/passwd")}$"#, "passwd"),
        (r"$\operatorname{#panic()}$", "panic"),
        (r"$a # b$", "#"),
        (r#"$\verb|#read("x")|$"#, "read"),
        (r"$\includegraphics{/etc/passwd}$", "passwd"),
        (r#"$\textbf{#eval("1")}$"#, "eval"),
        (r"$x } #panic() {$", "panic"),
        (r#"$\iftypst #read("/etc/passwd") \fi$"#, "passwd"),
        (
            r#"$\iftypst #textmath[#read("/etc/passwd")] \fi$"#,
            "passwd",
        ),
    ];
    for (i, (formula, word)) in cases.iter().enumerate() {
        let (_tmp, book) = book_with(&format!("Avant.\n\nHostile {formula} fin.\n"));
        let out = ouvrage(&book, &["build", "--pdf"]);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "case {i} {formula}: {stderr}");
        assert!(stderr.contains("chapters/seul.md:7:"), "case {i}: {stderr}");
        assert!(!stderr.contains("panicked"), "case {i}: {stderr}");
        assert!(
            !book.join("_book").exists(),
            "case {i}: something was written"
        );
        // The renderers, given the model all the same, print the source.
        let mut sink = ouvrage::diag::Sink::default();
        let model = ouvrage::pipeline::load_model(&book, &mut sink);
        assert!(sink.has_errors(), "case {i}");
        let mut session =
            ouvrage::render::typst::Session::for_book(&model, &Default::default()).unwrap();
        let compiled = session
            .compile(&model, &PdfOptions::default())
            .unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        let text = ouvrage::render::typst::text::page_texts(&compiled.document).join(" ");
        assert_nothing_ran(&text);
        assert!(
            squeeze(&text).contains(word),
            "case {i}: {word} not in {text}"
        );
    }
}

#[test]
fn html_fallback_shows_the_source_as_code() {
    let (_tmp, book) = book_with("Une formule $\\frac{<b>a</b>$ cassée.\n");
    let mut sink = ouvrage::diag::Sink::default();
    let model = ouvrage::pipeline::load_model(&book, &mut sink);
    assert!(sink.has_errors());
    let labels = ouvrage::lang::Lang::parse("fr").labels();
    let ctx = ouvrage::render::html::body::BodyContext {
        page_breaks: Vec::new(),
        chapter_id: "seul",
        raw_html: ouvrage::config::RawHtml::Escape,
        labels,
        references: "",
        markup: ouvrage::render::html::body::Markup::Html,
    };
    let html = ouvrage::render::html::body::render_chapter(&model.chapters[0], &ctx).body_html;
    assert!(
        html.contains("<code class=\"math-error\">\\frac{&lt;b&gt;a&lt;/b&gt;</code>"),
        "{html}"
    );
}

#[test]
fn math_in_every_place_a_formula_can_be() {
    let body = "## Titre $x_1$\n\n> Citation $y^2$\n\n- item $\\alpha$\n\n| a |\n|---|\n| $\\beta$ |\n\nTable: Légende $\\gamma$\n\nNote[^n].\n\n[^n]: Dans la note $\\delta$.\n";
    let (_tmp, book) = book_with(body);
    ok(&book, &["build"]);
    let html = std::fs::read_to_string(book.join("_book/html/seul.html")).unwrap();
    assert_eq!(math_elements(&html).len(), 6, "{html}");
    let text = squeeze(&compiled_text(&book, &PdfOptions::default()));
    for glyphs in ["𝑥1", "𝑦2", "𝛼", "𝛽", "𝛾", "𝛿"] {
        assert!(text.contains(glyphs), "{glyphs} missing from {text}");
    }
}

#[test]
fn the_sample_book_typesets_its_formulas() {
    let (_tmp, book) = sample_book();
    ok(&book, &["build", "--html"]);
    for (chapter, element) in [
        ("fablabs", "<mfrac>"),
        ("mouvement-associatif", "<munderover>"),
        ("transition-nourriciere", "<mi>L</mi>"),
    ] {
        let html =
            std::fs::read_to_string(book.join(format!("_book/html/{chapter}.html"))).unwrap();
        assert!(
            math_elements(&html).iter().any(|m| m.contains(element)),
            "{chapter}: no {element}"
        );
    }
}

/// `[markdown] math = "none"`: dollars are prose, printed as written in
/// every output, and no formula is read; the default reads them as math.
#[test]
fn math_none_prints_dollars_as_written() {
    let body = "Le repas coûte $5 et le vin $10, voir `$PATH`.\n\n$$x^2$$\n";
    let (tmp, book) = book_with(body);
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        format!("{toml}\n[markdown]\nmath = \"none\"\n"),
    )
    .unwrap();
    let typ = tmp.path().join("typ");
    let out = ok(
        &book,
        &[
            "build",
            "--html",
            "--pdf",
            "--emit-typst",
            typ.to_str().unwrap(),
        ],
    );
    assert!(!out.contains("warning"), "{out}");
    let site = book.join("_book/html");
    let html = std::fs::read_to_string(site.join("seul.html")).unwrap();
    assert!(!html.contains("<math"), "{html}");
    let doc = page(&site.join("seul.html"));
    let paragraphs = texts(&doc, ".chapter-body p").join(" ");
    assert!(
        paragraphs.contains("coûte $5 et le vin $10"),
        "{paragraphs}"
    );
    assert!(paragraphs.contains("$$x^2$$"), "{paragraphs}");
    assert_eq!(texts(&doc, ".chapter-body p code"), ["$PATH"]);
    let pdf = squeeze(&compiled_text(&book, &PdfOptions::default()));
    assert!(pdf.contains("coûte$5etlevin$10"), "{pdf}");
    assert!(pdf.contains("$$x^2$$"), "{pdf}");
    let source = std::fs::read_to_string(typ.join("__ouvrage/chapters/seul.typ")).unwrap();
    assert!(!source.contains("math.typ"), "no formula: {source}");

    // The same chapter by default: two formulas, one of them swallowing the
    // code span's backtick, which is a warning at its line.
    let (_tmp, book) = book_with(body);
    let out = ouvrage(&book, &["check"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: this formula holds a backtick"),
        "{stderr}"
    );
    assert!(stderr.contains("chapters/seul.md:5:"), "{stderr}");
    assert!(stderr.contains("`\\$`"), "the hint: {stderr}");
    ok(&book, &["build", "--html"]);
    let html = std::fs::read_to_string(book.join("_book/html/seul.html")).unwrap();
    assert_eq!(math_elements(&html).len(), 2, "{html}");
}
