// End-to-end: a real Chromium drives the renderer served by the real web host, which trains real
// (tiny) models. Names used here are the ones users and screen readers see.
import type { Page } from '@playwright/test';
import { expect, test } from './host';

const nav = (page: Page, name: 'Datasets' | 'Runs') =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

const status = (page: Page) => page.getByRole('status', { name: 'Status' });

async function openRunForm(page: Page) {
  await nav(page, 'Runs');
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
  await page.getByRole('button', { name: 'New run' }).click();
  const dialog = page.getByRole('dialog', { name: 'New run' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/**
 * Records every aria-valuenow the progressbar takes (a MutationObserver in the page), so the test can
 * tell that it moved. A string script, because the tests' tsconfig has no DOM types.
 */
async function recordProgress(page: Page): Promise<() => Promise<number[]>> {
  await page.getByRole('progressbar', { name: 'Training progress' }).waitFor();
  await page.evaluate(`(() => {
    const el = document.querySelector('[role="progressbar"][aria-label="Training progress"]');
    window.progressValues = [el.getAttribute('aria-valuenow')];
    new MutationObserver(() => window.progressValues.push(el.getAttribute('aria-valuenow')))
      .observe(el, { attributes: true, attributeFilter: ['aria-valuenow'] });
  })()`);
  return async () => ((await page.evaluate('window.progressValues')) as string[]).map(Number);
}

test('walk-through: build a preference dataset, train DPO on it, and find everything after a restart', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await nav(page, 'Datasets');
  await expect(page.getByText('No datasets yet — create one with New dataset')).toBeVisible();
  const footer = page.getByRole('contentinfo');
  await expect(footer).toContainText(host.dataDir);
  await expect(footer).toContainText(/Compute\s*(tensorflow|wasm|cpu)/);

  // Create the dataset.
  await page.getByRole('button', { name: 'New dataset' }).click();
  const dialog = page.getByRole('dialog', { name: 'New dataset' });
  await dialog.getByLabel('Name').fill('Capitals');
  await dialog.getByLabel('Kind').selectOption({ label: 'Preference pairs' });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Capitals' })).toBeVisible();
  await expect(page).toHaveURL(/#\/datasets\/\d+$/);

  // Two pairs.
  const prompt = page.getByLabel('Prompt', { exact: true });
  const chosen = page.getByLabel('Chosen response', { exact: true });
  const rejected = page.getByLabel('Rejected response', { exact: true });
  const rows = page.getByRole('table').locator('tbody tr');
  const pairs = [
    ['What is the capital of France?', 'Paris.', 'I am not sure, maybe Lyon or somewhere else entirely.'],
    ['What is 2 + 2?', '4.', 'That is a deep question about the nature of numbers.'],
  ] as const;
  for (const [p, c, r] of pairs) {
    await prompt.fill(p);
    await chosen.fill(c);
    await rejected.fill(r);
    await page.getByRole('button', { name: 'Add pair' }).click();
    await expect(prompt).toHaveValue(''); // cleared once stored
  }
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Paris.');
  await expect(rows.nth(1)).toContainText('4.');

  // An empty chosen response: the error names the field, sits under it, and nothing typed is lost.
  await prompt.fill('Name a colour.');
  await rejected.fill('Colours are subjective.');
  await page.getByRole('button', { name: 'Add pair' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Chosen response' })).toBeVisible();
  await expect(chosen).toHaveAttribute('aria-invalid', 'true');
  await expect(chosen).toHaveAccessibleDescription(/Chosen response is empty/);
  await expect(prompt).toHaveValue('Name a colour.');
  await expect(rejected).toHaveValue('Colours are subjective.');
  await expect(rows).toHaveCount(2);

  // Edit the second pair in place.
  await rows.nth(1).getByRole('button', { name: 'Edit' }).click();
  await rows.nth(1).getByLabel('Edit chosen response').fill('2 + 2 = 4.');
  await rows.nth(1).getByRole('button', { name: 'Save' }).click();
  await expect(rows.nth(1)).toContainText('2 + 2 = 4.');
  await expect(rows.nth(1).getByRole('button', { name: 'Edit' })).toBeVisible();

  // Train DPO on it.
  const form = await openRunForm(page);
  await form.getByLabel('Algorithm').selectOption({ label: 'DPO' });
  await form.getByLabel('Dataset').selectOption({ label: 'Capitals' });
  await expect(form.getByLabel('Beta')).toHaveValue('0.1');
  await form.getByLabel('Epochs').fill('3');
  await form.getByLabel('Batch size').fill('2');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  const runUrlHash = new URL(page.url()).hash;
  const progressValues = await recordProgress(page);
  await expect(status(page)).toHaveText('completed', { timeout: 120_000 });
  const bar = page.getByRole('progressbar', { name: 'Training progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  const seen = await progressValues();
  expect(
    seen.some((v) => v < 100),
    `progress values seen: ${seen.join(', ')}`,
  ).toBe(true);
  await expect(page.getByText(/step \d+ of \d+/)).toBeVisible();
  await expect(page.getByRole('img', { name: 'Loss' })).toBeVisible();
  await page.getByText('Show data as table').first().click();
  await expect(page.getByRole('table', { name: 'Loss by step' }).locator('tbody tr').first()).toBeVisible();
  const metrics = page.getByRole('table', { name: 'Latest metrics' });
  await expect(metrics).toContainText('loss');
  await expect(metrics).toContainText('rewards/margins');
  const metricsText = (await metrics.textContent()) ?? '';
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

  // A reload keeps the page (the token survives in the URL and the session).
  await page.reload();
  await expect(status(page)).toHaveText('completed');
  await expect(page.getByRole('table', { name: 'Latest metrics' })).toHaveText(metricsText);

  // A new host on the same data directory still has everything.
  const url = await host.restart();
  await page.goto(url);
  await nav(page, 'Datasets');
  const link = page.getByRole('link', { name: 'Capitals' });
  await expect(link).toBeVisible();
  await link.click();
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('2 + 2 = 4.');
  await nav(page, 'Runs');
  const runRow = page.getByRole('row').filter({ hasText: 'Capitals' });
  await expect(runRow).toContainText('completed');
  await runRow.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`${runUrlHash}$`));
  await expect(status(page)).toHaveText('completed');
  await expect(page.getByRole('table', { name: 'Latest metrics' })).toHaveText(metricsText);
  await expect(page.getByRole('img', { name: 'Loss' })).toBeVisible();
});

test('a bad number in the run form is reported next to its field, and no run starts', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  const form = await openRunForm(page);
  await form.getByLabel('Dataset').selectOption({ label: 'seed-dpo' });
  const beta = form.getByLabel('Beta');

  await beta.fill('');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(beta).toHaveAccessibleDescription(/Beta must be a number/);

  await beta.fill('-1');
  await beta.press('Enter'); // Enter submits the form
  await expect(beta).toHaveAccessibleDescription(/Beta must be greater than 0/);
  await expect(form.getByRole('alert').filter({ hasText: 'Beta' })).toBeVisible();
  await expect(beta).toHaveValue('-1');
  await expect(form.getByLabel('Epochs')).toHaveValue('20');

  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await expect(page).toHaveURL(/#\/runs$/);
  await expect(page.getByText('No runs yet')).toBeVisible();
  await page.reload();
  await expect(page.getByText('No runs yet')).toBeVisible();
});

test('a long run on the built-in data can be cancelled', async ({ page, host }) => {
  await page.goto(host.url);
  const form = await openRunForm(page);
  await form.getByLabel('Dataset').selectOption({ label: 'seed-dpo' });
  await form.getByLabel('Epochs').fill('10000');
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(status(page)).toHaveText(/queued|running/);
  await expect(status(page)).toHaveText('running', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveText('cancelled', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await nav(page, 'Runs');
  await expect(page.getByRole('row').filter({ hasText: 'seed-dpo' })).toContainText('cancelled');
});

test('an unknown run or dataset says so and links back', async ({ page, host }) => {
  await page.goto(`${host.url}#/runs/999`);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the list of runs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Runs' })).toBeVisible();
  await page.goto(`${host.url}#/datasets/999`);
  await expect(page.getByText('There is no dataset #999')).toBeVisible();
});

test('an instruction dataset: create with Enter, add, edit with Escape to cancel, delete after confirming', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'New dataset' }).click();
  const dialog = page.getByRole('dialog', { name: 'New dataset' });
  await dialog.getByLabel('Kind').selectOption({ label: 'Instruction/response pairs' });
  await dialog.getByLabel('Name').fill('Greetings');
  await dialog.getByLabel('Name').press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Greetings' })).toBeVisible();

  await page.getByRole('button', { name: 'Add example' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveAccessibleDescription(/Prompt is empty/);
  await expect(page.getByLabel('Response', { exact: true })).toHaveAccessibleDescription(/Response is empty/);

  await page.getByLabel('Prompt', { exact: true }).fill('Say hello.');
  await page.getByLabel('Response', { exact: true }).fill('Hello!');
  await page.getByLabel('Response', { exact: true }).press('Control+Enter');
  const rows = page.getByRole('table').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(page.getByLabel('Prompt', { exact: true })).toBeFocused();

  await rows.first().getByRole('button', { name: 'Edit' }).click();
  await rows.first().getByLabel('Edit response').fill('Changed my mind');
  await page.keyboard.press('Escape');
  await expect(rows.first()).toContainText('Hello!');

  await rows.first().getByRole('button', { name: 'Delete' }).click();
  await rows.first().getByRole('button', { name: 'Keep' }).click();
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('button', { name: 'Delete' }).click();
  await rows.first().getByRole('button', { name: 'Confirm delete' }).click();
  await expect(page.getByText('No examples yet')).toBeVisible();
  await page.reload();
  await expect(page.getByText('No examples yet')).toBeVisible();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Datasets', exact: true })
    .click();
  await expect(page.getByRole('row').filter({ hasText: 'Greetings' })).toContainText(
    'Instruction/response pairs',
  );
});
