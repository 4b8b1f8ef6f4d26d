// The on-call loop's controls in a real browser against the demo stack: charts drawn after
// in-app navigation, menus that close, pickers that tell the truth, variables, readable query
// inputs, "show context", trace sorting, remembered preferences, the silence form's zone and the
// morning summary.
import { test, expect, type Page, type Locator } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

const SVG = 'http://www.w3.org/2000/svg';

/** Namespace and drawn size of every element the locator matches. */
async function drawn(locator: Locator) {
  return locator.evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { ns: e.namespaceURI, w: r.width, h: r.height };
    }),
  );
}

test('charts with linked bars are drawn after in-app navigation (SVG anchors)', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open(`/explore?query=${encodeURIComponent('sum(rate(http_requests_total{service="executor"}[1m]))')}&from=now-15m&to=now`);
  // The mode tabs keep the range and the workload: the executor's stream and service.
  const logsTab = page.getByTestId('mode-logs');
  await expect(logsTab).toHaveAttribute('href', /query=%7Bservice%3D%22executor%22%7D&from=now-15m&to=now/);
  await logsTab.click();
  await expect(page).toHaveURL(/mode=logs/);
  const bars = page.getByTestId('log-volume-bar');
  await expect(bars.first()).toBeAttached();
  const barShapes = await drawn(bars);
  expect(barShapes.length).toBeGreaterThan(0);
  expect(barShapes.every((b) => b.ns === SVG), 'log volume bars are SVG anchors').toBe(true);
  expect(barShapes.some((b) => b.w > 0 && b.h > 0), 'and have a size').toBe(true);

  await page.getByTestId('mode-traces').click();
  await expect(page).toHaveURL(/mode=traces&service=executor&from=now-15m/);
  const dots = page.getByTestId('trace-dot');
  await expect(dots.first()).toBeAttached();
  const dotShapes = await drawn(dots);
  expect(dotShapes.every((d) => d.ns === SVG), 'scatter dots are SVG anchors').toBe(true);
  expect(dotShapes.every((d) => d.w > 0 && d.h > 0)).toBe(true);
});

test('menus close on a choice, on Escape and on a click outside', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/explore?query=up');
  const picker = page.getByTestId('time-picker');
  const open = () => picker.evaluate((d) => (d as HTMLDetailsElement).open);

  await page.getByTestId('time-picker-button').click();
  expect(await open()).toBe(true);
  await page.keyboard.press('Escape');
  expect(await open()).toBe(false);
  await expect(page.getByTestId('time-picker-button')).toBeFocused();

  await page.getByTestId('time-picker-button').click();
  expect(await open()).toBe(true);
  // A click outside the menu (the side navigation's empty lower part).
  await page.mouse.click(20, 600);
  expect(await open()).toBe(false);

  await page.getByTestId('refresh-picker-button').click();
  await page.getByTestId('refresh-10s').click();
  await expect(page).toHaveURL(/refresh=10s/);
  expect(await page.getByTestId('refresh-picker').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  await page.getByTestId('time-picker-button').click();
  await page.getByTestId('time-range-now-15m').click();
  await expect(page).toHaveURL(/from=now-15m/);
  expect(await open()).toBe(false);
  await expect(page.getByTestId('time-picker-button')).toHaveText('Last 15 minutes');
});

test("a dashboard's pickers show its own range and refresh, and the refresh runs", async ({ page, request }) => {
  const json = await (await request.get('/api/dashboards/uid/octollm-overview')).json();
  const dash = json.dashboard ?? json;
  expect(dash.refresh).toBe('30s');
  const c = new ConsolePage(page);
  await c.open('/d/octollm-overview');
  // One time picker and one refresh picker on the page: the dashboard's.
  await expect(page.getByTestId('time-picker')).toHaveCount(1);
  await expect(page.getByTestId('refresh-picker-button')).toHaveText(`⟳ ${dash.refresh}`);
  const labels: Record<string, string> = { 'now-1h': 'Last 1 hour', 'now-6h': 'Last 6 hours', 'now-24h': 'Last 24 hours' };
  await expect(page.getByTestId('time-picker-button')).toHaveText(labels[dash.time.from]);
  // The dashboard's 30 s refresh reloads it without a URL parameter.
  test.setTimeout(90_000);
  await page.waitForResponse((r) => r.url().includes('/api/load_dashboard'), { timeout: 45_000 });
  // "Off" says so in the URL and stops it.
  await page.getByTestId('refresh-picker-button').click();
  await page.getByTestId('refresh-off').click();
  await expect(page).toHaveURL(/refresh=off/);
  await expect(page.getByTestId('refresh-picker-button')).toHaveText('⟳ Off');
});

test('multi-value variables are a menu of checkboxes that navigates on change', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/d/octollm-service-health?from=now-15m');
  const menu = page.getByTestId('var-service');
  await menu.locator('summary').click();
  const executor = menu.getByRole('checkbox', { name: 'executor' });
  await expect(executor).toBeVisible();
  const box = await executor.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(12);
  await executor.check();
  await expect(page).toHaveURL(/var-service=executor/);
  await expect(page.getByTestId('var-service').locator('summary')).toContainText('executor');
});

test('query inputs are monospace with room under the baseline for underscores', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/explore?query=http_requests_total');
  const style = await page.getByTestId('query-input').evaluate((el) => {
    const s = getComputedStyle(el);
    return { family: s.fontFamily, size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight), inner: el.clientHeight };
  });
  expect(style.family).toMatch(/mono|Menlo|Consolas/);
  expect(style.line).toBeGreaterThanOrEqual(1.4 * style.size);
  expect(style.inner).toBeGreaterThanOrEqual(style.line);
});

test('show context selects the stream, not the fields a parser extracted', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open(`/explore?mode=logs&query=${encodeURIComponent('{service="executor"} | json')}&from=now-15m`);
  const first = page.getByTestId('log-line').first();
  await expect(first).toBeVisible();
  const link = first.getByTestId('log-context-link');
  await expect(link).toHaveAttribute('aria-label', /Show context of the line at/);
  const href = (await link.getAttribute('href'))!;
  const query = new URL(href, 'http://x').searchParams.get('query')!;
  expect(query).toContain('service="executor"');
  expect(query, 'no field extracted by | json').not.toMatch(/trace_id|message|task_id/);
  await first.getByTestId('log-line-text').click();
  await link.click();
  await expect(page.locator('[data-testid="log-line"][data-highlighted="true"]')).toHaveCount(1);
});

test('trace results sort by duration, spans and errors; operations are a list', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/explore?mode=traces&service=orchestrator&from=now-15m&limit=40');
  await expect(page.getByTestId('trace-hit').first()).toBeVisible();
  const op = page.getByTestId('trace-operation');
  await expect(op).toHaveJSProperty('tagName', 'SELECT');
  expect(await op.locator('option').count()).toBeGreaterThan(1);
  const durations = async () =>
    page.locator('[data-testid="trace-hit"] td:nth-child(3)').allTextContents();
  await page.getByTestId('trace-sort-duration').click();
  await expect(page).toHaveURL(/sort=duration/);
  // The server sorts (the list is paged there): wait for its answer in that order.
  await expect(page.getByTestId('trace-results')).toHaveAttribute('data-sort', 'duration');
  const toUs = (t: string) => {
    const m = t.trim().match(/^([\d.]+)\s*(µs|us|ms|s|m)$/);
    const f: Record<string, number> = { µs: 1, us: 1, ms: 1e3, s: 1e6, m: 6e7 };
    return m ? parseFloat(m[1]) * f[m[2]] : NaN;
  };
  const d = (await durations()).map(toUs);
  expect(d.every((x) => !Number.isNaN(x))).toBe(true);
  expect([...d].sort((a, b) => b - a)).toEqual(d);
  await page.getByTestId('trace-sort-spans').click();
  await expect(page).toHaveURL(/sort=spans/);
  await expect(page.getByTestId('trace-results')).toHaveAttribute('data-sort', 'spans');
  const spans = (await page.locator('[data-testid="trace-hit"] td:nth-child(4)').allTextContents()).map(Number);
  expect([...spans].sort((a, b) => b - a)).toEqual(spans);
});

test('the theme and the zone are remembered across a reload', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/alerting/groups');
  const theme = () => c.frame.getAttribute('data-theme');
  const before = await theme();
  await page.getByTestId('theme-toggle').click();
  const chosen = await theme();
  expect(chosen).not.toBe(before);
  expect(['light', 'dark']).toContain(chosen);
  await c.open('/explore');
  expect(await theme()).toBe(chosen);
  // The server renders the remembered theme: no flash of the other one.
  const html = await (await page.request.get('/explore', { headers: { cookie: `octoscope_theme=${chosen}` } })).text();
  expect(html).toContain(`data-theme="${chosen}"`);
});

test.describe('in a browser an hour east of UTC', () => {
  test.use({ timezoneId: 'Europe/Paris' });

  test('the silence form reads times in the display zone, takes any duration and shows the end', async ({ page }) => {
    const c = new ConsolePage(page);
    await c.open('/alerting/silence/new?matcher=alertname%3D%22Drill%22');
    const toggle = page.getByTestId('zone-toggle');
    if ((await toggle.getAttribute('data-zone')) !== 'local') await toggle.click();
    await expect(toggle).toHaveAttribute('data-zone', 'local');
    const offset = await page.evaluate(() => -new Date().getTimezoneOffset());
    const zone = `UTC+${String(Math.floor(offset / 60)).padStart(2, '0')}:${String(offset % 60).padStart(2, '0')}`;
    await expect(page.locator('label[for="silence-start"]')).toContainText(zone);
    // The example is a few hours from now, in this zone: never a stale date.
    const placeholder = (await page.getByTestId('silence-start').getAttribute('placeholder'))!;
    const local = new Date(Date.now() + offset * 60_000 + 3_600_000).toISOString().slice(0, 13);
    expect(placeholder.slice(0, 13)).toBe(local);

    await page.getByTestId('silence-start').fill('2030-06-01T10:00');
    await page.getByTestId('silence-duration').fill('2h30m');
    await expect(page.getByTestId('silence-computed-end')).toHaveText(`From 2030-06-01 10:00 to 2030-06-01 12:30 (${zone}), 2h30m`);
    await page.getByTestId('silence-duration').fill('soon');
    await expect(page.getByTestId('silence-computed-end')).toContainText('Fix the times');
    // A refused submit ties each message to its field, and keeps what was typed.
    await page.getByTestId('silence-start').fill('tomorrow');
    await page.getByTestId('create-silence').click();
    await expect(page.getByTestId('start-error')).toContainText(zone);
    await expect(page.getByTestId('silence-start')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('silence-start')).toHaveAttribute('aria-describedby', /start-error/);
    await expect(page.getByTestId('silence-start')).toHaveValue('tomorrow');
    await expect(page.getByTestId('silence-duration')).toHaveValue('soon');
  });
});

test('the home page is a morning summary linking onward', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/');
  const summary = page.getByTestId('morning-summary');
  await expect(summary).toBeVisible();
  for (const part of ['summary-alerts', 'summary-slos', 'summary-targets', 'summary-datasources']) {
    await expect(page.getByTestId(part)).toBeVisible();
  }
  await expect(page.getByTestId('summary-error')).toHaveCount(0);
  // Every demo datasource answers.
  const ds = page.getByTestId('summary-datasource');
  expect(await ds.count()).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('summary-datasources')).toHaveAttribute('data-failing', '0');
  // The targets figure matches the targets page.
  const down = await page.getByTestId('summary-targets').getAttribute('data-down');
  await page.getByTestId('summary-targets').getByRole('link').click();
  await expect(page).toHaveURL(/\/status\/targets\?health=down/);
  await expect(page.getByTestId("target")).toHaveCount(Number(down));
});

export async function tabTo(page: Page, testid: string, max = 300): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    if (at === testid) return i;
  }
  throw new Error(`${testid} not reached in ${max} Tab presses`);
}

test('the skip link is the first Tab stop and focus lands on the content', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/alerting/list');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('skip-link')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('content')).toBeFocused();
  // After an in-app navigation focus is on the new content, not on <body>.
  await page.getByTestId('nav-silences').click();
  await expect(page).toHaveURL(/\/alerting\/silences/);
  await expect(page.getByTestId('content')).toBeFocused();
});

test('every page opens on the same default range, and the picker says so', async ({ page }) => {
  const c = new ConsolePage(page);
  for (const path of ['/explore?query=up', `/explore?mode=logs&query=${encodeURIComponent('{service="executor"}')}`, '/explore?mode=traces&service=executor']) {
    await c.open(path);
    await expect(page.getByTestId('time-picker-button')).toHaveText('Last 1 hour');
  }
  await c.open('/explore?query=up');
  await expect(page.locator('form[data-testid="query-form"] input[name="from"]')).toHaveValue('now-1h');
  await c.open(`/explore?mode=logs&query=${encodeURIComponent('{service="executor"}')}`);
  await expect(page.locator('form[data-testid="logs-form"] input[name="from"]')).toHaveValue('now-1h');
});
