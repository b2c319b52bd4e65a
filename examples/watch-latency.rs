//! Figures for `ouvrage watch` through an editor's working day (issue 27,
//! README "Live preview"): how long after a save the browser hears of it, for the site,
//! the typeset preview and the PDF file, for each kind of edit, and how
//! much memory the process holds after many metadata edits.
//!
//! ```text
//! cargo build --release --bin ouvrage --example watch-latency
//! target/release/examples/watch-latency BOOK_DIR CHAPTER_FILE \
//!     [--ouvrage target/release/ouvrage] [--rounds 5] [--autosave 10] \
//!     [--metadata 10] [--json FILE] [--log FILE]
//! ```
//!
//! It starts `ouvrage watch --port 0 -q` in BOOK_DIR, listens to its
//! server-sent events, waits for the first typeset, then, timing each save
//! from the instant it was written:
//!
//! 1. `--rounds` paragraph edits of CHAPTER_FILE, each made once the
//!    previous one is typeset (the builder idle): save → the first `reload`
//!    event of that save (the edited chapter's page is written and
//!    announced first), → its first `preview` event (typeset pages ready as
//!    SVG), → its `status` event saying the PDF is written;
//! 2. `--autosave` paragraph edits 1.5 s apart, whatever the typesetter is
//!    doing (an editor's autosave): save → the first `reload` event;
//! 3. `--metadata` edits of book.toml's title, then as many of the first
//!    contributor's name in contributors.toml, each once the previous one is
//!    typeset: save → first `preview` event (or the PDF, if no page
//!    changed), → PDF written;
//! 4. the peak resident memory of the process after those metadata edits
//!    (`VmHWM` of /proc/PID/status, Linux), and its resident memory then.
//!
//! It prints the medians (and the JSON of every figure to `--json`; the
//! lines `watch` prints, one per rebuild and one per typeset, to `--log`).
//! The files it edits are restored at the end. `bench/watch.sh` runs it on two
//! books beside cold builds of the same books.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// One server-sent event: its name, its data, and when it came.
struct Heard {
    name: String,
    data: serde_json::Value,
    at: Instant,
}

struct Watch {
    child: Child,
    events: Receiver<Heard>,
    /// The last save whose site was built.
    site: u64,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const LIMIT: Duration = Duration::from_secs(900);

impl Watch {
    fn start(ouvrage: &Path, book: &Path, log: Option<&Path>) -> Watch {
        let mut child = Command::new(ouvrage)
            .args(["watch", "--port", "0"])
            .args(if log.is_some() { None } else { Some("-q") })
            .current_dir(book)
            .stdout(Stdio::piped())
            .spawn()
            .expect("ouvrage watch runs");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        if let Some(log) = log {
            let mut file = std::fs::File::create(log).expect("the log file");
            std::thread::spawn(move || {
                for line in out.lines() {
                    let Ok(line) = line else { break };
                    let _ = writeln!(file, "{line}");
                }
            });
        }
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
        let (tx, events) = channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    let data = serde_json::from_str(data.trim()).unwrap_or_default();
                    let heard = Heard {
                        name: name.clone(),
                        data,
                        at: Instant::now(),
                    };
                    if tx.send(heard).is_err() {
                        break;
                    }
                }
            }
        });
        let mut watch = Watch {
            child,
            events,
            site: 0,
        };
        // The first build, and its typeset.
        watch.until(|h| is_done(h, 1));
        watch.site = 1;
        watch
    }

    /// Waits for an event that `check` accepts; when it came.
    fn until(&self, mut check: impl FnMut(&Heard) -> bool) -> Instant {
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(heard) if check(&heard) => return heard.at,
                Ok(_) => {}
                Err(_) => panic!("no expected event within {LIMIT:?}"),
            }
        }
    }

    /// After a save: when its site was announced (its first reload, or its
    /// status if no page changed), and its number.
    fn site_of_next_save(&mut self) -> (Instant, u64) {
        let last = self.site;
        let mut save = 0;
        let at = self.until(|h| {
            let g = match h.name.as_str() {
                "reload" => h.data["generation"].as_u64(),
                "status" => h.data["site"].as_u64(),
                _ => None,
            };
            match g {
                Some(g) if g > last => {
                    save = g;
                    true
                }
                _ => false,
            }
        });
        self.site = save;
        (at, save)
    }

    /// The save's first preview event, and the PDF written (a preview event
    /// may not come when no page changed: then both are the PDF's).
    fn typeset_of(&self, save: u64) -> (Instant, Instant) {
        let mut preview = None;
        let done = self.until(|h| {
            if h.name == "preview" && h.data["generation"] == save && preview.is_none() {
                preview = Some(h.at);
            }
            is_done(h, save)
        });
        (preview.unwrap_or(done), done)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

fn is_done(h: &Heard, save: u64) -> bool {
    h.name == "status"
        && matches!(h.data["typeset"].as_str(), Some("done" | "failed"))
        && h.data["typeset_generation"].as_u64() >= Some(save)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

/// `VmHWM` and `VmRSS` of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| {
                l[name.len()..]
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kib| kib / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Replaces the first occurrence of `key = "` in `file` by one with
/// `mark` at the start of the value.
fn mark_first(file: &Path, key: &str, mark: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let from = format!("{key} = \"");
    assert!(text.contains(&from), "no `{from}` in {}", file.display());
    let text = text.replacen(&from, &format!("{from}{mark}"), 1);
    std::fs::write(file, text).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut ouvrage = PathBuf::from("target/release/ouvrage");
    let (mut rounds, mut autosave, mut metadata) = (5usize, 10usize, 10usize);
    let mut json = None;
    let mut log = None;
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).cloned().expect("a value after the option");
        match args[i].as_str() {
            "--ouvrage" => ouvrage = PathBuf::from(value()),
            "--rounds" => rounds = value().parse().expect("--rounds N"),
            "--autosave" => autosave = value().parse().expect("--autosave N"),
            "--metadata" => metadata = value().parse().expect("--metadata N"),
            "--json" => json = Some(PathBuf::from(value())),
            "--log" => log = Some(PathBuf::from(value())),
            other => {
                positional.push(other.to_string());
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let [book, chapter] = positional.as_slice() else {
        eprintln!(
            "usage: watch-latency BOOK_DIR CHAPTER_FILE [--ouvrage PATH] [--rounds N] [--autosave N] [--metadata N] [--json FILE] [--log FILE]"
        );
        std::process::exit(2);
    };
    let book = PathBuf::from(book).canonicalize().expect("the book exists");
    let chapter = book.join(chapter);
    let ouvrage = std::fs::canonicalize(&ouvrage).expect("the ouvrage binary (build it)");
    let originals: Vec<(PathBuf, Vec<u8>)> = [
        chapter.clone(),
        book.join("book.toml"),
        book.join("contributors.toml"),
    ]
    .into_iter()
    .map(|p| {
        let bytes = std::fs::read(&p).unwrap_or_else(|_| panic!("{} exists", p.display()));
        (p, bytes)
    })
    .collect();

    let started = Instant::now();
    let mut watch = Watch::start(&ouvrage, &book, log.as_deref());
    let first = started.elapsed();
    let mut sentence = 0;
    let mut append = || {
        sentence += 1;
        let text = std::fs::read_to_string(&chapter).unwrap()
            + &format!("\nUne phrase de mesure, numéro {sentence}.\n");
        let saved = Instant::now();
        std::fs::write(&chapter, text).unwrap();
        saved
    };

    // 1. Paragraph edits, the builder idle.
    let (mut site, mut svg, mut pdf) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let saved = append();
        let (at, save) = watch.site_of_next_save();
        let (preview, done) = watch.typeset_of(save);
        site.push(ms(at - saved));
        svg.push(ms(preview - saved));
        pdf.push(ms(done - saved));
    }

    // 2. Autosave: a save every 1.5 s, whatever the typesetter does.
    let mut busy = Vec::new();
    let mut last = 0;
    for _ in 0..autosave {
        let saved = append();
        let (at, save) = watch.site_of_next_save();
        busy.push(ms(at - saved));
        last = save;
        std::thread::sleep(Duration::from_millis(1500).saturating_sub(saved.elapsed()));
    }
    if autosave > 0 {
        watch.typeset_of(last);
    }

    // 3. Metadata: the title, then a contributor's name.
    let mut edits = |file: &Path, key: &str| {
        let (mut preview, mut done) = (Vec::new(), Vec::new());
        for n in 0..metadata {
            let saved = Instant::now();
            mark_first(file, key, &format!("{n}·"));
            let (_, save) = watch.site_of_next_save();
            let (first, written) = watch.typeset_of(save);
            preview.push(ms(first - saved));
            done.push(ms(written - saved));
        }
        (preview, done)
    };
    let (title_preview, title_pdf) = edits(&book.join("book.toml"), "title");
    let (people_preview, people_pdf) = edits(&book.join("contributors.toml"), "name");
    let (peak, resident) = memory(watch.pid());
    drop(watch);
    for (path, bytes) in &originals {
        std::fs::write(path, bytes).unwrap();
    }

    let figures = serde_json::json!({
        "book": book.display().to_string(),
        "first_build_and_typeset_ms": ms(first),
        "paragraph": {
            "site_ms": median(&site), "svg_ms": median(&svg), "pdf_ms": median(&pdf),
            "all": { "site": site, "svg": svg, "pdf": pdf },
        },
        "autosave": { "site_ms": median(&busy), "all": busy },
        "title": {
            "preview_ms": median(&title_preview), "pdf_ms": median(&title_pdf),
            "all": { "preview": title_preview, "pdf": title_pdf },
        },
        "contributors": {
            "preview_ms": median(&people_preview), "pdf_ms": median(&people_pdf),
            "all": { "preview": people_preview, "pdf": people_pdf },
        },
        "memory_mib": { "peak": peak, "resident": resident, "metadata_edits": 2 * metadata },
    });
    println!("book: {}", book.display());
    println!("first build and typeset:             {:.0} ms", ms(first));
    println!(
        "paragraph, builder idle ({rounds}):       site {:.0} ms, SVG preview {:.0} ms, PDF written {:.0} ms",
        median(&site),
        median(&svg),
        median(&pdf)
    );
    println!(
        "paragraph, a save every 1.5 s ({autosave}): site {:.0} ms",
        median(&busy)
    );
    println!(
        "book.toml title ({metadata}):             preview {:.0} ms, PDF written {:.0} ms",
        median(&title_preview),
        median(&title_pdf)
    );
    println!(
        "contributors.toml name ({metadata}):      preview {:.0} ms, PDF written {:.0} ms",
        median(&people_preview),
        median(&people_pdf)
    );
    println!(
        "memory after {} metadata edits:       peak {peak:.0} MiB, resident {resident:.0} MiB",
        2 * metadata
    );
    if let Some(path) = json {
        std::fs::write(path, serde_json::to_string_pretty(&figures).unwrap()).unwrap();
    }
}
