//! `ouvrage watch`: build a draft, serve it, rebuild on change, reload the
//! browser (README "Live preview").
//!
//! Four parts run side by side: the notify watcher sends the paths that
//! concern the book ([`watcher`]); the main thread gathers them into bursts
//! and rebuilds the site ([`builder`]), never stopping on an error or a
//! panic, and hands each finished model to the typesetter
//! ([`typesetter`]), a long-lived worker that makes the PDF and its preview
//! without the site ever waiting for it, and bounds Typst's memory by size
//! ([`memory`]); the server ([`server`]) serves what they wrote with the
//! live additions and tells the browsers what changed ([`live`]). Ctrl-C
//! leaves every output whole: the staging files not yet renamed are
//! removed before the process exits.

pub mod builder;
pub mod latest;
pub mod live;
pub mod memory;
pub mod review;
pub mod server;
pub mod typesetter;
pub mod watcher;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::Diagnostic;

/// Options of `watch`.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Port: `None` for 3000 or the next free one, `Some(0)` for any.
    pub port: Option<u16>,
    /// Whether to typeset the PDF and its preview.
    pub pdf: bool,
    /// Open the browser once serving.
    pub open: bool,
}

/// Binds 127.0.0.1 on the asked port, or on 3000 or the next free one.
pub fn bind(port: Option<u16>) -> Result<TcpListener, Diagnostic> {
    let candidates: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (3000..3100).collect(),
    };
    let mut last = None;
    for p in candidates {
        match TcpListener::bind(("127.0.0.1", p)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(Diagnostic::error_in(
        None,
        format!(
            "cannot listen on 127.0.0.1: {}",
            last.map(|e| e.to_string()).unwrap_or_default()
        ),
    )
    .hint("pass another port with `--port N`, or `--port 0` for any free one"))
}

/// Starts the server on its own threads; returns its address. `out` is
/// the book's [`output_folder`].
pub fn start_server(
    listener: TcpListener,
    out: PathBuf,
    live: Arc<live::Live>,
) -> Result<std::net::SocketAddr, Diagnostic> {
    let io = |e: std::io::Error| Diagnostic::error_in(None, format!("cannot serve: {e}"));
    let address = listener.local_addr().map_err(io)?;
    listener.set_nonblocking(true).map_err(io)?;
    // The book's root: `out` is always [`DRAFT_DIR`] under it
    // ([`output_folder`]); the review panel records in its repository.
    let root = out
        .ancestors()
        .nth(DRAFT_DIR.split('/').count())
        .unwrap_or(&out)
        .to_path_buf();
    let review = Arc::new(review::ReviewApi::new(root, address, live.clone()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(io)?;
    std::thread::Builder::new()
        .name("ouvrage-server".into())
        .spawn(move || {
            runtime.block_on(async move {
                tokio::spawn(exit_on_interrupt());
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => server::serve(listener, out, live, review).await,
                    Err(e) => eprintln!("cannot serve: {e}"),
                }
            });
        })
        .map_err(io)?;
    Ok(address)
}

/// Waits for Ctrl-C (or SIGTERM), then exits with every output whole: the
/// staging files not yet renamed over their outputs are removed, and none
/// is renamed after (see [`crate::atomic::abandon_staged`]).
async fn exit_on_interrupt() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    let _held = crate::atomic::abandon_staged();
    std::process::exit(130);
}

/// The output folder, created and canonical (the server compares real paths).
pub fn output_folder(root: &Path) -> Result<PathBuf, Diagnostic> {
    let out = root.join(DRAFT_DIR);
    std::fs::create_dir_all(out.join("html"))
        .and_then(|_| out.canonicalize())
        .map_err(|e| {
            Diagnostic::error_in(
                Some(PathBuf::from(DRAFT_DIR)),
                format!("cannot create: {e}"),
            )
        })
}

/// Where drafts go, `watch`'s and `build --draft`'s, under the book root:
/// beside the print outputs of `_book`, never over them.
pub const DRAFT_DIR: &str = "_book/draft";
