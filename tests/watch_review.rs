//! The review panel's endpoint of `ouvrage watch` (README "Live preview",
//! "Comments and suggested edits"): a write is accepted only from the
//! server's own pages (this run's token, an Origin and a Host naming the
//! server), bounded in size, refused with a 400 and a reason on bad input,
//! recorded as `ouvrage comment` records it, and two writes that race both
//! land. Hostile bodies come back as text.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use common::live::{Watching, start, wait_until};
use common::{fixture, ouvrage};

struct Reply {
    status: u16,
    body: serde_json::Value,
}

/// `POST /__ouvrage/comments` with these headers (besides Host, which
/// `host` overrides) and body.
fn post(address: &str, host: Option<&str>, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut head = format!(
        "POST /__ouvrage/comments HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        host.unwrap_or(address),
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A server that refuses early may close before reading it all.
    let _ = stream.write_all(body);
    let answer = common::live::read_response(&mut stream);
    Reply {
        status: answer.status,
        body: serde_json::from_str(&answer.body)
            .unwrap_or(serde_json::Value::String(answer.body.clone())),
    }
}

struct Session {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    watch: Watching,
    token: String,
}

impl Session {
    /// The features book in git, `watch` running as `who`.
    fn new(who: &str) -> Session {
        let (tmp, root) = fixture("features");
        let repo = git2::Repository::init(&root).unwrap();
        std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
        common::commit_all(&repo, "ed", "ed@example.org", "initial manuscript");
        let mut config = repo.config().unwrap();
        config.set_str("user.name", who).unwrap();
        config
            .set_str("user.email", &format!("{who}@example.org"))
            .unwrap();
        let watch = start(&root, &["--no-pdf"]);
        watch.wait_first_build();
        let page = watch.get("/html/second.html").body;
        let token = page
            .split("data-token=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the page carries the token")
            .to_string();
        assert_eq!(token.len(), 32, "{token}");
        Session {
            _tmp: tmp,
            root,
            watch,
            token,
        }
    }

    fn origin(&self) -> String {
        format!("http://{}", self.watch.address)
    }

    /// A write as the server's own page makes it.
    fn ask(&self, ask: serde_json::Value) -> Reply {
        ask_at(&self.watch.address, &self.token, ask)
    }

    fn comments(&self) -> Vec<serde_json::Value> {
        let out = ouvrage(&self.root, &["comments", "--format", "json"]);
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["comments"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn head(&self) -> String {
        let repo = git2::Repository::open(&self.root).unwrap();
        repo.head()
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .id()
            .to_string()
    }
}

/// A write as a page of the server at `address` makes it.
fn ask_at(address: &str, token: &str, ask: serde_json::Value) -> Reply {
    let origin = format!("http://{address}");
    post(
        address,
        None,
        &[
            ("Origin", &origin),
            ("Content-Type", "application/json"),
            ("X-Ouvrage-Token", token),
        ],
        ask.to_string().as_bytes(),
    )
}

fn comment(chapter: &str, exact: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "action": "comment",
        "chapter": chapter,
        "exact": exact,
        "prefix": "",
        "suffix": "",
        "body": body,
    })
}

fn error(reply: &Reply) -> String {
    reply.body["error"].as_str().unwrap_or_default().to_string()
}

#[test]
fn only_the_servers_own_pages_may_write_and_bad_input_is_told_why() {
    let s = Session::new("bo");
    let before = s.head();
    let good = comment("second", "Du barré et du code.", "Pourquoi barré ?");
    let body = good.to_string();
    let origin = s.origin();
    let json = ("Content-Type", "application/json");

    // No token, another token, no Origin, another Origin, another Host.
    let no_token = post(
        &s.watch.address,
        None,
        &[("Origin", &origin), json],
        body.as_bytes(),
    );
    assert_eq!(no_token.status, 403);
    assert!(error(&no_token).contains("token"), "{}", no_token.body);
    let wrong = "0".repeat(32);
    let other_token = post(
        &s.watch.address,
        None,
        &[("Origin", &origin), json, ("X-Ouvrage-Token", &wrong)],
        body.as_bytes(),
    );
    assert_eq!(other_token.status, 403);
    for origin in [None, Some("http://evil.example"), Some("null")] {
        let mut headers = vec![json, ("X-Ouvrage-Token", s.token.as_str())];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        let r = post(&s.watch.address, None, &headers, body.as_bytes());
        assert_eq!(r.status, 403, "{origin:?}");
        assert!(error(&r).contains("Origin"), "{}", r.body);
    }
    let port = s.watch.address.rsplit(':').next().unwrap();
    let rebound = format!("evil.example:{port}");
    let r = post(
        &s.watch.address,
        Some(&rebound),
        &[
            ("Origin", &format!("http://{rebound}")),
            json,
            ("X-Ouvrage-Token", &s.token),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 403);
    assert!(error(&r).contains("Host"), "{}", r.body);

    // Too large, not JSON, JSON of another shape, an unknown action.
    let huge = comment("second", "Du barré", &"x".repeat(100_000));
    let r = s.ask(huge);
    assert_eq!(r.status, 413);
    assert!(error(&r).contains("larger than"), "{}", r.body);
    let token = s.token.clone();
    let r = post(
        &s.watch.address,
        None,
        &[("Origin", &origin), json, ("X-Ouvrage-Token", &token)],
        b"{\"action\": \"comment\", ",
    );
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("not the JSON expected"), "{}", r.body);
    let r = s.ask(serde_json::json!({"action": "comment", "colour": "red"}));
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("colour"), "{}", r.body);
    let r = s.ask(serde_json::json!({"action": "delete", "thread": "abcdef01"}));
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("action"), "{}", r.body);
    let r = post(
        &s.watch.address,
        None,
        &[
            ("Origin", &origin),
            ("Content-Type", "text/plain"),
            ("X-Ouvrage-Token", &token),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 415);

    // Text that is not in the chapter, an unknown chapter, an empty body,
    // a reply to no comment.
    let r = s.ask(comment("second", "une coopérative", "?"));
    assert_eq!(r.status, 400);
    assert!(
        error(&r).contains("is not in the committed text"),
        "{}",
        r.body
    );
    let r = s.ask(comment("troisième", "Du barré", "?"));
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("no chapter"), "{}", r.body);
    let r = s.ask(comment("second", "Du barré", "  "));
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("empty"), "{}", r.body);
    let r = s.ask(serde_json::json!({"action": "reply", "thread": "abcdef0123", "body": "?"}));
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("no comment has an id"), "{}", r.body);
    assert_eq!(s.head(), before, "nothing was recorded");
    assert!(s.comments().is_empty());

    // The page's own request: recorded, on the source under the markup.
    let r = s.ask(good);
    assert_eq!(r.status, 200, "{}", r.body);
    let comments = s.comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["id"], r.body["id"]);
    // The markup closed after the last letter is the selection's too.
    assert_eq!(comments[0]["quote"]["exact"], "Du ~~barré~~ et du `code`");
    assert_eq!(comments[0]["author"], "bo");
    assert_eq!(comments[0]["body"], "Pourquoi barré ?");
}

#[test]
fn writes_that_race_both_land_and_threads_go_on_in_the_panel() {
    let s = Session::new("bo");
    let before = s.head();
    let hostile = "<script>alert(1)</script> \"><img src=x onerror=alert(2)>";
    let quotes = ["Une citation.", "à faire"];
    let together = std::sync::Barrier::new(quotes.len());
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let handles: Vec<_> = quotes
            .iter()
            .map(|q| {
                let (address, token, together) = (&s.watch.address, &s.token, &together);
                scope.spawn(move || {
                    together.wait();
                    ask_at(address, token, comment("second", q, hostile))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Both on the branch, one after the other.
    let repo = git2::Repository::open(&s.root).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let ids: Vec<String> = walk.take(3).map(|id| id.unwrap().to_string()).collect();
    assert_eq!(ids[2], before);
    for r in &replies {
        assert!(ids.contains(&r.body["id"].as_str().unwrap().to_string()));
    }
    let comments = s.comments();
    assert_eq!(comments.len(), 2);
    assert!(comments.iter().all(|c| c["body"] == hostile));

    // The panel's listing follows the build: both, their bodies JSON text.
    wait_until("the panel to list both comments", || {
        let listed = s.watch.get("/__ouvrage/comments?chapter=second");
        listed.status == 200
            && serde_json::from_str::<serde_json::Value>(&listed.body)
                .ok()
                .and_then(|v| v["comments"].as_array().map(|a| a.len()))
                == Some(2)
    });
    let listed = s.watch.get("/__ouvrage/comments?chapter=second");
    assert!(listed.headers.contains("application/json"));
    assert!(!listed.body.contains("<script>") || listed.body.contains("\"<script>"));
    assert_eq!(s.watch.get("/__ouvrage/comments").status, 400);
    assert_eq!(
        s.watch.get("/__ouvrage/comments?chapter=nowhere").status,
        404
    );

    // A reply, then a resolve by the comment's author.
    let id = replies[0].body["id"].as_str().unwrap().to_string();
    let r = s.ask(serde_json::json!({"action": "reply", "thread": &id[..10], "body": "Oui."}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.ask(serde_json::json!({"action": "resolve", "thread": id}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.ask(serde_json::json!({"action": "resolve", "thread": id}));
    assert_eq!(r.status, 400);
    assert!(error(&r).contains("already resolved"), "{}", r.body);
    let thread = s
        .comments()
        .into_iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap();
    assert_eq!(thread["open"], false);
    let kinds: Vec<&str> = thread["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reply", "resolve"]);
    // Reopened, with a word why.
    let r = s.ask(serde_json::json!({"action": "reopen", "thread": id, "body": "Pas encore."}));
    assert_eq!(r.status, 200, "{}", r.body);
    let thread = s
        .comments()
        .into_iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap();
    assert_eq!(thread["open"], true);
    assert_eq!(thread["events"][2]["kind"], "reopen");
    assert_eq!(thread["events"][2]["body"], "Pas encore.");
    // The worktree and the index were never touched.
    let mut options = git2::StatusOptions::new();
    options.include_ignored(false).include_untracked(true);
    let statuses = repo.statuses(Some(&mut options)).unwrap();
    let changed: Vec<String> = statuses
        .iter()
        .map(|e| format!("{:?} {}", e.status(), e.path().unwrap_or("")))
        .collect();
    assert!(changed.is_empty(), "{changed:?}");
}

#[test]
fn someone_who_is_no_contributor_is_refused_with_the_reason() {
    let s = Session::new("mallory");
    let r = s.ask(comment("second", "Une citation.", "Hm."));
    assert_eq!(r.status, 403);
    assert!(error(&r).contains("no contributor"), "{}", r.body);
    assert!(s.comments().is_empty());
}
