// Dashboards at Grafana URLs against the demo's real Prometheus: data in the first HTML, tooltip,
// drag-zoom, legend, variables, collapsed rows, /d-solo in an iframe, and broken files listed.
import { test, expect, type Page, type Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ConsolePage } from './fixtures/console';

const RUNBOOK = '/d/octollm-namespace-prod/namespace-octollm-prod?from=now-1h&var-namespace=octollm-prod';

function panel(page: Page, title: string): Locator {
  return page.locator(`[data-testid="panel"][aria-label="${title}"]`);
}

test('a runbook dashboard has its charts in the HTML before hydration', async ({ request }) => {
  // A fresh demo stack needs a few scrapes before rates exist; then every chart is in the HTML.
  let html = '';
  await expect(async () => {
    const res = await request.get(RUNBOOK);
    expect(res.status()).toBe(200);
    html = await res.text();
    // Every time series panel is an SVG with drawn series, not a placeholder waiting for JS.
    expect((html.match(/<svg class="chart-svg"/g) ?? []).length).toBe(3);
  }).toPass({ timeout: 60_000 });
  expect(html).toMatch(/<polyline|<path d=/);
  expect(html).not.toContain('Loading dashboard');
  expect(html).toContain('Namespace octollm-prod');
  // The variable from the URL is the selected option.
  expect(html).toMatch(/<option value="octollm-prod" selected/);
  expect(html).not.toContain('data-testid="error"');
});

test('hovering a chart shows every series at the cursor; dragging zooms the URL', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const c = new ConsolePage(page);
  await c.open(RUNBOOK);
  const cpu = panel(page, 'CPU by pod');
  await expect(cpu.locator('svg.chart-svg')).toHaveCount(1);
  const overlay = cpu.getByTestId('chart-overlay');
  const box = (await overlay.boundingBox())!;
  // The newest data is at the right edge; hover there.
  await page.mouse.move(box.x + box.width - 30, box.y + box.height / 2);
  const tooltip = cpu.getByTestId('chart-tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip.locator('.tt-row').first()).toBeVisible();
  await expect(tooltip).toContainText(/orchestrator-/);
  // Shared crosshair (graphTooltip 1): the memory chart shows the line too.
  await expect(panel(page, 'Memory working set by pod').getByTestId('crosshair')).toHaveCount(1);

  const before = page.url();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await expect(cpu.getByTestId('chart-selection')).toBeVisible();
  await page.mouse.up();
  await expect(page).toHaveURL(/from=\d{13}&to=\d{13}/);
  expect(page.url()).not.toBe(before);
  const url = new URL(page.url());
  const from = Number(url.searchParams.get('from'));
  const to = Number(url.searchParams.get('to'));
  // 20% of a one-hour range, give or take the plot margins.
  expect(to - from).toBeGreaterThan(8 * 60_000);
  expect(to - from).toBeLessThan(16 * 60_000);
  expect(url.searchParams.get('var-namespace')).toBe('octollm-prod');
  await expect(page.getByTestId('dashboard-range')).toBeVisible();
  expect(errors).toEqual([]);
});

test('panels arrive drawn, without their data or definitions; a chart wakes with its points when pointed at', async ({ page }) => {
  const loads: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/load_panel')) loads.push(r.postData() ?? '');
  });
  const c = new ConsolePage(page);
  // The first visit remembers this browser's grid width; from then on the server draws each
  // chart at the size it shows, so no chart needs its points just to fit its box.
  await c.open(RUNBOOK);
  await expect
    .poll(async () => (await page.context().cookies()).find((k) => k.name === 'octoscope_grid')?.value)
    .toMatch(/^\d+$/);
  loads.length = 0;
  await c.open(RUNBOOK);
  await page.waitForTimeout(1_000);
  // What hydration carried: the dashboard's panels as places only (drawn on the server: named in
  // held_panels, no data, no queries), its three time series charts too, whose SVG is drawn.
  const carried = await page.evaluate(() => {
    for (const raw of (window as any).__RESOLVED_RESOURCES ?? []) {
      let v: any;
      try {
        v = JSON.parse(raw);
      } catch {
        continue;
      }
      if (!v?.Ok?.panels) continue;
      return {
        held: v.Ok.held_panels ?? [],
        queries: JSON.stringify(v.Ok.dashboard.panels.filter((p: any) => p.id === 4)),
        panels: v.Ok.panels.map((p: any) => ({
          id: p.panel_id,
          sent: p.points_sent,
          carried: p.series.reduce((n: number, s: any) => n + (s.points?.t.length ?? 0), 0),
        })),
      };
    }
    return null;
  });
  expect(carried, 'the dashboard resource is in the hydration data').not.toBeNull();
  expect(carried.held.sort((a: number, b: number) => a - b), 'every panel is drawn').toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(carried.panels, 'no panel carries data').toEqual([]);
  expect(carried.queries, 'nor a query').not.toContain('container_cpu');
  // The chart is the server's drawing, asleep until touched.
  await expect(page.locator('[data-live]:not([data-awake]) [aria-label="CPU by pod"] svg.chart-svg')).toHaveCount(1);
  // …and the page shows it all the same, hydrated.
  await expect(panel(page, 'CPU cores in use').getByTestId('stat-value')).toHaveText(/\d/);

  expect(loads, 'no chart fetched its points before it was pointed at').toEqual([]);
  const svg = panel(page, 'CPU by pod').locator('svg.chart-svg');
  const [drawnW, boxW] = [Number(await svg.getAttribute('width')), (await svg.boundingBox())!.width];
  expect(Math.abs(drawnW - boxW)).toBeLessThan(boxW * 0.06);

  // Pointing at a chart gets its points (once) and shows the values under the cursor.
  const cpu = panel(page, 'CPU by pod');
  const box = (await cpu.getByTestId('chart-overlay').boundingBox())!;
  await page.mouse.move(box.x + box.width - 30, box.y + box.height / 2);
  await expect(cpu.getByTestId('chart-tooltip').locator('.tt-row').first()).toBeVisible();
  await expect(cpu.getByTestId('chart-tooltip')).toContainText(/orchestrator-/);
  await expect(page.locator('[data-live][data-awake] [aria-label="CPU by pod"]')).toHaveCount(1);
  const forCpu = loads.filter((b) => JSON.parse(b).panel === 5);
  expect(forCpu.length).toBe(1);
  expect(JSON.parse(forCpu[0]).uid).toBe('octollm-namespace-prod');
  // The shared crosshair shows on the memory chart, drawn on its sleeping drawing: it fetches
  // nothing for that.
  const memory = panel(page, 'Memory working set by pod');
  const asleep = page.locator('[data-live]:not([data-awake]) [aria-label="Memory working set by pod"]');
  await expect(asleep.getByTestId('crosshair')).toHaveCount(1);
  await page.mouse.move(box.x + box.width - 30, box.y - 40);
  await expect(memory.getByTestId('crosshair'), 'gone with the pointer').toHaveCount(0);
  expect(loads.filter((b) => JSON.parse(b).panel === 6)).toEqual([]);

  // A click on a sleeping chart's legend wakes it and is not lost: the series is isolated. The
  // points answer late, so the click surely comes while the chart wakes and is replayed.
  await page.route('**/api/load_panel', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  const items = memory.locator('.legend-item');
  const n = await items.count();
  expect(n, 'the memory chart has a legend').toBeGreaterThan(1);
  await items.first().click();
  await expect(memory.locator('.legend-item.off')).toHaveCount(n - 1);
  await expect(page.locator('[data-live][data-awake] [aria-label="Memory working set by pod"]')).toHaveCount(1);
});

test('a chart whose points do not load says why in place, and the next touch wakes it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let fail = true;
  await page.route('**/api/load_panel', (route) => (fail ? route.abort('connectionrefused') : route.continue()));
  const c = new ConsolePage(page);
  await c.open(RUNBOOK);
  const cpu = panel(page, 'CPU by pod');
  let box = (await cpu.getByTestId('chart-overlay').boundingBox())!;
  await page.mouse.move(box.x + box.width - 30, box.y + box.height / 2);
  await expect(cpu.getByTestId('chart-wake-error')).toContainText("The chart's values did not load");
  await expect(cpu.locator('svg.chart-svg'), 'the drawing stays').toHaveCount(1);
  await expect(cpu.getByTestId('chart-tooltip')).toHaveCount(0);

  fail = false;
  box = (await cpu.getByTestId('chart-overlay').boundingBox())!;
  await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
  await expect(cpu.getByTestId('chart-tooltip').locator('.tt-row').first()).toBeVisible();
  await expect(cpu.getByTestId('chart-wake-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the legend isolates a series and a collapsed row loads when opened', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/d/octollm-overview/octollm-overview?from=now-30m');
  const requests = panel(page, 'Requests by service');
  const items = requests.locator('.legend-item');
  await expect(items).toHaveCount(8);
  await items.filter({ hasText: 'planner' }).click();
  await expect(requests.locator('.legend-item.off')).toHaveCount(7);
  await items.filter({ hasText: 'planner' }).click();
  await expect(requests.locator('.legend-item.off')).toHaveCount(0);

  // Collapsed rows query nothing on load.
  await expect(panel(page, 'LLM calls by model')).toHaveCount(0);
  const load = page.waitForResponse((r) => r.url().includes('/api/load_row'));
  await page.getByTestId('row-toggle').filter({ hasText: 'LLM usage' }).click();
  expect((await load).status()).toBe(200);
  await expect(panel(page, 'LLM calls by model').locator('svg.chart-svg')).toHaveCount(1);
});

test('changing a variable navigates with var- in the URL and re-queries', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open(RUNBOOK);
  await page.getByTestId('var-namespace').selectOption('octollm-staging');
  await expect(page).toHaveURL(/var-namespace=octollm-staging/);
  await expect(page).toHaveURL(/from=now-1h/);
  await expect(page.locator('[data-testid="panel"][aria-label="Pods running"] [data-testid="stat-value"]')).toHaveText('8');
  // Staging pods are named differently from prod's; the table shows them.
  await expect(panel(page, 'Pods').locator('tbody tr')).toHaveCount(8);
});

test('viewPanel shows one panel large, and /d-solo in an iframe shows one panel and nothing else', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open(`${RUNBOOK}&viewPanel=panel-5`);
  await expect(page.getByTestId('view-panel').getByTestId('panel')).toHaveCount(1);
  await expect(page.getByTestId('panel')).toHaveCount(1);

  await c.open('/dashboards');
  const solo = '/d-solo/octollm-namespace-prod/namespace-octollm-prod?panelId=6&from=now-1h&var-namespace=octollm-prod';
  await page.evaluate((src) => {
    document.body.innerHTML = `<iframe id="embed" src="${src}" width="800" height="400"></iframe>`;
  }, solo);
  const frame = page.frameLocator('#embed');
  await expect(frame.getByTestId('panel')).toHaveCount(1);
  await expect(frame.getByTestId('panel')).toHaveAttribute('aria-label', 'Memory working set by pod');
  await expect(frame.locator('svg.chart-svg')).toHaveCount(1);
  await expect(frame.getByTestId('topbar')).toHaveCount(0);
  await expect(frame.getByTestId('nav')).toHaveCount(0);
  await expect(frame.getByTestId('variables')).toHaveCount(0);
});

test('a broken dashboard file is listed with file, line and column; the others still load', async ({ page, request }) => {
  const dir = path.join(process.env.OCTOSCOPE_PROVISIONING ?? '', 'local-dashboards');
  expect(process.env.OCTOSCOPE_PROVISIONING, 'cargo xtask test exports OCTOSCOPE_PROVISIONING').toBeTruthy();
  const file = path.join(dir, 'broken-e2e.json');
  fs.writeFileSync(file, '{\n  "title": "Broken",\n  "panels": [\n    {"id": 1,}\n  ]\n}\n');
  try {
    const c = new ConsolePage(page);
    // The store rescans at most every 2 s.
    await expect(async () => {
      await c.open('/dashboards');
      await expect(page.getByTestId('dashboard-problem')).toContainText('broken-e2e.json:4:', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await expect(page.getByTestId('dashboard-problem')).toContainText('invalid JSON');
    await expect(page.getByTestId('dashboard-row')).toHaveCount(8);
    // Search filters by title, folder and tag.
    await page.getByTestId('dashboard-query').fill('namespace prod');
    await page.getByTestId('dashboard-query').press('Enter');
    await expect(page.getByTestId('dashboard-row')).toHaveCount(1);
    await page.getByTestId('dashboard-link').click();
    await expect(page.getByTestId('dashboard-title')).toContainText('Namespace octollm-prod');
  } finally {
    fs.rmSync(file, { force: true });
  }
  const res = await request.get('/api/search?query=service');
  const hits = await res.json();
  expect(hits.map((h: any) => h.uid)).toEqual(['octollm-service-health']);
});

test('an unknown dashboard uid is a 404 page with search', async ({ page, request }) => {
  const res = await request.get('/d/no-such-uid/whatever');
  expect(res.status()).toBe(404);
  const c = new ConsolePage(page);
  await c.open('/d/no-such-uid');
  await expect(page.getByTestId('dashboard-not-found')).toContainText('no-such-uid');
  await expect(page.getByTestId('not-found-search')).toBeVisible();
});

test('times follow the timezone parameter (IANA id on the server, browser after hydration)', async ({ browser, request }) => {
  const utc = await (await request.get(`${RUNBOOK}&timezone=utc&from=1700000000000&to=1700003600000`)).text();
  expect(utc).toContain('2023-11-14 22:13 → 2023-11-14 23:13 (UTC)');
  const india = await (await request.get(`${RUNBOOK}&timezone=Asia/Kolkata&from=1700000000000&to=1700003600000`)).text();
  // +05:30, in the first HTML, axis labels included.
  expect(india).toContain('2023-11-15 03:43 → 2023-11-15 04:43 (Asia/Kolkata, UTC+05:30)');
  const bad = await (await request.get(`${RUNBOOK}&timezone=Mars/Olympus`)).text();
  expect(bad).toContain('unknown time zone');

  // A browser in New York (UTC-5 in November) sees its own time once the page has hydrated.
  const context = await browser.newContext({ timezoneId: 'America/New_York' });
  const page = await context.newPage();
  const c = new ConsolePage(page);
  await c.open(`${RUNBOOK}&timezone=browser&from=1700000000000&to=1700003600000`);
  await expect(page.getByTestId('dashboard-range')).toContainText('2023-11-14 17:13 → 2023-11-14 18:13 (UTC-05:00)');
  await context.close();
});

test('the browser sees where the dashboard page spent its time (Server-Timing)', async ({ page }) => {
  await page.goto(RUNBOOK);
  await expect(page.locator('body[data-hydrated]')).toBeAttached();
  const timing = await page.evaluate(() =>
    (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).serverTiming.map(
      (t) => ({ name: t.name, desc: t.description, dur: t.duration }),
    ),
  );
  // Each panel query to the demo's Prometheus is listed with its duration, then the total.
  const reads = timing.filter((t) => t.name === 'backend' && t.desc.startsWith('Prometheus api/v1/query'));
  expect(reads.length, JSON.stringify(timing)).toBeGreaterThan(0);
  const total = timing.find((t) => t.name === 'total' && t.desc === 'page');
  expect(total, JSON.stringify(timing)).toBeDefined();
  for (const r of reads) expect(r.dur).toBeLessThanOrEqual(total!.dur);
});

test('compare draws each series as it was a while ago, dashed, with the difference in tooltip and legend', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // One minute back: the demo's Prometheus has that much history once the stack has run a while.
  const url = '/d/octollm-overview/octollm-overview?from=now-15m&compare=1m';
  await expect(async () => {
    const html = await (await request.get(url)).text();
    // Drawn dashed in the server's HTML already.
    expect(html).toContain('class="series shifted"');
  }).toPass({ timeout: 90_000 });

  const c = new ConsolePage(page);
  await c.open(url);
  await expect(page.getByTestId('compare-picker-button')).toHaveText('⇆ 1m ago');
  const requests = panel(page, 'Requests by service');
  // Eight services now and the same eight a minute ago, each then-entry with its difference.
  const items = requests.locator('.legend-item');
  await expect(items).toHaveCount(16);
  const planner = items.filter({ hasText: /planner.*\(1m ago\)/ });
  await expect(planner).toHaveCount(1);
  await expect(planner.getByTestId('legend-delta')).toHaveText(/^now [+-]?\d/);
  await expect(requests.locator('svg path.series.shifted')).toHaveCount(8);

  // The tooltip lists the comparison with how far now is from it.
  const overlay = requests.getByTestId('chart-overlay');
  const box = (await overlay.boundingBox())!;
  await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
  const tooltip = requests.getByTestId('chart-tooltip');
  await expect(tooltip.locator('.tt-row').filter({ hasText: '(1m ago)' }).first()).toContainText('· now');

  // Off: the URL loses compare and the dashed lines go.
  await page.getByTestId('compare-picker-button').click();
  await page.getByTestId('compare-off').click();
  await expect(page).not.toHaveURL(/compare=/);
  await expect(requests.locator('.legend-item')).toHaveCount(8);
  await expect(requests.locator('svg path.series.shifted')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('heatmap, pie, bar chart, state timeline and histogram panels draw real data when their row opens', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/d/octollm-service-health?from=now-15m');
  const load = page.waitForResponse((r) => r.url().includes('/api/load_row'));
  await page.getByTestId('row-toggle').filter({ hasText: 'Distributions' }).click();
  const answer = await load;
  expect(answer.status()).toBe(200);
  // The server drew these bodies: the browser has no code for them.
  const rows = (await answer.json()).data as any[];
  expect(rows.length).toBeGreaterThan(3);
  for (const d of rows) expect(d.body, `panel ${d.panel_id} arrives drawn`).toContain('<');
  // Latency buckets per time step; a slice and a bar per service; a span per job's state.
  await expect(panel(page, 'Request latency distribution').getByTestId('heat-cell').first()).toBeAttached();
  expect(await panel(page, 'Request latency distribution').getByTestId('heat-cell').count()).toBeGreaterThan(10);
  const pie = panel(page, 'Share of requests by service');
  expect(await pie.getByTestId('pie-slice').count()).toBeGreaterThan(1);
  await expect(pie.locator('.legend-item').first()).toContainText('%');
  expect(await panel(page, 'Errors by service').getByTestId('bar-rect').count()).toBeGreaterThan(1);
  // The histogram: columns counted on the server, each with its bounds and count.
  const spread = panel(page, 'Spread of P95 latency by service');
  expect(await spread.getByTestId('histogram-bar').count()).toBeGreaterThan(0);
  await expect(spread.getByTestId('histogram-bar').first().locator('title')).toHaveText(/^\S.* – \S.*: \S+ \d+$/);
  const states = panel(page, 'Scrape targets up, by job').getByTestId('state');
  await expect(states.first()).toBeAttached();
  await expect(states.first().locator('title')).toHaveText(/: (UP|DOWN)$/);
});

test('the compatibility page reports what the provisioned dashboards use that is not rendered', async ({ page }) => {
  // A dashboard dropped in with a panel type Octoscope does not draw and a transformation it
  // does not run (organize, before it, runs and is not reported).
  const file = path.join(process.env.OCTOSCOPE_PROVISIONING!, 'local-dashboards', 'compat-e2e.json');
  fs.writeFileSync(file, JSON.stringify({
    uid: 'compat-e2e', title: 'Compat e2e',
    panels: [
      { id: 1, type: 'geomap', title: 'Where', gridPos: { x: 0, y: 0, w: 12, h: 8 } },
      { id: 2, type: 'timeseries', title: 'Up', gridPos: { x: 12, y: 0, w: 12, h: 8 },
        targets: [{ expr: 'up' }], transformations: [{ id: 'prepareTimeSeries', options: {} }, { id: 'organize', options: {} }] },
    ],
  }));
  try {
    const c = new ConsolePage(page);
    await c.open('/dashboards');
    await page.getByTestId('compatibility-link').click();
    await expect(page).toHaveURL(/\/dashboards\/compatibility$/);
    const dropped = page.getByTestId('compat-file').filter({ hasText: 'compat-e2e.json' });
    await expect(async () => {
      await page.reload();
      await expect(dropped).toHaveCount(1, { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await expect(dropped).toContainText('panels[0].type: panel type "geomap": not rendered');
    await expect(dropped).toContainText('panels[1].transformations[0]: transformation "prepareTimeSeries": not applied');
    await expect(dropped).not.toContainText('transformations[1]');
    await expect(page.getByTestId('compat-summary')).toHaveText(/^\d+ dashboards: \d+ render whole, \d+ have something not rendered\.$/);
    const summary = (await page.getByTestId('compat-summary').textContent())!;
    const [total, whole] = summary.match(/\d+/g)!.map(Number);
    expect(await page.getByTestId('compat-file').count()).toBe(total - whole);
    // Every shipped dashboard renders whole: its logs panel is drawn now.
    await expect(page.getByTestId('compat-file').filter({ hasText: 'logs-overview.json' })).toHaveCount(0);
    expect(whole).toBeGreaterThanOrEqual(8);
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test('a schema v2 dashboard is served at its /d/ URL: rows, tabs as rows, an auto grid and its variable', async ({ page }) => {
  const element = (id: number, title: string, viz: string, expr: string) => ({
    kind: 'Panel',
    spec: {
      id, title,
      data: { kind: 'QueryGroup', spec: { queries: [{ kind: 'PanelQuery', spec: { refId: 'A', hidden: false,
        query: { kind: 'DataQuery', group: 'prometheus', version: 'v0', datasource: { name: 'prometheus' }, spec: { expr, legendFormat: '{{job}}' } } } }],
      transformations: [], queryOptions: {} } },
      vizConfig: { kind: 'VizConfig', group: viz, version: '', spec: { options: {}, fieldConfig: { defaults: {}, overrides: [] } } },
    },
  });
  const ref = (name: string) => ({ kind: 'ElementReference', name });
  const file = path.join(process.env.OCTOSCOPE_PROVISIONING!, 'local-dashboards', 'v2-e2e.json');
  fs.writeFileSync(file, JSON.stringify({
    apiVersion: 'dashboard.grafana.app/v2beta1', kind: 'Dashboard', metadata: { name: 'v2-e2e' },
    spec: {
      title: 'V2 e2e', cursorSync: 'Crosshair',
      timeSettings: { from: 'now-15m', to: 'now', autoRefresh: '', timezone: 'utc' },
      variables: [{ kind: 'QueryVariable', spec: { name: 'job', label: 'Job', hide: 'dontHide', sort: 'alphabeticalAsc',
        multi: false, includeAll: false, current: { text: 'arms', value: 'arms' },
        query: { kind: 'DataQuery', group: 'prometheus', version: 'v0', datasource: { name: 'prometheus' }, spec: { __legacyStringValue: 'label_values(up, job)' } } } }],
      elements: {
        up: element(1, 'Targets up', 'timeseries', 'sum by (job) (up{job="$job"})'),
        count: element(2, 'Target count', 'stat', 'count(up{job="$job"})'),
        later: element(3, 'Behind a tab', 'stat', 'count(up)'),
      },
      layout: { kind: 'TabsLayout', spec: { tabs: [
        { kind: 'TabsLayoutTab', spec: { title: 'Now', layout: { kind: 'AutoGridLayout', spec: { maxColumnCount: 2, rowHeightMode: 'standard',
          items: [{ kind: 'AutoGridLayoutItem', spec: { element: ref('up') } }, { kind: 'AutoGridLayoutItem', spec: { element: ref('count') } }] } } } },
        { kind: 'TabsLayoutTab', spec: { title: 'Later', layout: { kind: 'GridLayout', spec: { items: [
          { kind: 'GridLayoutItem', spec: { x: 0, y: 0, width: 12, height: 6, element: ref('later') } }] } } } },
      ] } },
    },
  }));
  try {
    const c = new ConsolePage(page);
    await expect(async () => {
      await c.open('/d/v2-e2e');
      await expect(page.getByTestId('dashboard-title')).toContainText('V2 e2e', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    // The first tab is an open row: its auto grid's two panels side by side, with data.
    await expect(panel(page, 'Targets up').locator('svg.chart-svg')).toHaveCount(1);
    await expect(panel(page, 'Target count').getByTestId('stat-value')).toHaveText('6');
    const [a, b] = [await panel(page, 'Targets up').boundingBox(), await panel(page, 'Target count').boundingBox()];
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
    expect(b!.x).toBeGreaterThan(a!.x + a!.width / 2);
    // The variable reads its DataQuery; the range and timezone come from timeSettings.
    await expect(page.getByTestId('time-picker-button')).toHaveText('Last 15 minutes');
    // The second tab is a collapsed row that queries when opened.
    await expect(panel(page, 'Behind a tab')).toHaveCount(0);
    const load = page.waitForResponse((r) => r.url().includes('/api/load_row'));
    await page.getByTestId('row-toggle').filter({ hasText: 'Later' }).click();
    expect((await load).status()).toBe(200);
    await expect(panel(page, 'Behind a tab').getByTestId('stat-value')).not.toHaveText('');
  } finally {
    fs.rmSync(file, { force: true });
  }
});
