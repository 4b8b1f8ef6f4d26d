// Every timestamp says its zone, and the top bar's UTC/local switch applies everywhere: log lines,
// the time picker, trace lists, alert and silence times, chart axes — and the server's first HTML.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

test.use({ timezoneId: 'Asia/Kolkata' }); // UTC+05:30 all year: no DST to race with

const FROM = 1700000000000; // 2023-11-14 22:13:20 UTC

test('the UTC/local switch changes every time on every page and survives a reload', async ({ page, context }) => {
  const c = new ConsolePage(page);
  await c.open(`/explore?mode=logs&query=${encodeURIComponent('{service="orchestrator"}')}`);
  const toggle = page.getByTestId('zone-toggle');
  await expect(toggle).toHaveAttribute('data-zone', 'utc');
  const first = page.getByTestId('log-line').first().getByTestId('timestamp');
  await expect(first).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
  const iso = (await first.getAttribute('datetime'))!;
  const utcText = (await first.textContent())!;
  expect(utcText.slice(0, 23)).toBe(iso.replace('T', ' ').slice(0, 23));

  await toggle.click();
  await expect(toggle).toHaveText('Local (UTC+05:30)');
  await expect(first).toHaveText(/ UTC\+05:30$/);
  // The same instant, 5 h 30 min later on the clock.
  const shifted = new Date(Date.parse(iso) + 330 * 60_000).toISOString().replace('T', ' ').slice(0, 23);
  await expect(first).toHaveText(`${shifted} UTC+05:30`);
  // The volume bars' tooltips follow too.
  await expect(page.getByTestId('log-volume').locator('title').first()).toContainText('UTC+05:30');

  // Another page, absolute range in the URL: the picker reads it as local dates.
  await c.open(`/explore?query=up&from=${FROM}&to=${FROM + 3_600_000}`);
  await expect(page.getByTestId('time-picker-button')).toHaveText('2023-11-15 03:43:20 UTC+05:30 to 2023-11-15 04:43:20 UTC+05:30');

  // The choice is a cookie: the server renders local times in the first HTML.
  const html = await (await context.request.get(`/explore?mode=logs&query=${encodeURIComponent('{service="orchestrator"}')}`)).text();
  expect(html).toContain('UTC+05:30');
  expect(html).not.toMatch(/\d\d:\d\d:\d\d\.\d{3} UTC</);

  // Traces list and alerting pages.
  await c.open('/explore?mode=traces&service=orchestrator&from=now-15m&to=now');
  await expect(page.getByTestId('trace-hit').first().getByTestId('timestamp')).toHaveText(/ UTC\+05:30$/);

  // Alert rows are drawn on the server (plain HTML, no hydration data): in the zone of the
  // cookie, and they follow the switch too.
  await c.open('/alerting/groups');
  const since = page.getByTestId('am-alert').first().getByTestId('timestamp');
  await expect(since).toHaveText(/ UTC\+05:30$/);
  await page.getByTestId('zone-toggle').click();
  await expect(since).toHaveText(/\d UTC$/);
  await page.getByTestId('zone-toggle').click();
  await expect(since).toHaveText(/ UTC\+05:30$/);
  await c.open('/explore?mode=traces&service=orchestrator&from=now-15m&to=now');

  // Back to UTC, everywhere.
  await page.getByTestId('zone-toggle').click();
  await expect(page.getByTestId('zone-toggle')).toHaveText('UTC');
  await expect(page.getByTestId('trace-hit').first().getByTestId('timestamp')).toHaveText(/\d UTC$/);
  await page.reload();
  await expect(page.getByTestId('zone-toggle')).toHaveAttribute('data-zone', 'utc');
});

test('a dashboard pinned to UTC stays in UTC; one saying "browser" follows the switch', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open(`/d/octollm-overview?from=${FROM}&to=${FROM + 3_600_000}&timezone=utc`);
  await expect(page.getByTestId('dashboard-range')).toContainText('2023-11-14 22:13 → 2023-11-14 23:13 (UTC)');
  await page.getByTestId('zone-toggle').click();
  await expect(page.getByTestId('zone-toggle')).toHaveText('Local (UTC+05:30)');
  await expect(page.getByTestId('dashboard-range')).toContainText('(UTC)');
  await c.open(`/d/octollm-overview?from=${FROM}&to=${FROM + 3_600_000}`);
  await expect(page.getByTestId('dashboard-range')).toContainText('2023-11-15 03:43 → 2023-11-15 04:43 (UTC+05:30)');
  await page.getByTestId('zone-toggle').click();
  await expect(page.getByTestId('dashboard-range')).toContainText('2023-11-14 22:13 → 2023-11-14 23:13 (UTC)');
  // Charts with data name their axis zone, in the first HTML and after a switch.
  await page.getByTestId('zone-toggle').click();
  await c.open('/d/octollm-overview?from=now-1h&to=now');
  await expect(page.locator('svg .axis-zone').first()).toHaveText('UTC+05:30');
  await page.getByTestId('zone-toggle').click();
  await expect(page.locator('svg .axis-zone').first()).toHaveText('UTC');
});
