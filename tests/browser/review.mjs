// The review panel of `ouvrage watch` in headless Chromium: selects text
// in a chapter page, writes a comment with a hostile body, replies to it
// and resolves it, each through the panel's own buttons. Prints what the
// page showed as JSON; the Rust test checks the events in git.
//
//   node review.mjs URL QUOTE BODY
//
// Chromium: $CHROMIUM, or Debian's /usr/bin/chromium.
import { chromium } from "playwright-core";

const [url, quote, body] = process.argv.slice(2);
if (!url || !quote || !body) {
  console.error("usage: node review.mjs URL QUOTE BODY");
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

  // Select the quote with the mouse's result: a range over its text, then
  // the mouseup the panel listens to.
  const selected = await page.evaluate((q) => {
    const article = document.querySelector("article.chapter");
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const at = node.nodeValue.indexOf(q);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + q.length);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        document.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        return true;
      }
    }
    return false;
  }, quote);
  if (!selected) { throw new Error(`“${quote}” is not in the page`); }
  await page.waitForSelector("#ouvrage-comment-button:not([hidden])", { timeout: 10000 });
  await page.click("#ouvrage-comment-button");
  await page.fill("#ouvrage-new-body", body);
  await page.fill("#ouvrage-new-suggestion", "Une autre citation.");
  await page.click("#ouvrage-new-save");

  // The comment in the panel and highlighted in the text (the page may
  // have reloaded meanwhile: the build rewrote it).
  await page.waitForFunction(
    () => document.querySelector(".ouvrage-thread") && document.querySelector("mark.ouvrage-comment"),
    null,
    { timeout: 60000 },
  );
  await ready();
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
  await page.waitForFunction(
    () => document.querySelector(".ouvrage-thread .ouvrage-event-reply"),
    null,
    { timeout: 60000 },
  );
  await ready();
  result.replied = await page.evaluate(
    () => document.querySelector(".ouvrage-thread .ouvrage-event-reply .ouvrage-body").textContent,
  );

  await page.evaluate(() => document.querySelector(".ouvrage-thread button.ouvrage-resolve").click());
  await page.waitForFunction(
    () => document.querySelector(".ouvrage-thread.resolved .ouvrage-event-resolve"),
    null,
    { timeout: 60000 },
  );
  await ready();
  result.resolved = await page.evaluate(() => ({
    marks: document.querySelectorAll("mark.ouvrage-comment").length,
    title: document.querySelector("#ouvrage-review h2").textContent,
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
