// On call from a phone (the `phone` project: 390 × 844, touch): no page scrolls sideways, the
// navigation is behind a menu button, charts answer taps and drags, and the alert path — alert →
// Silence → form → created → expired — works with one thumb. Screenshots of every page at phone
// width are attached to the test's results.
import { test, expect, type Page } from '@playwright/test';
import { PAGES, resolvePage } from './fixtures/pages';

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';

async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

/** Visible interactive elements under `scope` smaller than 40 px tall: tap targets too small. */
async function smallTargets(page: Page, scope: string) {
  return page.locator(scope).evaluateAll((roots) =>
    roots.flatMap((root) =>
      [...root.querySelectorAll('a, button, summary, input:not([type=hidden]), select')]
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && r.height < 40 && getComputedStyle(e).visibility !== 'hidden';
        })
        .map((e) => `${e.tagName.toLowerCase()}[${e.getAttribute('data-testid') ?? e.textContent?.trim().slice(0, 20)}] ${Math.round(e.getBoundingClientRect().height)}px`),
    ),
  );
}

test('no page scrolls sideways at 390 px, and each is kept as a screenshot', async ({ page }, info) => {
  test.setTimeout(180_000);
  const wide: string[] = [];
  for (const p of PAGES) {
    const path = await resolvePage(page, p);
    await test.step(path, async () => {
      await open(page, path);
      const { scroll, inner } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      if (scroll > inner) wide.push(`${path}: document ${scroll} px wide on a ${inner} px screen`);
      const name = path.replace(/^https?:\/\/[^/]+/, '').replace(/[^a-z0-9]+/gi, '_').slice(0, 60) || 'home';
      // The whole page when it fits a screenshot (Chromium refuses very tall ones at 3× density).
      const tall = await page.evaluate(() => document.documentElement.scrollHeight > 5000);
      await info.attach(`${name}.png`, { body: await page.screenshot({ fullPage: !tall }), contentType: 'image/png' });
    });
  }
  expect(wide, wide.join('\n')).toEqual([]);
});

test('the navigation is behind a menu button that closes on a choice', async ({ page }) => {
  await open(page, '/');
  await expect(page.getByTestId('nav')).toBeHidden();
  await page.getByTestId('menu-button').tap();
  await expect(page.getByTestId('nav')).toBeVisible();
  await expect(page.getByTestId('menu-button')).toHaveAttribute('aria-expanded', 'true');
  await page.getByTestId('nav-alerting').tap();
  await expect(page).toHaveURL(/\/alerting\/list/);
  await expect(page.getByTestId('nav')).toBeHidden();
  // The time range and refresh stay one tap away in the wrapped top bar.
  await expect(page.getByTestId('time-picker-button')).toBeInViewport();
  await expect(page.getByTestId('refresh-picker-button')).toBeInViewport();
  expect(await smallTargets(page, '[data-testid="topbar"]')).toEqual([]);
});

test('a dashboard is one column in panel order; a tap shows a tooltip, a drag zooms', async ({ page }) => {
  await open(page, '/d/octollm-service-health?from=now-15m');
  // The page remembers this phone's one-column grid; the next visit is drawn for it, so its charts
  // sleep until touched and the tap below is the one that wakes the first.
  await expect
    .poll(async () => (await page.context().cookies()).find((k) => k.name === 'octoscope_grid')?.value)
    .toMatch(/\/1$/);
  await open(page, '/d/octollm-service-health?from=now-15m');
  const panels = page.getByTestId('panel');
  const boxes = await panels.evaluateAll((els) => els.slice(0, 6).map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width })));
  for (let i = 1; i < boxes.length; i++) {
    expect(boxes[i].y, 'each panel below the previous one').toBeGreaterThan(boxes[i - 1].y);
    expect(Math.abs(boxes[i].x - boxes[0].x)).toBeLessThan(2);
  }
  expect(boxes[0].w).toBeGreaterThan(300);

  const overlay = page.getByTestId('chart-overlay').first();
  await overlay.scrollIntoViewIfNeeded();
  await expect(page.locator('[data-live]').first()).not.toHaveAttribute('data-awake');
  const box = (await overlay.boundingBox())!;
  await page.touchscreen.tap(box.x + box.width * 0.6, box.y + box.height / 2);
  await expect(page.getByTestId('chart-tooltip')).toBeVisible();
  // A second tap elsewhere hides it.
  await page.getByTestId('dashboard-title').tap();
  await expect(page.getByTestId('chart-tooltip')).toHaveCount(0);

  // A horizontal drag with a finger selects a range, as a mouse does.
  const cdp = await page.context().newCDPSession(page);
  const y = box.y + box.height / 2;
  const touch = (type: string, x: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  await touch('touchStart', box.x + box.width * 0.3);
  for (const f of [0.4, 0.5, 0.6, 0.7]) await touch('touchMove', box.x + box.width * f);
  await touch('touchEnd', box.x + box.width * 0.7);
  await expect(page).toHaveURL(/from=\d{13}&to=\d{13}/);
});

test('the alert path with one thumb: alert → Silence → created → expired', async ({ page, request }) => {
  test.setTimeout(180_000);
  expect(control, 'xtask exports OCTOLLM_SIM_CONTROL').not.toBe('');
  page.on('dialog', (d) => d.accept());
  const created = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'service_down', target: 'coder', duration: '5m' },
  });
  expect(created.status()).toBe(201);
  const { id: incident } = await created.json();
  try {
    const filter = '/alerting/groups?filter=' + encodeURIComponent('alertname="ArmDown", service="coder"');
    const alert = page.locator('[data-testid="am-alert"][data-alertname="ArmDown"]');
    await expect
      .poll(async () => {
        await open(page, filter);
        return alert.count();
      }, { timeout: 120_000, intervals: [2_000] })
      .toBeGreaterThan(0);
    // The alert's onward links are big enough for a thumb.
    expect(await smallTargets(page, '[data-testid="am-alert"] td.links')).toEqual([]);
    await alert.first().getByTestId('silence-alert').tap();
    await expect(page).toHaveURL(/\/alerting\/silence\/new\?matcher=/);
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    // The form stacks its fields in the screen's width.
    const form = (await page.getByTestId('silence-form').boundingBox())!;
    expect(form.width).toBeLessThanOrEqual(390);
    await page.getByTestId('silence-duration').tap();
    await page.getByTestId('silence-duration').fill('30m');
    await page.getByTestId('silence-comment').tap();
    await page.keyboard.type('phone: coder down drill');
    await expect(page.getByTestId('silence-computed-end')).toContainText('30m');
    await page.getByTestId('create-silence').tap();
    await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
    const silenceId = new URL(page.url()).searchParams.get('created')!;
    const row = page.locator(`[data-testid="silence-row"][data-silence-id="${silenceId}"]`);
    await expect(row).toBeVisible();
    await row.getByTestId('expire-silence').tap();
    await expect(row).toHaveCount(0);
  } finally {
    await request.delete(`${control}/sim/incidents/${incident}`);
  }
});
