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
let followed = false;

/** The option the combobox points at: its id, and whether it is the one
 *  selected, or null. */
async function activeOption(page) {
  return page.evaluate(() => {
    const input = document.getElementById("search-input");
    const id = input.getAttribute("aria-activedescendant");
    const option = id && document.getElementById(id);
    if (!option) return null;
    const options = [...document.querySelectorAll('#search-results [role="option"]')];
    return {
      index: options.indexOf(option),
      count: options.length,
      selected: option.getAttribute("aria-selected") === "true",
      href: option.getAttribute("data-href"),
    };
  });
}

/** The list is navigable by the keyboard: arrows, Home and End move the
 *  active option (the combobox's aria-activedescendant, the option's
 *  aria-selected). Ends on the first option. Returns what went wrong. */
async function checkKeyboard(page) {
  const problems = [];
  const expect = async (key, index) => {
    await page.keyboard.press(key);
    const active = await activeOption(page);
    // Counted from the end when negative; a short list wraps.
    const count = active ? active.count : 1;
    const want = ((index % count) + count) % count;
    if (!active || active.index !== want || !active.selected) {
      problems.push(`after ${key}, option ${want} should be active and selected: ${JSON.stringify(active)}`);
    }
  };
  await expect("ArrowDown", 0);
  const listed = await activeOption(page);
  if (listed && listed.count < 3) {
    problems.push(`only ${listed.count} result(s): too few to check the keyboard`);
  }
  await expect("ArrowDown", 1);
  await expect("End", -1);
  await expect("ArrowDown", 0);
  await expect("ArrowUp", -1);
  await expect("Home", 0);
  return problems;
}

/** Types the query into the search box and waits for its results, then
 *  checks the keyboard on them. */
async function openSearch(page) {
  const input = page.locator("#search-input");
  if ((await input.count()) === 0) return null;
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
  return checkKeyboard(page);
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
        const keyboard = await openSearch(page);
        const searched = keyboard !== null;
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
        // Enter follows the active option (once per book: it leaves the page).
        if (searched && scheme === "light" && !followed) {
          followed = true;
          const active = await activeOption(page);
          const want = active && new URL(active.href, page.url()).href;
          await page.locator("#search-input").press("Enter");
          await page.waitForURL(want, { timeout: 10000 }).catch(() => {
            keyboard.push(`Enter did not open ${want}: at ${page.url()}`);
          });
        }
        results.push({
          page: p.name,
          scheme,
          searched,
          keyboard: keyboard || [],
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
