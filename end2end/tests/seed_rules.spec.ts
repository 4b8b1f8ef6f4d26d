// The guide's alert rules as written, on the rules page of the demo's real Prometheus: each rule
// whose expression goes wrong says why under it (the rule lint), and sound rules say nothing.
import { test, expect } from '@playwright/test';
import { ConsolePage } from './fixtures/console';

test('the seed rules load as written and the rules page says which can never fire', async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/alerting/list');
  // The guide's groups and every one of its alert names.
  for (const name of [
    'ServiceDown', 'ArmDown', 'HighRequestLatency', 'HighErrorRate', 'TaskProcessingSlowdown',
    'HighMemoryUsage', 'HighCPUUsage', 'DiskSpaceLow', 'PostgreSQLDown', 'HighDatabaseConnections',
    'RedisDown', 'HighLLMAPIErrorRate', 'HighLLMAPICost', 'SecurityViolationDetected',
    'HighPIIDetectionRate', 'ErrorBudgetBurning',
  ]) {
    await expect(page.locator(`[data-testid="rule-row"][data-rule="${name}"]`), name).toHaveCount(1);
  }

  // Searching narrows to the rule; its lint names what is wrong and how to fix it.
  const lintOf = async (name: string) => {
    await page.getByTestId('rule-search').fill(name);
    await page.getByTestId('rule-filter-apply').click();
    await expect(page).toHaveURL(new RegExp(`search=${name}`));
    return page.locator(`[data-testid="rule-row"][data-rule="${name}"]`).getByTestId('rule-lint');
  };
  await expect(await lintOf('HighLLMAPICost')).toContainText('exported as llm_api_cost_dollars_total');
  await expect(await lintOf('HighDatabaseConnections')).toContainText('only the left side has datid, datname');
  await expect(await lintOf('HighDatabaseConnections')).toContainText('ignoring(datid, datname)');
  await expect(await lintOf('HighErrorRate')).toContainText('divided by itself');
  await expect(await lintOf('HighLLMAPIErrorRate')).toContainText('divided by itself');
  // A sound rule has no lint.
  await expect(await lintOf('DiskSpaceLow')).toHaveCount(0);
  await expect(await lintOf('ErrorBudgetBurning')).toHaveCount(0);
});

test("the guide's OctoLLM Overview renders as given: import wrapper, legacy graph panels", async ({ page }) => {
  const c = new ConsolePage(page);
  await c.open('/d/octollm-overview-guide?from=now-15m');
  await expect(page.locator('h1')).toContainText('OctoLLM Overview');
  const panel = (title: string) => page.locator(`[data-testid="panel"][aria-label="${title}"]`);
  // Legacy `graph` panels draw as time series; their legendFormat `{{ method }} {{ endpoint }}`
  // (spaces inside the braces) names each series.
  for (const title of ['Request Rate', 'P95 Latency']) {
    await expect(panel(title).locator('svg.chart-svg'), title).toHaveCount(1);
  }
  await expect(panel('Request Rate').getByTestId('legend')).toContainText('POST /api/v1/tasks');
  // Every service exports the guide's `tasks_in_progress` gauge: one value per series.
  await expect(panel('Tasks In Progress').getByTestId('stat-value').first()).toHaveText(/\d/);
  await expect(page.getByTestId('error')).toHaveCount(0);
});
