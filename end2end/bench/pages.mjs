// Load and hydration time of fleet-size pages in Debian's chromium on an unthrottled desktop
// window, and the longest main-thread task while loading and while the user does the page's own
// thing (PerformanceObserver `longtask`): point along a chart (its points are fetched then),
// scroll a log window to its end (the next window is fetched), search the rules.
// Run by `cargo xtask bench`: node bench/pages.mjs BASE_URL RUNS SPEC… where SPEC is
// `PATH|SHOWN|ACTION|TARGET`: SHOWN selects what the page shows (counted; the bench refuses a
// sample showing nothing), ACTION acts on TARGET's first match: `point` (moves along it),
// `scroll` (scrolls it into view and waits for more SHOWN) or `search=TEXT` (types, Enter).
// Prints one JSON object.
import { launchChromium, longest, openMeasured, resetLongest } from './browser.mjs';

const [base, runsArg, ...specs] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);

async function act(page, shown, action, selector) {
  const target = page.locator(selector).first();
  if (action === 'point') {
    const box = await target.boundingBox();
    for (let k = 1; k <= 20; k++) {
      await page.mouse.move(box.x + (box.width * k) / 21, box.y + box.height / 2);
      await page.waitForTimeout(25);
    }
  } else if (action === 'scroll') {
    const before = await page.locator(shown).count();
    await target.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      ([s, n]) => document.querySelectorAll(s).length > n, [shown, before], { timeout: 30_000 });
  } else if (action.startsWith('search=')) {
    await target.fill(action.slice('search='.length));
    await target.press('Enter');
  } else {
    throw new Error(`unknown action ${action}`);
  }
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
}

const browser = await launchChromium();
const out = {};
try {
  for (const spec of specs) {
    const [path, selector, action, actionTarget] = spec.split('|');
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const { context, page, interactive } = await openMeasured(browser, base + path);
      const shown = await page.locator(selector).count();
      const loadLongest = await longest(page);
      await resetLongest(page);
      await act(page, selector, action, actionTarget);
      const actionLongest = await longest(page);
      samples.push({ interactive, shown, loadLongest, actionLongest });
      await context.close();
    }
    out[path] = samples;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
