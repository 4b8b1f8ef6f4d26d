// Load and hydration time of the alert pages with a fleet loaded, in Debian's chromium on an
// unthrottled desktop window, and the longest main-thread task while loading and while filtering
// (PerformanceObserver `longtask`). Run by `cargo xtask bench`: node bench/fleet.mjs BASE_URL RUNS
// PATH… ; prints one JSON object. A sample whose page shows no alert group or silence, or no
// filtered rows after filtering, is refused.
import { launchChromium, longest, openMeasured, resetLongest } from './browser.mjs';

const [base, runsArg, ...paths] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);

const browser = await launchChromium();
const out = {};
try {
  for (const path of paths) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const { context, page, interactive } = await openMeasured(browser, base + path);
      const shown = await page.evaluate(() =>
        document.querySelectorAll('[data-testid="alert-group"], [data-testid="silence-row"]').length);
      const loadLongest = await longest(page);
      // Filter or search through the form, as a user does, and watch the main thread.
      await resetLongest(page);
      // Timed only once the page shows the filtered rows (every row names the term), so a
      // filter that did nothing cannot read as a fast one.
      const field = page.locator('[data-testid="group-filter"], [data-testid="silence-search"]').first();
      const [term, input] = path.includes('silences') ? ['scale-3', 'scale-3'] : ['svc-042', 'service="svc-042"'];
      await field.fill(input);
      await field.press('Enter');
      const filtered = await page.waitForFunction((t) => {
        const rows = [...document.querySelectorAll(
          '[data-testid="alert-group"] [data-testid="am-alert"], [data-testid="silence-row"]')];
        return rows.length > 0 && rows.every((r) => r.textContent.includes(t)) && rows.length;
      }, term, { timeout: 60_000 }).then((h) => h.jsonValue(), () => 0);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      const filterLongest = await longest(page);
      samples.push({ interactive, shown, filtered, loadLongest, filterLongest });
      await context.close();
    }
    out[path] = samples;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
