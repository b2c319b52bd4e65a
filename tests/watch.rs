//! `ouvrage watch` on throwaway books: pages served with the live script,
//! rebuilds and reload events after edits, problems shown over the last
//! good page, atomic saves, bursts, new and deleted chapters, the typeset
//! preview, and nothing served from outside the output folder.

mod common;
#[path = "../examples/corpus/mod.rs"]
mod corpus;

use std::time::Duration;

use common::live::{InProcess, events_of_save, expect_event, start, start_with};
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
    let on_disk = std::fs::read_to_string(root.join("_book/draft/html/premier.html")).unwrap();
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
    assert!(!root.join("_book/draft/html/neuf.html").exists());
    assert_eq!(watch.get("/html/seul.html").status, 200);

    // The build output of `ouvrage build` never has the live script.
    let out = common::ouvrage(&root, &["build", "--html"]);
    assert!(out.status.success());
    let built = std::fs::read_to_string(root.join("_book/draft/html/seul.html")).unwrap();
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
    // The site's pages are replaced one by one: the dashboard may follow
    // the chapter's page by a moment.
    watch.wait_for("the dashboard after `submit`", || {
        watch
            .get("/html/status.html")
            .body
            .contains("state-in-review")
    });

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
    // (The fixture's raw HTML is a warning under `escape`.)
    assert!(
        first
            .diagnostics
            .iter()
            .all(|d| d.severity != ouvrage::diag::Severity::Error),
        "{:?}",
        first.diagnostics
    );
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

/// The reload events of one save, each page in one of them at most.
fn reloads_once_each(events: &[(String, serde_json::Value)], generation: u64) -> Vec<String> {
    let mut pages = Vec::new();
    for (name, data) in events {
        if name != "reload" {
            continue;
        }
        assert_eq!(data["generation"], generation, "{data}");
        for page in data["pages"].as_array().unwrap() {
            let page = page.as_str().unwrap().to_string();
            assert!(
                !pages.contains(&page),
                "{page} announced twice for one save: {events:#?}"
            );
            pages.push(page);
        }
    }
    pages
}

#[test]
fn one_save_sends_one_reload_per_changed_page() {
    let (_tmp, root) = fixture("features");
    let watch = start(&root, &[]);
    watch.wait_first_build();
    watch.wait_typeset();
    let events = watch.events();

    // A paragraph: its page, once (the dashboard's word count with it, in
    // the same or the following event, never twice).
    append(
        &root.join("chapters/01-premier.md"),
        "\nUn paragraphe de plus.\n",
    );
    let save = watch.generation() + 1;
    let seen = events_of_save(&events, save);
    let pages = reloads_once_each(&seen, save);
    assert!(pages.contains(&"premier.html".to_string()), "{seen:#?}");
    assert!(!pages.contains(&"index.html".to_string()), "{seen:#?}");
    let reloads: Vec<_> = seen.iter().filter(|(n, _)| n == "reload").collect();
    assert!(
        reloads.iter().all(|(_, d)| d["all"] == false),
        "{reloads:#?}"
    );
    assert!(reloads.len() <= 2, "{reloads:#?}");
    watch.wait_typeset();

    // A new title: the chapter's page first, then the pages that show it.
    edit(
        root.join("chapters/01-premier.md"),
        "\"Le premier chapitre\"",
        "\"Le chapitre renommé\"",
    );
    let save = save + 1;
    let seen = events_of_save(&events, save);
    let pages = reloads_once_each(&seen, save);
    for page in [
        "premier.html",
        "index.html",
        "avant-propos.html",
        "second.html",
    ] {
        assert!(pages.contains(&page.to_string()), "{page}: {seen:#?}");
    }
    watch.wait_typeset();

    // An image replaced by bytes that are no image: it is copied (every
    // page reloads, once), and the PDF fails on it: the overlay says so in
    // place, with no other reload.
    let image = root.join("chapters/images/schema.svg");
    let good = std::fs::read(&image).unwrap();
    std::fs::write(&image, "ceci n'est pas une image").unwrap();
    let save = save + 1;
    let seen = events_of_save(&events, save);
    let reloads: Vec<_> = seen.iter().filter(|(n, _)| n == "reload").collect();
    assert_eq!(reloads.len(), 1, "{seen:#?}");
    assert_eq!(reloads[0].1["all"], true);
    watch.wait_typeset();
    let failed = watch.state();
    assert_eq!(failed["status"]["typeset"], "failed", "{failed}");
    // The state can say so a moment before its event is read; and the
    // typesetter starts before the site is all written, so that on a small
    // book its failure may come among the save's own events.
    let failed_event = |events: &[(String, serde_json::Value)]| {
        events
            .iter()
            .any(|(n, d)| n == "status" && d["typeset"] == "failed")
    };
    let mut after: Vec<(String, serde_json::Value)> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline && !failed_event(&seen) && !failed_event(&after) {
        if let Ok(event) = events.recv_timeout(std::time::Duration::from_millis(100)) {
            after.push(event);
        }
    }
    after.extend(events.try_iter());
    assert!(
        after.iter().all(|(n, _)| n != "reload"),
        "the typeset's failure reloads nothing: {after:#?}"
    );
    assert!(
        failed_event(&seen) || failed_event(&after),
        "{seen:#?} {after:#?}"
    );
    let page = watch.get("/html/premier.html").body;
    assert!(page.contains("The PDF could not be typeset"), "{page}");
    assert!(page.contains("the site is up to date"), "{page}");
    std::fs::write(&image, good).unwrap();
    watch.wait_for("the next save", || watch.generation() > save);
    watch.wait_typeset();
    assert_eq!(watch.state()["status"]["typeset"], "done");
}

/// A barrier for the typesetter: it stops at `stage` of save `at` until
/// released, and every stage it reaches is logged.
#[derive(Default)]
struct Barrier {
    state: std::sync::Mutex<BarrierState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct BarrierState {
    hold: Option<(ouvrage::watch::typesetter::Stage, u64)>,
    held: bool,
    log: Vec<(ouvrage::watch::typesetter::Stage, u64)>,
}

impl Barrier {
    fn hook(self: &std::sync::Arc<Self>) -> ouvrage::watch::typesetter::Hook {
        let barrier = self.clone();
        std::sync::Arc::new(move |stage, generation| {
            let mut state = barrier.state.lock().unwrap();
            state.log.push((stage, generation));
            if state.hold == Some((stage, generation)) {
                state.held = true;
                barrier.changed.notify_all();
                while state.hold == Some((stage, generation)) {
                    state = barrier.changed.wait(state).unwrap();
                }
                state.held = false;
            }
        })
    }

    fn hold(&self, stage: ouvrage::watch::typesetter::Stage, generation: u64) {
        self.state.lock().unwrap().hold = Some((stage, generation));
    }

    /// Waits until the typesetter is held.
    fn wait_held(&self) {
        let mut state = self.state.lock().unwrap();
        while !state.held {
            let (next, timeout) = self
                .changed
                .wait_timeout(state, Duration::from_secs(120))
                .unwrap();
            assert!(!timeout.timed_out(), "the typesetter never got there");
            state = next;
        }
    }

    fn release(&self) {
        self.state.lock().unwrap().hold = None;
        self.changed.notify_all();
    }

    fn started(&self) -> Vec<u64> {
        use ouvrage::watch::typesetter::Stage;
        let state = self.state.lock().unwrap();
        let log = state.log.iter();
        log.filter(|(s, _)| *s == Stage::Started)
            .map(|(_, g)| *g)
            .collect()
    }
}

#[test]
fn the_site_never_waits_for_the_typeset_and_superseded_typesets_are_dropped() {
    use ouvrage::watch::live::{Event, Typeset};
    use ouvrage::watch::typesetter::Stage;
    let (_tmp, book) = fixture("features");
    let out = ouvrage::watch::output_folder(&book).unwrap();
    let barrier = std::sync::Arc::new(Barrier::default());
    let mut watch = InProcess::new(&book, &out, Some(barrier.hook()));
    // The server too, as `watch` runs it.
    let listener = ouvrage::watch::bind(Some(0)).unwrap();
    let address = ouvrage::watch::start_server(listener, out.clone(), watch.live.clone())
        .unwrap()
        .to_string();
    let first = watch.save();
    watch.typeset_of(first.generation);
    let pdf_name = watch.live.with(|s| s.pdf_name.clone()).unwrap();
    let pdf = || std::fs::read(out.join(&pdf_name)).unwrap();
    let typeset_once = pdf();

    // Save 2: the typesetter takes it, and is held before it starts.
    let chapter = book.join("chapters/01-premier.md");
    append(&chapter, "\nDeuxième version du texte.\n");
    barrier.hold(Stage::Started, 2);
    let second = watch.save();
    assert_eq!(second.generation, 2);
    barrier.wait_held();

    // Saves 3 and 4 meanwhile: each page is written, announced and served
    // at once, while the typeset of save 2 is held.
    let mut events = watch.live.subscribe();
    append(&chapter, "\nTroisième version du texte.\n");
    let third = watch.save();
    let page = common::live::get(&address, "/html/premier.html");
    assert!(page.body.contains("Troisième version"), "{}", page.body);
    append(&chapter, "\nQuatrième version du texte.\n");
    let fourth = watch.save();
    let page = common::live::get(&address, "/html/premier.html");
    assert!(page.body.contains("Quatrième version"));
    let mut reloads = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::Reload { generation, .. } = event {
            reloads.push(generation);
        }
    }
    assert!(reloads.contains(&third.generation) && reloads.contains(&fourth.generation));
    // The preview says the PDF is behind: typesetting save 4.
    let state: serde_json::Value =
        serde_json::from_str(&common::live::get(&address, "/__ouvrage/state").body).unwrap();
    assert_eq!(state["status"]["typeset"], "typesetting", "{state}");
    assert_eq!(state["status"]["typeset_generation"], 4, "{state}");
    assert_eq!(state["status"]["site"], 4, "{state}");
    assert!(pdf() == typeset_once, "nothing written while held");

    barrier.release();
    let dropped = watch.typeset_of(2);
    assert!(dropped.superseded, "save 2 was superseded by save 4");
    assert!(dropped.pdf.is_none() && dropped.export.is_none());
    let done = watch.next_typeset();
    assert_eq!(done.generation, 4, "save 3 was never queued");
    assert!(!done.superseded);
    assert_eq!(barrier.started(), [1, 2, 4]);
    let mut previews = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::Preview { generation, .. } = event {
            previews.push(generation);
        }
    }
    assert!(
        previews.iter().all(|&g| g == 4),
        "only save 4 announced: {previews:?}"
    );
    assert!(!previews.is_empty());
    assert!(pdf() != typeset_once, "save 4 written");
    watch.live.with(|s| {
        assert_eq!(s.typeset, Typeset::Done(4));
        assert_eq!(s.typesets.superseded, 1);
        assert_eq!(s.typesets.done, 2);
    });
}

#[test]
fn a_panic_in_the_typesetter_is_reported_and_the_typesetter_starts_again() {
    use ouvrage::watch::live::Typeset;
    use ouvrage::watch::typesetter::Stage;
    let (tmp, book) = fixture("features");
    let hook: ouvrage::watch::typesetter::Hook = std::sync::Arc::new(|stage, generation| {
        if stage == Stage::Compiled && generation == 2 {
            panic!("a bug met in the typesetter");
        }
    });
    let mut watch = InProcess::new(&book, &tmp.path().join("out"), Some(hook));
    let first = watch.save();
    watch.typeset_of(first.generation);

    append(&book.join("chapters/01-premier.md"), "\nUne phrase.\n");
    let second = watch.save();
    let report = watch.typeset_of(second.generation);
    let message = report.panic.expect("the panic is reported");
    assert!(message.contains("a bug met in the typesetter"), "{message}");
    watch.live.with(|s| {
        assert_eq!(s.typeset, Typeset::Failed(2));
        assert_eq!(s.typesets.restarts, 1);
        let problems = s.problems();
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("internal error while typesetting")),
            "{problems:?}"
        );
    });

    // The next save is typeset by the fresh typesetter.
    append(
        &book.join("chapters/01-premier.md"),
        "\nUne autre phrase.\n",
    );
    let third = watch.save();
    let report = watch.typeset_of(third.generation);
    assert!(report.panic.is_none() && !report.superseded);
    assert!(report.cold, "a fresh session after a panic");
    watch.live.with(|s| {
        assert_eq!(s.typeset, Typeset::Done(3));
        assert!(s.problems().is_empty(), "{:?}", s.problems());
    });
}

/// The staging files left in `dir` (hidden `.NAME.PID-N.partial` files).
fn staging_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    common::walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .collect()
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_typeset_leaves_the_previous_pdf_whole_and_no_staging_file() {
    let (tmp, root) = fixture("features");
    let hold = tmp.path().join("hold");
    std::fs::create_dir(&hold).unwrap();
    let watch = common::live::start_with_env(
        &root,
        &["--port", "0"],
        &[(ouvrage::watch::typesetter::HOLD_VARIABLE, &hold)],
    );
    watch.wait_first_build();
    watch.wait_typeset();
    let name = watch.state()["pdf"].as_str().unwrap().to_string();
    let pdf = root.join("_book/draft").join(&name);
    let before = std::fs::read(&pdf).unwrap();

    // The next typeset stops once its PDF is staged, not yet renamed.
    std::fs::write(hold.join("hold-staged"), "").unwrap();
    append(&root.join("chapters/01-premier.md"), "\nInterrompu.\n");
    watch.wait_for("the typesetter to stage the PDF", || {
        hold.join("held-staged-2").exists()
    });
    let staged = staging_files(&root.join("_book/draft"));
    assert_eq!(staged.len(), 1, "{staged:?}");
    assert!(
        staged[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with('.')
    );

    let code = watch.interrupt();
    assert_eq!(code, Some(130));
    assert!(
        std::fs::read(&pdf).unwrap() == before,
        "the previous PDF, whole"
    );
    assert!(lopdf::Document::load(&pdf).is_ok());
    assert_eq!(
        staging_files(&root.join("_book/draft")),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn folders_deleted_and_made_again_and_new_folders_are_watched() {
    let (_tmp, root) = fixture("features");
    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let chapters = root.join("chapters");
    let saved = common::walk(&chapters)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect::<Vec<_>>();

    // `rm -rf chapters; git checkout -- chapters`: the folder is another
    // one, with the same files.
    std::fs::remove_dir_all(&chapters).unwrap();
    for (path, bytes) in &saved {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    append(&chapters.join("01-premier.md"), "\nRecréé.\n");
    watch.wait_for("the recreated chapter", || {
        watch.get("/html/premier.html").body.contains("Recréé.")
    });
    // Later edits are heard: the new folder is watched.
    append(&chapters.join("02-second.md"), "\nModifié ensuite.\n");
    watch.wait_for("an edit in the recreated folder", || {
        watch
            .get("/html/second.html")
            .body
            .contains("Modifié ensuite.")
    });
    append(&chapters.join("01-premier.md"), "\nEncore une fois.\n");
    watch.wait_for("a second edit", || {
        watch
            .get("/html/premier.html")
            .body
            .contains("Encore une fois.")
    });

    // A chapter names an image in a folder that does not exist yet: the
    // error stays until the folder and the image appear.
    append(
        &chapters.join("02-second.md"),
        "\n![Un plan](../figures/plan.svg)\n",
    );
    watch.wait_for("the missing image's error", || {
        watch.state()["problems"].as_array().is_some_and(|p| {
            p.iter()
                .any(|p| p["message"].as_str().unwrap().contains("plan.svg"))
        })
    });
    std::fs::create_dir(root.join("figures")).unwrap();
    std::fs::copy(
        chapters.join("images/schema.svg"),
        root.join("figures/plan.svg"),
    )
    .unwrap();
    watch.wait_for("the image found", || {
        watch.state()["problems"]
            .as_array()
            .is_some_and(Vec::is_empty)
            && watch.get("/html/second.html").body.contains("plan.svg")
    });
    assert_eq!(watch.get("/html/figures/plan.svg").status, 200);
}

#[test]
fn editors_temporary_files_never_trigger_a_rebuild() {
    let (_tmp, root) = fixture("features");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let chapters = root.join("chapters");
    let temporary = [
        "chapters/.01-premier.md.swp",
        "chapters/.01-premier.md.swo",
        "chapters/.01-premier.md.swx",
        "chapters/01-premier.md~",
        "chapters/#01-premier.md#",
        "chapters/.#01-premier.md",
        "chapters/01-premier.md.orig",
        "chapters/01-premier.md.rej",
        "chapters/01-premier.md.bak",
        "chapters/01-premier.md.tmp",
        "chapters/01-premier.md.kate-swp",
        "chapters/01-premier.md___jb_tmp___",
        "chapters/.goutputstream-4XZ9N2",
        "chapters/4913",
        "chapters/_brouillon.md",
        "chapters/images/.schema.svg.swp",
        "chapters/images/schema.svg~",
        "templates/README.md",
        "book.toml~",
        "contributors.toml.orig",
    ];
    for name in temporary {
        std::fs::write(root.join(name), "brouillon").unwrap();
        let _ = std::fs::remove_file(root.join(name));
    }
    // A gedit-style save: a temporary file renamed over the chapter.
    let text = std::fs::read_to_string(chapters.join("01-premier.md")).unwrap();
    std::fs::write(
        chapters.join(".goutputstream-7QX1"),
        text + "\nSauvé par renommage.\n",
    )
    .unwrap();
    std::fs::rename(
        chapters.join(".goutputstream-7QX1"),
        chapters.join("01-premier.md"),
    )
    .unwrap();
    watch.wait_for("the real save", || {
        watch
            .get("/html/premier.html")
            .body
            .contains("Sauvé par renommage.")
    });
    // Every change heard is the chapter's; the events of the temporary
    // files came before it and made no rebuild.
    let heard = watch.state()["heard"].clone();
    let heard: Vec<&str> = heard
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(!heard.is_empty());
    assert!(
        heard.iter().all(|p| *p == "chapters/01-premier.md"),
        "{heard:?}"
    );
}

#[test]
fn a_broken_chapter_keeps_its_last_good_page_while_the_others_go_on_updating() {
    let (_tmp, root) = fixture("features");
    let watch = start(&root, &[]);
    watch.wait_first_build();
    watch.wait_typeset();
    let second_page = watch.get("/html/second.html").body;
    let second_on_disk = std::fs::read(root.join("_book/draft/html/second.html")).unwrap();
    let pdf_name = watch.state()["pdf"].as_str().unwrap().to_string();

    // A co-author's bad pull: the second chapter's front matter is broken.
    let second = root.join("chapters/02-second.md");
    let good = std::fs::read_to_string(&second).unwrap();
    edit(
        &second,
        "title = \"Le second chapitre\"",
        "title = \"Le second chapitre",
    );
    watch.wait_for("the error", || {
        watch.state()["problems"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    });
    // Another author goes on writing: the site and the PDF follow.
    let pdf = root.join("_book/draft").join(&pdf_name);
    let typeset_before = std::fs::read(&pdf).unwrap();
    append(
        &root.join("chapters/01-premier.md"),
        "\nÉcrit pendant la panne du second chapitre.\n",
    );
    watch.wait_for("the other chapter's edit", || {
        watch
            .get("/html/premier.html")
            .body
            .contains("pendant la panne")
    });
    watch.wait_typeset();
    let state = watch.state();
    assert_eq!(state["status"]["typeset"], "done", "{state}");
    assert!(
        std::fs::read(&pdf).unwrap() != typeset_before,
        "the PDF follows the other chapters"
    );
    // The broken chapter's page is its last good one, untouched, with the
    // overlay saying exactly that.
    assert!(
        std::fs::read(root.join("_book/draft/html/second.html")).unwrap() == second_on_disk,
        "the broken chapter's page is untouched"
    );
    let shown = watch.get("/html/second.html").body;
    assert!(shown.contains("ouvrage-problems"), "{shown}");
    assert!(shown.contains("chapters/02-second.md:2:"), "{shown}");
    assert!(
        shown.contains(
            "chapters/02-second.md has errors: the site and the PDF show its last good text until it is fixed; every other chapter is up to date."
        ),
        "{shown}"
    );
    let strip = |page: &str| match (page.find("<aside"), page.find("</aside>")) {
        (Some(a), Some(b)) => format!("{}{}", &page[..a], &page[b + "</aside>\n".len()..]),
        _ => page.to_string(),
    };
    assert_eq!(strip(&shown), strip(&second_page));
    // The table of contents keeps its title.
    assert!(
        watch
            .get("/html/index.html")
            .body
            .contains("Le second chapitre")
    );
    // The release build is unchanged: any error fails it.
    let out = common::ouvrage(&root, &["build", "--html"]);
    assert!(!out.status.success());

    // Fixed: the overlay goes, and the chapter updates again.
    std::fs::write(&second, good + "\nRéparé.\n").unwrap();
    watch.wait_for("the fixed chapter", || {
        let page = watch.get("/html/second.html").body;
        page.contains("Réparé.") && !page.contains("ouvrage-problems")
    });
}

/// Issue 22, point 2: a save nested thousands of levels deep (quotes, list
/// items, emphasis) used to overflow the stack and abort `watch`. Each is
/// an error shown over the last good page at the line where the limit is
/// crossed; `watch` lives on, and the fix clears it.
#[test]
fn a_save_nested_beyond_the_limit_is_shown_and_watch_lives_on() {
    let (_tmp, root) = fixture("features");
    let watch = start(&root, &[]);
    watch.wait_first_build();
    watch.wait_typeset();
    let premier = root.join("chapters/01-premier.md");
    let good = std::fs::read_to_string(&premier).unwrap();
    let line = good.lines().count() + 2;
    let list: String = (0..3000)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    for (deep, place) in [
        (format!("{} x\n", ">".repeat(5000)), format!("{line}:101")),
        (list, format!("{}:201", line + 100)),
        (
            format!("{}x{}\n", "*a ".repeat(10_000), " a*".repeat(10_000)),
            format!("{line}:301"),
        ),
    ] {
        std::fs::write(&premier, format!("{good}\n{deep}")).unwrap();
        let at = format!("chapters/01-premier.md:{place}");
        watch.wait_for(&format!("the error at {at}"), || {
            let page = watch.get("/html/premier.html").body;
            page.contains("ouvrage-problems")
                && page.contains(&at)
                && page.contains("this is nested more than 100 levels deep")
        });
        // The last good text stays under it.
        assert!(
            watch
                .get("/html/premier.html")
                .body
                .contains("Le premier chapitre")
        );
    }
    // Still alive: the fix is built, and the overlay goes.
    std::fs::write(&premier, format!("{good}\nRéparé après les citations.\n")).unwrap();
    watch.wait_for("the fixed chapter", || {
        let page = watch.get("/html/premier.html").body;
        page.contains("Réparé après les citations.") && !page.contains("ouvrage-problems")
    });
    watch.wait_typeset();
    assert_eq!(watch.state()["status"]["typeset"], "done");
}

#[test]
fn a_chapter_broken_from_the_start_stands_empty_until_fixed() {
    let (_tmp, root) = fixture("features");
    let scuola = root.join("chapters/03-scuola.md");
    let good = std::fs::read_to_string(&scuola).unwrap();
    edit(
        &scuola,
        "title: \"La scuola come bene comune\"",
        "title: \"La scuola come bene comune",
    );
    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    // The other chapters are built; the broken one, which no chapter links
    // into, stands empty under its file's id, and the overlay says so.
    let page = watch.get("/html/premier.html").body;
    assert!(
        page.contains("chapters/03-scuola.md has errors and was never built: the site shows it empty until it is fixed."),
        "{page}"
    );
    assert!(page.contains("Le premier chapitre"), "{page}");
    let empty = watch.get("/html/scuola.html").body;
    assert!(
        empty.contains("<h1 class=\"chapter-title\">scuola</h1>"),
        "{empty}"
    );
    std::fs::write(&scuola, good).unwrap();
    watch.wait_for("the fixed chapter", || {
        watch
            .get("/html/scuola.html")
            .body
            .contains("<h1 class=\"chapter-title\">La scuola come bene comune</h1>")
    });
}

#[test]
fn watch_writes_one_pdf_under_the_current_name_with_builds_permissions() {
    let (_tmp, root) = fixture("features");
    // What an earlier `build --draft` left: an EPUB, a PDF under an older
    // title; and the print PDF of a `build`, which no draft may replace.
    let out = common::ouvrage(&root, &["build", "--epub", "--html", "--draft"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let epub = common::walk(&root.join("_book/draft"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap();
    let epub_name = epub.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(root.join("_book/draft/ancien-titre.pdf"), "%PDF-1.7 ancien").unwrap();
    std::fs::write(root.join("_book/livre.pdf"), "%PDF-1.7 imprimé").unwrap();

    let watch = start(&root, &[]);
    watch.wait_first_build();
    watch.wait_typeset();
    let first = watch.state()["pdf"].as_str().unwrap().to_string();
    assert_eq!(watch.get(&format!("/{first}")).status, 200);
    assert_eq!(watch.get("/ancien-titre.pdf").status, 404, "stale");
    assert_eq!(watch.get(&format!("/{epub_name}")).status, 404, "stale");
    assert!(
        !watch.get("/html/index.html").body.contains(&epub_name),
        "the site does not link to a stale EPUB"
    );

    // A new title: a new name, and the old file goes.
    edit(
        root.join("book.toml"),
        "title = \"Livre d'essai\"",
        "title = \"Livre renommé\"",
    );
    watch.wait_for("the new title's PDF", || {
        watch.state()["pdf"].as_str().is_some_and(|p| p != first)
    });
    let second = watch.state()["pdf"].as_str().unwrap().to_string();
    assert!(
        !root.join("_book/draft").join(&first).exists(),
        "{first} left behind"
    );
    assert_eq!(watch.get(&format!("/{first}")).status, 404);
    assert_eq!(watch.get(&format!("/{second}")).status, 200);
    let pdfs: Vec<_> = std::fs::read_dir(root.join("_book/draft"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf") && n != "ancien-titre.pdf")
        .collect();
    assert_eq!(pdfs, std::slice::from_ref(&second));
    // The print outputs are untouched: drafts live in _book/draft.
    let mut top: Vec<_> = std::fs::read_dir(root.join("_book"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["draft", "livre.pdf"]);
    assert_eq!(
        std::fs::read_to_string(root.join("_book/livre.pdf")).unwrap(),
        "%PDF-1.7 imprimé"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // As `build` writes them.
        let built = mode(&epub);
        assert_eq!(mode(&root.join("_book/draft").join(&second)), built);
        assert_eq!(mode(&root.join("_book/draft/html/premier.html")), built);
    }
}

/// The peak resident memory of a finished child process, in bytes.
#[cfg(target_os = "linux")]
fn peak_of(mut command: std::process::Command) -> u64 {
    #[allow(clippy::zombie_processes)] // waited for by wait4 below
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data filled by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    assert_eq!(status, 0, "the command failed");
    usage.ru_maxrss as u64 * 1024
}

/// The peak resident memory of a running process, in bytes.
#[cfg(target_os = "linux")]
fn peak_of_pid(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line["VmHWM:".len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}

/// Issue 27: memory stays within 1.5 times one cold `build --pdf` of the
/// same book (`watch`'s draft has no line numbers unless asked), however
/// many edits of any kind: Typst's cache is bounded by size. Ten
/// compiles' worth of whole-book retypesets (what a count of compiles
/// kept) is far over it.
#[cfg(target_os = "linux")]
#[test]
fn memory_stays_within_one_and_a_half_cold_builds_after_many_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("book");
    std::fs::create_dir(&root).unwrap();
    let generated = corpus::book::Book::generate(&corpus::book::Options {
        chapters: 8,
        words: 12_000,
        contributors: 12,
        seed: 27,
        extra_chapter: false,
    });
    generated.write(&root).unwrap();

    let mut build = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"));
    build.args(["build", "--pdf"]).current_dir(&root);
    let cold = peak_of(build);

    let watch = start(&root, &[]);
    watch.wait_first_build();
    watch.wait_typeset();
    let chapter = common::walk(&root.join("chapters"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .unwrap();
    // Metadata edits (every page laid out again) and paragraph edits.
    for round in 0..9 {
        match round % 3 {
            0 => {
                let text = std::fs::read_to_string(root.join("book.toml")).unwrap();
                let text = text.replacen("title = \"", &format!("title = \"{round} "), 1);
                std::fs::write(root.join("book.toml"), text).unwrap();
            }
            1 => {
                let text = std::fs::read_to_string(root.join("contributors.toml")).unwrap();
                let text = text.replacen("name = \"", &format!("name = \"{round} "), 1);
                std::fs::write(root.join("contributors.toml"), text).unwrap();
            }
            _ => append(
                &chapter,
                &format!("\nUn paragraphe de plus, le {round}e.\n"),
            ),
        }
        let save = round + 2;
        watch.wait_for("the save's site", || watch.generation() >= save);
        watch.wait_typeset();
    }
    let state = watch.state();
    assert_eq!(state["problems"], serde_json::json!([]), "{state}");
    assert!(state["typesets"]["cold"].as_u64() >= Some(7), "{state}");
    let peak = peak_of_pid(watch.pid());
    let mb = |b: u64| b / (1024 * 1024);
    assert!(
        peak as f64 <= 1.5 * cold as f64,
        "watch's peak {} MB after 9 edits, against {} MB for one cold `build --pdf`",
        mb(peak),
        mb(cold)
    );
    eprintln!(
        "watch's peak {} MB after 9 edits; one cold `build --pdf` {} MB",
        mb(peak),
        mb(cold)
    );
}

/// The terminal's line after a save counts the pages written: the edited
/// chapter's page (written first, on its own) is among them, so a
/// paragraph edit never reads "0 pages rewritten".
#[test]
fn the_pages_rewritten_after_an_edit_include_the_edited_chapters() {
    let (tmp, book) = fixture("features");
    let live = ouvrage::watch::live::Live::default();
    let mut builder = ouvrage::watch::builder::Builder::new(&book, &tmp.path().join("out"), false);
    let first = builder.rebuild(&live, None);
    assert!(first.html.is_some(), "{:?}", first.diagnostics);
    append(&book.join("chapters/02-second.md"), "\nUn mot de plus.\n");
    let second = builder.rebuild(&live, None);
    let (pages, _) = second.html.expect("the site was written");
    assert!(
        pages.iter().any(|p| p == "second.html"),
        "the edited page is counted: {pages:?}"
    );
    // Once: the page written first is not counted again with the rest.
    let mut unique = pages.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), pages.len(), "{pages:?}");
    // Nothing changed: nothing written.
    let third = builder.rebuild(&live, None);
    assert_eq!(third.html.map(|(p, _)| p), Some(Vec::new()));
}

/// Each save's model carries each chapter's revision (git's blob id) of its
/// text as saved: the ids `watch` keeps from one save to the next are those
/// of texts that did not change, never of an earlier text of the file.
#[test]
fn each_save_carries_the_blob_id_of_each_chapter_as_saved() {
    let (tmp, book) = fixture("features");
    let mut watch = InProcess::new(&book, &tmp.path().join("out"), None);
    let revisions = |report: &ouvrage::watch::builder::Report| -> Vec<(String, String)> {
        let model = report
            .typeset
            .as_ref()
            .expect("the model went to the typesetter");
        model
            .chapters
            .iter()
            .map(|c| {
                let text = std::fs::read(book.join(&c.path)).unwrap();
                let review = c.review.as_ref().expect("a draft's review state");
                assert_eq!(
                    review.revision,
                    ouvrage::git::blob_id(&text),
                    "{}",
                    c.path.display()
                );
                (c.id.clone(), review.revision.clone())
            })
            .collect()
    };
    let first = revisions(&watch.save());
    append(&book.join("chapters/02-second.md"), "\nUn mot de plus.\n");
    let second = revisions(&watch.save());
    let changed: Vec<&String> = first
        .iter()
        .zip(&second)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| &a.0)
        .collect();
    assert_eq!(changed, ["second"], "only the edited chapter's id moved");
    // Another edit of the same file: the id of that text, not the one kept.
    append(&book.join("chapters/02-second.md"), "\nEncore un mot.\n");
    let third = revisions(&watch.save());
    assert_ne!(third, second);
}

/// The warnings a save still has, unchanged since the last save, are not
/// printed again (an imported book's thousand warnings would fill the
/// terminal at every save): the save's line says how many there are. A
/// new one prints them all again.
#[test]
fn unchanged_warnings_are_not_printed_again_at_each_save() {
    let (_tmp, root) = fixture("features");
    let watch = start(&root, &["--no-pdf"]);
    watch.wait_first_build();
    let line_of = |file: &str| -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = watch
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no line for a save of {file}"));
            if line.starts_with(file) {
                return line;
            }
        }
    };
    let chapter = "chapters/02-second.md";
    append(&root.join(chapter), "\nUn paragraphe de plus.\n");
    let same = line_of(chapter);
    assert!(
        same.contains("diagnostics as printed before")
            || same.contains("diagnostic as printed before"),
        "{same}"
    );
    // A new warning: the report is printed again, and the line says nothing.
    append(&root.join(chapter), "\n<span>du HTML</span>\n");
    let new = line_of(chapter);
    assert!(!new.contains("as printed before"), "{new}");
}

/// "How to cite" follows a change of citation style made while `watch`
/// runs (the styles read are kept in the process): the book's reference
/// after the change is the one a cold build prints.
#[test]
fn how_to_cite_follows_a_style_changed_while_watching() {
    let (tmp, book) = fixture("features");
    let out = tmp.path().join("out");
    let live = ouvrage::watch::live::Live::default();
    let mut builder = ouvrage::watch::builder::Builder::new(&book, &out, false);
    let cite = |dir: &std::path::Path| -> String {
        let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
        let start = page.find("cite-this-reference").expect("how to cite");
        page[start..start + page[start..].find("</p>").unwrap()].to_string()
    };
    builder.rebuild(&live, None);
    let before = cite(&out.join("html"));
    append(
        &book.join("book.toml"),
        "\n[bibliography]\nstyle = \"ieee\"\n",
    );
    builder.rebuild(&live, None);
    let after = cite(&out.join("html"));
    assert_ne!(before, after, "the new style's reference");
    let cold = tmp.path().join("cold");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ouvrage"))
        .args(["-q", "--book"])
        .arg(&book)
        .args(["build", "--html", "--out"])
        .arg(&cold)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(after, cite(&cold.join("html")));
}
