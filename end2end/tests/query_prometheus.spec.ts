import { test, expect } from '@playwright/test';
import { ExplorePage } from './fixtures/console';

test('a value queried from real Prometheus through a server function appears', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore');
  const serverFn = page.waitForResponse((r) => r.url().includes('/api/explore_metrics') && r.status() === 200);
  // A value computed by Prometheus from its own scrape: 1 + the number of up series.
  await explore.run('count(up{job="prometheus"}) + 41');
  await serverFn;
  await expect(explore.values.first()).toHaveText('42');
  await expect(page).toHaveURL(/query=count/);
});

test('a PromQL syntax error is explained at the editor before anything is sent, and the input stays', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore');
  let sent = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/explore_metrics')) sent += 1;
  });
  await explore.run('sum(rate(');
  // promql-parser's message, checked on the server before Prometheus is asked.
  await expect(page.getByTestId('error')).toContainText('PromQL syntax error: unclosed left parenthesis');
  await expect(page.getByTestId('error')).toContainText('not sent to Prometheus');
  expect(sent).toBeGreaterThan(0);
  await expect(explore.input).toHaveValue('sum(rate(');
  await expect(page.getByTestId('nav')).toBeVisible();
});

test('a query Prometheus itself rejects shows its message in place', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore');
  // Valid syntax, refused when evaluated: an invalid label name for count_values.
  await explore.run('count_values("not a label", up)');
  await expect(page.getByTestId('error')).toContainText('invalid label name');
  await expect(explore.input).toHaveValue('count_values("not a label", up)');
});

test('graph and table over the page range, with completion of metric, label and value names', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore?from=now-15m&to=now');
  await explore.input.click();
  await explore.input.pressSequentially('http_requests_t');
  const list = page.getByTestId('completions');
  await expect(list).toHaveAttribute('data-kind', 'metric or function');
  await expect(list.getByTestId('completion').first()).toHaveText('http_requests_total');
  // A combobox for screen readers: expanded, controlling the list, announcing the highlighted one.
  await expect(explore.input).toHaveAttribute('role', 'combobox');
  await expect(explore.input).toHaveAttribute('aria-expanded', 'true');
  await expect(explore.input).toHaveAttribute('aria-controls', (await list.getAttribute('id'))!);
  await page.keyboard.press('ArrowDown');
  const first = list.getByTestId('completion').first();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await expect(explore.input).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id'))!);
  await page.keyboard.press('Tab');
  await expect(explore.input).toHaveValue('http_requests_total');
  await explore.input.pressSequentially('{serv');
  await expect(list).toHaveAttribute('data-kind', 'label');
  await expect(list.getByTestId('completion').first()).toHaveText('service');
  await page.keyboard.press('Tab');
  await expect(explore.input).toHaveValue('http_requests_total{service="');
  // The value list follows at once, from the label's values for this metric.
  await expect(list).toHaveAttribute('data-kind', 'value');
  await list.getByTestId('completion').filter({ hasText: /^orchestrator$/ }).click();
  await expect(explore.input).toHaveValue('http_requests_total{service="orchestrator"');
  await explore.input.press('End');
  await explore.input.pressSequentially('}');
  await page.keyboard.press('Escape');
  await page.getByTestId('run-query').click();
  await expect(page).toHaveURL(/query=http_requests_total%7Bservice%3D%22orchestrator%22%7D/);
  await expect(page).toHaveURL(/from=now-15m&to=now/);
  const graph = page.getByTestId('explore-graph');
  await expect(graph).toBeVisible();
  expect(Number(await graph.getAttribute('data-series'))).toBeGreaterThan(0);
  await expect(graph.locator('svg path.series').first()).toBeAttached();
  await expect(explore.series.first()).toContainText('service="orchestrator"');
});

test('exemplars are markers on the graph that open their trace, keeping the time range', async ({ page }) => {
  const explore = new ExplorePage(page);
  const q = 'histogram_quantile(0.99, sum by (le) (rate(task_duration_seconds_bucket[1m])))';
  await expect
    .poll(async () => {
      await explore.open(`/explore?query=${encodeURIComponent(q)}&from=now-10m&to=now`);
      return page.getByTestId('exemplar').count();
    }, { timeout: 60_000, intervals: [3_000] })
    .toBeGreaterThan(0);
  const mark = page.getByTestId('exemplar').first();
  const href = (await mark.getAttribute('href'))!;
  // exemplarTraceIdDestinations in the demo's provisioning: trace_id → Jaeger.
  expect(href).toMatch(/^\/trace\/[0-9a-f]{32}\?datasource=jaeger&from=now-10m&to=now$/);
  await expect(page.getByTestId('exemplar-list')).toContainText('exemplars');
  // Thinned per spot: each marker stands for the exemplars under it, and every exemplar is
  // counted once.
  const total = Number((await page.locator('[data-testid="exemplar-list"] summary').textContent())!.match(/^(\d+) exemplars/)![1]);
  const counts = await page.getByTestId('exemplar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
  expect(counts.every((n) => n >= 1)).toBe(true);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
  // Markers close in time overlap; the one on top takes the click, as for a user.
  await mark.locator('rect').click({ force: true });
  await expect(page).toHaveURL(/\/trace\/[0-9a-f]{32}\?datasource=jaeger&from=now-10m&to=now/);
  await expect(page.getByTestId('span-row').first()).toBeVisible();
  await expect(page.getByTestId('span-row').first()).toHaveAttribute('data-service', 'orchestrator');
});

test('the refresh picker re-runs the query on a timer', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore?query=time()');
  await page.getByTestId('refresh-picker-button').click();
  let calls = 0;
  page.on('response', (r) => {
    if (r.url().includes('/api/explore_metrics')) calls += 1;
  });
  await page.getByTestId('refresh-5s').click();
  await expect(page).toHaveURL(/refresh=5s/);
  await expect.poll(() => calls, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
});

test('Explore compares with a while ago: a dashed series, its difference in the legend, kept across runs', async ({ page }) => {
  const url = `/explore?query=${encodeURIComponent('count(up)')}&from=now-10m&to=now&compare=1m`;
  const graph = page.getByTestId('explore-graph');
  // The stack needs a minute of history before "a minute ago" has points.
  await expect(async () => {
    await page.goto(url);
    await expect(graph.locator('svg path.series.shifted')).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  await expect(graph.locator('svg path.series:not(.shifted)')).toHaveCount(1);
  const then = graph.locator('.legend-item').filter({ hasText: '(1m ago)' });
  await expect(then).toHaveCount(1);
  await expect(then.getByTestId('legend-delta')).toHaveText(/now [+-]?\d/);
  // Running the query again keeps the comparison.
  await page.getByTestId('run-query').click();
  await expect(page).toHaveURL(/compare=1m/);
  await expect(graph.locator('svg path.series.shifted')).toHaveCount(1);
});
