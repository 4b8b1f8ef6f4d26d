// Accessibility of every page, light and dark: axe-core (WCAG 2.1 A and AA, contrast included)
// finds no serious or critical violation once the page has hydrated with its data.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { PAGES, resolvePage } from './fixtures/pages';

for (const theme of ['light', 'dark']) {
  test(`every page has no serious or critical axe violation (${theme})`, async ({ page }) => {
    test.setTimeout(180_000);
    const found: string[] = [];
    for (const p of PAGES) {
      const path = await resolvePage(page, p);
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
