// One Alertmanager of the demo's HA pair is killed: the pages say which one is gone, and a silence
// is still created (in the survivor; gossip would spread it). Tagged @destructive: xtask runs it
// after every other journey, because the Alertmanager stays down.
import { test, expect, type Page } from '@playwright/test';

async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1);
}

test('a silence is created while one Alertmanager is stopped @destructive', async ({ page }) => {
  const pid = Number(process.env.OCTOSCOPE_E2E_AM1_PID ?? '0');
  expect(pid, 'cargo xtask test exports OCTOSCOPE_E2E_AM1_PID').toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');

  await open(page, '/alerting/silence/new?matcher=alertname%3D%22DemoMaintenance%22&comment=maintenance%20with%20one%20Alertmanager%20down');
  await expect(page.getByTestId('unreachable-banner')).toContainText('Alertmanager 1');
  await expect(page.getByTestId('silence-cluster')).toHaveCount(1);
  await expect(page.getByTestId('silence-cluster')).toBeChecked();
  await page.getByTestId('silence-creator').fill('oncall');
  await page.getByTestId('create-silence').click();
  await expect(page).toHaveURL(/\/alerting\/silences\?created=/);
  const id = new URL(page.url()).searchParams.get('created')!;
  await expect(page.locator(`[data-testid="silence-row"][data-silence-id="${id}"]`)).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('unreachable-banner')).toContainText('Alertmanager 1');

  // Groups still load from the survivor.
  await open(page, '/alerting/groups');
  await expect(page.getByTestId('unreachable-banner')).toContainText('Alertmanager 1');
});
