//! Colour in a written PDF, page by page: what a one-colour print job
//! (`[pdf] colour = "grey"`) must not hold. Read back with lopdf: colour
//! operators of the content streams (`rg`, `RG`, `k`, `K`, and `sc`/`scn`
//! with three or four components) and images in a colour space of more
//! than one component, in the page and in the forms it draws (an SVG
//! image is a form).

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

/// The pages (1-based) that hold colour, each with what does.
pub fn colour_pages(doc: &Document) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (number, id) in doc.get_pages() {
        let mut found = Vec::new();
        let content = doc.get_page_content(id);
        operators(&content, &mut found);
        if let Ok((dict, ids)) = doc.get_page_resources(id) {
            let mut seen = HashSet::new();
            let dicts = dict
                .into_iter()
                .chain(ids.iter().filter_map(|i| doc.get_dictionary(*i).ok()));
            for resources in dicts {
                xobjects(doc, resources, &mut found, &mut seen);
            }
        }
        if !found.is_empty() {
            found.sort();
            found.dedup();
            out.push((number as usize, found));
        }
    }
    out
}

/// The colour operators of a content stream.
pub fn operators(content: &[u8], found: &mut Vec<String>) {
    let Ok(content) = lopdf::content::Content::decode(content) else {
        return;
    };
    for op in &content.operations {
        let numbers = op
            .operands
            .iter()
            .filter(|o| matches!(o, Object::Integer(_) | Object::Real(_)))
            .count();
        let colour = match op.operator.as_str() {
            "rg" | "RG" | "k" | "K" => true,
            "sc" | "scn" | "SC" | "SCN" => numbers >= 3,
            _ => false,
        };
        if colour {
            found.push(format!("`{}` colour operator", op.operator));
        }
    }
}

fn xobjects(
    doc: &Document,
    resources: &Dictionary,
    found: &mut Vec<String>,
    seen: &mut HashSet<ObjectId>,
) {
    let Ok(list) = resources.get(b"XObject").and_then(|x| resolve(doc, x)) else {
        return;
    };
    for (_, value) in list.iter() {
        let Ok(id) = value.as_reference() else {
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        let Ok(Object::Stream(stream)) = doc.get_object(id) else {
            continue;
        };
        let dict = &stream.dict;
        match dict.get(b"Subtype").and_then(|s| s.as_name()) {
            Ok(b"Image") => {
                if let Ok(space) = dict.get(b"ColorSpace")
                    && components(doc, space) > 1
                {
                    found.push("a colour image".into());
                }
            }
            Ok(b"Form") => {
                if let Ok(content) = stream.decompressed_content() {
                    operators(&content, found);
                } else {
                    operators(&stream.content, found);
                }
                if let Ok(inner) = dict.get(b"Resources").and_then(|r| resolve(doc, r)) {
                    xobjects(doc, inner, found, seen);
                }
            }
            _ => {}
        }
    }
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> lopdf::Result<&'a Dictionary> {
    match object {
        Object::Reference(id) => doc.get_dictionary(*id),
        other => other.as_dict(),
    }
}

/// How many components a colour space has (1 for grey).
fn components(doc: &Document, space: &Object) -> usize {
    let space = match space {
        Object::Reference(id) => match doc.get_object(*id) {
            Ok(o) => o,
            Err(_) => return 3,
        },
        other => other,
    };
    match space {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" => 1,
            b"DeviceCMYK" => 4,
            _ => 3,
        },
        Object::Array(items) => match items.first().and_then(|n| n.as_name().ok()) {
            Some(b"ICCBased") => items
                .get(1)
                .and_then(|r| r.as_reference().ok())
                .and_then(|id| doc.get_object(id).ok())
                .and_then(|o| o.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").ok())
                .and_then(|n| n.as_i64().ok())
                .map_or(3, |n| n as usize),
            Some(b"Indexed") => items.get(1).map_or(3, |base| components(doc, base)),
            Some(b"CalGray") => 1,
            _ => 3,
        },
        _ => 3,
    }
}
