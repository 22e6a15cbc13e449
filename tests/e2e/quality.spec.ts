// End-to-end: data quality in the dataset views. A world generated with noisy SFT examples from the
// form; its SFT dataset shows a quality score per example, filters to the examples the world made
// noisy, sorts by score and explains a low one.
import { api, expect, test } from './host';

test('a noisy world: scores, the quality filter and sort, and why a score is low', async ({ page, host }) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Generate from sandbox world' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate from sandbox world' });
  await dialog.getByLabel('Seed').fill('5');
  await dialog.getByLabel('Size').selectOption({ label: 'Tiny — 8 places, 8 creatures, 40 sums' });
  const noise = dialog.getByLabel('Noisy SFT examples (%)');
  await noise.fill('150');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(noise).toHaveAccessibleDescription(/at most 1 \(100 %\)/);
  await noise.fill('25');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'World 5 (tiny, 25% noisy SFT)' })).toBeVisible();

  const [world] = await api<{ datasets: Record<string, number>; counts: Record<string, number> }[]>(
    host,
    'listWorlds',
  );
  const total = world!.counts.sft!;
  const noisy = Math.round(total * 0.25);
  await page.goto(`${host.url}#/datasets/${world!.datasets.sft}`);
  const table = page.getByRole('table', { name: /^examples in World 5/ });
  await expect(table.getByRole('columnheader', { name: 'Quality' })).toBeVisible();
  await expect(page.getByText(`Showing 1–50 of ${total}`)).toBeVisible();

  // Only what the world made noisy: each row says which noise.
  await page
    .getByLabel('Show', { exact: true })
    .selectOption({ label: `Made noisy by the world · ${noisy}` });
  await expect(page.getByText(`Showing 1–50 of ${noisy}`)).toBeVisible();
  for (const row of (await table.locator('tbody tr').all()).slice(0, 10))
    await expect(row.locator('.quality-noise')).toHaveText(/noise: (spam|repetition|boilerplate|salad)/);

  // Lowest first: the first score is low and says why.
  await page.getByLabel('Show', { exact: true }).selectOption('all');
  await page.getByLabel('Order', { exact: true }).selectOption({ label: 'Quality, lowest first' });
  const first = table.locator('tbody tr').first();
  const score = Number(await first.locator('.quality-score').textContent());
  expect(score).toBeLessThan(0.5);
  await first.getByText('Why low?').click();
  await expect(first.locator('.quality-why li').first()).toContainText(/clean text/);
  const last = table.locator('tbody tr').last();
  expect(Number(await last.locator('.quality-score').textContent())).toBeGreaterThanOrEqual(score);

  // The low-quality filter keeps only scores below 0.5.
  await page.getByLabel('Show', { exact: true }).selectOption('low');
  for (const cell of (await table.locator('.quality-score').all()).slice(0, 10))
    expect(Number(await cell.textContent())).toBeLessThan(0.5);
});
