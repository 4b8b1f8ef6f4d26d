// The alert pages with a fleet loaded into the demo's real Alertmanagers (through their v2 API):
// the groups page shows one screen of groups with exact counts and "showing N of M"; filtering to
// one service, silencing its group and seeing the counts change works as with a handful. Tagged
// @destructive: it loads the Alertmanagers (and clears what it loaded at the end).
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';

const ALERTS = 1_000;
const SERVICES = 100;

async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

/// The fleet's alerts; `ended` resolves them (Alertmanager drops resolved alerts from its groups).
function fleet(ended: boolean) {
  const now = Date.now();
  const end = new Date(ended ? now - 1_000 : now + 3_600_000).toISOString();
  return Array.from({ length: ALERTS }, (_, i) => ({
    labels: {
      alertname: `ScaleAlert${String(i % 10).padStart(2, '0')}`,
      service: `svc-${String(i % SERVICES).padStart(3, '0')}`,
      severity: i % 3 === 0 ? 'critical' : 'warning',
      instance: `inst-${i}`,
      fleet: 'e2e',
    },
    annotations: { summary: `scale alert ${i}` },
    // Always before `end`, or Alertmanager refuses the batch.
    startsAt: new Date(now - 2_000 - (i % 600) * 1_000).toISOString(),
    endsAt: end,
  }));
}

/// Posts to every Alertmanager that answers (one may have been stopped by another journey).
async function post(request: APIRequestContext, alerts: object[]) {
  const addrs = (process.env.OCTOSCOPE_E2E_AM_ADDRS ?? '').split(',').filter(Boolean);
  expect(addrs.length, 'cargo xtask test exports OCTOSCOPE_E2E_AM_ADDRS').toBeGreaterThan(0);
  let accepted = 0;
  for (const addr of addrs) {
    try {
      const r = await request.post(`http://${addr}/api/v2/alerts`, { data: alerts });
      if (r.ok()) accepted += 1;
    } catch {
      // A stopped Alertmanager: the others hold the fleet.
    }
  }
  expect(accepted).toBeGreaterThan(0);
}

test('a thousand alerts: one screen of groups, filter to a service, silence its group @destructive', async ({ page, request }) => {
  test.setTimeout(120_000);
  await post(request, fleet(false));
  try {
    // One screen of groups, exact counts over all of them.
    await expect
      .poll(async () => {
        await open(page, '/alerting/groups?group_by=service&filter=fleet%3D%22e2e%22');
        return page.getByTestId('cluster-counts').first().textContent();
      }, { timeout: 30_000, intervals: [2_000] })
      .toContain('1,000 alerts in 100 groups');
    await expect(page.getByTestId('pager-text').first()).toHaveText('showing 1–50 of 100 groups');
    await expect(page.getByTestId('alert-group')).toHaveCount(50);
    // The first ten are open; the rest are their counts and a link.
    await expect(page.getByTestId('am-alert')).toHaveCount(100);
    // The rows were drawn on the server and come once, as HTML: the hydration data has the
    // counts but none of the alerts.
    const hydration = (await page.locator('script').allTextContents())
      .filter((s) => s.includes('__RESOLVED_RESOURCES'))
      .join('');
    expect(hydration).toMatch(/total_groups\W+100\b/); // JSON inside a JS string: quotes escaped
    expect(hydration).not.toContain('scale alert');
    await expect(page.getByTestId('am-alert').first()).toContainText('scale alert');
    await page.getByTestId('pager-next').first().click();
    await expect(page.getByTestId('pager-text').first()).toHaveText('showing 51–100 of 100 groups');
    // A client-side page change brings its rows drawn by the server.
    await expect(page.getByTestId('am-alert')).toHaveCount(100);
    await expect(page.getByTestId('am-alert').first()).toContainText('scale alert');

    // Filter to one service, then silence its group.
    await page.getByTestId('group-filter').fill('fleet="e2e", service="svc-042"');
    await page.getByTestId('group-filter-apply').click();
    await expect(page.getByTestId('alert-group')).toHaveCount(1);
    await expect(page.getByTestId('group-counts')).toContainText('10 alerts');
    await expect(page.getByTestId('am-alert')).toHaveCount(10);
    await page.getByTestId('silence-group').click();
    await expect(page).toHaveURL(/\/alerting\/silence\/new\?matcher=service/);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(page.getByTestId('preview-count')).toHaveText('10 alert(s) match');
    await page.getByTestId('silence-creator').fill('oncall');
    await page.getByTestId('silence-comment').fill('svc-042 at scale');
    await page.getByTestId('create-silence').click();
    await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
    const id = new URL(page.url()).searchParams.get('created')!;

    // The counts change: the group's ten alerts are suppressed now.
    await open(page, '/alerting/groups?group_by=service&filter=fleet%3D%22e2e%22%2C%20service%3D%22svc-042%22');
    await expect(page.getByTestId('group-counts')).toContainText('10 suppressed');
    await expect(page.getByTestId('cluster-counts')).toContainText('10 suppressed');

    // Expire it again from the silences page (searched on the server).
    await open(page, `/alerting/silences?q=${encodeURIComponent('svc-042 at scale')}`);
    await expect(page.getByTestId('silence-row')).toHaveCount(1);
    page.once('dialog', (d) => d.accept());
    await page.locator(`[data-silence-id="${id}"] [data-testid="expire-silence"]`).click();
    await expect(page.getByTestId('no-silences')).toBeVisible();
  } finally {
    await post(request, fleet(true));
  }
});
