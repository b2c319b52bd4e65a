//! The nesting limit: Markdown nested deeper than [`MAX_NESTING`] levels is
//! an error at the place where the limit is crossed.
//!
//! Stage: right after comrak's parse, before the AST is lowered. Input:
//! comrak's AST (comrak builds it without recursion, so that 5,000 nested
//! quotes or 10,000 emphasis markers parse); output: the same AST with each
//! node that crosses the limit detached (so that the model, and every
//! stage after it, holds at most [`MAX_NESTING`] levels), and an error for
//! each. The walk keeps its own stack: it never recurses.
//!
//! Why a limit: lowering, the passes and every renderer walk the model
//! recursively, as Typst lays out nested content recursively; a chapter
//! with thousands of nested quotes used to overflow the stack and abort
//! the process (which `watch` cannot survive). Browsers and EPUB readers
//! stop nesting long before (Chromium at 512 elements of markup), and
//! nothing a book prints needs a hundred.

use comrak::nodes::{AstNode, NodeValue};

use super::lower::Positions;
use crate::diag::{Diagnostic, Sink, Span};
use crate::model::MAX_NESTING;

/// The levels a node adds: one for each container a reader sees as one
/// (a list and its item are one level).
fn levels(value: &NodeValue) -> usize {
    match value {
        NodeValue::BlockQuote
        | NodeValue::MultilineBlockQuote(_)
        | NodeValue::Alert(_)
        | NodeValue::Item(_)
        | NodeValue::TaskItem(_)
        | NodeValue::FootnoteDefinition(_)
        | NodeValue::DescriptionItem(_)
        | NodeValue::Emph
        | NodeValue::Strong
        | NodeValue::Strikethrough
        | NodeValue::Superscript
        | NodeValue::Subscript
        | NodeValue::Underline
        | NodeValue::Highlight
        | NodeValue::Insert
        | NodeValue::SpoileredText
        | NodeValue::Link(_)
        | NodeValue::Image(_)
        | NodeValue::WikiLink(_) => 1,
        _ => 0,
    }
}

/// Detaches every node of `root` nested deeper than [`MAX_NESTING`], with an
/// error at each.
pub(super) fn prune_too_deep<'a>(root: &'a AstNode<'a>, positions: &Positions, sink: &mut Sink) {
    let mut too_deep = Vec::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        for child in node.children() {
            let level = depth + levels(&child.data().value);
            if level > MAX_NESTING {
                too_deep.push(child);
            } else {
                stack.push((child, level));
            }
        }
    }
    for node in too_deep {
        let span = positions.span(node);
        // The place where the level starts (the whole nested rest may run
        // to the end of the file).
        let span = Span::new(span.file, span.range.start..span.range.start);
        sink.push(
            Diagnostic::error(
                span,
                format!("this is nested more than {MAX_NESTING} levels deep"),
            )
            .hint(format!(
                "ouvrage reads at most {MAX_NESTING} block quotes, list items, footnotes, emphasis, links and images inside one another; flatten the structure here (what is nested deeper is left out)"
            )),
        );
        node.detach();
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Sink;
    use crate::model::{Block, BlockKind, Inline, MAX_NESTING};
    use crate::parse::{Positions, parse_markdown};
    use crate::source::Sources;

    /// The errors of parsing `md`, as `line:col message`, and the blocks.
    fn parse(md: &str) -> (Vec<String>, Vec<Block>) {
        let mut sources = Sources::default();
        let file = sources.add("c.md", md.to_string());
        let mut sink = Sink::default();
        let positions = Positions::File {
            file,
            source: sources.get(file),
        };
        let parsed = parse_markdown(md, &positions, &Default::default(), &mut sink);
        let errors = sink
            .diagnostics()
            .iter()
            .map(|d| {
                let loc = d.location(&sources).unwrap();
                format!(
                    "{}:{} {}",
                    loc.line.unwrap(),
                    loc.column.unwrap(),
                    d.message
                )
            })
            .collect();
        (errors, parsed.blocks)
    }

    /// How deep block quotes nest in `blocks`.
    fn quote_depth(blocks: &[Block]) -> usize {
        let mut depth = 0;
        let mut level = blocks;
        while let Some(Block {
            kind: BlockKind::BlockQuote(inner),
            ..
        }) = level.first()
        {
            depth += 1;
            level = inner;
        }
        depth
    }

    #[test]
    fn markdown_nested_to_the_limit_is_read_and_one_level_more_is_an_error_where_it_starts() {
        let (errors, blocks) = parse(&format!("{} x\n", ">".repeat(MAX_NESTING)));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(quote_depth(&blocks), MAX_NESTING);

        // 5,000 quotes: one error, at the 101st `>`, and the model stops at
        // the limit.
        let (errors, blocks) = parse(&format!("Avant.\n\n{} x\n", ">".repeat(5000)));
        assert_eq!(
            errors,
            [format!(
                "3:{} this is nested more than {MAX_NESTING} levels deep",
                MAX_NESTING + 1
            )]
        );
        assert_eq!(quote_depth(&blocks[1..]), MAX_NESTING);

        // 3,000 nested list items, one per line: the 101st item's line.
        let list: String = (0..3000)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let (errors, _) = parse(&list);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with(&format!("{}:{} ", MAX_NESTING + 1, 2 * MAX_NESTING + 1)));

        // 10,000 nested emphasis markers, and emphasis inside quotes:
        // levels of both kinds add up.
        let (errors, _) = parse(&format!(
            "{}x{}\n",
            "*a ".repeat(10_000),
            " a*".repeat(10_000)
        ));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(&format!("1:{} ", 3 * MAX_NESTING + 1)),
            "{errors:?}"
        );
        let half = MAX_NESTING / 2;
        let mixed = format!(
            "{}{}x{}\n",
            "> ".repeat(half),
            "*a ".repeat(half + 1),
            " a*".repeat(half + 1)
        );
        let (errors, blocks) = parse(&mixed);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(&format!("1:{} ", 2 * half + 3 * half + 1)),
            "{errors:?}"
        );
        // What is left: the quotes and the emphasis up to the limit.
        let mut level = &blocks[..];
        for _ in 0..half {
            let [
                Block {
                    kind: BlockKind::BlockQuote(inner),
                    ..
                },
            ] = level
            else {
                panic!("{level:?}")
            };
            level = inner;
        }
        let [
            Block {
                kind: BlockKind::Paragraph(inlines),
                ..
            },
        ] = level
        else {
            panic!("{level:?}")
        };
        let mut depth = 0;
        let mut inlines = &inlines[..];
        while let Some(Inline::Emph(inner)) = inlines.iter().find(|i| matches!(i, Inline::Emph(_)))
        {
            depth += 1;
            inlines = inner;
        }
        assert_eq!(depth, half);
    }
}
