// Load and hydration time of the 100,000-span trace page in Debian's chromium on an unthrottled
// desktop window, and the longest main-thread task (PerformanceObserver `longtask`) while loading
// and while expanding everything, scrolling to the bottom and back, and finding the failed span.
// Run by `cargo xtask bench`: node bench/trace.mjs BASE_URL RUNS PATH ; prints a JSON list of
// samples. A sample whose page shows no span rows is refused.
import { launchChromium, longest, openMeasured, resetLongest } from './browser.mjs';

const [base, runsArg, path] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);

const browser = await launchChromium();
const samples = [];
try {
  for (let i = 0; i < runs; i++) {
    const { context, page, interactive } = await openMeasured(browser, base + path);
    const shown = await page.locator('[data-testid="span-row"]').count();
    const loadLongest = await longest(page);
    await resetLongest(page);
    const status = page.getByTestId('span-shown');
    await page.getByTestId('span-expand-all').click();
    await status.filter({ hasText: 'of 100,000' }).waitFor({ timeout: 30_000 });
    const waterfall = page.getByTestId('waterfall');
    await waterfall.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await status.filter({ hasText: '100,000 of 100,000' }).waitFor({ timeout: 30_000 });
    await waterfall.evaluate((el) => el.scrollTo(0, 0));
    await status.filter({ hasText: /^rows 1–/ }).waitFor({ timeout: 30_000 });
    await page.getByTestId('span-find-input').fill('error');
    await page.getByTestId('span-find-go').click();
    await page.locator('[data-testid="span-row"][data-error="true"]').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    const useLongest = await longest(page);
    samples.push({ interactive, shown, loadLongest, useLongest });
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(samples));
