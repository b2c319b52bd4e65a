// Temporary measurement (not committed).
use ouvrage::diag::Sink;
use ouvrage::pipeline::*;
use std::time::Instant;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    configure_threads();
    let mut cache = ParseCache::default();
    let _ = load_model_cached(&root, &mut Sink::default(), &mut cache);
    cache.refill();
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let b = load_model_cached(&root, &mut Sink::default(), &mut cache);
        times.push(t.elapsed());
        std::thread::spawn(move || drop(b));
        cache.refill();
    }
    times.sort();
    println!(
        "no edit: median {:?} min {:?}",
        times[times.len() / 2],
        times[0]
    );
}
