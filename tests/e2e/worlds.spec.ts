// End-to-end: a sandbox world from the Datasets page, its page (places, facts by split, evaluation
// sets), and its datasets.
import { expect, test } from './host';

test('generate a tiny world, browse it, and open its corpus', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Generate from sandbox world' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate from sandbox world' });
  const seed = dialog.getByLabel('Seed');
  expect(Number(await seed.inputValue())).toBeGreaterThanOrEqual(0);
  await seed.fill('-3');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(seed).toHaveAccessibleDescription(/Seed must be at least 0/);
  await seed.fill('7');
  await dialog.getByLabel('Size').selectOption({ label: 'Tiny — 8 places, 8 creatures, 40 sums' });
  await dialog.getByRole('button', { name: 'Generate' }).click();

  await expect(page).toHaveURL(/#\/worlds\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'World 7 (tiny)' })).toBeVisible();
  const places = page.getByRole('table', { name: 'Places' });
  await expect(places.locator('tbody tr')).toHaveCount(8);
  await expect(places.getByRole('columnheader', { name: 'Capital' })).toBeVisible();

  // The tabs work from the keyboard: from Places, two steps right is Facts.
  await page.getByRole('tab', { name: /Places/ }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /Facts/ })).toHaveAttribute('aria-selected', 'true');
  const facts = page.getByRole('table', { name: 'Facts' }).locator('tbody tr');
  const all = await facts.count();
  expect(all).toBeGreaterThan(8);
  await expect(page.getByText('a model can only know them from pretraining')).toBeVisible();
  await page.getByRole('radio', { name: /Pretrain-only/ }).check();
  const only = await facts.count();
  expect(only).toBeGreaterThan(0);
  expect(only).toBeLessThan(all);
  for (const cell of await page.getByRole('table', { name: 'Facts' }).locator('tbody td:last-child').all())
    await expect(cell).toHaveText('Pretrain-only');

  await page.getByRole('tab', { name: 'Evaluation sets' }).click();
  await page.getByLabel('Evaluation set', { exact: true }).selectOption({ index: 0 });
  await expect(page.getByRole('region').locator('tbody tr').first()).toBeVisible();

  // Back on the Datasets page the world is listed; its corpus is a text dataset.
  await page.getByRole('link', { name: 'All datasets' }).click();
  await page
    .getByRole('region', { name: /Worlds/ })
    .getByRole('link', { name: 'World 7 (tiny)' })
    .click();
  // Six datasets, the red-team prompts among them (what Constitutional AI answers and revises).
  await expect(page.getByRole('link', { name: 'Red-team prompts', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Corpus', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'World 7 (tiny) · corpus' })).toBeVisible();
  await expect(page.getByText('Text documents (pretraining)').first()).toBeVisible();
});
