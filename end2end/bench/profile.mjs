// Where a page's time to interactive goes: one first visit in Debian's chromium with the CPU
// throttled 4×, traced with the devtools timeline categories, then the main thread's top-level
// tasks summed by what they did (parse HTML, style and layout, script, wasm compile, …) up to
// `body[data-hydrated]`. For working on the hydration diet, not a benchmark row:
// node bench/profile.mjs BASE_URL PATH [RATE]; prints a table and writes /tmp/profile.json
// (open it in chromium's Performance panel).
import { writeFileSync } from 'node:fs';
import { launchChromium } from './browser.mjs';

const [base, path, rateArg] = process.argv.slice(2);
const rate = Number(rateArg ?? 4);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm',
      'blink.user_timing', 'loading'],
  });
  const start = Date.now();
  await page.goto(base + path, { waitUntil: 'commit', timeout: 120_000 });
  await page.waitForSelector('body[data-hydrated]', { state: 'attached', timeout: 120_000 });
  const interactive = Date.now() - start;
  const buf = await browser.stopTracing();
  writeFileSync('/tmp/profile.json', buf);
  const events = JSON.parse(buf.toString()).traceEvents;
  // The renderer's main thread: the one running the page's HTML parse.
  const parse = events.find((e) => e.name === 'ParseHTML');
  const main = events.filter((e) => e.pid === parse.pid && e.tid === parse.tid && e.ph === 'X');
  const nav = events.find((e) => e.name === 'navigationStart' || e.name === 'NavigationBodyLoader::StartLoadingBody') ?? parse;
  const t0 = Math.min(...main.map((e) => e.ts));
  const byName = new Map();
  const tasks = main.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  // Every complete event's own time (minus its children) by name.
  const sorted = main.slice().sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack = [];
  for (const e of sorted) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    if (stack.length) stack[stack.length - 1].self -= e.dur ?? 0;
    const node = { ts: e.ts, dur: e.dur ?? 0, self: e.dur ?? 0, name: e.name };
    stack.push(node);
    e.__node = node;
  }
  for (const e of sorted) {
    const n = e.__node;
    byName.set(n.name, (byName.get(n.name) ?? 0) + n.self);
  }
  const busy = tasks.reduce((s, e) => s + (e.dur ?? 0), 0);
  console.log(`interactive ${interactive} ms at ${rate}× CPU; main-thread tasks ${(busy / 1000).toFixed(0)} ms over ${((Math.max(...main.map((e) => e.ts + (e.dur ?? 0))) - t0) / 1000).toFixed(0)} ms (nav ${nav.name})`);
  const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [name, us] of top) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
  // The longest tasks, in order, with what ran under them.
  const long = tasks.filter((e) => e.dur > 50_000).sort((a, b) => a.ts - b.ts);
  console.log('\ntasks over 50 ms (start from first event, duration, biggest children):');
  for (const t of long) {
    const kids = main.filter((e) => e !== t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur && e.dur > 10_000)
      .map((e) => `${e.name}${e.args?.data?.url ? '(' + e.args.data.url.split('/').pop() + ')' : ''} ${(e.dur / 1000).toFixed(0)}`);
    console.log(`  +${((t.ts - t0) / 1000).toFixed(0)} ms  ${(t.dur / 1000).toFixed(0)} ms: ${kids.slice(0, 8).join(', ')}`);
  }
  await context.close();
} finally {
  await browser.close();
}
