// Troubleshooting pages against the demo: a stopped service shows as a down target with its
// scrape error, and the cardinality page names the biggest metrics and counts labels per metric.
import { test, expect, type Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ConsolePage } from './fixtures/console';

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';

test('service_down on planner shows its target down with the scrape error', async ({ page, request }) => {
  test.setTimeout(90_000);
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'service_down', target: 'planner', duration: '5m' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const c = new ConsolePage(page);
  try {
    const planner = page.locator('[data-testid="target"][data-service="planner"]');
    await expect
      .poll(
        async () => {
          await c.open('/status/targets?health=down');
          return (await planner.count()) > 0 ? await planner.first().getAttribute('data-health') : '';
        },
        { timeout: 60_000, intervals: [2_000] },
      )
      .toBe('down');
    await expect(planner.getByTestId('target-error')).not.toHaveText('');
    await expect(page.locator('[data-testid="scrape-pool"]').first()).toHaveAttribute('data-pool', 'arms');
    await expect(page.getByTestId('health-down')).toContainText(/Down [1-9]/);
    // A panel with no data names the pools with targets down and links here.
    const dir = path.join(process.env.OCTOSCOPE_PROVISIONING ?? '', 'local-dashboards');
    const file = path.join(dir, 'nodata-e2e.json');
    fs.writeFileSync(file, JSON.stringify({
      uid: 'nodata-e2e', title: 'No data e2e', schemaVersion: 39,
      panels: [{ id: 1, type: 'stat', title: 'Planner up', gridPos: { x: 0, y: 0, w: 6, h: 4 },
        targets: [{ refId: 'A', expr: 'up{service="planner"} == 1', instant: true }] }],
    }));
    try {
      await expect(async () => {
        await c.open('/d/nodata-e2e?from=now-1m');
        await expect(page.getByTestId('targets-down-hint')).toContainText('arms', { timeout: 1000 });
      }).toPass({ timeout: 20_000 });
      await expect(page.getByTestId('no-data')).toBeVisible();
    } finally {
      fs.rmSync(file, { force: true });
    }
    // Label filter, and a bad one flagged in place.
    await c.open('/status/targets?matchers=service%3D%22coder%22');
    await expect(page.locator('[data-testid="target"]')).toHaveCount(1);
    await c.open('/status/targets?matchers=service%3D~%22(%22');
    await expect(page.getByTestId('target-matchers-error')).toBeVisible();
  } finally {
    await request.delete(`${control}/sim/incidents/${id}`);
  }
});

test('cardinality lists the top metrics and counts the labels of one metric', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/status/cardinality');
  await expect(page.getByTestId('top-metrics').locator('[data-name="http_request_duration_seconds_bucket"]')).toBeVisible();
  await expect(page.getByTestId('total-series')).toContainText(/\d+ series/);
  await page.getByTestId('top-metrics').locator('[data-name="http_request_duration_seconds_bucket"] a').click();
  await expect(page).toHaveURL(/metric=http_request_duration_seconds_bucket/);
  const le = page.getByTestId('metric-labels').locator('[data-name="le"]');
  await expect(le).toBeVisible();
  expect(Number(await le.locator('td.num').first().textContent())).toBeGreaterThan(3);
  await c.open('/status/cardinality?metric=not%20a%20metric');
  await expect(page.getByTestId('error')).toContainText('is not a metric name');
});

test('the route tester sends a critical alert to pagerduty and continues to slack', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/status/alerting');
  await expect(page.getByTestId('prometheus-am')).toHaveCount(2);
  await expect(page.getByTestId('route-tree').first()).toContainText('pagerduty');
  await page.getByTestId('route-labels').fill('alertname="ServiceDown", severity="critical", service="planner"');
  await page.getByTestId('test-route').click();
  await expect(page).toHaveURL(/labels=/);
  await expect(page.getByTestId('route-receiver')).toHaveText(['pagerduty', 'slack']);
  const tree = page.getByTestId('route-tree').first();
  await expect(tree.locator('[data-testid="route"][data-matched="true"]')).toHaveCount(2);
  await expect(tree.locator('[data-receiver="pagerduty"]')).toContainText('continue');
  // A warning goes to slack only, and the guide's inhibit rule (critical mutes warning of the
  // same alertname and instance) is named.
  await c.open('/status/alerting?labels=' + encodeURIComponent('alertname="HighErrorRate", severity="warning", service="planner"'));
  await expect(page.getByTestId('route-receiver')).toHaveText(['slack']);
  await expect(page.getByTestId('route-inhibition').first()).toBeVisible();
  // Secrets never reach the page: receivers show names and integration types only.
  expect(await page.content()).not.toContain('/sim/sink/');
  await c.open('/status/alerting?labels=' + encodeURIComponent('severity=~"crit.*"'));
  await expect(page.getByTestId('route-labels-error')).toContainText('plain values');
});

test('why was I paged: an alert row opens its route, receivers, grouping and timings', async ({ page, request }) => {
  test.setTimeout(120_000);
  // An alert of our own in both Alertmanagers, as Prometheus would send it.
  const addrs = (process.env.OCTOSCOPE_E2E_AM_ADDRS ?? '').split(',').filter(Boolean);
  expect(addrs.length, 'cargo xtask test exports OCTOSCOPE_E2E_AM_ADDRS').toBeGreaterThan(0);
  const alert = {
    labels: { alertname: 'RouteProbe', severity: 'critical', service: 'planner', instance: 'probe:1' },
    annotations: { summary: 'why was I paged' },
    startsAt: new Date(Date.now() - 5_000).toISOString(),
    // Gone by itself soon after, so later journeys' alert lists are as they expect.
    endsAt: new Date(Date.now() + 90_000).toISOString(),
  };
  for (const addr of addrs) {
    const r = await request.post(`http://${addr}/api/v2/alerts`, { data: [alert] });
    expect(r.ok()).toBe(true);
  }
  const c = new ConsolePage(page);
  const row = page.locator('[data-testid="am-alert"][data-alertname="RouteProbe"]');
  // The alert pages read Alertmanager through a snapshot of a few seconds (longer while it is
  // slow after the fleet journeys): reload until the new alert is in it.
  await expect
    .poll(async () => {
      await c.open('/alerting/groups?filter=' + encodeURIComponent('alertname="RouteProbe"'));
      return row.count();
    }, { timeout: 80_000, intervals: [2_000] })
    .toBe(1);
  await row.getByTestId('alert-route').click();
  // The route trace, kept in the URL: the guide's tree pages PagerDuty and continues to Slack,
  // grouped by alertname and severity with the root's timings.
  await expect(page).toHaveURL(/\/status\/alerting\?labels=.*RouteProbe.*#route-result/);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(page.getByTestId('route-receiver')).toHaveText(['pagerduty', 'slack']);
  const matches = page.getByTestId('route-match');
  await expect(matches).toHaveCount(2);
  await expect(matches.first()).toContainText('root → {severity="critical"} → pagerduty');
  await expect(matches.first()).toContainText('grouped by alertname, severity');
  await expect(matches.first()).toContainText('group_wait 10s');
  await expect(matches.first()).toContainText('repeat_interval 12h');
  await expect(matches.nth(1)).toContainText('{severity=~"warning|critical"} → slack');
  await expect(page.getByTestId('route-labels')).toHaveValue(/alertname="RouteProbe"/);
});
