//! Tables: rows of cells, each cell's paragraphs joined into one line of
//! a GitHub table. Merged cells are left empty where they are covered,
//! rows inserted or deleted by a tracked change follow `--accept-changes`
//! or `--reject-changes`, and a table inside a cell is flattened, with a
//! warning.

use roxmltree::Node;

use super::content::{Block, Fmt, Piece};
use super::reader::{MAX_DEPTH, Part, R, Reader, too_deep};
use super::styles::{child, val};

impl<'r> Reader<'r> {
    /// A table: its rows of cells. Merged cells are left empty where they
    /// are covered; a table inside a cell is flattened, with a warning.
    pub(super) fn table(&mut self, part: &Part, tbl: Node<'r, 'r>, depth: usize) -> R<Block> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let mut rows = Vec::new();
        for tr in Self::children_through(tbl, "tr", depth)? {
            if let Some(trpr) = child(tr, "trPr") {
                let inserted = child(trpr, "ins").is_some();
                let deleted = child(trpr, "del").is_some();
                if (deleted && !self.reject()) || (inserted && self.reject()) {
                    continue;
                }
            }
            let mut cells = Vec::new();
            for tc in Self::children_through(tr, "tc", depth)? {
                let tcpr = child(tc, "tcPr");
                let span = tcpr
                    .and_then(|p| child(p, "gridSpan"))
                    .and_then(val)
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let continued = tcpr
                    .and_then(|p| child(p, "vMerge"))
                    .is_some_and(|m| val(m).is_none_or(|v| v == "continue"));
                let content = if continued {
                    Vec::new()
                } else {
                    self.cell(part, tc, depth + 1)?
                };
                cells.push(content);
                for _ in 1..span {
                    cells.push(Vec::new());
                }
            }
            rows.push(cells);
        }
        Ok(Block::Table { rows })
    }

    /// The children named `local` of a table or row, through the content
    /// controls and custom XML that may wrap them.
    fn children_through(node: Node<'r, 'r>, local: &str, depth: usize) -> R<Vec<Node<'r, 'r>>> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        let mut out = Vec::new();
        for c in node.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            if name == local {
                out.push(c);
            } else if name == "customXml" {
                out.extend(Self::children_through(c, local, depth + 1)?);
            } else if name == "sdt"
                && let Some(content) = child(c, "sdtContent")
            {
                out.extend(Self::children_through(content, local, depth + 1)?);
            }
        }
        Ok(out)
    }

    /// A cell's content: its paragraphs joined by a space.
    fn cell(&mut self, part: &Part, tc: Node<'r, 'r>, depth: usize) -> R<Vec<Piece>> {
        let mut blocks = Vec::new();
        self.blocks(part, tc, &mut blocks, depth + 1)?;
        let mut out = Vec::new();
        let mut nested = false;
        let join = |pieces: Vec<Piece>, out: &mut Vec<Piece>| {
            if pieces.is_empty() {
                return;
            }
            if !out.is_empty() {
                out.push(Piece::Text(" ".into(), Fmt::default()));
            }
            out.extend(pieces.into_iter().map(|p| match p {
                Piece::Break => Piece::Text(" ".into(), Fmt::default()),
                p => p,
            }));
        };
        for block in blocks {
            match block {
                Block::Para { pieces, .. } => join(pieces, &mut out),
                Block::Table { rows } => {
                    nested = true;
                    for cell in rows.into_iter().flatten() {
                        join(cell, &mut out);
                    }
                }
            }
        }
        if nested {
            self.warn("a table inside a table cell is flattened into the cell's text");
        }
        if !self.floating.is_empty() {
            // Figures in text boxes inside a cell: their pictures stay in
            // the cell.
            for b in std::mem::take(&mut self.floating) {
                if let Block::Para { pieces, .. } = b {
                    join(pieces, &mut out);
                }
            }
        }
        Ok(out)
    }
}
