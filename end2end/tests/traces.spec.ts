// Traces against the demo: an error_spike on the executor → its error log lines link to their
// trace → the trace view flags the failing executor span on the critical path → "Logs for this
// span" returns to the executor's lines of that trace. And the SLO page's "Failed traces" link
// lists failing traces of the service.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';

test('error logs → trace → span logs, and an SLO\'s failed traces', async ({ page, request }) => {
  test.setTimeout(120_000);
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'error_spike', target: 'executor', duration: '2m' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const c = new ConsolePage(page);
  try {
    const query = encodeURIComponent('{service="executor"} |= "error"');
    const line = page.getByTestId('log-line').first();
    await expect
      .poll(
        async () => {
          await c.open(`/explore?mode=logs&query=${query}&from=now-15m&to=now`);
          return page.getByTestId('log-trace-link').count();
        },
        { timeout: 60_000, intervals: [2_000] },
      )
      .toBeGreaterThan(0);
    const lineText = (await line.textContent()) ?? '';
    const traceId = /"trace_id":"([0-9a-f]{32})"/.exec(lineText)?.[1];
    expect(traceId, lineText).toBeTruthy();

    // The demo's Loki derivedFields send the link to the Jaeger datasource, keeping the window.
    await expect(line.getByTestId('log-trace-link')).toHaveText('Trace');
    await line.getByTestId('log-trace-link').click();
    await expect(page).toHaveURL(new RegExp(`/trace/${traceId}\\?datasource=jaeger&from=now-15m&to=now`));
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await expect(page.getByTestId('trace-id')).toHaveText(traceId!);
    const executor = page.locator('[data-testid="span-row"][data-service="executor"][data-error="true"]');
    await expect(executor).toHaveCount(1);
    await expect(executor).toHaveAttribute('data-critical', 'true');
    // The root span's toggle collapses and re-opens its subtree.
    const rows = page.getByTestId('span-row');
    const all = await rows.count();
    expect(all).toBeGreaterThan(2);
    await rows.first().getByTestId('span-toggle').click();
    await expect(rows).toHaveCount(1);
    await rows.first().getByTestId('span-toggle').click();
    await expect(rows).toHaveCount(all);

    await executor.click();
    await expect(page.getByTestId('span-details')).toContainText('http.status_code');
    await page.getByTestId('span-logs-link').click();
    await expect(page).toHaveURL(/mode=logs/);
    // Jaeger's tracesToLogsV2 names the Loki datasource.
    await expect(page).toHaveURL(/datasource=loki/);
    await expect(page.getByTestId('logs-input')).toHaveValue(`{service="executor"} |= "${traceId}"`);
    await expect(page.getByTestId('log-line').first()).toContainText(traceId!);

    // From the SLO page: failing traces of the SLO's service in the worst window (the Sloth
    // example names its service, retriever; a second error spike fails its calls).
    const retriever = await request.post(`${control}/sim/incidents`, {
      data: { kind: 'error_spike', target: 'retriever', duration: '2m' },
    });
    expect(retriever.status()).toBe(201);
    await expect
      .poll(
        async () => {
          await c.open('/slo/retriever-availability');
          await page.getByTestId('slo-traces-link').click();
          // The search page is in another group of pages (its code loads first): count once it
          // shows its answer, not the page it left.
          await expect(page).toHaveURL(/mode=traces/);
          await expect(page.getByTestId('trace-scatter').or(page.getByTestId('trace-none'))).toBeVisible();
          return page.locator('[data-testid="trace-hit"]:not([data-errors="0"])').count();
        },
        { timeout: 60_000, intervals: [3_000] },
      )
      .toBeGreaterThan(0);
    await request.delete(`${control}/sim/incidents/${(await retriever.json()).id}`);
    await expect(page).toHaveURL(/mode=traces/);
    await expect(page.getByTestId('trace-scatter')).toBeVisible();
    const hit = page.getByTestId('trace-hit').first();
    await expect(hit).not.toHaveAttribute('data-errors', '0');
    await hit.getByTestId('trace-link').click();
    await expect(page).toHaveURL(/\/trace\/[0-9a-f]+/);
    await expect(page.locator('[data-testid="span-row"][data-error="true"]').first()).toBeVisible();

    // A trace id that does not exist says so, naming the datasource.
    await c.open('/trace/00000000000000000000000000000042');
    await expect(page.getByTestId('error')).toContainText('not found in Jaeger');
  } finally {
    await request.delete(`${control}/sim/incidents/${id}`);
  }
});

// The journey: a latency spike on the executor makes its slowest calls time out → the
// error lines link to their trace → the slow executor span is on the critical path → its logs.
test('latency_spike on executor: error logs → the slow span on the critical path → its logs', async ({ page, request }) => {
  test.setTimeout(120_000);
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'latency_spike', target: 'executor', duration: '2m' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const c = new ConsolePage(page);
  try {
    const query = encodeURIComponent('{service="executor"} |= "error"');
    const timedOut = page.getByTestId('log-line').filter({ hasText: 'deadline exceeded' }).first();
    await expect
      .poll(
        async () => {
          await c.open(`/explore?mode=logs&query=${query}&from=now-15m&to=now`);
          return page.getByTestId('log-line').filter({ hasText: 'deadline exceeded' }).count();
        },
        { timeout: 90_000, intervals: [3_000] },
      )
      .toBeGreaterThan(0);
    await expect(timedOut).toHaveAttribute('data-level', 'error');
    const traceId = /"trace_id":"([0-9a-f]{32})"/.exec((await timedOut.textContent()) ?? '')?.[1];
    expect(traceId).toBeTruthy();
    await timedOut.getByTestId('log-trace-link').click();
    await expect(page).toHaveURL(new RegExp(`/trace/${traceId}\\?datasource=jaeger&from=now-15m&to=now`));
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);

    // The executor span: slow (past its 720 ms deadline, 12× its 60 ms median), failed, on the
    // critical path.
    const executor = page.locator('[data-testid="span-row"][data-service="executor"]');
    await expect(executor).toHaveCount(1);
    await expect(executor).toHaveAttribute('data-error', 'true');
    await expect(executor).toHaveAttribute('data-critical', 'true');
    expect(Number(await executor.getAttribute('data-duration-us'))).toBeGreaterThan(720_000);
    await executor.click();
    await expect(page.getByTestId('span-details')).toContainText('504');

    // "Logs for this span": the executor's lines of this trace, around the span.
    await page.getByTestId('span-logs-link').click();
    await expect(page).toHaveURL(/mode=logs.*datasource=loki/);
    await expect(page.getByTestId('logs-input')).toHaveValue(`{service="executor"} |= "${traceId}"`);
    await expect(page.getByTestId('log-line').first()).toContainText(traceId!);
    await expect(page.getByTestId('log-line').filter({ hasText: 'deadline exceeded' })).toHaveCount(1);
  } finally {
    await request.delete(`${control}/sim/incidents/${id}`);
  }
});
