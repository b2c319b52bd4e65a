//! Small generated figures: SVG bar charts and diagrams, and palette PNGs
//! (written by hand: zlib with stored blocks, so no compression crate).

use super::rng::Rng;

const COLOURS: &[&str] = &[
    "#3d6b2f", "#7a9e3b", "#c9a227", "#b5562c", "#5b7fa6", "#8a5b9e", "#4f9a94", "#a63d5b",
];

/// An SVG bar chart or a diagram of boxes and links (about 1–3 kB).
pub fn svg(rng: &mut Rng, title: &str) -> Vec<u8> {
    let (w, h) = (480, 300);
    let mut s = String::with_capacity(3000);
    s.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"13\">\n"
    ));
    s.push_str(&format!("  <title>{}</title>\n", xml_escape(title)));
    s.push_str(&format!(
        "  <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
    ));
    if rng.chance(60) {
        let bars = rng.range(4, 9);
        let slot = (w - 60) / bars;
        s.push_str("  <line x1=\"40\" y1=\"270\" x2=\"470\" y2=\"270\" stroke=\"#444\"/>\n");
        for i in 0..bars {
            let bh = rng.range(20, 230);
            let x = 45 + i * slot;
            s.push_str(&format!(
                "  <rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{bh}\" fill=\"{}\"/>\n",
                270 - bh,
                slot - 8,
                rng.pick(COLOURS)
            ));
            s.push_str(&format!(
                "  <text x=\"{}\" y=\"288\" text-anchor=\"middle\">{}</text>\n",
                x + (slot - 8) / 2,
                2000 + i
            ));
        }
    } else {
        let nodes = rng.range(3, 6);
        let mut at = Vec::new();
        for i in 0..nodes {
            let angle = i as f64 / nodes as f64 * std::f64::consts::TAU;
            at.push((240.0 + 160.0 * angle.cos(), 150.0 + 100.0 * angle.sin()));
        }
        s.push_str("  <g stroke=\"#444\" stroke-width=\"1.5\">\n");
        for i in 0..nodes {
            let j = (i + 1 + rng.below(nodes - 1)) % nodes;
            s.push_str(&format!(
                "    <line x1=\"{:.0}\" y1=\"{:.0}\" x2=\"{:.0}\" y2=\"{:.0}\"/>\n",
                at[i].0, at[i].1, at[j].0, at[j].1
            ));
        }
        s.push_str("  </g>\n");
        for (i, (x, y)) in at.iter().enumerate() {
            s.push_str(&format!(
                "  <ellipse cx=\"{x:.0}\" cy=\"{y:.0}\" rx=\"48\" ry=\"24\" fill=\"{}\" stroke=\"#333\"/>\n",
                rng.pick(COLOURS)
            ));
            s.push_str(&format!(
                "  <text x=\"{x:.0}\" y=\"{:.0}\" text-anchor=\"middle\" fill=\"#fff\">{}</text>\n",
                y + 4.0,
                (b'A' + i as u8) as char
            ));
        }
    }
    s.push_str("</svg>\n");
    s.into_bytes()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A palette PNG of `w` × `h` pixels: coloured bands and a diagonal.
pub fn png(rng: &mut Rng, w: u32, h: u32) -> Vec<u8> {
    let palette: Vec<[u8; 3]> = (0..8)
        .map(|_| {
            [
                rng.range(40, 230) as u8,
                rng.range(40, 230) as u8,
                rng.range(40, 230) as u8,
            ]
        })
        .collect();
    let band = rng.range(10, 40) as u32;
    let mut raw = Vec::with_capacity(((w + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            let on_diagonal = (x * h / w).abs_diff(y) < 3;
            raw.push(if on_diagonal {
                7
            } else {
                (((x / band) + (y / band)) % 7) as u8
            });
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]); // 8 bits, palette
    chunk(&mut out, b"IHDR", &ihdr);
    let plte: Vec<u8> = palette.iter().flatten().copied().collect();
    chunk(&mut out, b"PLTE", &plte);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}
