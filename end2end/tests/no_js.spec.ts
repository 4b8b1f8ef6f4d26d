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
