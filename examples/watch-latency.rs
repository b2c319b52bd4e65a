//! Figures for `ouvrage watch` (SPEC §7): how long after a save the browser
//! hears of it, for the site and for the typeset preview, and what the kept
//! Typst session saves against a cold compile.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example watch-latency -- BOOK_DIR CHAPTER_FILE \
//!     [--ouvrage target/release/ouvrage] [--rounds 10] [--pause 1500]
//! ```
//!
//! It starts `ouvrage watch --port 0` in BOOK_DIR, listens to its events,
//! appends a sentence to CHAPTER_FILE `--rounds` times (waiting for the
//! preview between saves), and prints the medians of save → `reload` event
//! (the chapter's page is rewritten and announced) and save → `preview`
//! event (the PDF pages are typeset and ready as SVG). After each preview it
//! waits `--pause` milliseconds, so that the whole book's compile and the PDF
//! file are done and the next save meets an idle builder: on a book whose
//! compile takes longer, a save waits for it (raise `--pause`). Then, in this
//! process, it compiles the book cold, then again after one more edit with
//! the same session, and prints both. The chapter file is restored at the end.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut ouvrage = PathBuf::from("target/release/ouvrage");
    let mut rounds = 10usize;
    let mut pause = 1500u64;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--ouvrage" => {
                ouvrage = PathBuf::from(&args[i + 1]);
                i += 1;
            }
            "--rounds" => {
                rounds = args[i + 1].parse().expect("--rounds N");
                i += 1;
            }
            "--pause" => {
                pause = args[i + 1].parse().expect("--pause MILLISECONDS");
                i += 1;
            }
            other => positional.push(other.to_string()),
        }
        i += 1;
    }
    let [book, chapter] = positional.as_slice() else {
        eprintln!(
            "usage: watch-latency BOOK_DIR CHAPTER_FILE [--ouvrage PATH] [--rounds N] [--pause MS]"
        );
        std::process::exit(2);
    };
    let book = PathBuf::from(book).canonicalize().expect("the book exists");
    let chapter = book.join(chapter);
    let original = std::fs::read_to_string(&chapter).expect("the chapter exists");
    let ouvrage = std::fs::canonicalize(&ouvrage).expect("the ouvrage binary (build it)");

    let mut child = Command::new(&ouvrage)
        .args(["watch", "--port", "0", "-q"])
        .current_dir(&book)
        .stdout(Stdio::piped())
        .spawn()
        .expect("ouvrage watch runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let address = line
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /__ouvrage/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = channel::<(String, Instant)>();
    std::thread::spawn(move || {
        let mut name = String::new();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.trim().to_string();
            } else if line.starts_with("data: ") {
                let _ = tx.send((name.clone(), Instant::now()));
            }
        }
    });
    // The first build: wait for its preview.
    wait(&rx, "preview", Duration::from_secs(600));
    std::thread::sleep(Duration::from_millis(pause));
    while rx.try_recv().is_ok() {}

    let mut html = Vec::new();
    let mut pdf = Vec::new();
    for round in 0..rounds {
        let text = std::fs::read_to_string(&chapter).unwrap()
            + &format!("\nUne phrase de mesure, numéro {round}.\n");
        let saved = Instant::now();
        std::fs::write(&chapter, text).unwrap();
        let reload = wait(&rx, "reload", Duration::from_secs(120));
        let preview = wait(&rx, "preview", Duration::from_secs(600));
        html.push(reload - saved);
        pdf.push(preview - saved);
        // The first preview shows the edited chapter typeset alone; the
        // whole book's compile and the PDF file follow. Let them finish,
        // so that each save meets an idle builder.
        std::thread::sleep(Duration::from_millis(pause));
        while rx.try_recv().is_ok() {}
    }
    let _ = child.kill();
    let _ = child.wait();
    std::fs::write(&chapter, &original).unwrap();

    println!("book: {}", book.display());
    println!(
        "save → reload event (site rebuilt):      median {} ms over {rounds} saves",
        median(&mut html)
    );
    println!(
        "save → preview event (pages typeset):    median {} ms over {rounds} saves",
        median(&mut pdf)
    );

    // The kept session against a cold one, in this process.
    // A draft, as watch typesets it.
    let draft = |book: &std::path::Path| {
        let mut model = ouvrage::pipeline::load_model(book, &mut ouvrage::diag::Sink::default());
        let report = ouvrage::status::offline_report(&model);
        ouvrage::pipeline::attach_review(&mut model, report);
        model
    };
    let model = draft(&book);
    let options = ouvrage::render::typst::PdfOptions::default();
    let t = Instant::now();
    let mut session =
        ouvrage::render::typst::Session::for_book(&model, &options.fonts).expect("fonts");
    let pages = session
        .compile(&model, &options)
        .map(|c| c.document.pages().len())
        .unwrap_or_else(|_| panic!("the book compiles"));
    let cold = t.elapsed();
    std::fs::write(
        &chapter,
        original.clone() + "\nUne dernière phrase de mesure.\n",
    )
    .unwrap();
    let edited = draft(&book);
    let t = Instant::now();
    let _ = session.compile(&edited, &options);
    let warm = t.elapsed();
    std::fs::write(&chapter, &original).unwrap();
    println!(
        "PDF compile, cold session:               {} ms ({pages} pages)",
        cold.as_millis()
    );
    println!(
        "PDF compile after one edit, kept session: {} ms",
        warm.as_millis()
    );
}

fn wait(rx: &std::sync::mpsc::Receiver<(String, Instant)>, name: &str, limit: Duration) -> Instant {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((n, at)) if n == name => return at,
            Ok(_) => {}
            Err(_) => panic!("no `{name}` event"),
        }
    }
}

fn median(values: &mut [Duration]) -> u128 {
    values.sort();
    values[values.len() / 2].as_millis()
}
