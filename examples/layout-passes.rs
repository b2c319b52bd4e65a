//! How many layout passes Typst makes of a book, and why.
//!
//! `cargo run --release --example layout-passes DIR`, where DIR is what
//! `ouvrage build --pdf --emit-typst DIR` wrote. For each pass: its time,
//! its pages, how many labelled elements it put elsewhere than the pass
//! before (with the first few), and, when Typst needs another pass, which
//! of its readings of the pass before changed, at their Typst lines.

use ouvrage::render::typst::passes::{emitted_world, labelled_positions, layout_passes};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: layout-passes DIR (written by `ouvrage build --pdf --emit-typst DIR`)");
        std::process::exit(2);
    };
    let world = match emitted_world(std::path::Path::new(&dir)) {
        Ok(world) => world,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let started = std::time::Instant::now();
    let passes = match layout_passes(&world, 5) {
        Ok(passes) => passes,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {}", e.message);
            }
            std::process::exit(1);
        }
    };
    println!("{} passes, {:.2?} in all", passes.len(), started.elapsed());
    let mut before: Option<Vec<(String, usize, i64)>> = None;
    for (i, pass) in passes.iter().enumerate() {
        let placed = labelled_positions(&pass.document);
        println!(
            "pass {}: {} pages, stable: {}",
            i + 1,
            pass.document.pages().len(),
            pass.stable
        );
        if let Some(before) = &before {
            let moved: Vec<_> = before.iter().zip(&placed).filter(|(a, b)| a != b).collect();
            println!(
                "  labelled elements elsewhere than on the pass before: {}",
                moved.len()
            );
            for (a, b) in moved.iter().take(10) {
                println!(
                    "    {} page {} y {} -> page {} y {}",
                    a.0, a.1, a.2, b.1, b.2
                );
            }
        }
        let mut counted = std::collections::BTreeMap::<&str, usize>::new();
        for reading in &pass.unstable {
            *counted.entry(reading.as_str()).or_default() += 1;
        }
        for (reading, n) in counted.iter().take(30) {
            println!("  changed since the pass before ({n}×): {reading}");
        }
        before = Some(placed);
    }
}
