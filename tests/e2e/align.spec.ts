// End-to-end: preference alignment through the UI. Two preference pairs typed into the dataset form;
// the New run form's own checks (PPO without a reward model, KTO on pairs); a reward model trained on
// the built-in sandbox pairs, then asked to score two responses; a DPO run on the typed pairs and a PPO
// run scored by that reward model, with its rollouts read iteration by iteration.
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './host';

const status = (page: Page) => page.getByRole('status', { name: 'Status' });
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** Waits for the run on the page to end, and fails with its reason unless it completed. */
async function finished(page: Page, timeout: number): Promise<void> {
  await expect(status(page)).toHaveText(/completed|failed|cancelled|interrupted/, { timeout });
  const ended = await status(page).textContent();
  const reason = ended === 'completed' ? '' : await page.getByRole('alert').allTextContents();
  expect(ended, `the run ended ${ended}: ${String(reason)}`).toBe('completed');
}

async function openRunForm(page: Page): Promise<Locator> {
  await nav(page, 'Runs');
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
  await page.getByRole('button', { name: 'New run' }).click();
  const dialog = page.getByRole('dialog', { name: 'New run' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('pairs in a form, a reward model that scores, then DPO and PPO runs', async ({ page, host }) => {
  test.setTimeout(300_000);
  await page.goto(host.url);

  // Two preference pairs through the dataset form.
  await nav(page, 'Datasets');
  await page.getByRole('button', { name: 'New dataset' }).click();
  const create = page.getByRole('dialog', { name: 'New dataset' });
  await create.getByLabel('Name').fill('Tone');
  await create.getByLabel('Kind').selectOption({ label: 'Preference pairs' });
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tone' })).toBeVisible();
  const prompt = page.getByLabel('Prompt', { exact: true });
  const pairs = [
    ['How do I boil an egg?', 'Boil it for nine minutes.', 'Eggs are a mystery best left alone.'],
    ['What colour is the sky?', 'Blue, on a clear day.', 'Who can say what colour anything is?'],
  ] as const;
  for (const [p, c, r] of pairs) {
    await prompt.fill(p);
    await page.getByLabel('Chosen response', { exact: true }).fill(c);
    await page.getByLabel('Rejected response', { exact: true }).fill(r);
    await page.getByRole('button', { name: 'Add pair' }).click();
    await expect(prompt).toHaveValue('');
  }
  await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(2);

  // The form's own checks. PPO scored by a reward model, with none trained yet:
  let form = await openRunForm(page);
  const algorithm = form.getByLabel('Algorithm');
  await expect(algorithm.locator('option')).toHaveText([
    'Pretraining',
    'SFT',
    'Reward model',
    'DPO',
    'IPO',
    'KTO',
    'ORPO',
    'SimPO',
    'PPO (RLHF)',
    'Constitutional AI',
    'Evaluation',
  ]);
  await algorithm.selectOption({ label: 'PPO (RLHF)' });
  await expect(form.getByLabel('Dataset')).toHaveValue('sandbox-prompts');
  await expect(form.getByLabel('Reward source')).toHaveValue('model');
  await expect(form.getByLabel('KL coefficient')).toHaveValue('0.05');
  await expect(form.getByLabel('World', { exact: true })).toHaveCount(0);
  await form.getByRole('button', { name: 'Start run' }).click();
  const rewardModel = form.getByLabel('Reward model', { exact: true });
  await expect(rewardModel).toHaveAccessibleDescription(/PPO needs a reward model/);
  await expect(rewardModel).toHaveAttribute('aria-invalid', 'true');
  // A rule needs no model; its own fields appear with their defaults.
  await form.getByLabel('Reward source').selectOption('rule');
  await expect(rewardModel).toHaveCount(0);
  await expect(form.getByLabel('Target length')).toHaveValue('20');
  await form.getByLabel('Rule', { exact: true }).selectOption('keyword');
  await expect(form.getByLabel('Target length')).toHaveCount(0);
  await expect(form.getByLabel('Keywords')).toBeVisible();

  // KTO on preference pairs: they will be split; the loss is fixed, and a batch needs two examples.
  await algorithm.selectOption({ label: 'KTO' });
  await expect(form.getByLabel('Loss', { exact: true })).toHaveCount(0);
  await expect(form.getByLabel('Desirable weight', { exact: true })).toHaveValue('1');
  await form.getByLabel('Dataset').selectOption({ label: 'Tone' });
  await expect(form.getByLabel('Dataset')).toHaveAccessibleDescription(/converted to unpaired examples/);
  const ktoBatch = form.getByLabel('Batch size');
  await ktoBatch.fill('1');
  await ktoBatch.press('Enter');
  await expect(ktoBatch).toHaveAccessibleDescription(/at least 2/);
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();

  // Nothing to score with yet: the scoring view says how to get a reward model.
  await nav(page, 'Reward models');
  await expect(page.getByText('No reward models yet')).toBeVisible();

  // A reward model on the built-in sandbox pairs, tiny settings.
  form = await openRunForm(page);
  await form.getByLabel('Algorithm').selectOption({ label: 'Reward model' });
  await expect(form.getByLabel('Dataset')).toHaveValue(/^\d+$/); // the user's own pairs come first
  await form.getByLabel('Dataset').selectOption('sandbox-pairs');
  await expect(form.getByLabel('Use margins')).toBeChecked();
  await form.getByLabel('Epochs').fill('1');
  await form.getByLabel('Batch size').fill('16');
  await form.getByLabel('Max length').fill('48');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  const rewardRun = new URL(page.url()).hash;
  await finished(page, 150_000);
  await expect(page.getByRole('img', { name: 'Accuracy' })).toBeVisible();
  const metrics = page.getByRole('table', { name: 'Latest metrics' });
  await expect(metrics).toContainText('eval/accuracy');
  await expect(metrics).toContainText('margin');
  const heading = page.getByRole('heading', { name: /^Model #\d+/ });
  const modelId = /#(\d+)/.exec((await heading.textContent()) ?? '')?.[1] ?? 'missing';
  await expect(page.getByRole('link', { name: 'Open in playground' })).toHaveCount(0);

  // Score two responses with it.
  await page.getByRole('link', { name: 'Score responses' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Reward models' })).toBeVisible();
  await expect(page.getByLabel('Reward model', { exact: true })).toHaveValue(modelId);
  await page.getByLabel('Prompt', { exact: true }).fill('Where does the river Ulm flow?');
  await page.getByLabel('Response 1', { exact: true }).fill('It flows north into the lake.');
  await page.getByLabel('Response 2', { exact: true }).fill('Rivers are hard to talk about.');
  await page.getByLabel('Response 2', { exact: true }).press('Control+Enter');
  const number = /^[−-]?\d/;
  await expect(page.getByRole('status').filter({ hasText: 'has the highest reward' })).toBeVisible();
  await expect(page.getByLabel('Reward of response 1')).toHaveText(number);
  await expect(page.getByLabel('Reward of response 2')).toHaveText(number);
  await expect(page.getByText('Highest', { exact: true })).toHaveCount(1);
  await expect(page.getByText(/vs best$/)).toHaveCount(1);
  // An empty response is refused next to it, and what was typed stays.
  await page.getByRole('button', { name: 'Add response' }).click();
  await page.getByRole('button', { name: 'Score' }).click();
  await expect(page.getByLabel('Response 3', { exact: true })).toHaveAccessibleDescription(/empty/);
  await expect(page.getByLabel('Response 1', { exact: true })).toHaveValue('It flows north into the lake.');
  await page.getByRole('button', { name: 'Remove response 3' }).click();

  // DPO on the typed pairs.
  form = await openRunForm(page);
  await form.getByLabel('Algorithm').selectOption({ label: 'DPO' });
  await form.getByLabel('Dataset').selectOption({ label: 'Tone' });
  await form.getByLabel('Epochs').fill('2');
  await form.getByLabel('Batch size').fill('2');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(status(page)).toHaveText(/running|completed/, { timeout: 60_000 });

  // PPO scored by the reward model, from the reward run's "Train PPO with it".
  await page.goto(`${host.url}${rewardRun}`);
  await page.getByRole('button', { name: 'Train PPO with it' }).click();
  form = page.getByRole('dialog', { name: 'New run' });
  await expect(form.getByLabel('Algorithm')).toHaveValue('ppo');
  await expect(form.getByLabel('Reward model', { exact: true })).toHaveValue(modelId);
  await form.getByLabel('Iterations').fill('2');
  await form.getByLabel('Batch size').fill('2');
  await form.getByLabel('PPO epochs').fill('1');
  await form.getByLabel('Max new tokens').fill('8');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(status(page)).toHaveText(/running|completed/, { timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'Rollouts' })).toBeVisible();

  // Its rollouts, iteration by iteration.
  await finished(page, 150_000);
  await expect(page.getByRole('img', { name: 'KL to the reference' })).toBeVisible();
  const iteration = page.getByRole('slider', { name: 'Iteration' });
  await expect(iteration).toHaveAttribute('aria-valuetext', 'Iteration 2 of 2');
  const rows = page.getByRole('table', { name: 'Rollouts of iteration 2' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await iteration.press('Home');
  await expect(iteration).toHaveAttribute('aria-valuetext', 'Iteration 1 of 2');
  await expect(page.getByRole('table', { name: 'Rollouts of iteration 1' }).locator('tbody tr')).toHaveCount(
    2,
  );

  // Both runs are listed under their algorithm.
  await nav(page, 'Runs');
  await expect(page.getByRole('row').filter({ hasText: 'PPO (RLHF)' })).toHaveCount(1);
  await expect(page.getByRole('row').filter({ hasText: 'Tone' })).toContainText(/running|completed/);
});

test('a cancelled PPO run resumes from its checkpoint', async ({ page, host }) => {
  await page.goto(`${host.url}#/runs?new=ppo`);
  const form = page.getByRole('dialog', { name: 'New run' });
  await expect(form.getByLabel('Algorithm')).toHaveValue('ppo');
  await form.getByLabel('Reward source').selectOption('rule');
  await form.getByLabel('Iterations').fill('10000');
  await form.getByLabel('Batch size').fill('2');
  await form.getByLabel('PPO epochs').fill('1');
  await form.getByLabel('Max new tokens').fill('8');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  const runUrl = page.url();
  await expect(status(page)).toHaveText('running', { timeout: 60_000 });
  const iteration = page.getByRole('slider', { name: 'Iteration' });
  await expect(iteration).toHaveAttribute('aria-valuetext', /^Iteration [2-9]\d* of 10000$/, {
    timeout: 60_000,
  });
  await expect(page.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveText('cancelled', { timeout: 30_000 });
  const stoppedAt = Number(
    /Iteration (\d+)/.exec((await iteration.getAttribute('aria-valuetext')) ?? '')?.[1],
  );

  // Resume: the same run continues, its rollouts going on past where it stopped.
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(status(page)).toHaveText(/queued|running/);
  expect(page.url()).toBe(runUrl);
  await expect(status(page)).toHaveText('running', { timeout: 60_000 });
  await expect(async () => {
    const text = (await iteration.getAttribute('aria-valuetext')) ?? '';
    expect(Number(/Iteration (\d+)/.exec(text)?.[1])).toBeGreaterThan(stoppedAt);
  }).toPass({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveText('cancelled', { timeout: 30_000 });
  // Not started over: iteration 1 still has only its own two rollouts.
  await iteration.press('Home');
  await expect(iteration).toHaveAttribute('aria-valuetext', 'Iteration 1 of 10000');
  await expect(page.getByRole('table', { name: 'Rollouts of iteration 1' }).locator('tbody tr')).toHaveCount(
    2,
  );
});
