// Wall-screen playlists from provisioning/playlists: the list, one playlist's items, and playing
// it: kiosk, the item's own range and variables, a bar naming what comes next, the next item
// after the interval (20 s in the demo's oncall-wall), and Stop.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

test('a playlist plays its dashboards in kiosk mode, each with its own range, and moves on by itself', async ({ page }) => {
  test.setTimeout(90_000);
  const c = new ConsolePage(page);
  await c.open('/playlists');
  const row = page.getByTestId('playlist').filter({ hasText: 'OctoLLM on-call wall' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('20s');
  await row.getByRole('link', { name: 'OctoLLM on-call wall' }).click();
  await expect(page.getByTestId('playlist-items').locator('li')).toHaveCount(3);

  await page.getByTestId('play').click();
  await expect(page).toHaveURL(/\/d\/octollm-overview\?from=now-1h&refresh=30s&kiosk&playlist=oncall-wall&playlist_index=0/);
  await expect(page.getByTestId('nav-dashboards')).toHaveCount(0);
  const bar = page.getByTestId('playlist-bar');
  await expect(bar).toContainText('OctoLLM on-call wall · 1/3 · next: octollm-namespace-prod');

  // After the interval, the next dashboard with its own range and variable.
  await expect(page).toHaveURL(/\/d\/octollm-namespace-prod\?from=now-3h&refresh=30s&var-namespace=octollm-prod&kiosk&playlist=oncall-wall&playlist_index=1/, { timeout: 30_000 });
  await expect(bar).toContainText('2/3');
  await expect(page.getByTestId('dashboard')).toBeVisible();

  // Stop: the same dashboard, chrome back, no more cycling.
  await page.getByTestId('playlist-stop').click();
  await expect(page).not.toHaveURL(/playlist=/);
  await expect(page.getByTestId('nav-dashboards')).toHaveCount(1);
  await expect(page.getByTestId('playlist-bar')).toHaveCount(0);
});

test('an unknown playlist is a 404 that says where the playlists are', async ({ request }) => {
  const res = await request.get('/playlists/nope');
  expect(res.status()).toBe(404);
  expect(await res.text()).toContain('see /playlists');
});
