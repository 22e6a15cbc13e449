// End-to-end: the playground streams a real (tiny) pretrained model's reply into the transcript,
// stops a long one, compares two models side by side, and the template preview shows which tokens
// SFT trains on. The model is trained through the HTTP API (the run form has its own tests).
import type { Page } from '@playwright/test';
import { api, expect, test } from './host';
import type { LabHost } from './host';

interface Run {
  id: number;
  status: string;
  error: string | null;
  modelId: number | null;
}

/** Pretrains byte-tiny on a repetitive corpus; returns the model's id. */
async function pretrain(host: LabHost, name: string): Promise<number> {
  const dataset = await api<{ id: number }>(host, 'createDataset', { name: `${name} text`, kind: 'text' });
  for (let i = 0; i < 8; i++)
    await api(host, 'addExample', {
      datasetId: dataset.id,
      data: { text: 'the cat sat on the mat. '.repeat(6) },
    });
  const config = { model: 'byte-tiny', tokenizer: 'byte', maxSteps: 60, batchSize: 8, learningRate: 0.003 };
  let run = await api<Run>(host, 'startRun', {
    algorithm: 'pretrain',
    dataset: dataset.id,
    name,
    config: { ...config, valFraction: 0 },
  });
  const deadline = Date.now() + 150_000;
  while (run.status === 'queued' || run.status === 'running') {
    if (Date.now() > deadline) throw new Error(`run ${run.id} did not finish in time`);
    await new Promise((r) => setTimeout(r, 500));
    run = await api<Run>(host, 'getRun', { id: run.id });
  }
  if (run.status !== 'completed' || run.modelId === null)
    throw new Error(`run ${run.id} ended ${run.status}: ${run.error ?? 'no model'}`);
  return run.modelId;
}

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

test('playground: a pretrained model continues text, a long reply stops, two models side by side', async ({
  page,
  host,
}) => {
  // Before any model: the empty state points to Runs.
  await page.goto(host.url);
  await nav(page, 'Playground');
  await expect(page.getByRole('heading', { level: 1, name: 'Playground' })).toBeVisible();
  await expect(
    page.getByText('Train a model first: run Pretraining on a text dataset, or SFT'),
  ).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to Runs' })).toBeVisible();

  const modelId = await pretrain(host, 'cats');
  await page.reload();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playground' }),
  ).toHaveAttribute('aria-current', 'page');

  const chat = page.getByRole('region', { name: 'Chat' });
  const model = chat.getByLabel('Model', { exact: true });
  await expect(model).toHaveValue(String(modelId));
  await expect(model.locator('option:checked')).toContainText('cats');
  await expect(model.locator('option:checked')).toContainText('byte tokenizer');
  // A pretrained model's template defaults to None (continue text).
  const template = chat.getByLabel('Template', { exact: true });
  await expect(template).toHaveValue('none');
  await template.selectOption({ label: 'None (continue text, for base models)' });
  await page.getByLabel('Temperature').fill('0');

  // Send with Enter: the reply streams in and completes.
  const message = page.getByLabel('Message', { exact: true });
  const log = chat.getByRole('log');
  await message.fill('the cat sat on the');
  await message.press('Enter');
  await expect(message).toHaveValue('');
  await expect(log.locator('.chat-user')).toHaveText(/the cat sat on the/);
  const reply = log.locator('.chat-assistant').last();
  await expect(reply).toHaveClass(/chat-is-done/, { timeout: 60_000 });
  const text = (await reply.locator('.chat-text').innerText()).replace(/^…/, '').trim();
  expect(text.length).toBeGreaterThan(0);
  await expect(log.getByRole('alert')).toHaveCount(0);

  // A long generation: Stop appears while it runs and stops it.
  await page.getByLabel('Max new tokens').fill('1000');
  await message.fill('the cat');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const stop = page.getByRole('button', { name: 'Stop', exact: true });
  await expect(stop).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  const long = log.locator('.chat-assistant').last();
  await expect(long.locator('.chat-cursor')).toBeVisible();
  await expect.poll(async () => (await long.locator('.chat-text').innerText()).length).toBeGreaterThan(3);
  await stop.click();
  await expect(long).toHaveClass(/chat-is-stopped/, { timeout: 30_000 });
  await expect(long).toContainText('Stopped');
  await expect(stop).toBeHidden();
  await expect(message).toBeFocused();

  // Clear empties the transcript.
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(log.locator('.chat-msg')).toHaveCount(0);

  // Side by side: one message, two columns that each answer.
  await page.getByLabel('Max new tokens').fill('24');
  await page.getByLabel('Compare two models').check();
  const left = page.getByRole('region', { name: 'Left model' });
  const right = page.getByRole('region', { name: 'Right model' });
  await expect(left).toBeVisible();
  await expect(right).toBeVisible();
  await right.getByLabel('Template', { exact: true }).selectOption('none');
  await message.fill('the mat');
  await message.press('Enter');
  for (const column of [left, right]) {
    await expect(column.getByRole('log').locator('.chat-user')).toHaveText(/the mat/);
    await expect(column.getByRole('log').locator('.chat-assistant')).toHaveClass(/chat-is-done/, {
      timeout: 60_000,
    });
  }
  // Greedy decoding of the same model from the same prompt: both columns agree.
  const [a, b] = await Promise.all(
    [left, right].map((c) => c.getByRole('log').locator('.chat-assistant .chat-text').innerText()),
  );
  expect(a).toBe(b);

  // A bad setting is refused before anything is sent, under its field; the message is kept.
  await page.getByLabel('Seed').fill('-1');
  await message.fill('the');
  await message.press('Enter');
  await expect(page.getByText('Seed must be at least 0')).toBeVisible();
  await expect(message).toHaveValue('the');

  // ?model= preselects a model (and an unknown one says so).
  await page.goto(`${host.url}#/playground?model=${modelId + 100}`);
  await expect(page.getByText(`There is no model #${modelId + 100}`)).toBeVisible();
});

test('template preview: ChatML trains on the reply, and bytes lack the special tokens', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await nav(page, 'Templates');
  await expect(page.getByRole('heading', { level: 1, name: 'Template preview' })).toBeVisible();
  await page.getByLabel('Template', { exact: true }).selectOption({ label: 'ChatML' });
  await expect(page.getByLabel('Tokenizer from model')).toHaveValue('');
  await page.getByLabel('User', { exact: true }).fill('Hi');
  await page.getByLabel('Assistant', { exact: true }).fill('Hello!');

  const raw = page.getByLabel('Rendered text');
  await expect(raw).toContainText('<|im_start|>user\nHi<|im_end|>');
  await expect(raw).toContainText('Hello!');
  const chips = page.getByRole('listbox', { name: 'Tokens' });
  const trained = chips.locator('[data-trained="true"]');
  const untrained = chips.locator('[data-trained="false"]');
  await expect.poll(async () => (await trained.allInnerTexts()).join('')).toMatch(/^Hello!/);
  expect((await untrained.allInnerTexts()).join('')).toContain('Hi');
  expect((await untrained.allInnerTexts()).join('')).not.toContain('Hello!');
  await expect(page.getByRole('status').filter({ hasText: 'Warnings' })).toContainText('<|im_start|>');
  await expect(page.getByText('Trained (in the loss)')).toBeVisible();
  await expect(page.getByText('Not trained')).toBeVisible();
  const total = await chips.getByRole('option').count();
  await expect(page.getByText(`${total} tokens · ${await trained.count()} trained`)).toBeVisible();

  // Each chip names its id; the arrow keys move through them.
  await expect(chips.getByRole('option').first()).toHaveAttribute('aria-label', /^Token 1: id \d+/);
  await chips.focus();
  await page.keyboard.press('End');
  await expect(chips.getByRole('option').last()).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText(`Token ${total}: id`)).toBeVisible();

  // Another turn: it updates as you type.
  await page.getByRole('button', { name: 'Add turn' }).click();
  await expect(page.getByLabel('User (turn 2)')).toBeFocused();
  await page.getByLabel('User (turn 2)').fill('Bye');
  await page.getByLabel('Assistant (turn 2)').fill('Ciao');
  await expect(raw).toContainText('Bye');
  await expect.poll(async () => (await trained.allInnerTexts()).join('')).toContain('Ciao');
});

test('playground: a generation that fails says why, inline in the transcript', async ({ page, host }) => {
  // The DPO tutorial's model (seed-tiny) reads its own 50-word vocabulary, not free text: the playground
  // cannot generate with it, and must say so where the reply would have been.
  let run = await api<Run>(host, 'startRun', {
    algorithm: 'dpo',
    dataset: 'seed-dpo',
    name: 'tutorial',
    config: { epochs: 1 },
  });
  while (run.status === 'queued' || run.status === 'running') {
    await new Promise((r) => setTimeout(r, 300));
    run = await api<Run>(host, 'getRun', { id: run.id });
  }
  expect(run.status, run.error ?? '').toBe('completed');

  await page.goto(`${host.url}#/playground?model=${run.modelId}`);
  const chat = page.getByRole('region', { name: 'Chat' });
  await expect(chat.getByLabel('Model', { exact: true })).toHaveValue(String(run.modelId));
  await page.getByLabel('Message', { exact: true }).fill('Hello there');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const alert = chat.getByRole('log').getByRole('alert');
  await expect(alert).toContainText('Generation failed', { timeout: 60_000 });
  await expect(alert).toContainText('cannot be prompted with text');
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeEnabled();
});
