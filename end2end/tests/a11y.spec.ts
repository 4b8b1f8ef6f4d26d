// Accessibility of every page, light and dark: axe-core (WCAG 2.1 A and AA, contrast included)
// finds no serious or critical violation once the page has hydrated with its data.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const PAGES = [
  '/',
  '/dashboards',
  '/d/octollm-overview?from=now-15m',
  '/d/octollm-service-health?from=now-15m',
  '/d-solo/octollm-overview?panelId=1&from=now-15m',
  '/explore?query=sum%20by%20(service)%20(rate(http_requests_total%5B1m%5D))&from=now-15m',
  `/explore?query=${encodeURIComponent('histogram_quantile(0.99, sum by (le) (rate(task_duration_seconds_bucket[1m])))')}&from=now-10m`,
  '/explore?mode=logs&query=%7Bservice%3D%22executor%22%7D&from=now-15m',
  '/explore?mode=traces&service=orchestrator&from=now-15m',
  'TRACE',
  '/alerting/list',
  '/alerting/groups',
  '/alerting/silences',
  '/alerting/silence/new?matcher=alertname%3D%22Drill%22',
  '/slo',
  'SLO',
  '/status/targets',
  '/status/cardinality',
  '/status/alerting',
  '/no-such-page',
  // The sign-in page of the basic-auth console (playwright.config.ts's second web server).
  `http://127.0.0.1:${Number(process.env.OCTOSCOPE_E2E_PORT ?? '3100') + 2}/login?error=1&user=ops`,
];

/** Pages whose address comes from the data: the first trace found, the first SLO listed. */
async function resolve(page: Page, path: string): Promise<string> {
  if (path === 'TRACE') {
    await page.goto('/explore?mode=traces&service=orchestrator&from=now-15m');
    return (await page.getByTestId('trace-link').first().getAttribute('href'))!;
  }
  if (path === 'SLO') {
    await page.goto('/slo');
    return (await page.getByTestId('slo-link').first().getAttribute('href'))!;
  }
  return path;
}

for (const theme of ['light', 'dark']) {
  test(`every page has no serious or critical axe violation (${theme})`, async ({ page }) => {
    test.setTimeout(180_000);
    const found: string[] = [];
    for (const p of PAGES) {
      const path = await resolve(page, p);
      const url = `${path}${path.includes('?') ? '&' : '?'}theme=${theme}`;
      await test.step(url, async () => {
        await page.goto(url);
        await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
        await expect(page.locator('.console').first()).toHaveAttribute('data-theme', theme);
        const result = await new AxeBuilder({ page })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
          .analyze();
        for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
          const where = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 2).join('')}`);
          found.push(`${path} [${v.impact}] ${v.id}: ${v.help}\n    ${where.join('\n    ')}`);
        }
      });
    }
    expect(found, found.join('\n')).toEqual([]);
  });
}
