// End-to-end: where inference runs, in the UI. The footer names onnxruntime's CPU provider (CUDA is
// not installed here, and the footer says so); an evaluation started from a model's "Evaluate" button
// with the advanced Inference setting on tfjs shows tfjs on its run page and under its results, and
// one on the default engine shows onnxruntime · cpu ×1.
import type { Page } from '@playwright/test';
import { api, expect, test, type LabHost } from './host';

interface RunLike {
  id: number;
  status: string;
  modelId: number | null;
}

async function finished(host: LabHost, id: number): Promise<RunLike> {
  for (let i = 0; i < 600; i++) {
    const run = await api<RunLike>(host, 'getRun', { id });
    if (run.status !== 'queued' && run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`run ${id} did not finish`);
}

const status = (page: Page) => page.getByRole('status', { name: 'Status' });

test('the footer, the run page and evaluation results say where inference ran', async ({ page, host }) => {
  test.setTimeout(240_000);
  const world = await api<{ id: number; datasets: { corpus: number } }>(host, 'generateWorld', {
    seed: 4,
    size: 'tiny',
  });
  const pre = await api<RunLike>(host, 'startRun', {
    algorithm: 'pretrain',
    dataset: world.datasets.corpus,
    config: { model: 'byte-tiny', maxSteps: 1, batchSize: 2, warmupSteps: 0, valFraction: 0.1 },
  });
  const trained = await finished(host, pre.id);
  expect(trained.status).toBe('completed');

  await page.goto(`${host.url}#/runs/${pre.id}`);
  const footer = page.getByRole('contentinfo', { name: 'System information' });
  await expect(footer).toContainText('Inference');
  await expect(footer).toContainText('onnxruntime · cpu ×1');
  await expect(footer).toContainText('CUDA provider unavailable');
  // A pretraining run infers nothing: no Inference fact.
  await expect(status(page)).toHaveText('completed');
  await expect(page.locator('.run-overview dt', { hasText: 'Inference' })).toHaveCount(0);

  // Evaluate on tfjs through the form's advanced setting.
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const form = page.getByRole('dialog', { name: 'New run' });
  await expect(form.getByLabel('Algorithm')).toHaveValue('eval');
  await form.getByLabel('Max new tokens').fill('4');
  await form.getByText('Advanced', { exact: true }).click();
  const inference = form.getByLabel('Inference');
  await expect(inference).toHaveValue('auto');
  await inference.selectOption('tfjs');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(status(page)).toHaveText('completed', { timeout: 120_000 });
  const fact = page.locator('.run-overview div', { has: page.locator('dt', { hasText: 'Inference' }) });
  await expect(fact.locator('dd')).toHaveText('tfjs');
  await expect(
    page.getByText('Replies generated on tfjs — requested by the run (inference: tfjs)'),
  ).toBeVisible();

  // The default engine: onnxruntime.
  const ev = await api<RunLike>(host, 'startRun', {
    algorithm: 'eval',
    dataset: null,
    config: { model: trained.modelId, world: world.id, sets: ['arithmetic'], maxNewTokens: 4 },
  });
  await finished(host, ev.id);
  await page.goto(`${host.url}#/runs/${ev.id}`);
  await expect(status(page)).toHaveText('completed');
  await expect(fact.locator('dd')).toHaveText('onnxruntime · cpu ×1');
  await expect(
    page.getByText(/^Replies generated on onnxruntime · cpu ×1 — CUDA provider unavailable/),
  ).toBeVisible();
});
