// Basic-auth mode on a second console (playwright.config.ts starts it on port+2 with the users in
// fixtures/auth/users): a page sends the browser to the login form, a wrong password keeps the
// name, a viewer sees why silences are not theirs to write, and an editor creates one for real.
import { test, expect, type Page } from '@playwright/test';

const base = `http://127.0.0.1:${Number(process.env.OCTOSCOPE_E2E_PORT ?? '3100') + 2}`;

async function signIn(page: Page, user: string, password: string) {
  await page.getByTestId('login-user').fill(user);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

test('sign in as a viewer, then as an editor who creates a silence', async ({ page }) => {
  const target = '/alerting/silence/new?matcher=alertname%3D%22DemoMaintenance%22&comment=signed%20in%20maintenance';
  await page.goto(`${base}${target}`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByTestId('login-page')).toBeVisible();

  // A wrong password: back on the form, the name kept, the reason shown.
  await signIn(page, 'vera', 'not-her-password');
  await expect(page.getByTestId('login-error')).toContainText('Wrong user name or password');
  await expect(page.getByTestId('login-user')).toHaveValue('vera');

  await signIn(page, 'vera', 'viewer-pass');
  await expect(page).toHaveURL(/\/alerting\/silence\/new\?matcher=alertname/);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(page.getByTestId('user-badge')).toHaveText('vera · viewer');
  await expect(page.getByTestId('write-blocked')).toContainText('editor role');
  await expect(page.getByTestId('create-silence')).toBeDisabled();

  // Sign out, then in as the editor: the silence is created in the real Alertmanager.
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${base}${target}`);
  await signIn(page, 'eddie', 'editor-pass');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  await expect(page.getByTestId('user-badge')).toHaveText('eddie · editor');
  await expect(page.getByTestId('write-blocked')).toHaveCount(0);
  await page.getByTestId('silence-creator').fill('eddie');
  await page.getByTestId('create-silence').click();
  await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
  const id = new URL(page.url()).searchParams.get('created')!;
  await expect(page.locator(`[data-testid="silence-row"][data-silence-id="${id}"]`)).toHaveAttribute('data-state', 'active');
});

test('without a session the API answers 401 and pages go to the login form', async ({ request }) => {
  const fn = await request.post(`${base}/api/whoami`, { data: '' });
  expect(fn.status()).toBe(401);
  expect((await fn.json()).error).toContain('sign in');
  const proxied = await request.get(`${base}/api/datasources/proxy/uid/prometheus/api/v1/query?query=up`);
  expect(proxied.status()).toBe(401);
});
