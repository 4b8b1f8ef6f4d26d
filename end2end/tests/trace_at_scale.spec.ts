// The fleet-size trace: the simulator's 100,000-span trace (50 services, wide and 300 spans deep)
// opens with one screen of rows and the tree's shape, "find span" goes to the one failed span deep
// inside it, its logs open, and scrolling the fully expanded trace fetches windows without ever
// holding more than one on the page. Against Jaeger and Tempo stand-ins answering upstream shapes.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

const TRACE = '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e';
const WINDOW = 150;

test('a 100,000-span trace: one screen sent, find the error span, open its logs', async ({ page }) => {
  test.setTimeout(120_000);
  const c = new ConsolePage(page);
  const answer = await page.goto(`/trace/${TRACE}?datasource=jaeger`);
  expect(answer?.status()).toBe(200);
  const html = await answer!.body();
  expect(html.length, 'the first response is bounded by the screen').toBeLessThan(1 << 20);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(page.getByTestId('trace-summary')).toContainText('100,000 spans · 50 services · 1 errors');

  // Large traces open two levels: the root, 49 services and their first calls.
  const rows = page.getByTestId('span-row');
  await expect(rows).toHaveCount(WINDOW);
  await expect(page.getByTestId('span-shown')).toHaveText(/^rows 1–150 of 247 · 99,753 spans inside closed spans$/);
  // A closed span says what it hides, failures included.
  const root = rows.first();
  await expect(root).toHaveAttribute('data-service', 'orchestrator');
  const hiding = page.locator('[data-testid="span-row"][data-service="executor-03"]').first();
  await expect(hiding).toBeVisible();
  await expect(page.getByTestId('span-hidden').filter({ hasText: '1 failed' }).first()).toBeVisible();

  // Find the failed span: the tree opens down to it (depth 301), it is selected and shown.
  await page.getByTestId('span-find-input').fill('error');
  await page.getByTestId('span-find-go').click();
  await expect(page.getByTestId('span-find-count')).toHaveText('1 of 1 matches');
  const failed = page.locator('[data-testid="span-row"][data-error="true"]');
  await expect(failed).toHaveCount(1);
  await expect(failed).toBeInViewport();
  await expect(failed).toHaveClass(/selected/);
  await expect(rows).toHaveCount(WINDOW);
  await expect(page.getByTestId('span-details')).toContainText('http.status_code');
  await expect(page.getByTestId('span-details')).toContainText('500');

  // Its logs: the Loki stand-in's lines of this trace for the failed span's service.
  await page.getByTestId('span-logs-link').click();
  await expect(page).toHaveURL(/mode=logs.*datasource=loki/);
  await expect(page.getByTestId('logs-input')).toHaveValue(`{service="executor-03"} |= "${TRACE}"`);
  await expect(page.getByTestId('log-line').filter({ hasText: 'giving up after 300 retries' })).toHaveCount(1);
});

test('scrolling the expanded 100,000-span trace fetches windows, never the whole trace', async ({ page }) => {
  test.setTimeout(120_000);
  const c = new ConsolePage(page);
  await c.open(`/trace/${TRACE}?datasource=tempo`);
  await expect(page.getByTestId('trace-summary')).toContainText('100,000 spans');
  const windows: number[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/trace_rows')) windows.push(1);
  });
  await page.getByTestId('span-expand-all').click();
  await expect(page.getByTestId('span-shown')).toHaveText('rows 1–150 of 100,000');
  const rows = page.getByTestId('span-row');
  await expect(rows).toHaveCount(WINDOW);

  // To the bottom: depth first, the last rows are the last service's calls.
  await page.getByTestId('waterfall').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.getByTestId('span-shown')).toHaveText('rows 99,851–100,000 of 100,000');
  await expect(rows.last()).toHaveAttribute('data-service', 'retriever-07');
  // …and they are the rows the scroll box shows (the box itself may sit below the page's fold).
  const shownInBox = await page.getByTestId('waterfall').evaluate((box) => {
    const all = box.querySelectorAll('[data-testid="span-row"]');
    const last = all[all.length - 1].getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return last.top >= b.top - 1 && last.bottom <= b.bottom + 1;
  });
  expect(shownInBox).toBe(true);
  await expect(rows).toHaveCount(WINDOW);

  // Back to the middle, and a collapse: the counts follow.
  await page.getByTestId('waterfall').evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
  await expect(page.getByTestId('span-shown')).toHaveText(/^rows 4\d,\d{3}–(4|5)\d,\d{3} of 100,000$/);
  await page.getByTestId('span-collapse-all').click();
  await expect(page.getByTestId('span-shown')).toHaveText('1 row · 99,999 spans inside closed spans');
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('span-hidden')).toHaveText('99,999 spans, 1 failed');
  expect(windows.length, 'every window came from the server').toBeGreaterThanOrEqual(4);
});
