// The demo stack in a real browser: the simulated OctoLLM services are scraped by real Prometheus,
// and an incident injected through the simulator's control API shows up in Explore.
import { test, expect } from '@playwright/test';
import { ExplorePage } from './fixtures/console';

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';

test('every simulated service is scraped', async ({ page }) => {
  const explore = new ExplorePage(page);
  await explore.open('/explore');
  await explore.run('sort(up{job=~"orchestrator|reflex-layer|arms"})');
  await expect(explore.series).toHaveCount(8);
  await expect(explore.values.first()).toHaveText('1');
});

test('a service_down incident turns up to 0 for that service', async ({ page, request }) => {
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'service_down', target: 'judge', duration: '2m' },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  try {
    const explore = new ExplorePage(page);
    await explore.open('/explore');
    await explore.run('up{service="judge"}');
    await expect(explore.series.first()).toContainText('service="judge"');
    // Prometheus notices at its next scrape (2 s in the demo); re-run until it does.
    await expect
      .poll(
        async () => {
          const answered = page.waitForResponse((r) => r.url().includes('/api/explore_metrics'));
          await page.getByTestId('run-query').click();
          await answered;
          await page.waitForTimeout(200);
          return explore.values.first().textContent();
        },
        { timeout: 20_000, intervals: [1_000] },
      )
      .toBe('0');
  } finally {
    await request.delete(`${control}/sim/incidents/${id}`);
  }
});
