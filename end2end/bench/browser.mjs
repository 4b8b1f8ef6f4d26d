// What every bench script shares: Debian's chromium with the flags that work here, and a page
// opened with a PerformanceObserver `longtask` watch, timed to `body[data-hydrated]`.
import { chromium } from '@playwright/test';

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = () => chromium.launch({ executablePath: '/usr/bin/chromium', args });

// A fresh desktop context (1280 px, unthrottled) on `url`: its page and the milliseconds from
// navigation to hydration.
export async function openMeasured(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const start = Date.now();
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  await page.waitForSelector('body[data-hydrated]', { state: 'attached', timeout: 120_000 });
  return { context, page, interactive: Date.now() - start };
}

// The longest main-thread task since the page opened or since the last reset.
export const longest = (page) => page.evaluate(() => window.__longest);
export const resetLongest = (page) => page.evaluate(() => { window.__longest = 0; });
