// Runs with JavaScript disabled: the server-rendered HTML alone must be useful.
import { test, expect } from '@playwright/test';

test('SSR pages carry data without JavaScript', async ({ page }) => {
  await page.goto('/explore?query=prometheus_build_info');
  await expect(page.getByTestId('result-series').first()).toContainText('prometheus_build_info{');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
});

test('the query form works as a plain HTML form', async ({ page }) => {
  await page.goto('/explore');
  await page.getByTestId('query-input').fill('vector(7)');
  await page.getByTestId('run-query').click();
  await expect(page).toHaveURL(/query=vector%287%29/);
  await expect(page.getByTestId('result-value').first()).toHaveText('7');
});

test('datasources are listed on the home page', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('datasource-row')).toHaveCount(6);
  await expect(page.getByTestId('datasource-table')).toContainText('Alertmanager 2');
});

test('dashboards, silences, logs, SLOs and traces are useful without JavaScript', async ({ page }) => {
  await page.goto('/d/octollm-namespace-prod/namespace-octollm-prod?from=now-1h&var-namespace=octollm-prod');
  await expect(page.getByTestId('panel').first()).toBeVisible();
  await expect(page.locator('svg.chart-svg').first()).toBeVisible();

  // The silences list renders from the server (both Alertmanagers answered), and its search is
  // a plain GET form.
  await page.goto('/alerting/silences?expired=1');
  await expect(page.getByTestId('new-silence')).toBeVisible();
  await expect(page.getByTestId('error')).toHaveCount(0);
  await page.getByTestId('silence-search').fill('maintenance');
  await page.getByTestId('silence-search').press('Enter');
  await expect(page).toHaveURL(/q=maintenance/);

  await page.goto('/explore?mode=logs&query=%7Bservice%3D%22orchestrator%22%7D&from=now-15m');
  await expect(page.getByTestId('log-line').first()).toBeVisible();

  await page.goto('/slo');
  expect(await page.getByTestId('slo-row').count()).toBeGreaterThanOrEqual(3);

  await page.goto('/trace/trace-123?datasource=jaeger');
  await expect(page.getByTestId('span-row')).toHaveCount(11);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
});
