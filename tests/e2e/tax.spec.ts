// End-to-end: the Alignment tax page. Empty, it offers to run the quick pipeline (and its button starts
// one). After the smoke-sized quick pipeline, started from the Pipelines page, every model × metric
// cell shows the value stored in its evaluation run's summary, the changes are coloured, a cell opens
// the replies behind it, and the scatter plots and a radar per model are drawn with their data tables.
import type { Page } from '@playwright/test';
import type { Pipeline, Run } from '../../src/shared/schemas';
import { TAX_METRICS, changeTone, formatTaxValue, type TaxData } from '../../src/shared/tax';
import { api, expect, test } from './host';

const MODELS = ['base', 'SFT', 'RM-PPO', 'DPO', 'IPO', '+safety'];

async function waitForPipeline(host: Parameters<typeof api>[0], id: number): Promise<Pipeline> {
  for (;;) {
    const p = await api<Pipeline>(host, 'getPipeline', { id });
    if (p.status !== 'running') return p;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('the Alignment tax page: empty state, then the quick pipeline measured', async ({ page, host }) => {
  test.setTimeout(600_000);
  await page.goto(host.url);
  await nav(page, 'Alignment tax').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alignment tax' })).toBeVisible();
  await expect(page.getByText(/No evaluated pipeline yet\. Run the quick pipeline/)).toBeVisible();
  // The button starts the real quick pipeline; it is cancelled at once (it takes minutes).
  await page.getByRole('button', { name: 'Run the quick pipeline' }).click();
  await expect(page.getByRole('status').filter({ hasText: /quick #1 is running/ })).toBeVisible();
  const [quick] = await api<Pipeline[]>(host, 'listPipelines');
  expect(quick!.preset).toBe('quick');
  await api(host, 'cancelPipeline', { id: quick!.id });
  await waitForPipeline(host, quick!.id);

  // The smoke-sized quick pipeline, from the Pipelines page.
  await nav(page, 'Pipelines').click();
  await page.getByRole('button', { name: 'Run pipeline' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run pipeline' });
  await dialog.getByLabel('Preset').selectOption('quick-smoke');
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(page).toHaveURL(/#\/pipelines\/\d+$/);
  const id = Number(/(\d+)$/.exec(page.url())![1]);
  const p = await waitForPipeline(host, id);
  expect(p.error).toBeNull();

  await page.goto(`${host.url}#/tax?pipeline=${id}`);
  const table = page.getByTestId('tax-table');
  await expect(table).toBeVisible();
  await expect(page.getByLabel('Pipeline', { exact: true })).toHaveValue(String(id));
  await expect(table.locator('tbody tr')).toHaveCount(MODELS.length);
  for (const [i, label] of MODELS.entries())
    await expect(table.locator('tbody tr').nth(i).locator('th')).toContainText(label);

  // Every cell equals the stored summary of its evaluation run.
  const data = await api<TaxData>(host, 'taxData');
  const models = data.pipelines.find((x) => x.id === id)!.models;
  let cells = 0;
  for (const m of models) {
    const run = await api<Run>(host, 'getRun', { id: m.runId });
    const row = table.locator(`tbody tr[data-model="${m.label}"]`);
    for (const metric of TAX_METRICS) {
      const stored = run.summary[metric.summary];
      const cell = row.locator(`td[data-metric="${metric.key}"]`);
      if (stored === undefined) {
        if ((await cell.count()) > 0) await expect(cell).toHaveText('—');
        continue;
      }
      const button = cell.getByRole('button');
      await expect(button).toHaveAttribute('data-value', String(stored));
      await expect(button.locator('.tax-value')).toHaveText(formatTaxValue(metric, stored));
      // The changes, coloured by the metric's good direction.
      for (const [against, d] of [
        ['base', m.vsBase[metric.key]],
        ['sft', m.vsSft[metric.key]],
      ] as const) {
        const change = button.locator(`.tax-change[data-against="${against}"]`);
        if (d === null || d === undefined) await expect(change).toHaveCount(0);
        else await expect(change).toHaveAttribute('data-tone', changeTone(metric, d));
      }
      cells++;
    }
  }
  expect(cells).toBeGreaterThanOrEqual(MODELS.length * 10);
  // The SFT model against itself changes nothing.
  await expect(table.locator('tr[data-model="SFT"] .tax-change[data-against="sft"]').first()).toBeVisible();
  await expect(
    table.locator('tr[data-model="SFT"] .tax-change[data-against="sft"]:not([data-tone="neutral"])'),
  ).toHaveCount(0);

  // A cell opens its items: the harmful requests behind the DPO model's refusal rate.
  const dpo = models.find((m) => m.label === 'DPO')!;
  const dpoRun = await api<Run>(host, 'getRun', { id: dpo.runId });
  await table.locator('tr[data-model="DPO"] td[data-metric="harmful_refusal"] button').click();
  const items = page.getByRole('dialog', { name: /DPO · Refusal on harmful/ });
  await expect(items.getByTestId('tax-items')).toBeVisible();
  await expect(items.locator('tbody tr')).toHaveCount(dpoRun.summary['harmful/n']!);
  await items.getByLabel('Filter').fill('zzzz-nothing');
  await expect(items.locator('tbody tr')).toHaveCount(0);
  await items.getByRole('button', { name: 'Close' }).click();

  // Calibration opens its reliability diagram.
  await table.locator('tr[data-model="SFT"] td[data-metric="ece"] button').click();
  const ece = page.getByRole('dialog', { name: /SFT · Calibration error/ });
  await expect(ece.getByRole('img', { name: 'Reliability diagram' })).toBeVisible();
  await ece.getByRole('button', { name: 'Close' }).click();

  // Charts: two scatters across pipelines and a radar per model, each with its sentence and table.
  for (const name of ['Capability vs harmlessness', 'Helpfulness vs over-refusal'])
    await expect(page.getByRole('img', { name })).toBeVisible();
  await expect(page.getByTestId('tax-radar')).toHaveCount(MODELS.length);
  await expect(page.locator('.tax-chart canvas').first()).toBeVisible();
  await expect(page.getByText(/up, the share of harmful requests it refuses/)).toBeVisible();
  const scatter = page.getByTestId('tax-scatter-harm');
  await scatter.getByText('Show data as table').click();
  const rows = scatter.locator('tbody tr');
  await expect(rows).toHaveCount(MODELS.length);
  const sftRow = rows.filter({ hasText: 'SFT' }).filter({ hasNotText: '+safety' }).first();
  const sft = models.find((m) => m.label === 'SFT')!;
  const shown = Number(await sftRow.locator('td').nth(2).textContent());
  expect(shown).toBeCloseTo(sft.values.fact_accuracy!, 3);

  // An evaluation's page: one row per question set (the smoke pipeline's four) and all sets last, none
  // for other metric groups (win rate, calibration, memory).
  const base = models.find((m) => m.label === 'base')!;
  await page.goto(`${host.url}#/runs/${base.runId}`);
  const evalTable = page.getByRole('table', { name: 'Evaluation results' });
  await expect(evalTable.getByRole('rowheader')).toHaveText([
    'Held-out facts',
    'Harmful requests',
    'Benign look-alikes',
    'Unanswerable questions',
    'All sets',
  ]);
});
