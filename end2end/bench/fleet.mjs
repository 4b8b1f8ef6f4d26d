// Load and hydration time of the alert pages with a fleet loaded, in Debian's chromium on an
// unthrottled desktop window, and the longest main-thread task while loading and while filtering
// (PerformanceObserver `longtask`). Run by `cargo xtask bench`: node bench/fleet.mjs BASE_URL RUNS
// PATH… ; prints one JSON object. A sample whose page shows no alert group or silence is refused.
import { chromium } from '@playwright/test';

const [base, runsArg, ...paths] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const out = {};
try {
  for (const path of paths) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(() => {
        window.__longest = 0;
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
        }).observe({ type: 'longtask', buffered: true });
      });
      const start = Date.now();
      await page.goto(base + path, { waitUntil: 'commit', timeout: 120_000 });
      await page.waitForSelector('body[data-hydrated]', { state: 'attached', timeout: 120_000 });
      const interactive = Date.now() - start;
      const shown = await page.evaluate(() =>
        document.querySelectorAll('[data-testid="alert-group"], [data-testid="silence-row"]').length);
      const loadLongest = await page.evaluate(() => window.__longest);
      // Filter or search through the form, as a user does, and watch the main thread.
      await page.evaluate(() => { window.__longest = 0; });
      const field = page.locator('[data-testid="group-filter"], [data-testid="silence-search"]').first();
      await field.fill(path.includes('silences') ? 'scale-3' : 'service="svc-042"');
      await field.press('Enter');
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      const filterLongest = await page.evaluate(() => window.__longest);
      samples.push({ interactive, shown, loadLongest, filterLongest });
      await context.close();
    }
    out[path] = samples;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
