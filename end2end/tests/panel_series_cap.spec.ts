// A panel past its series cap (every latency bucket of every demo service, unaggregated, against
// the real Prometheus): it draws the 50 series with the highest peaks and says so, and the badge
// opens the summary of the ones it does not draw — none silently dropped.
import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ConsolePage } from './fixtures/console';

const DASHBOARD = {
  uid: 'series-cap', title: 'Series cap', schemaVersion: 39,
  panels: [{
    id: 1, type: 'timeseries', title: 'Every latency bucket', gridPos: { x: 0, y: 0, w: 24, h: 9 },
    targets: [{ refId: 'A', expr: 'http_request_duration_seconds_bucket' }],
  }],
};

test('a panel past its series cap says what it draws and summarises the rest', async ({ page }) => {
  expect(process.env.OCTOSCOPE_PROVISIONING, 'cargo xtask test exports OCTOSCOPE_PROVISIONING').toBeTruthy();
  const file = path.join(process.env.OCTOSCOPE_PROVISIONING!, 'local-dashboards', 'series-cap-e2e.json');
  fs.writeFileSync(file, JSON.stringify(DASHBOARD));
  try {
    const c = new ConsolePage(page);
    const badge = page.getByTestId('series-cap');
    // The store rescans at most every 2 s.
    await expect(async () => {
      await c.open('/d/series-cap/series-cap?from=now-15m&to=now');
      await expect(badge).toHaveText(/^showing 50 of \d+ series, highest peaks$/, { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    const total = Number((await badge.textContent())!.match(/of (\d+) series/)![1]);
    expect(total).toBeGreaterThan(50);
    const others = page.getByTestId('series-others');
    await expect(others).toBeHidden();
    await badge.click();
    await expect(others).toBeVisible();
    await expect(others).toContainText(`${total - 50} more series, peaks `);
    await expect(page.getByTestId('panel').locator('svg.chart-svg')).toHaveCount(1);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
