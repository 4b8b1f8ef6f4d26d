// First contentful paint of the alert groups page on a phone (390 × 844, touch, mobile viewport)
// beside the same page on a desktop window, both on a first visit with the CPU throttled 4×,
// under two networks: Lighthouse's mobile profile (1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT;
// DevTools calls it "Fast 3G") and DevTools' "Slow 3G" (400 kbit/s, 2 s RTT). A sample counts
// only when the page shows alert groups (or says none match). Run by `cargo xtask bench`:
// node bench/phone.mjs BASE_URL RUNS PATH ; prints one JSON object.
import { launchChromium } from './browser.mjs';

const [base, runsArg, path] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const devices = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
};
const networks = {
  lighthouse_mobile: { latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 },
  slow_3g: { latency: 2_000, downloadThroughput: 50_000, uploadThroughput: 50_000 },
};

const browser = await launchChromium();
const out = {};
try {
  for (const [net, conditions] of Object.entries(networks)) {
    out[net] = {};
    for (const [device, options] of Object.entries(devices)) {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext(options);
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', { offline: false, ...conditions });
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await page.goto(base + path, { waitUntil: 'load', timeout: 180_000 });
        // The paint entry can land after `load` (a 1280 × 800 window has none at `load`): wait for
        // it, buffered, up to 10 s.
        const paint = await page.evaluate(() => new Promise((resolve) => {
          const seen = performance.getEntriesByName('first-contentful-paint')[0];
          if (seen) return resolve(seen.startTime);
          new PerformanceObserver((list) => {
            const e = list.getEntriesByName('first-contentful-paint')[0];
            if (e) resolve(e.startTime);
          }).observe({ type: 'paint', buffered: true });
          setTimeout(() => resolve(null), 10_000);
        }));
        const shown = await page.evaluate(() =>
          document.querySelectorAll('[data-testid="alert-group"], [data-testid="no-alerts"]').length);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        samples.push({ paint, shown, wide });
        await context.close();
      }
      out[net][device] = samples;
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
