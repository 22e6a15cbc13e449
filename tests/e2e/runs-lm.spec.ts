// End-to-end: pretraining on a sandbox world's corpus, then SFT from the pretrained model on the
// world's SFT pairs, all through the New run form; and the form's field errors for SFT.
import type { Page } from '@playwright/test';
import { expect, test } from './host';

const status = (page: Page) => page.getByRole('status', { name: 'Status' });

async function openRunForm(page: Page) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Runs', exact: true })
    .click();
  await page.getByRole('button', { name: 'New run' }).click();
  const dialog = page.getByRole('dialog', { name: 'New run' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('pretrain on a world corpus, then fine-tune the model with SFT', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Generate from sandbox world' }).click();
  const generate = page.getByRole('dialog', { name: 'Generate from sandbox world' });
  await generate.getByLabel('Seed').fill('11');
  await generate.getByLabel('Size').selectOption('tiny');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'World 11 (tiny)' })).toBeVisible();

  // Pretraining: the dataset list holds only text datasets.
  const form = await openRunForm(page);
  await form.getByLabel('Algorithm').selectOption({ label: 'Pretraining' });
  const dataset = form.getByLabel('Dataset');
  await expect(dataset.locator('option')).toHaveText(['World 11 (tiny) · corpus']);
  await expect(form.getByLabel('Learning rate')).toHaveValue('0.001');
  await expect(form.getByLabel('Warm-up steps')).toHaveValue('20');
  await form.getByLabel('Model', { exact: true }).selectOption('byte-tiny');
  await form.getByLabel('Tokenizer').selectOption({ label: 'BPE trained on this corpus' });
  await form.getByLabel('Max steps').fill('5');
  await form.getByLabel('Batch size').fill('4');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(status(page)).toHaveText('completed', { timeout: 120_000 });
  await expect(page.getByRole('img', { name: 'Perplexity' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Loss' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Latest metrics' })).toContainText('perplexity');
  const modelHeading = page.getByRole('heading', { name: /^Model #\d+/ });
  await expect(modelHeading).toBeVisible();
  const modelId = /#(\d+)/.exec((await modelHeading.textContent()) ?? '')?.[1];
  await expect(page.getByRole('link', { name: 'Open in playground' })).toHaveAttribute(
    'href',
    `#/playground?model=${modelId}`,
  );

  // SFT from it: the form opens with the base model chosen.
  await page.getByRole('button', { name: 'Fine-tune with SFT' }).click();
  const sft = page.getByRole('dialog', { name: 'New run' });
  await expect(sft.getByLabel('Algorithm')).toHaveValue('sft');
  await expect(sft.getByLabel('Base model')).toHaveValue(modelId ?? 'missing');
  await expect(sft.getByLabel('Template')).toHaveValue('chatml');
  await sft.getByLabel('Dataset').selectOption({ label: 'World 11 (tiny) · SFT pairs' });
  await sft.getByLabel('Max steps').fill('3');
  await sft.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(status(page)).toHaveText('completed', { timeout: 120_000 });
  await expect(page.getByRole('img', { name: 'Token accuracy' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Latest metrics' })).toContainText('mean_token_accuracy');
  await expect(page.getByText(`Fine-tuned from model #${modelId}`)).toBeVisible();

  // "Run again" reopens the form with this run's config.
  await page.getByRole('button', { name: 'Run again' }).click();
  const again = page.getByRole('dialog', { name: 'New run' });
  await expect(again.getByLabel('Max steps')).toHaveValue('3');
  await expect(again.getByLabel('Base model')).toHaveValue(modelId ?? 'missing');
  await page.keyboard.press('Escape');

  // A link can ask for the form too.
  await page.goto(`${host.url}#/runs?new=sft&base=${modelId}`);
  await expect(page.getByRole('dialog', { name: 'New run' }).getByLabel('Base model')).toHaveValue(
    modelId ?? 'missing',
  );
});

test('the SFT form reports a bad field next to it, and says when there is no dataset', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  const form = await openRunForm(page);
  // Pretraining has no built-in corpus: with no text dataset there is nothing to pick.
  await form.getByLabel('Algorithm').selectOption({ label: 'Pretraining' });
  await expect(form.getByLabel('Dataset')).toBeDisabled();
  await expect(form.getByText('No text datasets yet')).toBeVisible();
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(form.getByLabel('Dataset')).toHaveAccessibleDescription(/Choose a dataset/);
  // SFT can always start from the built-in sandbox SFT pairs.
  await form.getByLabel('Algorithm').selectOption({ label: 'SFT' });
  await expect(form.getByLabel('Dataset')).toHaveValue('sandbox-sft');
  await expect(form.getByLabel('Base model')).toHaveValue('');
  await expect(form.getByLabel('Packing')).not.toBeChecked();
  const lr = form.getByLabel('Learning rate');
  await expect(lr).toHaveValue('0.0003');

  // With a dataset, the lab's own check names the field.
  await page.keyboard.press('Escape');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
  await page.getByRole('button', { name: 'New dataset' }).click();
  const create = page.getByRole('dialog', { name: 'New dataset' });
  await create.getByLabel('Name').fill('Greetings');
  await create.getByLabel('Kind').selectOption({ label: 'Instruction/response pairs' });
  await create.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('Prompt', { exact: true }).fill('Say hello.');
  await page.getByLabel('Response', { exact: true }).fill('Hello!');
  await page.getByLabel('Response', { exact: true }).press('Control+Enter');
  await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(1);

  // "Train on it" opens the form for SFT on this dataset.
  await page.getByRole('link', { name: 'Train on it' }).click();
  const again = page.getByRole('dialog', { name: 'New run' });
  await expect(again.getByLabel('Algorithm')).toHaveValue('sft');
  await expect(again.getByLabel('Dataset').locator('option:checked')).toHaveText('Greetings');
  const rate = again.getByLabel('Learning rate');
  await rate.fill('-1');
  const advanced = again.getByText('Advanced', { exact: true });
  await advanced.click();
  await again.getByLabel('Gradient accumulation steps').fill('0');
  await advanced.click(); // closed again
  await expect(again.getByLabel('Gradient accumulation steps')).toBeHidden();
  await rate.press('Enter');
  await expect(rate).toHaveAccessibleDescription(/Learning rate must be greater than 0/);
  await expect(rate).toHaveAttribute('aria-invalid', 'true');
  // An advanced field's error opens "Advanced" so it can be seen.
  await expect(again.getByLabel('Gradient accumulation steps')).toBeVisible();
  await expect(again.getByLabel('Gradient accumulation steps')).toHaveAccessibleDescription(/at least 1/);
  await expect(again.getByLabel('Epochs')).toHaveValue('3');
  await page.keyboard.press('Escape');
  await expect(page.getByText('No runs yet')).toBeVisible();
});
