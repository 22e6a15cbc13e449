// End-to-end: the smoke pipeline started from the Pipelines page runs every stage (world, pretrain,
// both evaluations, SFT) to the end, its stages lead to their world and runs, and "What SFT changed"
// compares the two evaluations; a second pipeline is cancelled while it trains.
import type { Page } from '@playwright/test';
import { expect, test } from './host';

const status = (page: Page) => page.getByRole('status', { name: 'Status' });
const stages = (page: Page) => page.getByRole('list', { name: 'Stages' }).getByRole('listitem');
const stage = (page: Page, label: string) =>
  stages(page).filter({ has: page.getByRole('heading', { name: label, exact: true }) });

async function startSmoke(page: Page, seed?: string) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Pipelines', exact: true })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Pipelines' })).toBeVisible();
  await page.getByRole('button', { name: 'Run pipeline' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run pipeline' });
  await dialog.getByLabel('Preset').selectOption('smoke');
  await expect(dialog.getByLabel('Preset')).toHaveAccessibleDescription(/in seconds/);
  await expect(dialog.getByLabel('Seed')).toHaveValue('1');
  await expect(dialog.getByRole('listitem')).toHaveText([
    'sandbox world (world)',
    'pretrain byte-tiny (pretrain)',
    'evaluate the base model (eval-base)',
    'SFT (sft)',
    'evaluate the SFT model (eval-sft)',
  ]);
  if (seed !== undefined) await dialog.getByLabel('Seed').fill(seed);
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(page).toHaveURL(/#\/pipelines\/\d+$/);
}

test('the smoke pipeline runs every stage and shows what SFT changed', async ({ page, host }) => {
  await page.goto(host.url);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Pipelines', exact: true })
    .click();
  await expect(page.getByText(/world → tokenizer → pretraining → SFT → evaluation/)).toBeVisible();

  await startSmoke(page, '5');
  await expect(page.getByRole('heading', { level: 1, name: 'smoke #1' })).toBeVisible();
  await expect(stages(page)).toHaveCount(5);
  await expect(stage(page, 'sandbox world')).toContainText('completed');

  await expect(status(page)).toHaveText('completed', { timeout: 120_000 });
  await expect(page.getByText('all 5 stages done')).toBeVisible();
  for (const label of ['pretrain byte-tiny', 'evaluate the base model', 'SFT', 'evaluate the SFT model'])
    await expect(stage(page, label)).toContainText('completed');
  await expect(page.getByRole('progressbar')).toHaveCount(0);

  // What SFT changed: both models, for each measure, in percentages.
  const results = page.getByRole('table', { name: 'What SFT changed' });
  await expect(results.getByRole('columnheader', { name: 'Base model' })).toHaveCount(2);
  await expect(results.getByRole('columnheader', { name: 'SFT model' })).toHaveCount(2);
  await expect(results.getByRole('columnheader', { name: 'Direct answers' })).toBeVisible();
  await expect(results.getByRole('columnheader', { name: 'Correct' })).toBeVisible();
  const row = results.getByRole('row', { name: /Facts seen only in pretraining/ });
  const cells = row.getByRole('cell');
  await expect(cells).toHaveCount(6);
  for (const i of [0, 1, 3, 4]) await expect(cells.nth(i)).toHaveText(/^\d+ %$/);
  for (const i of [2, 5]) await expect(cells.nth(i)).toHaveText(/^(±0|[+−]\d+) pts$/);
  await expect(page.getByText(/A base model continues a question with forum chatter/)).toBeVisible();

  // The playground link opens the SFT model (the playground finds its parent for the other side).
  const sftModel = /model #(\d+)/.exec((await stage(page, 'SFT').textContent()) ?? '')?.[1];
  expect(sftModel).toBeDefined();
  await expect(page.getByRole('link', { name: 'Open base vs SFT in the playground' })).toHaveAttribute(
    'href',
    `#/playground?model=${sftModel}`,
  );

  // Each stage leads to its world or run.
  await stage(page, 'sandbox world')
    .getByRole('link', { name: /^World #\d+$/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'World 5 (tiny)' })).toBeVisible();
  await page.goBack();
  await stage(page, 'pretrain byte-tiny')
    .getByRole('link', { name: /^Run #\d+$/ })
    .click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'smoke #1 · pretrain byte-tiny' })).toBeVisible();
  await expect(status(page)).toHaveText('completed');
  await page.goBack();
  await stage(page, 'evaluate the SFT model')
    .getByRole('link', { name: /^Run #\d+$/ })
    .click();
  await expect(page.getByRole('table', { name: 'Evaluation results' })).toContainText('Pretrain-only facts');
  await page.goBack();

  await page.getByRole('link', { name: 'Open base vs SFT in the playground' }).click();
  await expect(page).toHaveURL(new RegExp(`#/playground\\?model=${sftModel}$`));

  // The list shows it finished, and it survives a restart of the host.
  await page.goto((await host.restart()) + '#/pipelines');
  const listed = page.getByRole('row', { name: /smoke #1/ });
  await expect(listed).toContainText('smoke');
  await expect(listed).toContainText('completed');
  await expect(listed).toContainText('all 5 stages done');
});

test('a running pipeline can be cancelled', async ({ page, host }) => {
  await page.goto(host.url);
  await startSmoke(page);
  await expect(status(page)).toHaveText('running');
  const bar = page.getByRole('progressbar', { name: /^Progress of / });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuenow', /^\d+$/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveText('cancelled');
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(stages(page).filter({ hasText: 'cancelled' }).first()).toBeVisible();
  await expect(stage(page, 'evaluate the SFT model')).toContainText('cancelled');
  await expect(page.getByText(/stages that finished, and their worlds and models, are kept/)).toBeVisible();

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Pipelines', exact: true })
    .click();
  await expect(page.getByRole('row', { name: /smoke #1/ })).toContainText('cancelled');
});
