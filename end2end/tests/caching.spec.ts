// Over the wire in a real browser: the bundle arrives compressed with content-hashed names, and a
// second visit takes the wasm, JS and CSS from the browser's cache without asking the server.
// The wasm is split by groups of pages (app/src/routes.rs): a first page's chunks come as one
// pack its response names for preloading (app/src/model/bundle.rs), and another group's code
// loads, chunk by chunk, only when one of its pages opens.
// Chromium's own network log (CDP) is the witness: per request, whether it was served from a
// cache and how many bytes it moved on the wire.
import { test, expect, type CDPSession } from '@playwright/test';

type Seen = { url: string; cached: boolean; encoding: string; wireBytes: number };

function record(cdp: CDPSession) {
  const byId = new Map<string, Seen>();
  const get = (id: string) => {
    if (!byId.has(id)) byId.set(id, { url: '', cached: false, encoding: '', wireBytes: -1 });
    return byId.get(id)!;
  };
  cdp.on('Network.requestWillBeSent', (e: any) => { get(e.requestId).url = e.request.url; });
  cdp.on('Network.requestServedFromCache', (e: any) => { get(e.requestId).cached = true; });
  cdp.on('Network.responseReceived', (e: any) => {
    const s = get(e.requestId);
    const r = e.response;
    s.url = r.url;
    s.cached ||= Boolean(r.fromDiskCache || r.fromMemoryCache || r.fromPrefetchCache);
    const header = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-encoding');
    s.encoding = header ? String(header[1]) : '';
  });
  cdp.on('Network.loadingFinished', (e: any) => { get(e.requestId).wireBytes = e.encodedDataLength; });
  return byId;
}

const bundle = (m: Map<string, Seen>) =>
  [...m.values()].filter((s) => /\/pkg\/(.+\.(wasm|js|css)|pack_.+\.bin)$/.test(s.url));

test('a second visit downloads no wasm, JS or CSS', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let seen = record(cdp);

  await page.goto('/alerting/groups');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  const first = bundle(seen);
  expect(first.map((s) => s.url).join(' ')).toMatch(/\/pkg\/octoscope\.[^/]+\.wasm/);
  expect(first.length).toBeGreaterThanOrEqual(3);
  for (const s of first) {
    expect(s.cached, s.url).toBe(false);
    expect(['br', 'gzip'], `${s.url} arrives compressed`).toContain(s.encoding);
  }
  const html = [...seen.values()].find((s) => s.url.endsWith('/alerting/groups'));
  expect(['br', 'gzip'], 'the page arrives compressed').toContain(html?.encoding ?? '');

  // A new navigation (not a reload, which would revalidate on purpose), with a fresh log.
  await cdp.send('Network.disable');
  await cdp.send('Network.enable');
  seen = record(cdp);
  // Another page of the same group (alerting): the same main bundle and chunks.
  await page.goto('/alerting/silences');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect.poll(() => bundle(seen).filter((s) => s.wireBytes >= 0).length).toBeGreaterThanOrEqual(3);
  for (const s of bundle(seen)) {
    expect(s.cached, `${s.url} comes from the cache`).toBe(true);
    expect(s.wireBytes, `${s.url} moves nothing on the wire`).toBe(0);
  }
});

test('a first page loads its chunks as one preloaded pack and another group loads its code on the way there', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = record(cdp);

  const resp = await page.goto('/alerting/groups');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  // The page names its group, whose chunks the browser loads before it hydrates in one pass.
  await expect(page.locator('meta[name="octoscope-split"]')).toHaveAttribute('content', 'alerting');
  const link = resp!.headers()['link'] ?? '';
  const packs = [...link.matchAll(/<([^>]+\/pack_alerting\.[0-9a-f]{16}\.bin)>; rel=preload; as=fetch; crossorigin/g)]
    .map((m) => m[1]);
  expect(packs, `the Link header names the group's pack: ${link}`).toHaveLength(1);
  const fetched = () => bundle(seen).map((s) => new URL(s.url).pathname);
  // Preloaded and then read by the page's pack loader: one request, not two.
  expect(fetched().filter((p) => p === packs[0])).toHaveLength(1);
  // The chunks came out of the pack: the only wasm file fetched is the main bundle.
  expect(fetched().filter((p) => p.endsWith('.wasm'))).toEqual([
    expect.stringMatching(/\/pkg\/octoscope\.[^/]+\.wasm$/),
  ]);
  const firstVisit = new Set(fetched());

  // A client-side navigation to the dashboards group fetches chunks the alerting pages did not need.
  await page.getByTestId('nav-dashboards').click();
  await expect(page.getByRole('heading', { name: 'Dashboards', exact: true })).toBeVisible();
  await expect(page).toHaveURL(/\/dashboards$/);
  await expect.poll(() => fetched().filter((p) => p.endsWith('.wasm') && !firstVisit.has(p)).length)
    .toBeGreaterThan(0);
  // And the page works: a dashboard opens from the list.
  await page.getByTestId('dashboard-link').first().click();
  await expect(page.getByTestId('panel').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test("Explore's modes are parts of their own: logs mode loads no metrics code until the metrics tab", async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = record(cdp);

  const resp = await page.goto('/explore?mode=logs');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  // The page names its part alone, and the response preloads that part's pack.
  const groups = await page.locator('meta[name="octoscope-split"]')
    .evaluateAll((ms) => ms.map((m) => m.getAttribute('content')));
  expect(groups).toEqual(['logs']);
  const link = resp!.headers()['link'] ?? '';
  expect(link).toMatch(/^<\/pkg\/pack_logs\.[0-9a-f]{16}\.bin>; rel=preload; as=fetch; crossorigin$/);
  const fetched = () => bundle(seen).map((s) => new URL(s.url).pathname);
  expect(fetched().filter((p) => p.endsWith('.wasm'))).toEqual([
    expect.stringMatching(/\/pkg\/octoscope\.[^/]+\.wasm$/),
  ]);
  // The logs part is live: a query typed and run shows Loki's lines.
  await page.getByTestId('logs-input').fill('{service="orchestrator"}');
  await page.getByTestId('run-logs').click();
  await expect(page.getByTestId('log-line').first()).toContainText('orchestrator');
  const logsVisit = new Set(fetched());

  // The metrics tab loads the metrics part then (chunks the logs page did not need), and it works.
  await page.getByTestId('mode-metrics').click();
  await expect(page.getByTestId('query-input')).toBeVisible();
  await expect.poll(() => fetched().filter((p) => p.endsWith('.wasm') && !logsVisit.has(p)).length)
    .toBeGreaterThan(0);
  await page.getByTestId('query-input').fill('up');
  await page.getByTestId('run-query').click();
  await expect(page.getByTestId('explore-graph').locator('svg path.series').first()).toBeAttached();
  expect(errors).toEqual([]);
});

test("a dashboard's first visit loads no live panel code, its charts redrawn by the server for this grid; touching one loads it", async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // The redraw is a fetch of the page itself, at the range it was drawn for.
  const redraws: URL[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (r.resourceType() === 'fetch' && url.pathname.startsWith('/d/')) redraws.push(url);
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = record(cdp);

  // A first visit: no grid cookie, so the server drew the charts for the grid it assumes (1,600
  // px), not this 1,280 px window's.
  expect((await page.context().cookies()).find((k) => k.name === 'octoscope_grid')).toBeUndefined();
  await page.goto('/d/octollm-overview');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  // The charts are drawn again by the server, in one request, and stay asleep at their box's size.
  await expect.poll(() => redraws.length).toBe(1);
  await page.waitForLoadState('networkidle');
  expect(redraws).toHaveLength(1);
  expect(redraws[0].searchParams.get('from')).toMatch(/^\d+$/);
  const asleep = page.locator('[data-live]:not([data-awake])');
  expect(await asleep.count()).toBeGreaterThan(0);
  await expect(page.locator('[data-live][data-awake]')).toHaveCount(0);
  const svg = asleep.first().locator('svg.chart-svg');
  const [drawnW, boxW] = [Number(await svg.getAttribute('width')), (await svg.boundingBox())!.width];
  expect(Math.abs(drawnW - boxW)).toBeLessThan(boxW * 0.06);
  const fetched = () => bundle(seen).map((s) => new URL(s.url).pathname);
  // The drawn page needs its pack alone: no chunk is fetched beside it.
  expect(fetched().filter((p) => p.endsWith('.wasm'))).toEqual([
    expect.stringMatching(/\/pkg\/octoscope\.[^/]+\.wasm$/),
  ]);
  const firstVisit = new Set(fetched());

  // A chart pointed at loads the live panels' code (DashboardLive) with its points, and wakes.
  const chart = asleep.first();
  const id = await chart.getAttribute('data-live');
  const box = (await chart.getByTestId('chart-overlay').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.locator(`[data-live="${id}"][data-awake]`)).toHaveCount(1);
  expect(fetched().filter((p) => p.endsWith('.wasm') && !firstVisit.has(p)).length).toBeGreaterThan(0);
  await expect(page.locator(`[data-live="${id}"]`).getByTestId('chart-tooltip')).toBeVisible();
  expect(errors).toEqual([]);
});
