// Bytes on the wire and time to first paint / to interactive for console pages in Debian's
// chromium with a phone-like network (1.6 Mbit/s down, 750 kbit/s up, 150 ms latency) and the CPU
// throttled 4×, each page on a first visit (empty cache) and a repeat visit (same browser
// profile), once with compression negotiated and once with `Accept-Encoding: identity` as the
// anchor; then each with the network as it is and the CPU at 4× (and 1×, its anchor).
// "Interactive" is when the page has hydrated (`body[data-hydrated]`). Run by
// `cargo xtask bench`: node bench/wire.mjs BASE_URL RUNS PATH… ; prints one JSON object.
import { launchChromium } from './browser.mjs';

// Paths after `--code-only` get only the code a first visit loads (mode `code`: the network and
// CPU as they are, first visits only).
const [base, runsArg, ...args] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const cut = args.indexOf('--code-only');
const paths = cut < 0 ? args : args.slice(0, cut);
const codeOnly = cut < 0 ? [] : args.slice(cut + 1);

async function visit(page, cdp, url) {
  // `code`: the bundle files among them (`/pkg/….wasm` and `.js`: the main bundle and the page's
  // split chunks, and `pack_….bin`: the page's chunks as one file), as they came over the wire.
  let bytes = 0;
  let code = 0;
  const codeRequests = new Set();
  const onResponse = (e) => {
    if (/\/pkg\/([^?]*\.(wasm|js)|pack_[^?]*\.bin)(\?|$)/.test(e.response.url)) codeRequests.add(e.requestId);
  };
  const onDone = (e) => {
    bytes += e.encodedDataLength ?? 0;
    if (codeRequests.has(e.requestId)) code += e.encodedDataLength ?? 0;
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onDone);
  const start = Date.now();
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  await page.waitForSelector('body[data-hydrated]', { state: 'attached', timeout: 120_000 });
  const interactive = Date.now() - start;
  const paint = await page.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? e.startTime : null;
  });
  // The page must show data, not an error (a benchmark times only a page that works).
  const broken = await page.evaluate(() => document.querySelectorAll('[data-testid="error"], [data-testid="panel-error"]').length);
  await page.waitForTimeout(500);
  cdp.off('Network.loadingFinished', onDone);
  cdp.off('Network.responseReceived', onResponse);
  return { bytes, code, paint, interactive, broken };
}

const browser = await launchChromium();
const out = {};
try {
  for (const path of [...paths, ...codeOnly]) {
    out[path] = {};
    // `cpu4x` and `cpu1x`: no network throttling, the CPU at 4× and as it is (time to
    // interactive is then mostly the wasm's download-free start and hydration).
    const modes = paths.includes(path) ? ['compressed', 'identity', 'cpu4x', 'cpu1x'] : ['code'];
    for (const mode of modes) {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        if (mode === 'identity') {
          await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
        }
        if (mode === 'code') {
          samples.push({ first: await visit(page, cdp, base + path) });
          await context.close();
          continue;
        }
        if (!mode.startsWith('cpu')) {
          await cdp.send('Network.emulateNetworkConditions', {
            offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750,
          });
        }
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: mode === 'cpu1x' ? 1 : 4 });
        const first = await visit(page, cdp, base + path);
        // A repeat visit: another page first, then this one again (a navigation, not a reload).
        await page.goto(base + '/favicon.svg', { waitUntil: 'commit' }).catch(() => {});
        const repeat = await visit(page, cdp, base + path);
        samples.push({ first, repeat });
        await context.close();
      }
      out[path][mode] = samples;
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
