// One Alertmanager of the demo's HA pair is killed: the pages say which one is gone, and a silence
// is still created (in the survivor; gossip would spread it). Tagged @destructive: xtask runs it
// after every other journey, because the Alertmanager stays down.
import { test, expect, type Page } from '@playwright/test';

async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

const control = process.env.OCTOLLM_SIM_CONTROL ?? '';

test('a silence is created while one Alertmanager is stopped @destructive', async ({ page, request }) => {
  test.setTimeout(180_000);
  const pid = Number(process.env.OCTOSCOPE_E2E_AM1_PID ?? '0');
  expect(pid, 'cargo xtask test exports OCTOSCOPE_E2E_AM1_PID').toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');

  // Alertmanagers are read into a snapshot at most 5 s old: within seconds the page says so.
  const form = '/alerting/silence/new?matcher=alertname%3D%22DemoMaintenance%22&comment=maintenance%20with%20one%20Alertmanager%20down';
  await expect
    .poll(async () => {
      await open(page, form);
      return page.getByTestId('unreachable-banner').count();
    }, { timeout: 20_000, intervals: [2_000] })
    .toBe(1);
  await expect(page.getByTestId('unreachable-banner')).toContainText('Alertmanager 1');
  await expect(page.getByTestId('silence-cluster')).toHaveCount(1);
  await expect(page.getByTestId('silence-cluster')).toBeChecked();
  await page.getByTestId('silence-creator').fill('oncall');
  await page.getByTestId('create-silence').click();
  await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
  const id = new URL(page.url()).searchParams.get('created')!;
  await expect(page.locator(`[data-testid="silence-row"][data-silence-id="${id}"]`)).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('unreachable-banner')).toContainText('Alertmanager 1');

  // Groups still load from the survivor: an alert that starts firing now (only the survivor can
  // receive it) shows up in its group.
  const incident = await request.post(`${control}/sim/incidents`, {
    data: { kind: 'service_down', target: 'coder', duration: '3m' },
  });
  expect(incident.status()).toBe(201);
  const { id: incidentId } = await incident.json();
  try {
    await expect
      .poll(
        async () => {
          await open(page, '/alerting/groups?filter=alertname%3D%22ArmDown%22%2C%20service%3D%22coder%22');
          return page.getByTestId('alert-group').count();
        },
        { timeout: 120_000, intervals: [3_000] },
      )
      .toBeGreaterThan(0);
    await expect(page.getByTestId('unreachable-banner')).toContainText('Alertmanager 1');
  } finally {
    await request.delete(`${control}/sim/incidents/${incidentId}`);
  }
});
