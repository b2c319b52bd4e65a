//! The review panel's side of the server (README "Live preview",
//! "Comments and suggested edits"): each chapter's comments as the last
//! build located them, and the one endpoint that writes to git, recording
//! a comment, reply, resolve or reopen exactly as `ouvrage comment` does
//! ([`crate::commenting`]), in the repository `watch` runs in, as its git
//! identity.
//!
//! The write is guarded: the request must come from a page this process
//! served (a random token of this run, which only its own pages carry, in
//! a header a cross-site form cannot set), with an `Origin` and a `Host`
//! naming this server (a DNS-rebinding page has another Host), in at most
//! [`MAX_REQUEST`] bytes of JSON. Bad input gets a 400 and a JSON body
//! saying why. Writes are made one at a time, and the branch moves only if
//! it is still where it was read: two saves that race both land, one after
//! the other, and nothing is committed halfway.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::live::Live;
use crate::diag::Diagnostic;
use crate::review::comments::CommentKind;

/// The largest request body the endpoint reads, in bytes.
pub const MAX_REQUEST: usize = 64 * 1024;

/// The header that carries the page's token.
pub const TOKEN_HEADER: &str = "x-ouvrage-token";

/// What the review handlers share.
pub struct ReviewApi {
    /// The book's root (the repository `watch` runs in).
    pub root: PathBuf,
    /// This run's token, in every page served.
    pub token: String,
    /// The server's address, which `Host` and `Origin` must name.
    pub address: SocketAddr,
    /// The state the builder publishes the comments in.
    pub live: Arc<Live>,
    /// Held while a write is made: one at a time.
    writes: Mutex<()>,
}

impl ReviewApi {
    /// The API of a server at `address` for the book at `root`, with a new
    /// random token.
    pub fn new(root: PathBuf, address: SocketAddr, live: Arc<Live>) -> ReviewApi {
        ReviewApi {
            root,
            token: random_token(),
            address,
            live,
            writes: Mutex::new(()),
        }
    }
}

/// 128 random bits in hexadecimal: two SipHash keys the standard library
/// draws from the operating system's random source for each
/// `RandomState`, hashing the time (no dependency for this one value).
pub fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let part = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(now);
        h.write_u32(std::process::id());
        h.finish()
    };
    format!("{:016x}{:016x}", part(), part())
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(value.to_string()),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A refusal: its status and a JSON body with the reason and what to do.
fn refuse(status: StatusCode, d: &Diagnostic) -> Response {
    json(
        status,
        serde_json::json!({ "error": d.message, "hints": d.hints }),
    )
}

fn refuse_with(status: StatusCode, why: &str) -> Response {
    refuse(status, &Diagnostic::error_in(None, why))
}

/// `GET /__ouvrage/comments?chapter=ID`: the chapter's comments as the
/// last build located them (`ouvrage comments --format json`'s shape).
pub async fn list(State(api): State<Arc<ReviewApi>>, uri: axum::http::Uri) -> Response {
    let chapter = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "chapter")
            .map(|(_, v)| v.into_owned())
    });
    let Some(chapter) = chapter else {
        return refuse_with(StatusCode::BAD_REQUEST, "say which chapter: ?chapter=ID");
    };
    match api.live.with(|s| s.comments.get(&chapter).cloned()) {
        Some(value) => json(StatusCode::OK, value),
        None => refuse_with(
            StatusCode::NOT_FOUND,
            &format!("no chapter `{chapter}` in the last build"),
        ),
    }
}

/// Why a request does not come from this server's own pages, if it does
/// not: its `Host` names this server, its `Origin` is this server, and it
/// carries this run's token.
pub fn foreign(headers: &HeaderMap, address: SocketAddr, token: &str) -> Option<&'static str> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let port = address.port();
    let hosts = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    let Some(host) = value(header::HOST.as_str()).filter(|h| hosts.iter().any(|a| a == h)) else {
        return Some("the Host header does not name this server");
    };
    if value(header::ORIGIN.as_str()) != Some(format!("http://{host}").as_str()) {
        return Some("the request does not come from a page of this server (Origin)");
    }
    let given = value(TOKEN_HEADER).unwrap_or("");
    // Compared in constant time: the token is the secret.
    let same = given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Some("the request does not carry this server's token: reload the page");
    }
    None
}

/// What a page asks to record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    /// `comment`, `reply`, `resolve` or `reopen`.
    action: String,
    /// A comment's chapter.
    #[serde(default)]
    chapter: Option<String>,
    /// The selected text (a comment).
    #[serde(default)]
    exact: Option<String>,
    /// Rendered text before it.
    #[serde(default)]
    prefix: Option<String>,
    /// Rendered text after it.
    #[serde(default)]
    suffix: Option<String>,
    /// The Markdown body.
    #[serde(default)]
    body: Option<String>,
    /// A replacement suggested for the selection.
    #[serde(default)]
    suggestion: Option<String>,
    /// The comment a reply, resolve or reopen belongs to.
    #[serde(default)]
    thread: Option<String>,
}

/// `POST /__ouvrage/comments`: records what a page asks.
pub async fn write(State(api): State<Arc<ReviewApi>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(why) = foreign(&parts.headers, api.address, &api.token) {
        return refuse_with(StatusCode::FORBIDDEN, why);
    }
    let too_large = || {
        refuse_with(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request is larger than {MAX_REQUEST} bytes"),
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST) {
        return too_large();
    }
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim() == "application/json");
    if !is_json {
        return refuse_with(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send JSON (Content-Type: application/json)",
        );
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REQUEST).await else {
        return too_large();
    };
    let ask: Ask = match serde_json::from_slice(&bytes) {
        Ok(ask) => ask,
        Err(e) => {
            return refuse_with(
                StatusCode::BAD_REQUEST,
                &format!("the request is not the JSON expected: {e}"),
            );
        }
    };
    let api2 = api.clone();
    match tokio::task::spawn_blocking(move || api2.record(ask)).await {
        Ok(response) => response,
        Err(_) => refuse_with(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the write stopped on an internal error; nothing was recorded",
        ),
    }
}

fn text(field: &Option<String>) -> &str {
    field.as_deref().unwrap_or("")
}

impl ReviewApi {
    /// Records `ask` (one write at a time), or says why not.
    fn record(&self, ask: Ask) -> Response {
        let Some(kind) = CommentKind::parse(&ask.action) else {
            return refuse_with(
                StatusCode::BAD_REQUEST,
                "`action` is one of comment, reply, resolve, reopen",
            );
        };
        let _one_at_a_time = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        let mut sink = crate::diag::Sink::default();
        let book = crate::pipeline::load_outline(&self.root, &mut sink);
        if book.config.book.title.is_empty() {
            return refuse_with(
                StatusCode::CONFLICT,
                "book.toml cannot be read now: fix it, then try again",
            );
        }
        let repo = match crate::git::Repo::open(&self.root) {
            Ok(repo) => repo,
            Err(e) => return refuse(StatusCode::CONFLICT, &crate::commenting::git_diagnostic(&e)),
        };
        let prepared = if kind == CommentKind::Comment {
            let Some(chapter) = ask.chapter.as_deref().filter(|c| !c.is_empty()) else {
                return refuse_with(StatusCode::BAD_REQUEST, "a comment needs its `chapter`");
            };
            if text(&ask.exact).trim().is_empty() {
                return refuse_with(StatusCode::BAD_REQUEST, "select the text to comment on");
            }
            let target = crate::commenting::Target::Selection {
                exact: text(&ask.exact).to_string(),
                prefix: text(&ask.prefix).to_string(),
                suffix: text(&ask.suffix).to_string(),
            };
            let suggestion = ask.suggestion.clone().filter(|s| !s.is_empty());
            crate::commenting::prepare_comment(
                &book,
                &repo,
                chapter,
                &target,
                text(&ask.body),
                suggestion,
            )
        } else {
            let Some(thread) = ask.thread.as_deref().filter(|t| t.len() >= 7) else {
                return refuse_with(
                    StatusCode::BAD_REQUEST,
                    "a reply, resolve or reopen needs the comment's id in `thread`",
                );
            };
            crate::commenting::prepare_thread_event(&book, &repo, kind, thread, text(&ask.body))
                .map(|(p, _)| p)
        };
        let prepared = match prepared {
            Ok(p) => p,
            Err(d) => return refuse(StatusCode::BAD_REQUEST, &d),
        };
        // What would make it count for nothing stops it: a page has no
        // `--force`.
        if let Some(problem) = &prepared.problem {
            return refuse(StatusCode::FORBIDDEN, problem);
        }
        match crate::commenting::record(&repo, &prepared, false) {
            Ok((id, _)) => json(
                StatusCode::OK,
                serde_json::json!({
                    "id": id,
                    "kind": kind,
                    "chapter": prepared.record.chapter,
                }),
            ),
            Err(d) => refuse(StatusCode::CONFLICT, &d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_pages_may_write() {
        let address: SocketAddr = "127.0.0.1:4123".parse().unwrap();
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let good = [
            ("host", "127.0.0.1:4123"),
            ("origin", "http://127.0.0.1:4123"),
            (TOKEN_HEADER, "abc"),
        ];
        assert_eq!(foreign(&headers(&good), address, "abc"), None);
        let local = [
            ("host", "localhost:4123"),
            ("origin", "http://localhost:4123"),
            (TOKEN_HEADER, "abc"),
        ];
        assert_eq!(foreign(&headers(&local), address, "abc"), None);
        for bad in [
            [good[0], good[1], (TOKEN_HEADER, "abd")],
            [good[0], good[1], (TOKEN_HEADER, "ab")],
            [good[0], ("origin", "http://evil.example"), good[2]],
            [good[0], ("origin", "http://localhost:4123"), good[2]],
            [("host", "evil.example:4123"), good[1], good[2]],
        ] {
            assert!(foreign(&headers(&bad), address, "abc").is_some(), "{bad:?}");
        }
        assert!(foreign(&headers(&good[..2]), address, "abc").is_some());
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 32);
    }
}
