// Over the wire in a real browser: the bundle arrives compressed with content-hashed names, and a
// second visit takes the wasm, JS and CSS from the browser's cache without asking the server
// (Chromium's own network log, through CDP, says where each response came from).
import { test, expect } from '@playwright/test';

type Seen = { url: string; fromCache: boolean; encoding: string };

test('a second visit downloads no wasm, JS or CSS', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen: Seen[] = [];
  cdp.on('Network.responseReceived', (e: any) => {
    const r = e.response;
    const header = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-encoding');
    seen.push({
      url: r.url,
      fromCache: Boolean(r.fromDiskCache || r.fromMemoryCache || r.fromPrefetchCache),
      encoding: header ? String(header[1]) : '',
    });
  });

  await page.goto('/alerting/groups');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  const bundle = (list: Seen[]) => list.filter((s) => /\/pkg\/.+\.(wasm|js|css)$/.test(s.url));
  const first = bundle(seen);
  expect(first.map((s) => s.url).join(' ')).toMatch(/\/pkg\/octoscope\.[^/]+\.wasm/);
  expect(first.length).toBeGreaterThanOrEqual(3);
  for (const s of first) {
    expect(s.fromCache, s.url).toBe(false);
    expect(['br', 'gzip'], `${s.url} arrives compressed`).toContain(s.encoding);
  }
  const html = seen.find((s) => s.url.endsWith('/alerting/groups'));
  expect(['br', 'gzip'], 'the page arrives compressed').toContain(html?.encoding ?? '');

  seen.length = 0;
  // A new navigation (not a reload, which would revalidate everything on purpose).
  await page.goto('/dashboards');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  const second = bundle(seen);
  expect(second.length).toBeGreaterThanOrEqual(3);
  for (const s of second) expect(s.fromCache, `${s.url} comes from the cache`).toBe(true);
});
