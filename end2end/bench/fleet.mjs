// Load and hydration time of the alert pages with a fleet loaded, in Debian's chromium on an
// unthrottled desktop window, and the longest main-thread task while loading and while filtering
// (PerformanceObserver `longtask`). Run by `cargo xtask bench`: node bench/fleet.mjs BASE_URL RUNS
// PATH… ; prints one JSON object. A sample whose page shows no alert group or silence is refused.
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
      const field = page.locator('[data-testid="group-filter"], [data-testid="silence-search"]').first();
      await field.fill(path.includes('silences') ? 'scale-3' : 'service="svc-042"');
      await field.press('Enter');
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      const filterLongest = await longest(page);
      samples.push({ interactive, shown, loadLongest, filterLongest });
      await context.close();
    }
    out[path] = samples;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
