// Dashboards SREs already run, unchanged, against the demo: kube-prometheus' namespace view over
// the simulated cluster (kube-state-metrics, cAdvisor and kube-prometheus' recording rules fill
// its stats, charts and joined quota table, a row per pod; the namespace picker re-queries), and
// Node Exporter Full showing this machine through Debian's real node exporter.
import { test, expect, type Page, type Locator } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConsolePage } from './fixtures/console';

const CORPUS = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'grafana-dashboards');

function panel(page: Page, title: string): Locator {
  return page.locator(`[data-testid="panel"][aria-label="${title}"]`);
}

function provide(source: string, name: string): string {
  const file = path.join(process.env.OCTOSCOPE_PROVISIONING!, 'local-dashboards', name);
  fs.copyFileSync(path.join(CORPUS, source), file);
  return file;
}

async function pods(table: Locator): Promise<string[]> {
  return table.locator('tbody tr td:nth-child(1)').allTextContents();
}

test('kube-prometheus namespace view shows the simulated cluster, and Node Exporter Full this machine', async ({ page }) => {
  const files = [
    provide('kube-prometheus/k8s-resources-namespace.json', 'e2e-k8s-resources-namespace.json'),
    provide('node-exporter-full-sv41-rfmoz.json', 'e2e-node-exporter-full.json'),
  ];
  try {
    const c = new ConsolePage(page);
    const quota = panel(page, 'CPU Quota').getByTestId('panel-table');
    // Its panels step by at least a minute: a stack younger than that has no sample at the
    // latest step yet, so look again until it does.
    await expect(async () => {
      await c.open('/d/85a562078cdf77779eaa1add43ccec1e?from=now-15m&var-namespace=octollm-prod');
      await expect(page.getByTestId('dashboard-title')).toContainText('Kubernetes / Compute Resources / Namespace (Pods)', { timeout: 1000 });
      await expect(panel(page, 'CPU Usage').locator('svg.chart-svg')).toHaveCount(1, { timeout: 1000 });
      await expect(quota.locator('tbody tr')).toHaveCount(8, { timeout: 1000 });
    }).toPass({ timeout: 120_000 });

    // The quota table joins five queries on the pod and renames them as the mixin says.
    const heads = (await quota.locator('thead th').allTextContents()).map((t) => t.replace(/[▲▼]/g, '').trim());
    expect(heads.slice(0, 3)).toEqual(['Pod', 'CPU Usage', 'CPU Requests']);
    const prod = await pods(quota);
    expect(prod.some((p) => p.startsWith('orchestrator-'))).toBe(true);
    await expect(panel(page, 'CPU Utilisation (from requests)').getByTestId('stat-value')).toHaveText(/%$/);

    // Another namespace from the picker: its own pods.
    await page.getByTestId('var-namespace').selectOption('octollm-staging');
    await expect(page).toHaveURL(/var-namespace=octollm-staging/);
    await expect(quota.locator('tbody tr')).toHaveCount(8);
    await expect.poll(async () => (await pods(quota)).some((p) => prod.includes(p))).toBe(false);

    // Node Exporter Full on the real exporter's job: this machine's cores and memory.
    await c.open('/d/rYdddlPWk?from=now-15m&var-job=node');
    await expect(page.getByTestId('dashboard-title')).toContainText('Node Exporter Full');
    await expect(panel(page, 'CPU Cores').getByTestId('stat-value')).toHaveText(String(os.cpus().length));
    // `decimals: 0` in the dashboard: whole GiB.
    await expect(panel(page, 'RAM Total').getByTestId('stat-value')).toHaveText(`${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  } finally {
    for (const f of files) fs.rmSync(f, { force: true });
  }
});

test('kube-prometheus Alertmanager overview repeats its notification panels per integration', async ({ page }) => {
  const file = provide('kube-prometheus/alertmanager-overview.json', 'e2e-alertmanager-overview.json');
  try {
    const c = new ConsolePage(page);
    const send = page.locator('[data-testid="panel"][aria-label$=": Notifications Send Rate"]');
    await expect(async () => {
      await c.open('/d/alertmanager-overview?from=now-15m');
      await expect(send.first()).toBeAttached({ timeout: 1000 });
    }).toPass({ timeout: 60_000 });
    // One copy per integration the demo's Alertmanagers report (the hidden variable's All),
    // titled with its integration, and the duration panel beside it repeated as often.
    const titles = await send.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(new Set(titles).size).toBe(titles.length);
    for (const integration of ['email', 'pagerduty', 'slack', 'webhook']) {
      expect(titles).toContain(`${integration}: Notifications Send Rate`);
    }
    await expect(page.locator('[data-testid="panel"][aria-label$=": Notification Duration"]')).toHaveCount(titles.length);
    // Each copy queries its own integration: the slack copy draws Alertmanager's counter.
    await expect(panel(page, 'slack: Notifications Send Rate').locator('svg.chart-svg')).toHaveCount(1);
    await expect(panel(page, '$integration: Notifications Send Rate')).toHaveCount(0);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
