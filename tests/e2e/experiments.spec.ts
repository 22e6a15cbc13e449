// End-to-end: the Pipelines page offers the experiments apart from the pipelines, each with the claim
// it tests; a run's page shows its batch (micro-batch × accumulation = effective) and opens the
// Cluster planner, whose GPipe schedule is a table with its numbers, checked against the simulation.
import { api, expect, test } from './host';

test('experiments are offered with their claim', async ({ page, host }) => {
  await page.goto(host.url);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Pipelines', exact: true })
    .click();
  await page.getByRole('button', { name: 'Run experiment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run experiment' });
  const preset = dialog.getByLabel('Preset');
  await expect(preset.locator('option')).toContainText(['rater-noise', 'grad-accumulation']);
  await expect(preset.locator('option', { hasText: 'smoke' })).toHaveCount(0);
  await preset.selectOption('rater-noise');
  await expect(dialog.getByText(/Claim under test: The reward model's quality bounds/)).toBeVisible();
  await expect(dialog.getByRole('listitem').filter({ hasText: '(rm-25)' })).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // The plain "Run pipeline" form lists both groups.
  await page.getByRole('button', { name: 'Run pipeline' }).click();
  const all = page.getByRole('dialog', { name: 'Run pipeline' }).getByLabel('Preset');
  await expect(
    all.locator('optgroup[label="Experiments"] option', { hasText: 'grad-accumulation' }),
  ).toHaveCount(1);
  await expect(all.locator('optgroup[label="Pipelines"] option', { hasText: /^smoke$/ })).toHaveCount(1);
});

test('a run page shows its batch and plans a pipeline-parallel schedule', async ({ page, host }) => {
  const run = await api<{ id: number }>(host, 'startRun', {
    algorithm: 'sft',
    dataset: 'sandbox-sft',
    config: { model: 'byte-tiny', maxSteps: 2, batchSize: 8, gradientAccumulationSteps: 4, epochs: 1 },
  });
  await page.goto(`${host.url}#/runs/${run.id}`);
  await expect(page.getByText('8 × 4 accumulation = 32 effective')).toBeVisible();

  await page.getByRole('button', { name: 'Cluster planner' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cluster planner' });
  await expect(dialog.getByLabel('Micro-batches (m)')).toHaveValue('4'); // from the run's accumulation
  await dialog.getByLabel('Pipeline stages (s)').fill('3');
  await dialog.getByLabel('Schedule the backward passes too').uncheck();
  const grid = dialog.getByRole('table', { name: /GPipe schedule: 3 stages × 6 time steps/ });
  await expect(grid).toBeVisible();
  await expect(grid.getByRole('row')).toHaveCount(4); // header + 3 stages
  await expect(grid.getByRole('row').nth(2).getByRole('cell')).toHaveText([
    'idle',
    'F1',
    'F2',
    'F3',
    'F4',
    'idle',
  ]);
  await expect(dialog.getByText('4 / 6 = 66.7 %')).toBeVisible();
  await expect(dialog.getByText('66.7 % (same schedule)')).toBeVisible();
  await expect(dialog.getByText('12 / 6')).toBeVisible(); // busy / idle slots

  await dialog.getByLabel('Schedule the backward passes too').check();
  await expect(dialog.getByRole('table', { name: /3 stages × 12 time steps/ })).toBeVisible();

  await dialog.getByLabel('Pipeline stages (s)').fill('0');
  await expect(dialog.getByText('Stages must be at least 1')).toBeVisible();
});
