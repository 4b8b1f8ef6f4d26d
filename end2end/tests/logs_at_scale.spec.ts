// 100,000 log lines in range (the simulator's firehose stream, through the Loki stand-in): the
// first response holds one window of 100 lines, the page says how many of how many (the volume's
// exact count), and scrolling fetches the next windows, continuing exactly after the last line
// shown even where two lines share a timestamp.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

const QUERY = encodeURIComponent('{service="log-firehose"}');
const seqs = async (page: import('@playwright/test').Page) =>
  (await page.getByTestId('log-line-text').allTextContents()).map((t) => Number(/"seq":(\d+)/.exec(t)![1]));

test('100,000 lines in range: one window sent, the count exact, scrolling loads the next', async ({ page }) => {
  test.setTimeout(120_000);
  const c = new ConsolePage(page);
  const answer = await page.goto(`/explore?mode=logs&query=${QUERY}&from=now-2h&to=now`);
  expect(answer?.status()).toBe(200);
  expect((await answer!.body()).length, 'the first response is bounded by the screen').toBeLessThan(1 << 20);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  const lines = page.getByTestId('log-line');
  await expect(lines).toHaveCount(100);
  await expect(page.getByTestId('log-volume')).toContainText('100,000 lines in the range');
  await expect(page.getByTestId('logs-shown')).toHaveText('100 lines of 100,000 in the range from Loki, newest first');
  let seen = await seqs(page);
  expect(seen[0]).toBe(99_999);

  // Scrolling to the end of the window loads the next one by itself.
  await page.getByTestId('logs-more').scrollIntoViewIfNeeded();
  await expect(lines).toHaveCount(200);
  await expect(page.getByTestId('logs-shown')).toHaveText('200 lines of 100,000 in the range from Loki, newest first');
  // And the link does the same when clicked.
  await page.getByTestId('logs-more').click();
  await expect.poll(() => lines.count()).toBeGreaterThanOrEqual(300);
  seen = (await seqs(page)).slice(0, 300);
  // No line twice, none skipped across the windows' shared timestamps (two lines share each; of
  // two lines at one instant in different streams either may come first, as in Loki).
  expect(new Set(seen).size).toBe(300);
  expect([...seen].sort((a, b) => b - a)).toEqual(Array.from({ length: 300 }, (_, k) => 99_999 - k));
  for (let k = 0; k < 300; k += 2) expect(Math.floor(seen[k] / 2)).toBe(Math.floor(seen[k + 1] / 2));
});
