import { test, expect } from '@playwright/test';
import { ExplorePage } from './fixtures/console';

test('a value queried from real Prometheus through a server function appears', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore');
  const serverFn = page.waitForResponse((r) => r.url().includes('/api/query_instant') && r.status() === 200);
  // A value computed by Prometheus from its own scrape: 1 + the number of up series.
  await explore.run('count(up{job="prometheus"}) + 41');
  await serverFn;
  await expect(explore.values.first()).toHaveText('42');
  await expect(page).toHaveURL(/query=count/);
});

test('a query Prometheus rejects shows its message in place and keeps the input', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore');
  await explore.run('sum(rate(');
  await expect(page.getByTestId('error')).toContainText('bad_data');
  await expect(explore.input).toHaveValue('sum(rate(');
  await expect(page.getByTestId('nav')).toBeVisible();
});

test('the refresh picker re-runs the query on a timer', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore?query=time()');
  await page.getByTestId('refresh-picker-button').click();
  let calls = 0;
  page.on('response', (r) => {
    if (r.url().includes('/api/query_instant')) calls += 1;
  });
  await page.getByTestId('refresh-5s').click();
  await expect(page).toHaveURL(/refresh=5s/);
  await expect.poll(() => calls, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
});
