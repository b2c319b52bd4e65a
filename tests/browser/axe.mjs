// Runs axe-core (WCAG 2.1 A and AA rules) on pages of a built site or EPUB
// in headless Chromium, in the light colour scheme on a wide screen and in
// the dark one on a phone's (where code blocks, formulas and tables are
// wider than the column, and scroll). On a page
// with the site's search box, a query is typed first and the test waits
// until its results are shown, so that the open list is checked too; the
// page's markup at that moment is saved for the Nu HTML Checker.
//
//   node axe.mjs JOB.json
//
// JOB.json: {"query": "…", "snapshots": "DIR" or null, "report": "FILE",
//            "pages": [{"name": "…", "url": "file:///…"}]}
//
// Writes one JSON object to the report file: {"results": [{"page",
// "scheme", "searched", "violations": [{"id", "impact", "help", "nodes":
// [{"target", "html", "summary"}]}]}], "errors": ["…"]} (a file, since a
// pipe would cut a long report when the process ends). Exits 1 when a
// page could not be checked at all.
//
// Chromium: $CHROMIUM, or Debian's /usr/bin/chromium.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const jobFile = process.argv[2];
if (!jobFile) {
  console.error("usage: node axe.mjs JOB.json");
  process.exit(2);
}
const job = JSON.parse(readFileSync(jobFile, "utf8"));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    // Nothing but the pages: no update checks, no metrics, no component
    // downloads while the test runs.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-first-run",
  ],
});

const results = [];
const errors = [];

/** Types the query into the search box and waits for its results. */
async function openSearch(page) {
  const input = page.locator("#search-input");
  if ((await input.count()) === 0) return false;
  await input.click();
  await input.fill(job.query);
  await page.waitForFunction(
    () => {
      const list = document.getElementById("search-results");
      return list && !list.hidden &&
        list.querySelector('[role="option"]:not([aria-disabled="true"])');
    },
    null,
    { timeout: 15000 },
  );
  // The first result is the active option, as after ArrowDown.
  await page.keyboard.press("ArrowDown");
  return true;
}

try {
  const screens = [
    { scheme: "light", viewport: { width: 1280, height: 900 } },
    { scheme: "dark", viewport: { width: 390, height: 844 } },
  ];
  for (const { scheme, viewport } of screens) {
    const context = await browser.newContext({ colorScheme: scheme, viewport });
    const page = await context.newPage();
    for (const p of job.pages) {
      try {
        await page.goto(p.url, { waitUntil: "load" });
        const searched = await openSearch(page);
        if (searched && scheme === "light" && job.snapshots) {
          const file = join(job.snapshots, p.name);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, "<!DOCTYPE html>\n" +
            await page.evaluate(() => document.documentElement.outerHTML));
        }
        await page.addScriptTag({ content: axeSource });
        const report = await page.evaluate(() =>
          window.axe.run(document, {
            runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            resultTypes: ["violations"],
          })
        );
        results.push({
          page: p.name,
          scheme,
          searched,
          violations: report.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => ({
              target: n.target.join(" "),
              html: n.html,
              summary: n.failureSummary,
            })),
          })),
        });
      } catch (e) {
        errors.push(`${p.name} (${scheme}): ${e}`);
      }
    }
    await context.close();
  }
} finally {
  await browser.close();
}
writeFileSync(job.report, JSON.stringify({ results, errors }));
process.exitCode = errors.length ? 1 : 0;
