//! The preview server (axum on tokio, bound to 127.0.0.1): what this
//! process wrote into the output folder (the site and the PDF it typeset;
//! never a file an earlier build left there), with a small script and the
//! build's problems injected into HTML pages as they are served (never into
//! the files), server-sent events for reloads and for the overlay, and the
//! typeset pages as SVG.

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::live::{Live, Problem};
use super::review::ReviewApi;
use crate::render::escape::html_text;

const LIVE_JS: &str = include_str!("live.js");
const REVIEW_JS: &str = include_str!("review.js");
const PREVIEW_HTML: &str = include_str!("preview.html");

/// What the handlers share.
struct App {
    /// The output folder, canonical.
    out: PathBuf,
    live: Arc<Live>,
    /// This run's token, given to every page served (the review panel's
    /// writes carry it).
    token: String,
}

/// Serves `out` with the live additions and the review panel's endpoint
/// ([`super::review`]) until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    out: PathBuf,
    live: Arc<Live>,
    review: Arc<ReviewApi>,
) {
    let app = Arc::new(App {
        out,
        live,
        token: review.token.clone(),
    });
    let comments = Router::new()
        .route(
            "/__ouvrage/comments",
            get(super::review::list).post(super::review::write),
        )
        .with_state(review);
    let router = Router::new()
        .route("/__ouvrage/events", get(events))
        .route("/__ouvrage/live.js", get(live_js))
        .route("/__ouvrage/review.js", get(review_js))
        .route("/__ouvrage/state", get(state))
        .route("/__ouvrage/overlay", get(overlay_fragment))
        .route("/__ouvrage/page/{file}", get(page))
        .route("/preview.html", get(preview))
        .fallback(get(file))
        .with_state(app)
        .merge(comments);
    let _ = axum::serve(listener, router).await;
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, must-revalidate"),
    );
    response
}

fn typed(content_type: &'static str, body: impl Into<Body>) -> Response {
    no_store(([(header::CONTENT_TYPE, content_type)], body.into()).into_response())
}

fn not_found() -> Response {
    no_store((StatusCode::NOT_FOUND, "not found\n").into_response())
}

async fn events(State(app): State<Arc<App>>) -> impl IntoResponse {
    let rx = app.live.subscribe();
    let generation = app.live.with(|s| s.generation);
    let hello = SseEvent::default()
        .event("hello")
        .data(format!("{{\"generation\":{generation}}}"));
    let first = futures_util::stream::iter([Ok::<_, Infallible>(hello)]);
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        let sse = match rx.recv().await {
            Ok(event) => {
                let data = serde_json::to_string(&event).unwrap_or_default();
                SseEvent::default().event(event.name()).data(data)
            }
            // A browser too slow to keep up reloads everything.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => SseEvent::default()
                .event("reload")
                .data("{\"kind\":\"reload\",\"generation\":0,\"pages\":[],\"all\":true}"),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok::<_, Infallible>(sse), rx))
    });
    let stream = futures_util::StreamExt::chain(first, rest);
    no_store(
        Sse::new(stream)
            .keep_alive(KeepAlive::default())
            .into_response(),
    )
}

async fn live_js() -> Response {
    typed("text/javascript; charset=utf-8", LIVE_JS)
}

async fn review_js() -> Response {
    typed("text/javascript; charset=utf-8", REVIEW_JS)
}

async fn state(State(app): State<Arc<App>>) -> Response {
    let body = app.live.with(|s| {
        serde_json::json!({
            "generation": s.generation,
            "builds": s.builds,
            "problems": s.problems(),
            "status": s.status(),
            "pages": s.page_hashes,
            "pdf": s.pdf_name,
            "typesets": s.typesets,
            "heard": s.heard,
            "memory": {
                "resident": super::memory::resident(),
                "peak": super::memory::peak(),
            },
        })
    });
    typed("application/json", body.to_string())
}

/// The overlay as it stands (empty when there is no problem), for pages to
/// replace theirs in place.
async fn overlay_fragment(State(app): State<Arc<App>>) -> Response {
    let (problems, status) = app.live.with(|s| (s.problems(), s.status()));
    let html = if problems.is_empty() {
        String::new()
    } else {
        overlay(&problems, &status.behind)
    };
    typed("text/html; charset=utf-8", html)
}

async fn page(
    State(app): State<Arc<App>>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let Some(index) = file
        .strip_suffix(".svg")
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return not_found();
    };
    let live = app.live.clone();
    // Drawing a page is CPU work: off the async threads.
    match tokio::task::spawn_blocking(move || live.page_svg(index)).await {
        Ok(Some(svg)) => typed("image/svg+xml", svg.as_str().to_string()),
        _ => not_found(),
    }
}

async fn preview(State(app): State<Arc<App>>) -> Response {
    let (problems, status) = app.live.with(|s| (s.problems(), s.status()));
    typed(
        "text/html; charset=utf-8",
        inject(PREVIEW_HTML, &problems, &status.behind, &app.token),
    )
}

async fn file(State(app): State<Arc<App>>, uri: Uri) -> Response {
    if uri.path() == "/" {
        return no_store(
            (StatusCode::FOUND, [(header::LOCATION, "/html/index.html")]).into_response(),
        );
    }
    let pdf = app.live.with(|s| s.pdf_name.clone());
    if !is_served(uri.path(), pdf.as_deref()) {
        return not_found();
    }
    let Some(path) = resolve(&app.out, uri.path()) else {
        return not_found();
    };
    let path = if path.is_dir() {
        path.join("index.html")
    } else {
        path
    };
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return not_found();
    };
    let content_type = content_type(&path);
    if content_type.starts_with("text/html") {
        let (problems, status) = app.live.with(|s| (s.problems(), s.status()));
        let text = String::from_utf8_lossy(&bytes);
        return typed(
            content_type,
            inject(&text, &problems, &status.behind, &app.token),
        );
    }
    typed(content_type, bytes)
}

/// Whether a request path names something this process writes: the site,
/// or the PDF under its current name (a PDF of an earlier title, or what
/// an earlier `build` left, is stale).
pub fn is_served(request: &str, pdf: Option<&str>) -> bool {
    let path = request.trim_start_matches('/');
    path == "html" || path.starts_with("html/") || pdf.is_some_and(|name| path == name)
}

/// The file a request path names inside `out`, or nothing: the path is
/// percent-decoded (a malformed escape or bytes that are not UTF-8 name no
/// file), and any `..`, `.`, hidden or backslashed segment is refused
/// before the file system is asked; the real path must stay in `out`.
pub fn resolve(out: &Path, request: &str) -> Option<PathBuf> {
    let decoded = crate::url::decode_strict(request)?;
    let mut path = out.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        let mut parts = Path::new(segment).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None) => path.push(segment),
            _ => return None,
        }
    }
    let real = path.canonicalize().ok()?;
    real.starts_with(out).then_some(real)
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") | Some("htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("epub") => "application/epub+zip",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        Some("bib") => "application/x-bibtex; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page with the live script (carrying this run's `token`, for the
/// review panel's writes) and, when there are problems, the overlay: the
/// problems and what is behind the last save.
pub fn inject(html: &str, problems: &[Problem], behind: &[String], token: &str) -> String {
    let mut extra = String::new();
    if !problems.is_empty() {
        extra.push_str(&overlay(problems, behind));
    }
    extra.push_str(&format!(
        "<script src=\"/__ouvrage/live.js\" data-token=\"{}\"></script>\n",
        html_text(token)
    ));
    match html.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &html[..at], &html[at..]),
        None => format!("{html}{extra}"),
    }
}

fn overlay(problems: &[Problem], behind: &[String]) -> String {
    let mut out = String::from(
        "<aside id=\"ouvrage-problems\" role=\"alert\" style=\"position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff6f5;color:#1a1a1a;border-top:4px solid #b3261e;font:14px/1.45 ui-monospace,monospace;z-index:2147483647;box-shadow:0 -4px 16px rgba(0,0,0,.2)\">\n",
    );
    let count = problems.len();
    out.push_str(&format!(
        "<p style=\"margin:0 0 .6em;font-weight:bold;color:#b3261e\">{count} error{}</p>\n",
        if count == 1 { "" } else { "s" }
    ));
    for sentence in behind {
        out.push_str(&format!(
            "<p class=\"ouvrage-behind\" style=\"margin:0 0 .6em\">{}</p>\n",
            html_text(sentence)
        ));
    }
    for p in problems {
        out.push_str("<div class=\"ouvrage-problem\" style=\"margin:.4em 0 .9em\">");
        out.push_str(&format!(
            "<div><strong>{}</strong>: {}: {}</div>",
            html_text(&p.location),
            html_text(&p.severity),
            html_text(&p.message)
        ));
        if let Some(line) = &p.source_line {
            out.push_str(&format!(
                "<pre style=\"margin:.3em 0;padding:.3em .6em;background:#fff;border-left:3px solid #b3261e;white-space:pre-wrap\">{}</pre>",
                html_text(line)
            ));
        }
        for hint in &p.hints {
            out.push_str(&format!("<div>= {}</div>", html_text(hint)));
        }
        out.push_str("</div>\n");
    }
    out.push_str("</aside>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{inject, is_served, resolve};
    use crate::watch::live::Problem;

    #[test]
    fn requests_stay_inside_the_output_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("_book");
        std::fs::create_dir_all(out.join("html")).unwrap();
        std::fs::write(out.join("html/index.html"), "x").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "x").unwrap();
        let out = out.canonicalize().unwrap();
        assert!(resolve(&out, "/html/index.html").is_some());
        assert!(resolve(&out, "/html/ind%65x.html").is_some());
        for bad in [
            "/../secret.txt",
            "/html/../../secret.txt",
            "/html/%2e%2e/%2e%2e/secret.txt",
            "/html/..%2f..%2fsecret.txt",
            "/html/..%5c..%5csecret.txt",
            "/%2fetc/passwd",
            "/.html.new-x/index.html",
            "/html/%zz",
            "/html/%FF.html",
        ] {
            assert_eq!(resolve(&out, bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_site_and_the_current_pdf_are_served() {
        let pdf = Some("livre.pdf");
        for yes in [
            "/html/index.html",
            "/html/images/a.png",
            "/html",
            "/livre.pdf",
        ] {
            assert!(is_served(yes, pdf), "{yes}");
        }
        for no in [
            "/ancien-titre.pdf",
            "/livre.epub",
            "/offprints/premier.pdf",
            "/htmlx/index.html",
            "/",
        ] {
            assert!(!is_served(no, pdf), "{no}");
        }
        assert!(!is_served("/livre.pdf", None), "not typeset yet");
    }

    #[test]
    fn problems_are_text() {
        let page = inject(
            "<html><body><p>ok</p></body></html>",
            &[Problem {
                severity: "error".into(),
                location: "chapters/a.md:3:1".into(),
                message: "<script>alert(1)</script>".into(),
                source_line: Some("title: <b>".into()),
                hints: vec![],
            }],
            &["chapters/<a>.md has errors".to_string()],
            "0123abcd",
        );
        assert!(page.contains("chapters/&lt;a&gt;.md has errors"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("title: &lt;b&gt;"));
        assert!(page.ends_with("</body></html>"));
        assert_eq!(page.matches("<script").count(), 1, "only the live script");
    }
}
