// End-to-end: the hand-off to TRL in the browser. A GPT-2-shaped checkpoint folder imports from the
// Runs page (a path field: a browser cannot hand over a folder); a trainer_state.json imports as an
// external run whose page says so and shows its metrics; a finished SFT run downloads as a TRL project zip.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, expect, test } from './host';
import { writeTinyGpt2 } from '../engine/gpt2-fixture';

const TRAINER_STATE = JSON.stringify({
  global_step: 4,
  num_train_epochs: 1,
  log_history: [
    { epoch: 0.5, loss: 0.69, 'rewards/chosen': 0.01, 'rewards/margins': 0.05, learning_rate: 5e-7, step: 2 },
    { epoch: 1, loss: 0.61, 'rewards/chosen': 0.04, 'rewards/margins': 0.21, learning_rate: 1e-8, step: 4 },
    { epoch: 1, step: 4, train_runtime: 30.5, train_loss: 0.65 },
  ],
});

test('import a GPT-2 checkpoint and a trainer_state.json, export a run for TRL', async ({ page, host }) => {
  const work = mkdtempSync(join(tmpdir(), 'lab-e2e-trl-'));
  try {
    writeTinyGpt2(work, { prefix: '', seed: 4, positions: 64 });
    const statePath = join(work, 'trainer_state.json');
    writeFileSync(statePath, TRAINER_STATE);

    await page.goto(`${host.url}#/runs`);
    await page.getByRole('button', { name: 'Import a GPT-2 checkpoint' }).click();
    const modelDialog = page.getByRole('dialog', { name: 'Import a GPT-2 checkpoint' });
    await modelDialog.getByLabel('Folder on this machine').fill(join(work, 'missing'));
    await modelDialog.getByRole('button', { name: 'Import' }).click();
    await expect(modelDialog.getByRole('alert')).toContainText('does not exist');
    await modelDialog.getByLabel('Folder on this machine').fill(work);
    await modelDialog.getByLabel('Name').fill('tiny gpt2');
    await modelDialog.getByRole('button', { name: 'Import' }).click();
    await expect(modelDialog.getByRole('status')).toContainText('Imported model #1 “tiny gpt2”');
    await expect(modelDialog.getByRole('link', { name: 'Fine-tune it (SFT)' })).toBeVisible();
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Import trainer_state.json' }).click();
    const runDialog = page.getByRole('dialog', { name: 'Import trainer_state.json' });
    await runDialog.getByLabel('File').setInputFiles(statePath);
    await runDialog.getByLabel('Name').fill('DPO on 8 GPUs');
    await runDialog.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'DPO on 8 GPUs' })).toBeVisible();
    await expect(page.getByRole('note')).toContainText('External run');
    await expect(page.getByRole('note')).toContainText('trainer_state.json');
    await expect(page.getByText('rewards/margins').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Export for TRL' })).toHaveCount(0);

    // A short SFT run from the imported model, then its TRL project as a download.
    const run = await api<{ id: number }>(host, 'startRun', {
      algorithm: 'sft',
      dataset: 'sandbox-sft',
      config: { baseModel: 1, maxSteps: 2, batchSize: 4, template: 'plain' },
    });
    await page.goto(`${host.url}#/runs`);
    await expect(page.getByRole('row').filter({ hasText: 'DPO on 8 GPUs' })).toContainText('external');
    await page.goto(`${host.url}#/runs/${run.id}`);
    await expect(page.getByText('completed').first()).toBeVisible({ timeout: 90_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export for TRL' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^trl-\d+-.*\.zip$/);
    const saved = join(work, 'project.zip');
    await file.saveAs(saved);
    const bytes = readFileSync(saved);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.includes(Buffer.from('train.py'))).toBe(true);
    const summary = page.getByRole('dialog', { name: 'Export for TRL' });
    await expect(summary).toContainText('SFTTrainer');
    await expect(summary).toContainText('backend');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
