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

// A page shows only the states the stack is in when the test runs (a pending alert comes and goes),
// so every state badge the console can draw is put on the page and checked, in both themes.
const BADGES = [
  'state-firing', 'state-active', 'state-pending', 'state-inactive', 'state-suppressed',
  'silence-active', 'silence-pending', 'silence-expired', 'slo-page', 'slo-ticket',
];
for (const theme of ['light', 'dark']) {
  test(`every state badge has enough contrast, shown or not (${theme})`, async ({ page }) => {
    await page.goto(`/alerting/list?theme=${theme}`);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    await page.evaluate((classes) => {
      const box = document.createElement('div');
      box.id = 'badge-check';
      for (const c of classes) {
        const b = document.createElement('span');
        b.className = `badge ${c}`;
        b.textContent = c.split('-')[1];
        box.appendChild(b);
      }
      document.querySelector('.console main, .console')!.appendChild(box);
    }, BADGES);
    await expect(page.locator('#badge-check .badge')).toHaveCount(BADGES.length);
    const result = await new AxeBuilder({ page }).include('#badge-check').withRules(['color-contrast']).analyze();
    const found = result.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`));
    expect(found, found.join('\n')).toEqual([]);
  });
}
