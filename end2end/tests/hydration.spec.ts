import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

test('the page hydrates and the theme toggle works in the browser', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const console = new ConsolePage(page);
  await console.open('/?theme=light');
  await expect(console.frame).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').click();
  await expect(console.frame).toHaveAttribute('data-theme', 'dark');
  // The dark palette is really applied, not just the attribute.
  const bg = await console.frame.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).not.toBe('rgb(255, 255, 255)');
  await page.getByTestId('theme-toggle').click();
  await expect(console.frame).toHaveAttribute('data-theme', 'light');
  expect(errors).toEqual([]);
});

test('navigation moves between pages without a reload', async ({ page }) => {
  const console = new ConsolePage(page);
  await console.open('/');
  await page.evaluate(() => ((window as any).__marker = 'same-document'));
  await console.nav('explore').click();
  await expect(page).toHaveURL(/\/explore$/);
  await expect(page.getByTestId('query-input')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__marker)).toBe('same-document');
});

test('kiosk mode hides all chrome', async ({ page }) => {
  const console = new ConsolePage(page);
  await console.open('/explore?kiosk');
  await expect(page.getByTestId('topbar')).toHaveCount(0);
  await expect(page.getByTestId('nav')).toHaveCount(0);
  await expect(page.getByTestId('query-input')).toBeVisible();
});

test('the time picker keeps the rest of the view in the URL', async ({ page }) => {
  const console = new ConsolePage(page);
  await console.open('/explore?query=up');
  await page.getByTestId('time-picker-button').click();
  await page.getByTestId('time-range-now-1h').click();
  await expect(page).toHaveURL(/query=up&from=now-1h&to=now/);
  await expect(page.getByTestId('time-picker-button')).toHaveText('Last 1 hour');
});

test('the content security policy lets every page hydrate and blocks nothing it needs', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(e.message));
  const console = new ConsolePage(page);
  for (const path of ['/', '/dashboards', '/explore?query=up', '/explore?mode=logs', '/alerting/groups', '/alerting/silences', '/slo', '/traces', '/status/targets']) {
    const resp = await page.goto(path);
    expect(resp?.headers()['content-security-policy'] ?? '').toMatch(/script-src 'self' 'nonce-[\w-]+' 'wasm-unsafe-eval'/);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  }
  // Charts (SVG with style attributes) draw and answer the mouse under the policy.
  await console.open('/d/octollm-namespace-prod/namespace-octollm-prod?from=now-1h&var-namespace=octollm-prod');
  await expect(page.locator('svg.chart-svg').first()).toBeVisible();
  const overlay = page.getByTestId('chart-overlay').first();
  const box = (await overlay.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // The tooltip (a hydrated, style-positioned element) shows values under the cursor.
  const tooltip = page.getByTestId('chart-tooltip').first();
  await expect(tooltip).toBeVisible();
  await expect(tooltip.locator('.tt-row').first()).toContainText(/\d/);
  expect(violations).toEqual([]);
});
