// VictoriaMetrics (Debian's, with vmalert) beside the demo's Prometheus, scraping the same
// simulator with the same prometheus.yml and rule files. `cargo xtask e2e` starts a console whose
// default datasource reads it (address in OCTOSCOPE_E2E_VM): the same dashboards, rules page and
// Explore work against it, MetricsQL runs, and what it does not serve is said where it is met.
import { test, expect, type Page } from '@playwright/test';

const vm = process.env.OCTOSCOPE_E2E_VM ?? '';

async function open(page: Page, path: string) {
  await page.goto(`http://${vm}${path}`);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

test('dashboards, rules and Explore work against VictoriaMetrics, and what it lacks is named', async ({ page }) => {
  expect(vm, 'xtask exports OCTOSCOPE_E2E_VM').not.toBe('');

  // The guide's dashboard as given, drawn from VictoriaMetrics.
  await open(page, '/d/octollm-overview-guide?from=now-15m');
  const panel = (title: string) => page.locator(`[data-testid="panel"][aria-label="${title}"]`);
  for (const title of ['Request Rate', 'P95 Latency']) {
    await expect(panel(title).locator('svg.chart-svg'), title).toHaveCount(1);
  }
  await expect(panel('Request Rate').getByTestId('legend')).toContainText('POST /api/v1/tasks');
  await expect(page.getByTestId('error')).toHaveCount(0);

  // The rules page reads vmalert's groups through VictoriaMetrics: the guide's rules.
  await open(page, '/alerting/list');
  await expect(page.getByText('From VictoriaMetrics')).toBeVisible();
  // vmalert orders groups by name: the guide's six octollm_* groups come first, open.
  for (const name of ['ServiceDown', 'HighErrorRate', 'HighPIIDetectionRate']) {
    await expect(page.locator(`[data-testid="rule-row"][data-rule="${name}"]`), name).toHaveCount(1);
  }

  // MetricsQL from Explore: the console's PromQL check lets it through, VictoriaMetrics runs it.
  await open(page, '/explore');
  await page.getByTestId('query-input').fill('rollup_rate(http_requests_total{service="orchestrator", status="success"}[1m])');
  await page.getByTestId('run-query').click();
  await expect(page.getByTestId('explore-graph').locator('svg path.series').first()).toBeAttached();
  await expect(page.getByTestId('result-series').first()).toContainText('rollup');
  await expect(page.getByTestId('error')).toHaveCount(0);

  // Cardinality from its TSDB status, saying which figure it does not keep.
  await open(page, '/status/cardinality');
  await expect(page.getByTestId('total-series')).toContainText(/\d+ series in VictoriaMetrics/);
  await expect(page.getByTestId('label-memory-absent')).toContainText('does not report memory per label');

  // No /api/v1/alertmanagers: the pipeline's engine card says so; the Alertmanager cards read.
  await open(page, '/status/alerting');
  await expect(page.getByTestId('prometheus-pipeline')).toContainText('does not serve /api/v1/alertmanagers');
  await expect(page.getByTestId('route-tree').first()).toContainText('pagerduty');
});
