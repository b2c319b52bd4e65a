// The review panel of `ouvrage watch` in headless Chromium: selects text
// in a chapter page, writes a comment with a hostile body, replies to it
// and resolves it, each through the panel's own buttons. Prints what the
// page showed as JSON; the Rust test checks the events in git.
//
//   node review.mjs URL QUOTE BODY URL2 START END
//
// Then, on URL2, selects from START to END across a note's call (text the
// page adds) and comments on it.
//
// Chromium: $CHROMIUM, or Debian's /usr/bin/chromium.
import { chromium } from "playwright-core";

const [url, quote, body, url2, start, end] = process.argv.slice(2);
if (!url || !quote || !body || !url2 || !start || !end) {
  console.error("usage: node review.mjs URL QUOTE BODY URL2 START END");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
let failure = null;
const dialogs = [];
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // A script run from a comment would open a dialog (alert): none may.
  page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(url, { waitUntil: "load" });
  const ready = () => page.waitForFunction(
    () => window.ouvrageReview && typeof window.ouvrageComments === "number",
    null,
    { timeout: 30000 },
  );
  await ready();
  // Each save is committed, and the build that follows rewrites the page
  // (the draft site lists the comments), which reloads it: the page is
  // read or used only once no reload has come for a while.
  let navigations = 0;
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) { navigations += 1; } });
  const quiet = async (what) => {
    for (;;) {
      const before = navigations;
      await page.waitForTimeout(1500);
      if (before === navigations) { break; }
    }
    await page.waitForLoadState("load");
    await ready();
    await page.waitForFunction(what, null, { timeout: 60000 });
  };

  // Selects from the start of `from` to the end of `to` as the mouse
  // would (a range over the text, possibly across elements), then the
  // mouseup the panel listens to.
  const select = (from, to) => page.evaluate(([from, to]) => {
    const article = document.querySelector("article.chapter");
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let node, started = false;
    while ((node = walker.nextNode())) {
      if (!started) {
        const at = node.nodeValue.indexOf(from);
        if (at < 0) { continue; }
        range.setStart(node, at);
        started = true;
      }
      const at = node.nodeValue.indexOf(to);
      if (at >= 0) {
        range.setEnd(node, at + to.length);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        document.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        return true;
      }
    }
    return false;
  }, [from, to]);
  if (!(await select(quote, quote))) { throw new Error(`“${quote}” is not in the page`); }
  await page.waitForSelector("#ouvrage-comment-button:not([hidden])", { timeout: 10000 });
  await page.click("#ouvrage-comment-button");
  await page.fill("#ouvrage-new-body", body);
  await page.fill("#ouvrage-new-suggestion", "Une autre citation.");
  await page.click("#ouvrage-new-save");

  // The comment in the panel and highlighted in the text (the page may
  // have reloaded meanwhile: the build rewrote it).
  const commented = () => document.querySelector(".ouvrage-thread") && document.querySelector("mark.ouvrage-comment");
  await page.waitForFunction(commented, null, { timeout: 60000 });
  await quiet(commented);
  result.commented = await page.evaluate(() => ({
    body: document.querySelector(".ouvrage-thread .ouvrage-body").textContent,
    quote: document.querySelector(".ouvrage-thread .ouvrage-quote").textContent,
    marked: Array.from(document.querySelectorAll("mark.ouvrage-comment")).map((m) => m.textContent).join(""),
    images: document.querySelectorAll("#ouvrage-review img, article img[src=x]").length,
    scripts: Array.from(document.querySelectorAll("#ouvrage-review script")).length,
    title: document.querySelector("#ouvrage-review h2").textContent,
  }));

  // A reply, typed and sent in one go (a reload cannot come between).
  await page.evaluate(() => {
    const card = document.querySelector(".ouvrage-thread");
    card.querySelector(".ouvrage-reply-text").value = "Merci, corrigé.";
    card.querySelector("button.ouvrage-reply").click();
  });
  const replied = () => document.querySelector(".ouvrage-thread .ouvrage-event-reply");
  await page.waitForFunction(replied, null, { timeout: 60000 });
  await quiet(replied);
  result.replied = await page.evaluate(
    () => document.querySelector(".ouvrage-thread .ouvrage-event-reply .ouvrage-body").textContent,
  );

  await page.evaluate(() => document.querySelector(".ouvrage-thread button.ouvrage-resolve").click());
  const resolved = () => document.querySelector(".ouvrage-thread.resolved .ouvrage-event-resolve");
  await page.waitForFunction(resolved, null, { timeout: 60000 });
  await quiet(resolved);
  result.resolved = await page.evaluate(() => ({
    marks: document.querySelectorAll("mark.ouvrage-comment").length,
    title: document.querySelector("#ouvrage-review h2").textContent,
  }));
  // Across a note's call, on another page.
  await page.goto(url2, { waitUntil: "load" });
  await ready();
  if (!(await select(start, end))) { throw new Error(`“${start}…${end}” is not in ${url2}`); }
  await page.waitForSelector("#ouvrage-comment-button:not([hidden])", { timeout: 10000 });
  await page.click("#ouvrage-comment-button");
  await page.fill("#ouvrage-new-body", "Et la note ?");
  await page.click("#ouvrage-new-save");
  await page.waitForFunction(commented, null, { timeout: 60000 });
  await quiet(commented);
  result.across = await page.evaluate(() => ({
    marked: Array.from(document.querySelectorAll("mark.ouvrage-comment")).map((m) => m.textContent).join("|"),
    error: Array.from(document.querySelectorAll("#ouvrage-review .ouvrage-error")).map((e) => e.textContent).join(""),
  }));
  result.dialogs = dialogs;
  console.log(JSON.stringify(result));
} catch (e) {
  failure = String(e);
} finally {
  await browser.close();
}
if (failure) {
  console.error(failure);
  console.error(JSON.stringify(result));
  process.exit(1);
}
