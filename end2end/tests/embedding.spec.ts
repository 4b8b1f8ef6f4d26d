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
    const src = new URL(req.url ?? '/', 'http://portal').searchParams.get('src') ?? '/';
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>Portal</title><h1>Internal portal</h1>
      <iframe id="octoscope" src="${consoleOrigin}${src}" width="1000" height="600"></iframe>`);
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
