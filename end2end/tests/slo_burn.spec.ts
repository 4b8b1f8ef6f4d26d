// SLO burn views against the demo: an error spike at the orchestrator makes the guide's
// api_availability SLO (every request, 99.9% over 30d) page (1h and 5m windows above 14.4×), shows when the budget runs out, fires the
// generated fast-burn alert, and clearing the incident brings the short window back under.
//
// Tagged @fresh: xtask runs it first, while the demo's history is short, so the 1h window is
// dominated by the incident within a minute or two (as it would be by a real hour of it).
import { test, expect, type Page } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';

async function pairBurns(page: Page, long: string) {
  const pair = page.locator(`[data-testid="slo-pair"][data-long="${long}"]`);
  const parse = async (id: string) =>
    parseFloat(((await pair.getByTestId(id).textContent()) ?? '').replace('×', '')) || 0;
  return { long: await parse('pair-long-burn'), short: await parse('pair-short-burn') };
}

test('an error spike pages the availability SLO and the generated alert fires @fresh', async ({ page, request }) => {
  test.setTimeout(420_000);
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  const c = new ConsolePage(page);

  // Quiet: every seed SLO is listed and the availability SLO is not paging.
  await c.open('/slo');
  await expect(page.locator('[data-testid="slo-row"]')).toHaveCount(4);
  const availability = page.locator('[data-testid="slo-row"][data-slo="api_availability"]');
  await expect(availability).not.toHaveAttribute('data-status', 'page');
  await expect(availability.getByTestId('slo-retention')).toContainText('Prometheus keeps 15d');
  // The label filter narrows the list.
  await page.getByTestId('slo-filter').fill('team="knowledge"');
  await page.getByTestId('slo-filter').press('Enter');
  await expect(page).toHaveURL(/filter=team/);
  await expect(page.locator('[data-testid="slo-row"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="slo-row"]')).toHaveAttribute('data-slo', 'retriever-availability');

  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'error_spike', target: 'orchestrator', duration: '15m' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  let cleared = false;
  try {
    // The fast pair (1h & 5m at 14.4×) fires on the detail page. (The 6h & 30m pair pages at
    // 6× and may fire first; the test waits for the workbook's fastest one.)
    const fastPair = page.locator('[data-testid="slo-pair"][data-long="1h"]');
    await expect
      .poll(
        async () => {
          await c.open('/slo/api_availability');
          return fastPair.getAttribute('data-firing');
        },
        { timeout: 240_000, intervals: [5_000] },
      )
      .toBe('true');
    await expect(page.locator('h1 [data-testid="slo-status"]')).toHaveText('page');
    const fast = await pairBurns(page, '1h');
    expect(fast.long).toBeGreaterThan(14.4);
    expect(fast.short).toBeGreaterThan(14.4);
    await expect(page.getByTestId('slo-exhaustion')).toHaveText(/^(in \d|exhausted)/);
    await expect(page.getByTestId('slo-burn-chart')).toHaveCount(4);
    await expect(page.getByTestId('slo-burndown').locator('svg')).toHaveCount(1);

    // The list says "page" too, with an exhaustion estimate.
    await c.open('/slo');
    await expect(availability).toHaveAttribute('data-status', 'page');
    await expect(availability.getByTestId('slo-exhaustion')).toHaveText(/^(in \d|exhausted)/);
    await expect(availability.getByTestId('burn-1h')).toHaveText(/×$/);

    await expect
      .poll(
        async () => {
          await c.open('/alerting/list?matchers=' + encodeURIComponent('slo="api_availability", severity="page"'));
          const rule = page.locator('[data-testid="rule-row"][data-rule="ApiAvailabilityBudgetBurn"]');
          return (await rule.count()) > 0 ? rule.first().getAttribute('data-state') : '';
        },
        { timeout: 90_000, intervals: [3_000] },
      )
      .toBe('firing');

    // The detail's alert link lands on this SLO's rules.
    await c.open('/slo/api_availability');
    await page.getByTestId('slo-alerts-link').click();
    await expect(page).toHaveURL(/\/alerting\/list\?matchers=slo/);
    await expect(page.locator('[data-testid="rule-row"][data-rule="ApiAvailabilityBudgetBurn"]').first()).toBeVisible();

    // Clear the incident: the 5m window falls back under 14.4×, so the fast pair stops firing.
    await request.delete(`${control}/sim/incidents/${id}`);
    cleared = true;
    await expect
      .poll(
        async () => {
          await c.open('/slo/api_availability');
          return (await pairBurns(page, '1h')).short;
        },
        { timeout: 240_000, intervals: [5_000] },
      )
      .toBeLessThan(14.4);
    await expect(page.locator('[data-testid="slo-pair"][data-long="1h"]')).toHaveAttribute('data-firing', 'false');
  } finally {
    if (!cleared) await request.delete(`${control}/sim/incidents/${id}`);
  }
});
