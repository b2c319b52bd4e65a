// Loads a page served by `ouvrage watch` in headless Chromium, scrolls down,
// edits the chapter on disk, and checks that the page reloads by itself with
// the new text at the same scroll position.
//
//   node reload.mjs URL CHAPTER_FILE
//
// Chromium: $CHROMIUM, or Debian's /usr/bin/chromium.
import { chromium } from "playwright-core";
import { appendFileSync } from "node:fs";

const [url, chapterFile] = process.argv.slice(2);
if (!url || !chapterFile) {
  console.error("usage: node reload.mjs URL CHAPTER_FILE");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
let failure = null;
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(
    () => window.ouvrageEvents && window.ouvrageEvents.readyState === 1,
    null,
    { timeout: 30000 },
  );
  await page.evaluate(() => window.scrollTo(0, 1500));
  await page.waitForFunction(() => Math.abs(window.scrollY - 1500) < 2);
  const before = await page.evaluate(() => window.scrollY);
  // Gone if the document is replaced: proof of a reload.
  await page.evaluate(() => { window.ouvrageSameDocument = true; });

  const marker = "Phrase ajoutée pendant le test du navigateur " + Date.now();
  appendFileSync(chapterFile, "\n" + marker + "\n");
  await page.waitForFunction(
    (m) => document.body && document.body.innerText.includes(m),
    marker,
    { timeout: 30000 },
  );
  const reloaded = await page.evaluate(() => window.ouvrageSameDocument !== true);
  await page
    .waitForFunction((y) => Math.abs(window.scrollY - y) < 3, before, { timeout: 5000 })
    .catch(() => {});
  const after = await page.evaluate(() => window.scrollY);
  console.log(JSON.stringify({ before, after, reloaded }));
  if (!reloaded) {
    failure = "the new text appeared without a reload";
  } else if (Math.abs(after - before) >= 3) {
    failure = `the scroll position was lost: ${before} before, ${after} after the reload`;
  }
} catch (e) {
  failure = String(e);
} finally {
  await browser.close();
}
if (failure) {
  console.error(failure);
  process.exit(1);
}
