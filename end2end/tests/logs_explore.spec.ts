// Explore in logs mode against the demo's Loki stand-in: lines in the first HTML, newest first,
// and Loki's own message for a broken query.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

test('logs mode shows the lines of a LogQL query and Loki errors in place', async ({ page, request }) => {
  const q = encodeURIComponent('{service="orchestrator"}');
  // The page is rendered on the server with the lines in it.
  await expect(async () => {
    const html = await (await request.get(`/explore?mode=logs&query=${q}&from=now-15m`)).text();
    expect(html).toContain('data-testid="log-line"');
  }).toPass({ timeout: 30_000 });

  const c = new ConsolePage(page);
  await c.open(`/explore?mode=logs&query=${q}&from=now-15m`);
  const lines = page.getByTestId('log-line');
  await expect(lines.first()).toContainText('orchestrator');
  const times = await page.locator('[data-testid="log-line"] td:first-child').allTextContents();
  expect(times.length).toBeGreaterThan(1);
  expect([...times].sort().reverse()).toEqual(times);

  await page.getByTestId('logs-input').fill('{service="orchestrator"');
  await page.getByTestId('run-logs').click();
  await expect(page.getByTestId('error')).toContainText('parse error');
  await expect(page).toHaveURL(/mode=logs/);
  await expect(page.getByTestId('logs-input')).toHaveValue('{service="orchestrator"');
});
