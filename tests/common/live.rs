//! `ouvrage watch` driven from a test: the process, plain HTTP requests over
//! a TCP stream, and the server-sent events read as they come.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A running `ouvrage watch`, killed when dropped.
pub struct Watching {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// Lines the process printed on stdout after the address.
    pub lines: Receiver<String>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `ouvrage watch --port 0 ARGS` in `dir` and waits for its address.
pub fn start(dir: &Path, args: &[&str]) -> Watching {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    start_with(dir, &all)
}

/// Starts `ouvrage watch ARGS` in `dir` and waits for its address.
pub fn start_with(dir: &Path, args: &[&str]) -> Watching {
    start_with_env(dir, args, &[])
}

/// Starts `ouvrage watch ARGS` in `dir` with these environment variables,
/// and waits for its address.
pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Watching {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .arg("watch")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("ouvrage runs");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("watch prints its address first");
    let address = first
        .strip_prefix("http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("the first line is the address, not {first:?}"))
        .to_string();
    Watching {
        child,
        address,
        lines: rx,
    }
}

/// A response: status code and body.
pub struct Response {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// `GET path` from the server at `address`, the path sent exactly as given.
pub fn get(address: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(address).expect("the server is up");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_response(&mut stream)
}

/// The whole answer the server writes on `stream` (a request sent with
/// `Connection: close`): its status, headers and body.
pub fn read_response(stream: &mut TcpStream) -> Response {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        headers: head.to_lowercase(),
        body: body.to_string(),
    }
}

/// Waits until `ready` holds, or fails with `what`.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

impl Watching {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT (Ctrl-C) and waits for the process to end; its exit
    /// code.
    #[cfg(unix)]
    pub fn interrupt(mut self) -> Option<i32> {
        // SAFETY: kill only sends a signal to our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
        }
        let status = self.child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        status.code().or(status.signal().map(|s| 128 + s))
    }

    /// `GET path` with the path sent exactly as given.
    pub fn get(&self, path: &str) -> Response {
        get(&self.address, path)
    }

    /// The server's state (`/__ouvrage/state`).
    pub fn state(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/__ouvrage/state").body).unwrap_or_default()
    }

    /// The number of builds finished.
    pub fn generation(&self) -> u64 {
        self.state()["builds"].as_u64().unwrap_or(0)
    }

    /// Waits until `ready` holds, or fails with `what`.
    pub fn wait_for(&self, what: &str, ready: impl FnMut() -> bool) {
        wait_until(what, ready)
    }

    /// Waits for the first build.
    pub fn wait_first_build(&self) {
        self.wait_for("the first build", || self.generation() >= 1);
    }

    /// Waits until the typesetter has caught up with the site: the PDF and
    /// the preview show the site's save (or failed on it).
    pub fn wait_typeset(&self) {
        self.wait_for("the typesetter to catch up with the site", || {
            let state = self.state();
            let status = &state["status"];
            state["builds"] == state["generation"]
                && matches!(status["typeset"].as_str(), Some("done" | "failed"))
                && status["typeset_generation"] == status["site"]
        });
    }

    /// Listens to the server-sent events; each comes as (name, data).
    pub fn events(&self) -> Receiver<(String, serde_json::Value)> {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET /__ouvrage/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.address
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    let value = serde_json::from_str(data.trim()).unwrap_or_default();
                    if tx.send((name.clone(), value)).is_err() {
                        break;
                    }
                }
            }
        });
        let (name, _) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the event stream says hello");
        assert_eq!(name, "hello");
        rx
    }
}

/// Waits for an event named `name` whose data satisfies `check`.
pub fn expect_event(
    events: &Receiver<(String, serde_json::Value)>,
    name: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match events.recv_timeout(Duration::from_millis(200)) {
            Ok((n, data)) if n == name && check(&data) => return data,
            Ok(other) => seen.push(other),
            Err(_) => {}
        }
    }
    panic!("no `{name}` event as expected; saw {seen:#?}");
}

/// The site builder and the typesetter in this process, as `watch` runs
/// them (without the watcher: each `save` is one rebuild), with the
/// typesetter's reports and an optional hook.
pub struct InProcess {
    pub live: std::sync::Arc<ouvrage::watch::live::Live>,
    pub builder: ouvrage::watch::builder::Builder,
    pub typesetter: Option<ouvrage::watch::typesetter::Typesetter>,
    pub reports: Receiver<ouvrage::watch::typesetter::Report>,
}

impl InProcess {
    /// For the book at `root`, writing into `out`.
    pub fn new(
        root: &Path,
        out: &Path,
        hook: Option<ouvrage::watch::typesetter::Hook>,
    ) -> InProcess {
        let live = std::sync::Arc::new(ouvrage::watch::live::Live::default());
        let (tx, reports) = channel();
        let tx = std::sync::Mutex::new(tx);
        let typesetter = ouvrage::watch::typesetter::Typesetter::start(
            out.to_path_buf(),
            live.clone(),
            false,
            hook,
            Box::new(move |report| {
                let _ = tx.lock().unwrap().send(report);
            }),
        )
        .unwrap();
        InProcess {
            builder: ouvrage::watch::builder::Builder::new(root, out, true),
            live,
            typesetter: Some(typesetter),
            reports,
        }
    }

    /// One rebuild of the site; its model goes to the typesetter.
    pub fn save(&mut self) -> ouvrage::watch::builder::Report {
        self.builder.rebuild(&self.live, self.typesetter.as_ref())
    }

    /// The typesetter's next report.
    pub fn next_typeset(&self) -> ouvrage::watch::typesetter::Report {
        self.reports
            .recv_timeout(Duration::from_secs(120))
            .expect("a typeset report")
    }

    /// The typesetter's reports until the one of save `generation`.
    pub fn typeset_of(&self, generation: u64) -> ouvrage::watch::typesetter::Report {
        loop {
            let report = self.next_typeset();
            if report.generation == generation {
                return report;
            }
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        // The worker finishes its job before the folder goes.
        drop(self.typesetter.take());
    }
}

/// The events of save `generation` as the site sends them: every event
/// received until the status event saying the site shows that save (the
/// site's last word on it), that one included.
pub fn events_of_save(
    events: &Receiver<(String, serde_json::Value)>,
    generation: u64,
) -> Vec<(String, serde_json::Value)> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok((name, data)) = events.recv_timeout(Duration::from_millis(200)) {
            let last = name == "status" && data["site"] == generation;
            seen.push((name, data));
            if last {
                return seen;
            }
        }
    }
    panic!("no status event for save {generation}; saw {seen:#?}");
}
