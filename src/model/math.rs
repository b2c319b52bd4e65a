//! Queries about a chapter's formulas, for the renderers: they read the
//! conversions the math pass stored in each [`Math`](super::Math) and ask
//! the model, not the pass, what a chapter holds.

use super::{Block, BlockKind, Chapter, Inline};

impl Chapter {
    /// True when the chapter has a formula converted to Typst by the math
    /// pass (the PDF's source of the chapter then imports the math prelude).
    pub fn has_typst_math(&self) -> bool {
        blocks_have_math(&self.title_markup)
            || blocks_have_math(&self.blocks)
            || blocks_have_math(&self.abstract_)
            || self
                .translations
                .iter()
                .any(|t| blocks_have_math(&t.title) || blocks_have_math(&t.abstract_))
            || self.footnotes.iter().any(|n| blocks_have_math(&n.blocks))
    }
}

fn blocks_have_math(blocks: &[Block]) -> bool {
    blocks.iter().any(|block| match &block.kind {
        BlockKind::Math(math) => math.typst.is_some(),
        BlockKind::Paragraph(inlines) => inlines_have_math(inlines),
        BlockKind::Heading(h) => inlines_have_math(&h.content),
        BlockKind::BlockQuote(blocks) | BlockKind::Alert { blocks, .. } => blocks_have_math(blocks),
        BlockKind::List { items, .. } => items.iter().any(|i| blocks_have_math(&i.blocks)),
        BlockKind::Figure(f) => inlines_have_math(&f.image.alt),
        BlockKind::Table(t) => {
            inlines_have_math(&t.caption)
                || t.header
                    .iter()
                    .chain(t.rows.iter().flatten())
                    .any(|cell| inlines_have_math(cell))
        }
        BlockKind::CodeBlock { .. }
        | BlockKind::Raw { .. }
        | BlockKind::Html(_)
        | BlockKind::Rule => false,
    })
}

fn inlines_have_math(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Math(math) => math.typst.is_some(),
        Inline::Emph(c)
        | Inline::Strong(c)
        | Inline::Strike(c)
        | Inline::Sup(c)
        | Inline::Sub(c)
        | Inline::SmallCaps(c)
        | Inline::Link { content: c, .. } => inlines_have_math(c),
        Inline::IndexTerm(m) => inlines_have_math(&m.content),
        Inline::Image(img) => inlines_have_math(&img.alt),
        _ => false,
    })
}
