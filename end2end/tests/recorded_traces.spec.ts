// The trace view on upstream samples (tests/fixtures, see PROVENANCE.md) that the demo's Jaeger
// and Tempo stand-ins serve verbatim beside the simulated traces: Jaeger's 11-span UI model,
// its refs/logs/tags sample, the query service envelope, and Tempo's `batches` sample.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

test('the Jaeger 11-span sample: two services, a full tree', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/trace/trace-123?datasource=jaeger');
  await expect(page.getByTestId('trace-id')).toHaveText('trace-123');
  const rows = page.getByTestId('span-row');
  await expect(rows).toHaveCount(11);
  const services = await rows.evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-service')))].sort());
  expect(services).toEqual(['service1', 'service2']);
  await expect(page.getByTestId('span-orphan')).toHaveCount(0);
  // Collapsing the root hides the other ten.
  await rows.first().getByTestId('span-toggle').click();
  await expect(rows).toHaveCount(1);
});

test('the Jaeger refs/logs/tags sample: references across traces, span logs, warnings', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/trace/0000000000000001?datasource=jaeger');
  const rows = page.getByTestId('span-row');
  await expect(rows).toHaveCount(5);
  // reference-test's first CHILD_OF points into another trace (00000000000000ff): its in-trace
  // parent is used, so nothing is orphaned; the trace-level warning is shown.
  await expect(page.getByTestId('span-orphan')).toHaveCount(0);
  await expect(page.getByTestId('trace-warning')).toHaveText('some trace warning');
  const refs = page.locator('[data-testid="span-row"]', { has: page.getByText('reference-test') });
  await refs.click();
  const details = page.getByTestId('span-details');
  await expect(details).toContainText('References');
  await expect(details).toContainText('FOLLOWS_FROM');
  await expect(details).toContainText('some span warning');
  await page.locator('[data-testid="span-row"]', { has: page.getByText('test-general-conversion') }).click();
  await expect(details).toContainText('Logs / events');
  await expect(details).toContainText('service-x');
});

test('the Jaeger query-service envelope sample', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/trace/83a9efd15c1c98a977e0711cc93ee28b?datasource=jaeger');
  await expect(page.getByTestId('span-row')).toHaveCount(2);
  await expect(page.getByTestId('trace-summary')).toContainText('2 spans');
});

test('the Tempo batches sample: OTLP attributes, an orphan flagged', async ({ page }) => {
  const c = new ConsolePage(page);
  // Tempo prints ids in upper case; the console normalises them.
  await c.open('/trace/5B8EFFF798038103D269B633813FC60C?datasource=tempo');
  await expect(page.getByTestId('trace-id')).toHaveText('5b8efff798038103d269b633813fc60c');
  const row = page.getByTestId('span-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-service', 'my.service');
  await expect(page.getByTestId('span-orphan')).toHaveCount(1);
  await row.click();
  await expect(page.getByTestId('span-details')).toContainText('my.span.attr');
  // The span's permalink keeps the datasource, so it opens in Tempo again.
  await expect(page.getByTestId('trace-permalink')).toHaveAttribute('href', '/trace/5b8efff798038103d269b633813fc60c?datasource=tempo');
});
