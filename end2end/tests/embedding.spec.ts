// Embedding in the internal portal: a portal page served from another loopback origin frames
// /d-solo and a kiosk dashboard when that origin is listed under [embedding] allowed_origins
// (playwright.config.ts lists http://127.0.0.1:<port + 1>), and the frame is refused by the CSP's
// frame-ancestors when the same page is served from an unlisted origin (http://localhost:…).
import { test, expect, type Page } from '@playwright/test';
import * as http from 'http';
import { portalPort } from './fixtures/console';

const consoleOrigin = `http://127.0.0.1:${process.env.OCTOSCOPE_E2E_PORT ?? '3100'}`;
let server: http.Server;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://portal');
    res.writeHead(200, { 'content-type': 'text/html' });
    if (url.pathname === '/other') {
      // A page of another origin inside the portal: it can reach the console's window too.
      res.end('<!doctype html><title>Other</title><p>another origin</p>');
      return;
    }
    const src = url.searchParams.get('src') ?? '/';
    const other = url.searchParams.get('other');
    // The host side of the embedding protocol: every report from the console is recorded.
    res.end(`<!doctype html><title>Portal</title><h1>Internal portal</h1>
      <script>window.reports = []; addEventListener('message', (e) => {
        if (e.origin === '${consoleOrigin}') window.reports.push(e.data);
      });</script>
      <iframe id="octoscope" src="${consoleOrigin}${src}" width="1000" height="600"></iframe>
      ${other ? `<iframe id="other" src="${other}/other" width="200" height="50"></iframe>` : ''}`);
  });
  await new Promise<void>((resolve) => server.listen(portalPort, '127.0.0.1', resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function frameHydrated(page: Page, portal: string, src: string) {
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('frame-ancestors')) refused.push(m.text());
  });
  await page.goto(`${portal}/?src=${encodeURIComponent(src)}`);
  return refused;
}

test('a listed portal origin frames /d-solo and a kiosk dashboard', async ({ page }) => {
  const solo = '/d-solo/octollm-namespace-prod/namespace-octollm-prod?panelId=6&from=now-1h&var-namespace=octollm-prod';
  await frameHydrated(page, `http://127.0.0.1:${portalPort}`, solo);
  const frame = page.frameLocator('#octoscope');
  await expect(frame.getByTestId('solo')).toBeVisible();
  await expect(frame.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(frame.getByTestId('panel')).toHaveCount(1);

  await frameHydrated(page, `http://127.0.0.1:${portalPort}`, '/d/octollm-overview?kiosk&from=now-15m');
  await expect(frame.getByTestId('dashboard')).toBeVisible();
  await expect(frame.locator('body[data-hydrated]')).toHaveCount(1);
  // Kiosk: no navigation chrome inside the portal.
  await expect(frame.getByTestId('nav-dashboards')).toHaveCount(0);
});

test('an unlisted origin cannot frame the console', async ({ page }) => {
  const refused = await frameHydrated(page, `http://localhost:${portalPort}`, '/d-solo/octollm-namespace-prod/namespace-octollm-prod?panelId=6');
  await expect(page.getByRole('heading', { name: 'Internal portal' })).toBeVisible();
  // The frame exists and the browser reports the refusal (waited for, not slept on); only then
  // is the absence of the console inside it a finding.
  await expect(page.locator('iframe#octoscope')).toHaveCount(1);
  await expect.poll(() => refused.join('\n'), { timeout: 10_000 }).toContain('frame-ancestors');
  await expect(page.frameLocator('#octoscope').getByTestId('solo')).toHaveCount(0);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(frame?.url() ?? '').not.toContain('/d-solo/');
});

test('the portal drives an embedded dashboard by postMessage and hears its zooms, clicks and height', async ({ page }) => {
  const portal = `http://127.0.0.1:${portalPort}`;
  const consoleLogs: string[] = [];
  page.on('console', (m) => consoleLogs.push(m.text()));
  const src = '/d/octollm-namespace-prod/namespace-octollm-prod?from=now-1h&var-namespace=octollm-prod';
  // A page of an unlisted origin sits beside the console in the portal.
  await page.goto(`${portal}/?src=${encodeURIComponent(src)}&other=${encodeURIComponent(`http://localhost:${portalPort}`)}`);
  const frameEl = page.frameLocator('#octoscope');
  await expect(frameEl.locator('body[data-hydrated]')).toHaveCount(1);
  const reports = () => page.evaluate(() => (window as any).reports as any[]);
  const ofType = async (type: string) => (await reports()).filter((r) => r.type === type);

  // Ready, with what it shows and its content height.
  await expect.poll(async () => (await ofType('octoscope:ready')).length).toBe(1);
  const ready = (await ofType('octoscope:ready'))[0];
  expect(ready.version).toBe(1);
  expect(ready.path).toBe('/d/octollm-namespace-prod/namespace-octollm-prod');
  expect(ready.height).toBeGreaterThan(200);

  // The host sets range, variable and theme: the console navigates to them.
  const frame = () => page.frames().find((f) => f.url().startsWith(consoleOrigin))!;
  await page.evaluate((origin) => {
    (document.getElementById('octoscope') as HTMLIFrameElement).contentWindow!.postMessage(
      { type: 'octoscope:set', version: 1, from: 'now-30m', to: 'now', vars: { namespace: 'octollm-staging' }, theme: 'dark' },
      origin,
    );
  }, consoleOrigin);
  await expect.poll(() => frame().url()).toContain('var-namespace=octollm-staging');
  expect(frame().url()).toContain('from=now-30m');
  await expect(frameEl.locator('.console')).toHaveAttribute('data-theme', 'dark');
  await expect(frameEl.getByTestId('var-namespace')).toHaveValue('octollm-staging');
  // Its own change is not reported back as a zoom.
  expect(await ofType('octoscope:zoom')).toEqual([]);

  // A page of another origin is not obeyed, and the console says why in the browser log.
  await page.frame({ url: /localhost.*\/other/ })!.evaluate(() => {
    (window.parent.frames[0] as Window).postMessage({ type: 'octoscope:set', version: 1, from: 'now-7d' }, '*');
  });
  await expect.poll(() => consoleLogs.join('\n')).toContain(`ignored a message from http://localhost:${portalPort}`);
  expect(frame().url()).toContain('from=now-30m');

  // A click on a chart: panel, series and time; a drag: the zoomed range.
  const chart = frameEl.locator('[data-testid="panel"][aria-label="CPU by pod"]').getByTestId('chart-overlay');
  await expect(chart).toBeVisible();
  const box = (await chart.boundingBox())!;
  await page.mouse.click(box.x + box.width - 30, box.y + box.height / 2);
  await expect.poll(async () => (await ofType('octoscope:click')).length).toBe(1);
  const click = (await ofType('octoscope:click'))[0];
  expect(click.panel).toBeGreaterThan(0);
  expect(click.time).toBeGreaterThan(Date.now() - 31 * 60_000);
  expect(typeof click.series).toBe('string');
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => (await ofType('octoscope:zoom')).length).toBe(1);
  const zoom = (await ofType('octoscope:zoom'))[0];
  expect(Number(zoom.to) - Number(zoom.from)).toBeGreaterThan(60_000);
  await expect.poll(() => frame().url()).toContain(`from=${zoom.from}`);

  // A narrower frame reflows taller: the host hears the new height and can size the frame.
  const before = (await reports()).filter((r) => r.type === 'octoscope:resize').length;
  await page.evaluate(() => ((document.getElementById('octoscope') as HTMLIFrameElement).width = '420'));
  await expect.poll(async () => (await ofType('octoscope:resize')).length).toBeGreaterThan(before);
  const resized = (await ofType('octoscope:resize')).at(-1);
  expect(resized.height).toBeGreaterThan(ready.height);
});
