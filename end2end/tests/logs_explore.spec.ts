// Explore in logs mode against the demo's Loki stand-in: lines in the first HTML, newest first,
// and Loki's own message for a broken query; order, limit, a line's fields and its context.
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

test('logs oldest first with a limit, a line expanded to its fields, and its context', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open(`/explore?mode=logs&query=${encodeURIComponent('{service="executor"}')}&from=now-15m`);
  await expect(page.getByTestId('log-line').first()).toBeVisible();

  // The volume histogram above the lines: Loki's count_over_time by level, one bar per bucket.
  const bars = page.getByTestId('log-volume-bar');
  await expect(bars.first()).toBeVisible();
  const counts = (await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count')))));
  expect(counts.every((n) => n > 0)).toBe(true);
  await expect(page.getByTestId('log-volume')).toContainText('info');
  // A bar zooms to its bucket, keeping the query.
  await bars.nth(Math.floor(counts.length / 2)).click();
  await expect(page).toHaveURL(/from=\d{13}&to=\d{13}/);
  await expect(page.getByTestId('logs-input')).toHaveValue('{service="executor"}');
  await expect(page.getByTestId('log-line').first()).toBeVisible();
  await c.open(`/explore?mode=logs&query=${encodeURIComponent('{service="executor"}')}&from=now-15m`);

  await page.getByTestId('logs-direction').selectOption('forward');
  await page.getByTestId('logs-limit').fill('7');
  await page.getByTestId('run-logs').click();
  await expect(page).toHaveURL(/direction=forward/);
  await expect(page).toHaveURL(/limit=7/);
  await expect(page.getByTestId('logs-result')).toContainText('oldest first');
  const lines = page.getByTestId('log-line');
  await expect(lines).toHaveCount(7);
  const times = await page.locator('[data-testid="log-line"] td:first-child').allTextContents();
  expect([...times].sort()).toEqual(times);

  // Expanding a line shows its parsed JSON fields; the row is coloured by that level.
  const first = lines.first();
  await expect(first.getByTestId('log-fields')).toBeHidden();
  await first.getByTestId('log-line-text').click();
  const fields = first.getByTestId('log-fields');
  await expect(fields).toBeVisible();
  await expect(fields).toContainText('service');
  await expect(fields).toContainText('executor');
  const level = await first.getAttribute('data-level');
  expect(['info', 'warn', 'error', 'debug']).toContain(level);
  await expect(fields).toContainText(level!);

  // Show context: the same stream unfiltered around the line, the line outlined.
  const text = await first.getByTestId('log-line-text').textContent();
  await first.getByTestId('log-context-link').click();
  await expect(page).toHaveURL(/highlight=\d+/);
  await expect(page).toHaveURL(/direction=forward/);
  await expect(page.getByTestId('logs-input')).toHaveValue(/service="executor"/);
  const outlined = page.locator('[data-testid="log-line"][data-highlighted="true"]');
  await expect(outlined).toHaveCount(1);
  await expect(outlined.getByTestId('log-line-text')).toHaveText(text!);

  // A limit out of range is refused where the user is, the query kept.
  await c.open(`/explore?mode=logs&query=${encodeURIComponent('{service="executor"}')}&limit=9999`);
  await expect(page.getByTestId('error')).toContainText('between 1 and 5000');
  await expect(page.getByTestId('logs-input')).toHaveValue('{service="executor"}');
});

test('the LogQL editor completes stream label names and values from Loki', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/explore?mode=logs&from=now-15m&to=now');
  const input = page.getByTestId('logs-input');
  await input.click();
  await input.pressSequentially('{serv');
  const list = page.getByTestId('completions');
  await expect(list).toHaveAttribute('data-kind', 'label');
  await expect(list.getByTestId('completion').first()).toHaveText('service');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('{service="');
  // The values of `service` from Loki's label API follow at once.
  await expect(list).toHaveAttribute('data-kind', 'value');
  await list.getByTestId('completion').filter({ hasText: /^executor$/ }).click();
  await expect(input).toHaveValue('{service="executor"');
  await input.press('End');
  await input.pressSequentially('} |= "handled"');
  await page.keyboard.press('Escape');
  await page.getByTestId('run-logs').click();
  await expect(page).toHaveURL(/query=%7Bservice%3D%22executor%22%7D/);
  await expect(page.getByTestId('log-line').first()).toContainText('executor');
});
