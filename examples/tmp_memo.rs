// Temporary measurement (not committed).
use ouvrage::diag::Sink;
use ouvrage::pipeline::*;
use std::time::Instant;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let chapter = root.join(std::env::args().nth(2).unwrap());
    configure_threads();
    let original = std::fs::read_to_string(&chapter).unwrap();
    let mut cache = ParseCache::default();
    let _ = load_model_cached(&root, &mut Sink::default(), &mut cache);
    cache.refill();
    let mut with = Vec::new();
    let mut cold = Vec::new();
    for round in 0..8 {
        let text = original.replacen("\n\n", &format!("\n\nMot{round} ajouté. "), 2);
        std::fs::write(&chapter, &text).unwrap();
        let t = Instant::now();
        let b = load_model_cached(&root, &mut Sink::default(), &mut cache);
        with.push(t.elapsed());
        assert_eq!(cache.finished_again().len(), 1);
        std::thread::spawn(move || drop(b));
        cache.refill();
        // The same load without anything kept but the parses: a fresh memo.
        let mut fresh = ParseCache::default();
        let _ = load_model_cached(&root, &mut Sink::default(), &mut fresh);
        fresh.refill();
        let t = Instant::now();
        let b = load_model_cached(&root, &mut Sink::default(), &mut fresh);
        cold.push(t.elapsed());
        drop(b);
    }
    std::fs::write(&chapter, &original).unwrap();
    with.sort();
    cold.sort();
    println!(
        "kept passes: median {:?} (all {:?})",
        with[with.len() / 2],
        with
    );
    println!(
        "no edit, parses kept (memo full too): median {:?}",
        cold[cold.len() / 2]
    );
}
