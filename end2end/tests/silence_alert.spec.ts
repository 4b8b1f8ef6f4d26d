// From a firing alert to a silence and back, against the real demo stack: an error spike on the
// guardian makes the guide's HighErrorRate pending then firing, the group is silenced from its
// "Silence" link with a live preview, the alert shows as silenced, and expiring the silence
// re-activates it. The guide's HighErrorRate divides each error series by itself, so one stray
// error fires it for five minutes: the journey first calms the guardian (the simulator's
// background errors stop there) and waits until its alert is quiet.
import { test, expect, type Locator, type Page } from '@playwright/test';

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';
/** The guardian's HighErrorRate alerts (the guide groups by alertname and severity). */
const GROUP = '/alerting/groups?filter=' + encodeURIComponent('alertname="HighErrorRate", service="guardian"');

/** The attribute now, or '' when the element is not (yet) on the page: never blocks a poll. */
async function attrNow(locator: Locator, name: string): Promise<string> {
  return (await locator.count()) > 0 ? ((await locator.first().getAttribute(name)) ?? '') : '';
}

/** Reloads the HighErrorRate group and returns its alert's state ('' while not there). */
async function groupAlertState(page: Page, alert: Locator): Promise<string> {
  await open(page, GROUP);
  return attrNow(alert, 'data-state');
}

/** Presses Tab until the element with this test id has the focus (keyboard only). */
async function tabTo(page: Page, testid: string, max = 400): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    if (at === testid) return;
  }
  throw new Error(`${testid} not reached with ${max} Tab presses`);
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

test('silence a firing alert from its group, then expire the silence', async ({ page, request }) => {
  // rate(...[5m]) dilutes a new error spike: the 5% threshold takes about a minute to cross.
  test.setTimeout(300_000);
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  test.setTimeout(660_000);
  page.on('dialog', (d) => d.accept());
  const rule = page.locator('[data-testid="rule-row"][data-rule="HighErrorRate"]');
  const ruleState = async () => {
    await open(page, '/alerting/list?matchers=service%3D%22guardian%22');
    // The page has answered (rules or "no rules") before its rows are read.
    await expect(page.locator('[data-testid="state-counts"], [data-testid="no-rules"]').first()).toBeVisible();
    // The guardian's own alert: the rule's state counts every service's.
    const own = rule.locator('[data-testid="alert-row"]').filter({
      has: page.getByTestId('label-chip').filter({ hasText: 'service=guardian' }),
    });
    return attrNow(own, 'data-state');
  };
  const calm = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'calm', target: 'guardian', duration: '20m' },
  });
  expect(calm.status()).toBe(201);
  const { id: calmId } = await calm.json();
  try {
    // A stray error before the calm leaves the 5m window within five minutes and one evaluation.
    await expect
      .poll(ruleState, { timeout: 330_000, intervals: [5_000] })
      .not.toMatch(/firing|pending/);
  } catch (e) {
    await request.delete(`${control}/sim/incidents/${calmId}`);
    throw e;
  }
  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'error_spike', target: 'guardian', duration: '10m' },
  });
  expect(created.status()).toBe(201);
  const { id: incident } = await created.json();
  try {
    // Rules page: HighErrorRate for the guardian goes pending, then firing.
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const state = await ruleState();
          seen.push(state);
          return state;
        },
        { timeout: 180_000, intervals: [1_000] },
      )
      .toBe('firing');
    // `for: 15s` at a 5 s evaluation keeps the alert pending for three evaluations at least: the
    // page showed it pending before it showed it firing.
    const pendingAt = seen.indexOf('pending');
    expect(pendingAt, `states seen: ${seen.join(' → ')}`).toBeGreaterThanOrEqual(0);
    expect(pendingAt).toBeLessThan(seen.indexOf('firing'));
    await expect(rule.getByTestId('rule-explore')).toHaveAttribute('href', /\/explore\?query=/);
    // The alert's value reads as a panel prints it (Prometheus sends 17 significant digits).
    const value = rule.getByTestId('alert-value').first();
    await expect(value).toHaveText(/^-?\d+(\.\d{1,3})?( [KM])?$/);
    expect(Number(await value.getAttribute('title'))).toBeGreaterThan(0.05);
    await expect(rule.getByTestId('rule-dashboard')).toHaveAttribute('href', /^\/d\//);

    // Alert groups: the alert reaches the Alertmanagers; silence its group.
    const alert = page.locator('[data-testid="am-alert"][data-alertname="HighErrorRate"]');
    await expect
      .poll(
        async () => {
          await open(page, GROUP);
          return alert.count();
        },
        { timeout: 60_000, intervals: [1_000] },
      )
      .toBeGreaterThan(0);
    await expect(alert.first().getByTestId('am-alert-state')).toHaveText('active');
    // Triage: labels as chips, the group coloured by its severity; "Source" opens the expression
    // in Octoscope's Explore over the alert's window, and no link to Prometheus' own hostname
    // (no external URL is declared for it in the demo).
    await expect(alert.first().getByTestId('label-chip').filter({ hasText: 'service=guardian' })).toHaveCount(1);
    await expect(page.getByTestId('alert-group').first()).toHaveAttribute('data-severity', 'warning');
    await expect(alert.first().getByTestId('alert-source')).toHaveAttribute('href', /^\/explore\?query=.*http_requests_total.*&from=\d+&to=now$/);
    await expect(alert.first().getByTestId('alert-prometheus')).toHaveCount(0);
    // Unfiltered, a critical (or page) group comes before every warning group.
    await open(page, '/alerting/groups');
    await expect(page.getByTestId('alert-group').first()).toHaveClass(/severity-critical/);
    await open(page, GROUP);
    // Onward links: logs for the alert's labels over its active window, and a dashboard reading
    // the alert's metric.
    const logsHref = await alert.first().getByTestId('alert-logs').getAttribute('href');
    expect(logsHref).toMatch(/mode=logs&query=.*guardian.*&from=\d+&to=now/);
    const dashHref = (await alert.first().getByTestId('alert-dashboard').getAttribute('href'))!;
    expect(dashHref).toMatch(/^\/d\//);
    const tracesHref = (await alert.first().getByTestId('alert-traces').getAttribute('href'))!;
    await open(page, logsHref!);
    await expect(page.getByTestId('log-line').first()).toBeVisible();
    await expect(page.getByTestId('log-lines')).toContainText('guardian');
    // Traces of the alert's service in its window, only the failing ones for an error alert.
    expect(tracesHref).toMatch(/mode=traces&service=guardian&tags=error%3Dtrue&from=\d+&to=now/);
    await open(page, tracesHref);
    await expect(page.getByTestId('trace-scatter')).toBeVisible();
    await expect(page.getByTestId('trace-hit').first()).not.toHaveAttribute('data-errors', '0');
    // Context carries at every hop: alert → dashboard → panel → Explore → logs → trace keep the
    // alert's window and its service.
    // The guide's rules carry no dashboard annotation: the alert links the dashboard whose panels
    // read most of its metrics, over the alert's window.
    expect(dashHref).toMatch(/^\/d\/[^?]+\?from=\d+&to=now/);
    const from = new URL(dashHref, 'http://x').searchParams.get('from')!;
    await open(page, GROUP);
    await alert.first().getByTestId('alert-dashboard').click();
    await expect(page).toHaveURL(new RegExp(`/d/.*from=${from}`));
    await expect(page.getByTestId('dashboard-title')).toBeVisible();
    // The service dashboard opened with the alert's service and window keeps both onward.
    await open(page, `/d/octollm-service-health?from=${from}&to=now&var-service=guardian`);
    await expect(page.locator('svg.chart-svg').first()).toBeVisible();
    await expect(page.getByTestId('var-service').locator('summary')).toHaveText('guardian');
    await page.locator('[data-testid="panel"][data-panel-id="1"]').getByTestId('panel-explore-link').click();
    await expect(page).toHaveURL(/\/explore\?query=/);
    const explored = new URL(page.url()).searchParams;
    expect(explored.get('from')).toBe(from);
    expect(explored.get('query')).toContain('service=~"guardian"');
    expect(explored.get('query'), 'built-ins stay for Explore to fill').toContain('$__rate_interval');
    await expect(page.getByTestId('explore-graph')).toBeVisible();
    await page.getByTestId('mode-logs').click();
    await expect(page).toHaveURL(/mode=logs/);
    const logged = new URL(page.url()).searchParams;
    expect(logged.get('from')).toBe(from);
    expect(logged.get('query')).toBe('{service="guardian"}');
    const errorLine = page.locator('[data-testid="log-line"][data-level="error"]').first();
    await expect(errorLine).toBeVisible();
    await errorLine.getByTestId('log-trace-link').first().click();
    await expect(page).toHaveURL(new RegExp(`/trace/[0-9a-f]+\\?.*from=${from}`));
    await expect(page.locator('[data-testid="span-row"][data-service="guardian"]').first()).toBeVisible();
    // Keyboard only: Tab to a failing span and open its details with Enter.
    const failing = page.locator('[data-testid="span-row"][data-error="true"]').first();
    await failing.getByTestId('span-open').evaluate((b) => b.setAttribute('data-testid', 'failing-span'));
    await tabTo(page, 'failing-span');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('span-details')).toBeVisible();
    // Keyboard only from here to the silence: the skip link, then Tab to "Silence group".
    await open(page, GROUP);
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('skip-link')).toBeFocused();
    await page.keyboard.press('Enter');
    await tabTo(page, 'silence-group');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/alerting\/silence\/new\?matcher=/);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(page.getByTestId('silence-matchers-input')).toHaveValue(/alertname="HighErrorRate"/);
    await expect(page.getByTestId('preview-alert').first()).toContainText('alertname=HighErrorRate');
    await expect(page.getByTestId('preview-count')).toContainText(/^[1-9]\d* alert/);
    // What-if from ALERTS history: the firing alert is counted for the last day.
    await page.getByTestId('what-if').click();
    await expect(page.getByTestId('what-if-result')).toContainText(/Last 1d: [1-9]\d* alert/);
    // The guide groups by alertname and severity, labels the ALERTS history has too: the what-if
    // ignores none of the group's matchers.
    await expect(page.getByTestId('silence-matchers-input')).toHaveValue(/severity="warning"/);
    await expect(page.getByTestId('what-if-ignored')).toHaveCount(0);

    // An invalid regex is refused in place, and what was typed stays.
    const matchers = await page.getByTestId('silence-matchers-input').inputValue();
    await page.getByTestId('silence-matchers-input').fill(`${matchers}\njob=~"arm("`);
    await expect(page.getByTestId('matcher-syntax-error')).toContainText('does not compile');
    await page.getByTestId('silence-comment').fill('e2e: error spike drill');
    await page.getByTestId('create-silence').click();
    await expect(page.getByTestId('matchers-error')).toContainText('does not compile');
    await expect(page.getByTestId('silence-comment')).toHaveValue('e2e: error spike drill');

    await page.getByTestId('silence-matchers-input').fill(matchers);
    await expect(page.getByTestId('matchers-error')).toHaveCount(1);
    await page.getByTestId('silence-matchers-input').press('Shift+Tab');
    await tabTo(page, 'create-silence');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
    const silenceId = new URL(page.url()).searchParams.get('created') ?? '';
    expect(silenceId).not.toBe('');

    // The alert is now suppressed, linked to the silence.
    await expect
      .poll(
        () => groupAlertState(page, alert),
        { timeout: 30_000, intervals: [1_000] },
      )
      .toBe('suppressed');
    await expect(alert.first().getByTestId('silenced-by')).toHaveAttribute('href', `/alerting/silences#${silenceId}`);

    // Expire it (with confirmation): the alert is active again.
    await open(page, '/alerting/silences');
    const row = page.locator(`[data-testid="silence-row"][data-silence-id="${silenceId}"]`);
    await expect(row.getByTestId('silence-mutes')).not.toHaveText('0');
    // Keyboard: Tab to this silence's Expire button (focus starts on the new content).
    await row.getByTestId('expire-silence').evaluate((b) => b.setAttribute('data-testid', 'expire-this-silence'));
    await tabTo(page, 'expire-this-silence');
    await page.keyboard.press('Enter');
    await expect(row).toHaveCount(0);
    await expect
      .poll(
        () => groupAlertState(page, alert),
        { timeout: 30_000, intervals: [1_000] },
      )
      .toBe('active');
  } finally {
    await request.delete(`${control}/sim/incidents/${incident}`);
    await request.delete(`${control}/sim/incidents/${calmId}`);
  }
});
