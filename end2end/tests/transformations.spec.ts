// Grafana transformations on real Prometheus data: kube-prometheus' disk table chain (groupBy,
// merge, calculateField, organize, sortBy) as it writes it, a reduce to rows, a join summed into
// a stat that matches Prometheus' own sum, the frame picker, and a transformation Octoscope
// does not run named on its panel while the others still apply.
import { test, expect, type Page, type Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ConsolePage } from './fixtures/console';

function panel(page: Page, title: string): Locator {
  return page.locator(`[data-testid="panel"][aria-label="${title}"]`);
}

const prom = { type: 'prometheus' };
const grid = (x: number, y: number) => ({ x, y, w: 12, h: 8 });
const number = (s: string) => Number(s.replace(/[^0-9.\-]/g, ''));

async function headers(table: Locator): Promise<string[]> {
  return (await table.locator('thead th').allTextContents()).map((t) => t.replace(/[▲▼]/g, '').trim());
}

async function column(table: Locator, i: number): Promise<string[]> {
  return table.locator(`tbody tr td:nth-child(${i + 1})`).allTextContents();
}

test('transformations reshape real Prometheus data as Grafana would', async ({ page }) => {
  const file = path.join(process.env.OCTOSCOPE_PROVISIONING!, 'local-dashboards', 'transformations-e2e.json');
  fs.writeFileSync(file, JSON.stringify({
    uid: 'transformations-e2e', title: 'Transformations e2e', time: { from: 'now-15m', to: 'now' },
    panels: [
      {
        id: 1, type: 'table', title: 'Disk space by node', gridPos: grid(0, 0), datasource: prom,
        targets: [
          { refId: 'A', expr: 'node_filesystem_size_bytes{job="node-exporter", mountpoint="/"}', format: 'table', instant: true },
          { refId: 'B', expr: 'node_filesystem_avail_bytes{job="node-exporter", mountpoint="/"}', format: 'table', instant: true },
        ],
        fieldConfig: { defaults: { unit: 'none', decimals: 0 },
          overrides: [{ matcher: { id: 'byName', options: 'Used, %' }, properties: [{ id: 'unit', value: 'percentunit' }, { id: 'decimals', value: 2 }] }] },
        // kube-prometheus' node-exporter "Disk Space Usage" table, option for option.
        transformations: [
          { id: 'groupBy', options: { fields: { 'Value #A': { aggregations: ['lastNotNull'], operation: 'aggregate' }, 'Value #B': { aggregations: ['lastNotNull'], operation: 'aggregate' }, node: { aggregations: [], operation: 'groupby' } } } },
          { id: 'merge' },
          { id: 'calculateField', options: { alias: 'Used', binary: { left: 'Value #A (lastNotNull)', operator: '-', reducer: 'sum', right: 'Value #B (lastNotNull)' }, mode: 'binary', reduce: { reducer: 'sum' } } },
          { id: 'calculateField', options: { alias: 'Used, %', binary: { left: 'Used', operator: '/', reducer: 'sum', right: 'Value #A (lastNotNull)' }, mode: 'binary', reduce: { reducer: 'sum' } } },
          { id: 'organize', options: { excludeByName: {}, indexByName: {}, renameByName: { 'Value #A (lastNotNull)': 'Size', 'Value #B (lastNotNull)': 'Available', node: 'Node' } } },
          { id: 'sortBy', options: { fields: {}, sort: [{ field: 'Node', desc: true }] } },
        ],
      },
      {
        id: 2, type: 'table', title: 'Targets up, reduced', gridPos: grid(12, 0), datasource: prom,
        targets: [{ refId: 'A', expr: 'sum by (job) (up)', legendFormat: '{{job}}' }],
        transformations: [
          { id: 'prepareTimeSeries', options: { format: 'multi' } },
          { id: 'reduce', options: { reducers: ['max', 'mean', 'lastNotNull'] } },
        ],
      },
      {
        id: 3, type: 'stat', title: 'Joined and summed', gridPos: grid(0, 8), datasource: prom,
        targets: [{ refId: 'A', expr: 'sum by (job) (up)', legendFormat: '{{job}}' }],
        transformations: [
          { id: 'joinByField', options: {} },
          { id: 'calculateField', options: { mode: 'reduceRow', reduce: { reducer: 'sum' }, alias: 'All targets', replaceFields: true } },
        ],
      },
      {
        id: 4, type: 'stat', title: 'Prometheus sum', gridPos: grid(12, 8), datasource: prom,
        targets: [{ refId: 'A', expr: 'sum(up)' }],
      },
      {
        id: 5, type: 'table', title: 'Two frames', gridPos: grid(0, 16), datasource: prom,
        targets: [
          { refId: 'A', expr: 'count by (job) (up)', format: 'table', instant: true },
          { refId: 'B', expr: 'count by (node) (node_filesystem_size_bytes{job="node-exporter"})', format: 'table', instant: true },
        ],
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true } } }],
      },
    ],
  }));
  try {
    const c = new ConsolePage(page);
    await expect(async () => {
      await c.open('/d/transformations-e2e');
      await expect(page.getByTestId('dashboard-title')).toContainText('Transformations e2e', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });

    // The disk chain: one row per node, newest names first, Used = Size − Available.
    const disk = panel(page, 'Disk space by node').getByTestId('panel-table');
    expect(await headers(disk)).toEqual(['Node', 'Size', 'Available', 'Used', 'Used, %']);
    expect(await column(disk, 0)).toEqual(['node-2', 'node-1', 'node-0']);
    const rows = await disk.locator('tbody tr').all();
    for (const row of rows) {
      const [size, avail, used, pct] = (await row.locator('td').allTextContents()).slice(1).map(number);
      expect(size).toBe(100 * 2 ** 30);
      expect(Math.abs(size - avail - used)).toBeLessThanOrEqual(1);
      expect(pct).toBeCloseTo((100 * used) / size, 1);
    }
    // A header click sorts the server's HTML in the browser (the table's data never reached
    // it): ascending, descending, then the server's order again.
    const node = disk.locator('thead th button').first();
    await node.click();
    expect(await column(disk, 0)).toEqual(['node-0', 'node-1', 'node-2']);
    await expect(node).toHaveText('Node ▲');
    await node.click();
    expect(await column(disk, 0)).toEqual(['node-2', 'node-1', 'node-0']);
    await expect(node).toHaveText('Node ▼');
    await node.click();
    expect(await column(disk, 0)).toEqual(['node-2', 'node-1', 'node-0']);
    await expect(node).toHaveText('Node');
    // A numeric column sorts by value: Used ascending.
    await disk.locator('thead th button').nth(3).click();
    const used = (await column(disk, 3)).map(number);
    expect(used).toEqual([...used].sort((a, b) => a - b));

    // Reduce to rows: a row per job, columns titled as Grafana titles them; the transformation
    // Octoscope does not run is named on the panel, and the reduce after it still ran.
    const reduced = panel(page, 'Targets up, reduced');
    const table = reduced.getByTestId('panel-table');
    expect(await headers(table)).toEqual(['Field', 'Max', 'Mean', 'Last *']);
    const jobs = await column(table, 0);
    expect(jobs).toContain('orchestrator');
    expect(jobs).toContain('arms');
    await expect(reduced.getByTestId('panel-warnings')).toHaveAttribute('title', /prepareTimeSeries \(Octoscope does not run it\)/);

    // Joined on time and summed per row: the same number Prometheus' sum(up) gives.
    const summed = panel(page, 'Joined and summed').getByTestId('stat-value');
    await expect(summed).not.toHaveText('');
    expect(number((await summed.textContent())!)).toBe(number((await panel(page, 'Prometheus sum').getByTestId('stat-value').textContent())!));

    // Two frames left: a picker shows one at a time.
    const two = panel(page, 'Two frames');
    expect(await headers(two.getByTestId('panel-table'))).toEqual(['job', 'Value #A']);
    await two.getByTestId('table-frame').selectOption({ index: 1 });
    expect(await headers(two.getByTestId('panel-table'))).toEqual(['node', 'Value #B']);
    await expect(two.getByTestId('panel-table').locator('tbody tr')).toHaveCount(3);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
