// The audit's one-click silence: a page title taken from the URL (`/trace/:id`, `/slo/:name`) once
// went into <title> unescaped, so `</title><form …>` put a live form into the page whose
// transparent button created a silence on the first click (same origin, so the CSRF check
// passed), and `<meta http-equiv=refresh>` sent the browser elsewhere. The real Alertmanager is
// the witness: after the click it must hold no silence with the injected comment.
import { test, expect } from '@playwright/test';

const marker = `injected-by-title-${Date.now()}`;
const injected =
  '</title>' +
  '<meta http-equiv="refresh" content="3;url=http://127.0.0.2:9/">' +
  '<form method="post" action="/api/create_silence" id="evil">' +
  `<input type="hidden" name="draft[matchers]" value='alertname="Watchdog"'>` +
  '<input type="hidden" name="draft[duration]" value="24h">' +
  '<input type="hidden" name="draft[created_by]" value="attacker">' +
  `<input type="hidden" name="draft[comment]" value="${marker}">` +
  '<input type="hidden" name="clusters[0]" value="alertmanager-1">' +
  '<button id="evil-button" style="position:fixed;inset:0;opacity:0;z-index:9999">x</button>' +
  '</form>';

async function silencesWithMarker(request: import('@playwright/test').APIRequestContext) {
  const resp = await request.get('/api/datasources/proxy/uid/alertmanager-1/api/v2/silences');
  expect(resp.status()).toBe(200);
  const silences: Array<{ comment: string }> = await resp.json();
  return silences.filter((s) => s.comment === marker).length;
}

for (const page_path of ['/trace/', '/slo/']) {
  test(`markup in the ${page_path} title is text, and a click creates no silence`, async ({ page, request }) => {
    await page.goto(page_path + encodeURIComponent(injected));
    await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
    // The title shows the payload as text; no element of it exists in the document.
    expect(await page.title()).toContain('</title><meta');
    await expect(page.locator('#evil')).toHaveCount(0);
    await expect(page.locator('#evil-button')).toHaveCount(0);
    await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(0);
    // A click anywhere (where the transparent button would have been) does nothing of the kind.
    await page.mouse.click(300, 300);
    await page.waitForTimeout(3_500);
    expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);
    expect(await silencesWithMarker(request)).toBe(0);
  });
}
