// The list panels against the demo's real Alertmanagers and the Loki stand-in: a logs panel with
// its trace links and "showing N of M lines", an alert list that marks silenced and inhibited
// alerts and can hide them (counting what it hides), the shipped on-call row's dashboard list,
// and the histogram. Dashboards are dropped into the watched local folder and removed after.
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ConsolePage } from './fixtures/console';

function panel(page: Page, title: string) {
  return page.locator(`[data-testid="panel"][aria-label="${title}"]`);
}

/** Writes a dashboard into the watched folder; returns a function that removes it. */
function drop(name: string, dashboard: object): () => void {
  expect(process.env.OCTOSCOPE_PROVISIONING, 'cargo xtask test exports OCTOSCOPE_PROVISIONING').toBeTruthy();
  const file = path.join(process.env.OCTOSCOPE_PROVISIONING!, 'local-dashboards', name);
  fs.writeFileSync(file, JSON.stringify(dashboard));
  return () => fs.rmSync(file, { force: true });
}

/** Opens `url` until `ready` is on the page (the store rescans every 2 s, snapshots live 5 s). */
async function openUntil(page: Page, url: string, ready: () => Promise<void>) {
  const c = new ConsolePage(page);
  await expect(async () => {
    await c.open(url);
    await ready();
  }).toPass({ timeout: 30_000, intervals: [1_000, 2_000] });
}

test('a logs panel shows the newest lines with trace links, and how many it leaves to Explore', async ({ page }) => {
  const remove = drop('logs-panel-e2e.json', {
    uid: 'logs-panel-e2e', title: 'Logs panel e2e',
    panels: [{
      id: 1, type: 'logs', title: 'Prod lines', gridPos: { x: 0, y: 0, w: 24, h: 8 },
      datasource: { type: 'loki' }, options: { showTime: true, sortOrder: 'Descending' },
      targets: [{ refId: 'A', expr: '{namespace="octollm-prod"}', maxLines: 3 }],
    }],
  });
  try {
    const lines = panel(page, 'Prod lines').getByTestId('panel-log-line');
    await openUntil(page, '/d/logs-panel-e2e?from=now-15m', async () => {
      await expect(lines).toHaveCount(3, { timeout: 2_000 });
    });
    // Three of many: the exact count of the range beside them, and Explore for the rest.
    const more = panel(page, 'Prod lines').getByTestId('panel-logs-more');
    await expect(more).toHaveText(/^showing 3 of [\d,]+ lines · all lines in Explore$/);
    const total = Number((await more.textContent())!.match(/of ([\d,]+)/)![1].replace(/,/g, ''));
    expect(total).toBeGreaterThan(3);
    // Newest first, each with its time in the display zone.
    const stamps = await lines.locator('time').evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime')!)));
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
    await more.getByRole('link', { name: 'all lines in Explore' }).click();
    await expect(page).toHaveURL(/\/explore\?mode=logs&query=%7Bnamespace%3D%22octollm-prod%22%7D/);
  } finally {
    remove();
  }

  // The shipped logs overview's "Recent errors": error lines, each naming its trace.
  const c = new ConsolePage(page);
  await c.open('/d/octollm-logs-overview?from=now-15m');
  const errors = panel(page, 'Recent errors').getByTestId('panel-log-line');
  await expect(errors.first()).toBeVisible();
  expect(await errors.count()).toBeLessThanOrEqual(100);
  for (const cls of await errors.evaluateAll((ls) => ls.map((l) => l.className))) expect(cls).toBe('level-error');
  const trace = panel(page, 'Recent errors').getByTestId('panel-log-link').first();
  await expect(trace).toHaveText('Trace');
  await trace.click();
  await expect(page).toHaveURL(/\/trace\/[0-9a-f]{32}\?/);
  await expect(page.getByTestId('span-row').first()).toBeVisible();
});

const DRILL = { drill: 'panel-e2e' };

/** The drill's alerts: a critical one that inhibits its warning twin, and one to silence. */
function drillAlerts(ended: boolean) {
  const now = Date.now();
  const endsAt = new Date(ended ? now - 1_000 : now + 600_000).toISOString();
  const startsAt = new Date(now - 60_000).toISOString();
  const alert = (alertname: string, severity: string, instance: string) => ({
    labels: { ...DRILL, alertname, severity, instance }, annotations: { summary: `${alertname} drill` }, startsAt, endsAt,
  });
  return [
    alert('PanelDrill', 'critical', 'i1'),
    alert('PanelDrill', 'warning', 'i1'),
    alert('PanelDrillQuiet', 'warning', 'i2'),
  ];
}

async function toAlertmanagers(request: APIRequestContext, route: string, data: object): Promise<string[]> {
  const addrs = (process.env.OCTOSCOPE_E2E_AM_ADDRS ?? '').split(',').filter(Boolean);
  expect(addrs.length, 'cargo xtask test exports OCTOSCOPE_E2E_AM_ADDRS').toBeGreaterThan(0);
  const answers: string[] = [];
  for (const addr of addrs) {
    try {
      const r = await request.post(`http://${addr}${route}`, { data });
      if (r.ok()) answers.push(await r.text());
    } catch {
      // A stopped Alertmanager: the others hold the alerts.
    }
  }
  expect(answers.length).toBeGreaterThan(0);
  return answers;
}

test('an alert list marks silenced and inhibited alerts, and hides them on request, counting them', async ({ page, request }) => {
  test.setTimeout(90_000);
  await toAlertmanagers(request, '/api/v2/alerts', drillAlerts(false));
  const now = Date.now();
  const [silence] = await toAlertmanagers(request, '/api/v2/silences', {
    matchers: [
      { name: 'drill', value: 'panel-e2e', isRegex: false, isEqual: true },
      { name: 'alertname', value: 'PanelDrillQuiet', isRegex: false, isEqual: true },
    ],
    startsAt: new Date(now).toISOString(), endsAt: new Date(now + 600_000).toISOString(),
    createdBy: 'e2e', comment: 'alert list panel drill',
  });
  const silenceId = JSON.parse(silence).silenceID as string;
  const filter = '{drill="panel-e2e"}';
  const remove = drop('alert-list-e2e.json', {
    uid: 'alert-list-e2e', title: 'Alert list e2e',
    panels: [
      { id: 1, type: 'alertlist', title: 'Drill alerts', gridPos: { x: 0, y: 0, w: 12, h: 8 },
        options: { alertInstanceLabelFilter: filter, sortOrder: 1, maxItems: 20 } },
      { id: 2, type: 'alertlist', title: 'Drill, firing only', gridPos: { x: 12, y: 0, w: 12, h: 8 },
        options: { alertInstanceLabelFilter: filter, stateFilter: { firing: true, silenced: false, inhibited: false } } },
    ],
  });
  try {
    const all = panel(page, 'Drill alerts').getByTestId('alert-list-item');
    const inhibited = panel(page, 'Drill alerts').locator('[data-testid="alert-list-item"][data-state="inhibited"]');
    await openUntil(page, '/d/alert-list-e2e', async () => {
      await expect(all).toHaveCount(3, { timeout: 2_000 });
      await expect(all.filter({ hasText: 'PanelDrillQuiet' })).toHaveAttribute('data-state', 'silenced', { timeout: 1_000 });
      await expect(inhibited).toHaveCount(1, { timeout: 1_000 });
    });
    const states = await all.evaluateAll((items) => items.map((i) => i.getAttribute('data-state')).sort());
    expect(states).toEqual(['firing', 'inhibited', 'silenced']);
    await expect(all.filter({ hasText: 'PanelDrillQuiet' })).toContainText('silenced');
    await expect(inhibited).toContainText('inhibited');

    // Hidden, not forgotten: the firing one listed, the two others counted.
    const firing = panel(page, 'Drill, firing only');
    await expect(firing.getByTestId('alert-list-item')).toHaveCount(1);
    await expect(firing.getByTestId('alert-list-item')).toHaveAttribute('data-state', 'firing');
    await expect(firing.getByTestId('alert-list-item')).toContainText('PanelDrill');
    await expect(firing.getByTestId('alert-list-hidden')).toHaveText('hidden: 1 silenced, 1 inhibited');

    // An alert opens its group on the alert pages.
    await firing.getByTestId('alert-list-item').getByRole('link', { name: 'PanelDrill' }).click();
    await expect(page).toHaveURL(/\/alerting\/groups\?filter=/);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(page.getByTestId('group-filter')).toHaveValue(/drill="panel-e2e"/);
  } finally {
    remove();
    await toAlertmanagers(request, '/api/v2/alerts', drillAlerts(true));
    const addrs = (process.env.OCTOSCOPE_E2E_AM_ADDRS ?? '').split(',').filter(Boolean);
    for (const addr of addrs) {
      await request.delete(`http://${addr}/api/v2/silence/${silenceId}`).catch(() => undefined);
    }
  }
});

test('the overview\'s on-call row lists the dashboards by tag, showing 5 of 7, keeping the range', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/d/octollm-overview?from=now-30m');
  const load = page.waitForResponse((r) => r.url().includes('/api/load_row'));
  await page.getByTestId('row-toggle').filter({ hasText: 'On call' }).click();
  expect((await load).status()).toBe(200);
  const list = panel(page, 'OctoLLM dashboards');
  await expect(list.getByTestId('dash-list-item')).toHaveCount(5);
  await expect(list.getByTestId('dash-list-more')).toHaveText('showing 5 of 7');
  const titles = await list.getByTestId('dash-list-item').allTextContents();
  expect(titles).toEqual([...titles].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  // keepTime: the link carries this dashboard's range.
  await expect(list.getByTestId('dash-list-item').first()).toHaveAttribute('href', /from=now-30m/);
  // The alert list beside it answers: alerts or "No alerts", never an error.
  const alerts = panel(page, 'Alerts, most severe first');
  await expect(alerts.getByTestId('alert-list').or(alerts.getByTestId('no-data'))).toBeVisible();
  await expect(alerts.getByTestId('error')).toHaveCount(0);
  await list.getByTestId('dash-list-item').first().click();
  await expect(page).toHaveURL(/\/d\/[^?]+\?from=now-30m/);
});
