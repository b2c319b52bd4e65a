//! Numbers: numbered chapters count from 1; sections, figures and captioned
//! tables are numbered within their chapter (`2.1`, `2.1.3`).

use crate::model::{Block, BlockKind, Book, walk_blocks_mut};

/// Numbers chapters, sections, figures and tables.
pub fn number(book: &mut Book) {
    let mut chapter_number = 0;
    for chapter in &mut book.chapters {
        chapter.number = if chapter.config.numbered {
            chapter_number += 1;
            Some(chapter_number)
        } else {
            None
        };
        let prefix = chapter.number.map(|n| format!("{n}.")).unwrap_or_default();
        let mut sections: Vec<u32> = Vec::new();
        let (mut figures, mut tables) = (0, 0);
        let numbered = chapter.number.is_some();
        walk_blocks_mut(
            &mut chapter.blocks,
            &mut |b: &mut Block| match &mut b.kind {
                BlockKind::Heading(h) => {
                    let depth = h.depth.max(1) as usize;
                    sections.resize(depth, 0);
                    sections[depth - 1] += 1;
                    h.number = numbered.then(|| {
                        let parts: Vec<String> = sections.iter().map(|n| n.to_string()).collect();
                        format!("{prefix}{}", parts.join("."))
                    });
                }
                BlockKind::Figure(f) => {
                    figures += 1;
                    f.number = Some(format!("{prefix}{figures}"));
                }
                BlockKind::Table(t) if !t.caption.is_empty() => {
                    tables += 1;
                    t.number = Some(format!("{prefix}{tables}"));
                }
                _ => {}
            },
        );
    }
}
