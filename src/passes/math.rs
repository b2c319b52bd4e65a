//! Math: every formula, `$…$` or `$$…$$` in LaTeX syntax, is converted once,
//! here, into a Typst equation for the PDF (mitex, checked to run no code:
//! `crate::math::typst`) and into MathML for the site and the EPUB
//! (math-core, checked against an allow-list: `crate::math::mathml`). The
//! renderers only read what this pass stores in each [`Math`].
//!
//! A formula either converter rejects is an error at its own position (at
//! the fault inside it when math-core says where), so `build` and `check`
//! stop as they do for a broken link; it then keeps neither conversion, and
//! the renderers show its LaTeX as code.

use crate::diag::{Diagnostic, Sink, Span};
use crate::math::{MathMl, check_size, latex_to_typst};
use crate::model::{
    Block, BlockKind, Book, Inline, Math, block_inlines_mut, walk_blocks_mut, walk_inlines_mut,
};
use crate::source::Sources;

/// Converts every formula of the book.
pub fn convert_math(book: &mut Book, sink: &mut Sink) {
    let mathml = MathMl::default();
    let sources = &book.sources;
    let bios = book.people.iter_mut().map(|p| &mut p.bio);
    let chapters = book.chapters.iter_mut().flat_map(|c| c.block_lists_mut());
    for blocks in chapters.chain(bios) {
        convert_blocks(blocks, &mathml, sources, sink);
    }
}

/// Converts the formulas of `blocks`, display and inline.
fn convert_blocks(blocks: &mut [Block], mathml: &MathMl, sources: &Sources, sink: &mut Sink) {
    walk_blocks_mut(blocks, &mut |block: &mut Block| {
        if let BlockKind::Math(math) = &mut block.kind {
            convert(math, true, mathml, sources, sink);
        }
        block_inlines_mut(block, &mut |inlines: &mut Vec<Inline>| {
            walk_inlines_mut(inlines, &mut |inline: &mut Inline| {
                if let Inline::Math(math) = inline {
                    warn_if_swallowed_code(math, sink);
                    convert(math, false, mathml, sources, sink);
                }
            })
        });
    });
}

/// A warning when inline math holds a backtick: LaTeX has no use for one,
/// and it is the sign of two dollar signs of prose that took in the opening
/// backtick of a code span between them (`` costs $5 and `$PATH` ``), which
/// mdBook and GitHub would print as written.
fn warn_if_swallowed_code(math: &Math, sink: &mut Sink) {
    if math.tex.contains('`') {
        sink.push(
            Diagnostic::warning(
                math.span.clone(),
                "this formula holds a backtick: its dollar signs may be prose that took in a code span",
            )
            .hint("write `\\$` for a dollar sign that is not math; a book without formulas can set `math = \"none\"` under `[markdown]` in book.toml"),
        );
    }
}

/// Formulas this process converted, MathML and Typst, by display and
/// LaTeX: `watch` meets the same formulas at every rebuild, and a book
/// repeats many (`$n$`).
static CONVERTED: std::sync::LazyLock<std::sync::Mutex<[Converted; 2]>> =
    std::sync::LazyLock::new(Default::default);

/// MathML and Typst of each formula, by its LaTeX.
type Converted = std::collections::HashMap<String, (String, String)>;

/// Converts one formula, reporting a failure at its position.
fn convert(math: &mut Math, display: bool, mathml: &MathMl, sources: &Sources, sink: &mut Sink) {
    convert_tex(math, display, mathml, sources, sink);
    // `{alt="…"}` replaces the LaTeX as the MathML's alttext.
    if let (Some(html), Some(alt)) = (&math.mathml, &math.alt) {
        math.mathml = Some(crate::math::mathml::replace_alttext(html, &math.tex, alt));
    }
}

fn convert_tex(
    math: &mut Math,
    display: bool,
    mathml: &MathMl,
    sources: &Sources,
    sink: &mut Sink,
) {
    let converted = || CONVERTED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((html, typst)) = converted()[display as usize].get(&math.tex).cloned() {
        math.mathml = Some(html);
        math.typst = Some(typst);
        return;
    }
    if let Err(reason) = check_size(&math.tex) {
        sink.push(
            Diagnostic::error(
                math.span.clone(),
                format!("this formula is refused: {reason}"),
            )
            .hint("split it into several formulas"),
        );
        return;
    }
    let html = mathml.convert(&math.tex, display);
    let typst = latex_to_typst(&math.tex, display);
    match (&html, &typst) {
        (Err(e), _) => sink.push(
            Diagnostic::error(
                fault_span(math, e.range.clone(), sources),
                format!("this formula cannot be converted: {}", e.message),
            )
            .hint("write LaTeX math as in `$\\frac{a}{b}$`: braces in pairs, known commands, and `\\#`, `\\$`, `\\%`, `\\&` for the characters themselves"),
        ),
        (Ok(_), Err(reason)) => sink.push(
            Diagnostic::error(
                math.span.clone(),
                format!("this formula cannot be typeset in the PDF: {reason}"),
            )
            .hint("rewrite it with common LaTeX math commands (fractions, scripts, `\\text`, `\\mathbb`, matrices, `aligned`…): this one is not supported in the PDF"),
        ),
        (Ok(_), Ok(_)) => {}
    }
    // Both or neither: a formula one converter rejects is shown as its
    // source everywhere (mitex, lenient, would turn `\frac{a` into a call
    // missing an argument).
    if let (Ok(html), Ok(typst)) = (html, typst) {
        let mut memo = converted();
        let memo = &mut memo[display as usize];
        if memo.len() > 100_000 {
            memo.clear();
        }
        memo.insert(math.tex.clone(), (html.clone(), typst.clone()));
        math.mathml = Some(html);
        math.typst = Some(typst);
    }
}

/// The span of a fault at `range` of the formula's LaTeX, when the LaTeX
/// can be found in the file as written (it cannot inside a block quote's
/// `>` prefixes); otherwise the formula's span.
fn fault_span(math: &Math, range: Option<std::ops::Range<usize>>, sources: &Sources) -> Span {
    let Some(range) = range else {
        return math.span.clone();
    };
    let text = &sources.get(math.span.file).text;
    let Some(written) = text.get(math.span.range.clone()) else {
        return math.span.clone();
    };
    match written.find(&math.tex) {
        Some(offset) if range.end <= math.tex.len() => {
            let start = math.span.range.start + offset + range.start;
            let end = (math.span.range.start + offset + range.end).max(start);
            Span::new(math.span.file, start..end)
        }
        _ => math.span.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plain_text;
    use crate::parse::Positions;
    use crate::parse::parse_markdown;

    fn converted(md: &str) -> (Vec<Block>, Sink, Sources) {
        let mut sources = Sources::default();
        let file = sources.add("c.md", md.to_string());
        let mut sink = Sink::default();
        let positions = Positions::File {
            file,
            source: sources.get(file),
        };
        let markdown = crate::config::MarkdownConfig::default();
        let mut blocks = parse_markdown(md, &positions, &markdown, &mut sink).blocks;
        convert_blocks(&mut blocks, &MathMl::default(), &sources, &mut sink);
        (blocks, sink, sources)
    }

    #[test]
    fn dollars_around_a_code_span_are_a_warning_at_their_line() {
        let md = "Texte.\n\nInstallez dans *$HOME/.cargo/bin*. Vérifiez que votre `$PATH` le contient.\n";
        let (blocks, sink, sources) = converted(md);
        let [d] = sink.diagnostics() else {
            panic!("{:?}", sink.diagnostics())
        };
        assert_eq!(d.severity, crate::diag::Severity::Warning);
        assert!(d.message.contains("backtick"), "{}", d.message);
        assert!(d.hints.iter().any(|h| h.contains("`\\$`")), "{:?}", d.hints);
        let loc = d.location(&sources).unwrap();
        assert_eq!(loc.line, Some(3), "{}", d.message);
        // Written `\$`, the dollars are text and the code span is one.
        let fixed = md.replace("*$HOME", "*\\$HOME");
        let (blocks_fixed, sink, _) = converted(&fixed);
        assert!(sink.diagnostics().is_empty(), "{:?}", sink.diagnostics());
        let BlockKind::Paragraph(inlines) = &blocks_fixed[1].kind else {
            panic!()
        };
        assert!(
            inlines
                .iter()
                .any(|i| matches!(i, Inline::Code(c) if c == "$PATH")),
            "{inlines:?}"
        );
        let BlockKind::Paragraph(inlines) = &blocks[1].kind else {
            panic!()
        };
        assert!(
            inlines.iter().any(|i| matches!(i, Inline::Math(_))),
            "{inlines:?}"
        );
    }

    #[test]
    fn inline_and_display_get_both_conversions() {
        let (blocks, sink, _) = converted("Soit $a^2$ et :\n\n$$\\sum_{i=1}^n x_i$$\n");
        assert!(sink.diagnostics().is_empty(), "{:?}", sink.diagnostics());
        let BlockKind::Paragraph(inlines) = &blocks[0].kind else {
            panic!()
        };
        let Inline::Math(m) = &inlines[1] else {
            panic!("{inlines:?}")
        };
        assert_eq!(m.typst.as_deref(), Some("$a ^(2 )$"));
        assert!(m.mathml.as_deref().unwrap().contains("<msup>"));
        assert_eq!(plain_text(inlines), "Soit a^2 et :");
        let BlockKind::Math(m) = &blocks[1].kind else {
            panic!()
        };
        assert!(m.typst.as_deref().unwrap().starts_with("$ sum"));
        assert!(m.mathml.as_deref().unwrap().contains("display=\"block\""));
    }

    #[test]
    fn a_fault_points_inside_the_formula() {
        let (blocks, sink, sources) = converted("Texte\n\nun $x + \\frac{a$ fin.\n");
        let [d] = sink.diagnostics() else {
            panic!("{:?}", sink.diagnostics())
        };
        assert_eq!(d.severity, crate::diag::Severity::Error);
        let loc = d.location(&sources).unwrap();
        assert_eq!((loc.line, loc.column), (Some(3), Some(16)), "{}", d.message);
        let BlockKind::Paragraph(inlines) = &blocks[1].kind else {
            panic!()
        };
        let Inline::Math(m) = &inlines[1] else {
            panic!()
        };
        assert_eq!(m.mathml, None);
    }

    #[test]
    fn a_formula_too_deep_is_refused_before_conversion() {
        let md = format!("$${}x{}$$\n", "{".repeat(100), "}".repeat(100));
        let (blocks, sink, _) = converted(&md);
        let [d] = sink.diagnostics() else {
            panic!("{:?}", sink.diagnostics())
        };
        assert!(d.message.contains("nests groups"), "{}", d.message);
        let BlockKind::Math(m) = &blocks[0].kind else {
            panic!()
        };
        assert_eq!((&m.typst, &m.mathml), (&None, &None));
    }
}
