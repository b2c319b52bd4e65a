//! The print shop's page boxes of a written PDF. Typst writes the MediaBox
//! (the trimmed page grown by `page(bleed:)`) and the TrimBox; this adds
//! the BleedBox (the trim grown by `[pdf] bleed`, which is narrower than
//! the media when crop marks are drawn) as an incremental update, so that
//! the bytes Typst wrote, and a PDF/A's metadata, stay as they are.
//! Input: PDF bytes and the bleed; output: PDF bytes.

use lopdf::{Document, IncrementalDocument, Object};

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// A page's boxes, in points: `[llx, lly, urx, ury]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageBoxes {
    /// The whole sheet the page is printed on.
    pub media: [f64; 4],
    /// The finished page, after trimming (the media when absent).
    pub trim: [f64; 4],
    /// How far the artwork runs (the media when absent, as the PDF
    /// specification says).
    pub bleed: [f64; 4],
}

impl PageBoxes {
    /// A box's width and height, in millimetres.
    pub fn size_mm(b: [f64; 4]) -> (f64, f64) {
        ((b[2] - b[0]) / PT_PER_MM, (b[3] - b[1]) / PT_PER_MM)
    }
}

fn rect(doc: &Document, object: &Object) -> Option<[f64; 4]> {
    let array = match object {
        Object::Reference(id) => doc.get_object(*id).ok()?.as_array().ok()?,
        other => other.as_array().ok()?,
    };
    let numbers: Vec<f64> = array
        .iter()
        .filter_map(|o| o.as_float().ok().map(f64::from))
        .collect();
    (numbers.len() == 4).then(|| [numbers[0], numbers[1], numbers[2], numbers[3]])
}

/// Every page's boxes, in page order.
pub fn page_boxes(doc: &Document) -> Vec<PageBoxes> {
    doc.get_pages()
        .values()
        .filter_map(|id| {
            let page = doc.get_dictionary(*id).ok()?;
            let get = |key: &[u8]| page.get(key).ok().and_then(|o| rect(doc, o));
            let media = get(b"MediaBox")?;
            let trim = get(b"TrimBox").unwrap_or(media);
            let bleed = get(b"BleedBox").unwrap_or(media);
            Some(PageBoxes { media, trim, bleed })
        })
        .collect()
}

/// Sets every page's BleedBox to its TrimBox grown by `bleed_mm` on every
/// side (never past the MediaBox). Pages without a TrimBox are left alone.
pub fn add_bleed_box(pdf: Vec<u8>, bleed_mm: f64) -> Result<Vec<u8>, String> {
    let mut incremental: IncrementalDocument = pdf
        .as_slice()
        .try_into()
        .map_err(|e: lopdf::Error| e.to_string())?;
    let pages = incremental.get_prev_documents().get_pages();
    let grow = bleed_mm * PT_PER_MM;
    let mut changed = false;
    for id in pages.values() {
        let boxes = {
            let doc = incremental.get_prev_documents();
            let page = doc.get_dictionary(*id).map_err(|e| e.to_string())?;
            let Some(trim) = page.get(b"TrimBox").ok().and_then(|o| rect(doc, o)) else {
                continue;
            };
            let media = page
                .get(b"MediaBox")
                .ok()
                .and_then(|o| rect(doc, o))
                .unwrap_or(trim);
            // Within a hundredth of a point of the media (Typst writes
            // f32), the media's own figure.
            let snap = |v: f64, edge: f64| if (v - edge).abs() < 0.01 { edge } else { v };
            [
                snap((trim[0] - grow).max(media[0]), media[0]),
                snap((trim[1] - grow).max(media[1]), media[1]),
                snap((trim[2] + grow).min(media[2]), media[2]),
                snap((trim[3] + grow).min(media[3]), media[3]),
            ]
        };
        incremental
            .opt_clone_object_to_new_document(*id)
            .map_err(|e| e.to_string())?;
        let page = incremental
            .new_document
            .get_object_mut(*id)
            .and_then(Object::as_dict_mut)
            .map_err(|e| e.to_string())?;
        page.set(
            "BleedBox",
            Object::Array(boxes.iter().map(|v| Object::Real(*v as f32)).collect()),
        );
        changed = true;
    }
    if !changed {
        return Ok(pdf);
    }
    let mut out = Vec::new();
    incremental.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}
