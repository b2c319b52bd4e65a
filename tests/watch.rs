//! `ouvrage watch` on throwaway books: pages served with the live script,
//! rebuilds and reload events after edits, problems shown over the last
//! good page, atomic saves, bursts, new and deleted chapters, the typeset
//! preview, and nothing served from outside the output folder.

mod common;

use std::time::Duration;

use common::live::{InProcess, expect_event, start, start_with};
use common::{edit, fixture};

fn append(path: &std::path::Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, old + text).unwrap();
}

#[test]
fn edits_are_served_and_announced_and_errors_shown_over_the_last_good_page() {
    let (_tmp, root) = fixture("features");
    let watch = start(&root, &[]);
    watch.wait_first_build();

    let page = watch.get("/html/premier.html");
    assert_eq!(page.status, 200);
    assert!(
        page.headers.contains("content-type: text/html"),
        "{}",
        page.headers
    );
    assert!(
        page.headers.contains("cache-control: no-store"),
        "{}",
        page.headers
    );
    assert!(
        page.body.contains("/__ouvrage/live.js"),
        "served pages get the live script"
    );
    let on_disk = std::fs::read_to_string(root.join("_book/html/premier.html")).unwrap();
    assert!(
        !on_disk.contains("__ouvrage"),
        "the files themselves stay clean"
    );
    let script = watch.get("/__ouvrage/live.js");
    assert!(script.headers.contains("text/javascript"));
    assert!(script.body.contains("EventSource"));
    assert_eq!(watch.get("/").status, 302);
    let css = watch.get("/html/style.css");
    assert!(
        css.headers.contains("content-type: text/css"),
        "{}",
        css.headers
    );

    // The typeset preview, once the typesetter caught up with the site.
    watch.wait_typeset();
    let state = watch.state();
    let pages = state["pages"].as_array().unwrap().len();
    assert!(pages > 4, "{state}");
    let svg = watch.get("/__ouvrage/page/0.svg");
    assert_eq!(svg.status, 200);
    assert!(svg.headers.contains("image/svg+xml"));
    assert!(svg.body.contains("<svg"));
    assert_eq!(
        watch.get(&format!("/__ouvrage/page/{pages}.svg")).status,
        404
    );
    let preview = watch.get("/preview.html");
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("/__ouvrage/page/"));
    let pdf = watch.get(&format!("/{}", state["pdf"].as_str().unwrap()));
    assert_eq!(pdf.status, 200);
    assert!(pdf.headers.contains("application/pdf"));

    // An edit: the page is rewritten, the browsers told, the preview updated.
    let events = watch.events();
    append(
        &root.join("chapters/01-premier.md"),
        "\nUne phrase écrite pendant la veille.\n",
    );
    expect_event(&events, "reload", |d| {
        d["pages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "premier.html")
    });
    assert!(
        watch
            .get("/html/premier.html")
            .body
            .contains("pendant la veille")
    );
    let update = expect_event(&events, "preview", |d| {
        !d["changed"].as_array().unwrap().is_empty()
    });
    let first_changed = update["changed"][0].as_u64().unwrap();
    assert!(
        first_changed > 0,
        "the title pages did not change: {update}"
    );

    // A broken front matter: the page stays, with the problem over it.
    let second = root.join("chapters/02-second.md");
    let good = std::fs::read_to_string(&second).unwrap();
    edit(
        &second,
        "title = \"Le second chapitre\"",
        "title = \"Le second chapitre",
    );
    // The overlay comes in place (a status event), not with a reload.
    expect_event(&events, "status", |d| d["errors"].as_u64() > Some(0));
    let shown = watch.get("/html/premier.html").body;
    assert!(shown.contains("ouvrage-problems"), "{shown}");
    assert!(shown.contains("chapters/02-second.md:2:"), "{shown}");
    assert!(
        shown.contains("pendant la veille"),
        "the last good content stays"
    );
    assert!(!watch.state()["problems"].as_array().unwrap().is_empty());
    // Fixed: the overlay goes at the next rebuild.
    std::fs::write(&second, &good).unwrap();
    expect_event(&events, "status", |d| d["errors"] == 0);
    watch.wait_for("the problems to clear", || {
        !watch
            .get("/html/premier.html")
            .body
            .contains("ouvrage-problems")
    });

    // A new title: the table of contents and the neighbours' links follow.
    let premier = root.join("chapters/01-premier.md");
    edit(
        &premier,
        "\"Le premier chapitre\"",
        "\"Le chapitre renommé\"",
    );
    // The edited chapter's page first, alone, before the rest of the site
    // is rendered; then, in the same rebuild, the pages that show its title.
    let first = expect_event(&events, "reload", |d| {
        d["pages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "premier.html")
    });
    assert_eq!(
        first["pages"],
        serde_json::json!(["premier.html"]),
        "{first}"
    );
    let reload = expect_event(&events, "reload", |d| {
        d["pages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "index.html")
    });
    assert_eq!(reload["generation"], first["generation"], "{reload}");
    assert!(
        !reload["pages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "premier.html"),
        "written once: {reload}"
    );
    for neighbour in ["avant-propos.html", "second.html"] {
        assert!(
            reload["pages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == neighbour),
            "{neighbour} not rewritten: {reload}"
        );
    }
    assert!(
        watch
            .get("/html/second.html")
            .body
            .contains("Le chapitre renommé")
    );

    // Nothing outside the output folder.
    std::fs::write(root.join("secret.txt"), "secret").unwrap();
    for path in [
        "/../../etc/passwd",
        "/html/../../etc/passwd",
        "/html/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/secret.txt",
        "/html/%2e%2e/%2e%2e/secret.txt",
        "/../secret.txt",
        "/html/..\\..\\secret.txt",
    ] {
        let response = watch.get(path);
        assert_ne!(response.status, 200, "{path}");
        assert!(!response.body.contains("root:"), "{path}");
        assert!(!response.body.contains("secret"), "{path}");
    }
}

#[test]
fn atomic_saves_bursts_new_and_deleted_chapters() {
    let (_tmp, root) = fixture("minimal");
    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let chapter = root.join("chapters/seul.md");

    // An editor's atomic save: write a temporary file, rename it over.
    let tmp = root.join("chapters/.seul.md.tmp");
    std::fs::write(&tmp, "---\ntitle: Seul\n---\n\nRemplacé par renommage.\n").unwrap();
    std::fs::rename(&tmp, &chapter).unwrap();
    watch.wait_for("the renamed file's text", || {
        watch
            .get("/html/seul.html")
            .body
            .contains("Remplacé par renommage")
    });

    // A burst of saves: the last text wins, no save costs more than one
    // rebuild, and the server lives. How many rebuilds a burst makes
    // depends on the machine's speed (the batching itself is unit-tested
    // with made-up instants in src/watch/watcher.rs); these facts do not.
    let idle = || {
        let state = watch.state();
        state["generation"] == state["builds"]
    };
    watch.wait_for("the builder to be idle", idle);
    let before = watch.generation();
    let saves = 40;
    for i in 0..saves {
        std::fs::write(&chapter, format!("---\ntitle: Seul\n---\n\nVersion {i}.\n")).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    let last = format!("Version {}.", saves - 1);
    watch.wait_for("the last save, built", || {
        watch.get("/html/seul.html").body.contains(&last) && idle()
    });
    let rebuilds = watch.generation() - before;
    assert!(
        (1..=saves).contains(&rebuilds),
        "{rebuilds} rebuilds for a burst of {saves} saves"
    );
    assert_eq!(watch.get("/html/seul.html").status, 200);
    assert!(watch.state()["problems"].as_array().unwrap().is_empty());

    // A chapter file renamed: its id follows its name.
    std::fs::rename(&chapter, root.join("chapters/autre.md")).unwrap();
    watch.wait_for("the renamed chapter", || {
        watch.get("/html/autre.html").status == 200
    });
    watch.wait_for("the old page to go", || {
        watch.get("/html/seul.html").status == 404
    });
    std::fs::rename(root.join("chapters/autre.md"), &chapter).unwrap();
    watch.wait_for("the chapter back", || {
        watch.get("/html/seul.html").status == 200
    });

    // A new chapter appears in the site and its table of contents.
    std::fs::write(
        root.join("chapters/neuf.md"),
        "---\ntitle: Un chapitre neuf\n---\n\nTout neuf.\n",
    )
    .unwrap();
    // The chapter's own page is written first, the table of contents
    // after it: wait for both rather than read the index at once.
    watch.wait_for("the new chapter and its entry in the contents", || {
        watch.get("/html/neuf.html").status == 200
            && watch.get("/html/index.html").body.contains("neuf.html")
    });

    // Deleted: its page goes, the index forgets it, the server lives.
    std::fs::remove_file(root.join("chapters/neuf.md")).unwrap();
    watch.wait_for("the deleted chapter's page and entry to go", || {
        watch.get("/html/neuf.html").status == 404
            && !watch.get("/html/index.html").body.contains("neuf.html")
    });
    assert!(!root.join("_book/html/neuf.html").exists());
    assert_eq!(watch.get("/html/seul.html").status, 200);

    // The build output of `ouvrage build` never has the live script.
    let out = common::ouvrage(&root, &["build", "--html"]);
    assert!(out.status.success());
    let built = std::fs::read_to_string(root.join("_book/html/seul.html")).unwrap();
    assert!(!built.contains("__ouvrage"));
}

#[test]
fn review_commits_and_branch_switches_rebuild() {
    let (_tmp, root) = fixture("features");
    let repo = git2::Repository::init(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "_book/\n").unwrap();
    let commit_all = |message: &str| {
        common::commit_all(&repo, "Ana", "ana@example.org", message);
    };
    commit_all("manuscrit");
    let mut config = repo.config().unwrap();
    config.set_str("user.name", "Ana").unwrap();
    config.set_str("user.email", "ana@example.org").unwrap();

    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let badge = |page: &str| watch.get(page).body.contains("state-in-review");
    assert!(!badge("/html/premier.html"));

    // A review event is a commit: the dashboard and the badge follow it.
    let out = common::ouvrage(&root, &["submit", "premier"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    watch.wait_for("the badge after `submit`", || badge("/html/premier.html"));
    assert!(
        watch
            .get("/html/status.html")
            .body
            .contains("state-in-review")
    );

    // A save that changes the front matter, HEAD staying where it is: the
    // dashboard follows (the report is only reused while nothing it reads
    // but the text changes).
    let dashboard = || watch.get("/html/status.html").body;
    assert!(dashboard().contains("bo: pending"), "{}", dashboard());
    let premier = root.join("chapters/01-premier.md");
    let text = std::fs::read_to_string(&premier).unwrap();
    edit(&premier, "reviewers: [bo]", "reviewers: [ed]");
    watch.wait_for("the new reviewer on the dashboard", || {
        let page = dashboard();
        page.contains("ed: pending") && !page.contains("bo: pending")
    });
    std::fs::write(&premier, &text).unwrap();
    watch.wait_for("the reviewer back", || dashboard().contains("bo: pending"));

    // A branch switch is one rebuild showing the branch's text.
    let main = repo.head().unwrap().shorthand().unwrap().to_string();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    repo.branch("variante", &head, false).unwrap();
    repo.set_head("refs/heads/variante").unwrap();
    append(
        &root.join("chapters/01-premier.md"),
        "\nTexte de la variante.\n",
    );
    commit_all("variante");
    watch.wait_for("the branch's text", || {
        watch
            .get("/html/premier.html")
            .body
            .contains("Texte de la variante")
    });
    std::thread::sleep(Duration::from_millis(400));
    let before = watch.generation();
    repo.set_head(&format!("refs/heads/{main}")).unwrap();
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    watch.wait_for("main's text again", || {
        !watch
            .get("/html/premier.html")
            .body
            .contains("Texte de la variante")
    });
    std::thread::sleep(Duration::from_millis(400));
    let rebuilds = watch.generation() - before;
    assert!(
        (1..=2).contains(&rebuilds),
        "{rebuilds} rebuilds for one checkout"
    );
}

#[test]
fn port_3000_or_the_next_free_one() {
    let (_tmp, root) = fixture("minimal");
    // Hold 3000 (or find it held already): watch must pick another.
    let _held = std::net::TcpListener::bind(("127.0.0.1", 3000));
    let watch = start_with(&root, &["--no-pdf"]);
    let port: u16 = watch.address.rsplit(':').next().unwrap().parse().unwrap();
    assert!((3001..3100).contains(&port), "{}", watch.address);
    assert!(watch.address.starts_with("127.0.0.1:"));
    watch.wait_first_build();
    assert_eq!(watch.get("/html/seul.html").status, 200);
}

#[test]
fn the_edited_chapter_is_typeset_alone_first_exactly_as_in_the_book() {
    use ouvrage::watch::live::Event;
    let (tmp, book) = fixture("features");
    let mut watch = InProcess::new(&book, &tmp.path().join("out"), None);
    let first = watch.save();
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    let typeset = watch.typeset_of(first.generation);
    assert!(
        typeset.quick.is_none(),
        "nothing to show before the first book"
    );
    assert!(typeset.cold, "the first compile starts from an empty cache");

    // A word more at the end of a chapter in the middle of the book.
    append(&book.join("chapters/02-second.md"), "\nUn mot de plus.\n");
    let mut events = watch.live.subscribe();
    let second = watch.save();
    assert_eq!(second.reparsed, ["second"]);
    let typeset = watch.typeset_of(second.generation);
    assert!(!typeset.cold, "one chapter changed: the kept cache serves");
    let (shown, _) = typeset
        .quick
        .clone()
        .expect("the chapter shown alone first");
    assert!(!shown.is_empty());
    let mut previews = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::Preview { pages, changed, .. } = event {
            previews.push((pages, changed));
        }
    }
    // The chapter typeset alone drew the very pages the whole book then
    // drew (numbers, running heads, parity): the book's compile had
    // nothing left to change.
    let final_hashes = watch.live.with(|s| s.page_hashes.clone());
    let later: Vec<_> = previews.iter().map(|p| p.1.clone()).collect();
    assert_eq!(
        previews.len(),
        1,
        "one preview, from the chapter alone: {later:?}"
    );
    assert_eq!(previews[0].0, final_hashes);
    assert_eq!(previews[0].1, shown);
    let (changed, _, _) = typeset.pdf.clone().unwrap();
    assert!(
        changed.is_empty(),
        "the whole book changed {changed:?} after the quick preview"
    );
}
