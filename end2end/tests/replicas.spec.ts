// Three consoles behind Debian's haproxy (started by `cargo xtask e2e`, address in
// OCTOSCOPE_E2E_LB; basic auth with one session key): signed in through the balancer, every
// replica knows the user; a silence created through one replica is listed by the others and
// expired through another. The balancer names the replica that answered (X-Served-By).
import { test, expect, type Page } from '@playwright/test';

const lb = process.env.OCTOSCOPE_E2E_LB ?? '';

/** Opens `path` through the balancer; returns the replica that served it. */
async function open(page: Page, path: string): Promise<string> {
  const resp = await page.goto(`http://${lb}${path}`);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
  return resp?.headers()['x-served-by'] ?? '';
}

test('a sign-in and a silence hold on whichever replica answers', async ({ page }) => {
  expect(lb, 'xtask exports OCTOSCOPE_E2E_LB').not.toBe('');
  page.on('dialog', (d) => d.accept());
  const target = '/alerting/silence/new?matcher=alertname%3D%22ReplicaMaintenance%22&comment=across%20replicas';
  await page.goto(`http://${lb}${target}`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByTestId('login-user').fill('eddie');
  await page.getByTestId('login-password').fill('editor-pass');
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/\/alerting\/silence\/new\?matcher=/);

  // Round robin (the page's own requests take turns too): within a few loads every replica has
  // served a page, each to the same user.
  const seen = new Set<string>();
  for (let i = 0; i < 12 && seen.size < 3; i++) {
    seen.add(await open(page, '/alerting/silences'));
    await expect(page.getByTestId('user-badge')).toHaveText('eddie · editor');
  }
  expect([...seen].sort()).toEqual(['replica1', 'replica2', 'replica3']);

  // Create through whichever replica takes the POST…
  await open(page, target);
  await page.getByTestId('silence-creator').fill('eddie');
  const creating = page.waitForResponse((r) => r.url().includes('/api/create_silence'));
  await page.getByTestId('create-silence').click();
  const createdOn = (await creating).headers()['x-served-by'] ?? '';
  await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
  const id = new URL(page.url()).searchParams.get('created')!;
  const row = page.locator(`[data-testid="silence-row"][data-silence-id="${id}"]`);

  // …listed by every replica as each answers…
  const listedBy = new Set<string>();
  for (let i = 0; i < 12 && listedBy.size < 3; i++) {
    listedBy.add(await open(page, '/alerting/silences'));
    await expect(row).toHaveAttribute('data-state', 'active');
  }
  expect([...listedBy].sort()).toEqual(['replica1', 'replica2', 'replica3']);

  // …expired through whichever takes that POST, and seen expired by every replica.
  const expiring = page.waitForResponse((r) => r.url().includes('/api/expire_silence'));
  await row.getByTestId('expire-silence').click();
  const expired = await expiring;
  expect(expired.status()).toBe(200);
  await expect(row).toHaveCount(0);
  test.info().annotations.push({
    type: 'replicas',
    description: `created on ${createdOn}, expired on ${expired.headers()['x-served-by']}`,
  });
  const expiredBy = new Set<string>();
  for (let i = 0; i < 12 && expiredBy.size < 3; i++) {
    expiredBy.add(await open(page, '/alerting/silences?state=expired'));
    await expect(row).toHaveAttribute('data-state', 'expired');
  }
  expect(expiredBy.size).toBe(3);
});
