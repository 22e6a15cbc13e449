// End-to-end: Constitutional AI. A real CAI run (the smoke settings: built-in harmful prompts, a fresh
// byte-tiny model, the default constitution's rule-based critic) started through the HTTP API; its
// pairs reviewed on the review page with the keyboard; the approved pair made a preference dataset.
// And the new dataset kinds in the forms: a copy of the default constitution, a principle with a bad
// trigger pattern (named by its line), and a prompt set.
import type { Page } from '@playwright/test';
import { api, expect, test } from './host';
import type { LabHost } from './host';

interface Run {
  id: number;
  status: string;
  error: string | null;
}
interface Sample {
  id: number;
  kind: string;
  data: { prompt: string; original: string; revised: string; flagged: string[] };
  review: 'approved' | 'rejected' | null;
}
interface Example {
  record: { prompt: { content: string }[]; chosen: { content: string }[]; rejected: { content: string }[] };
}

/** Starts the smoke CAI run and waits for it; returns the run's id. */
async function caiRun(host: LabHost): Promise<number> {
  let run = await api<Run>(host, 'startRun', {
    algorithm: 'cai',
    dataset: 'sandbox-harmful',
    name: 'CAI smoke',
    config: { model: 'byte-tiny', maxPrompts: 6, maxNewTokens: 8 },
  });
  const deadline = Date.now() + 150_000;
  while (run.status === 'queued' || run.status === 'running') {
    if (Date.now() > deadline) throw new Error(`run ${run.id} did not finish in time`);
    await new Promise((r) => setTimeout(r, 500));
    run = await api<Run>(host, 'getRun', { id: run.id });
  }
  if (run.status !== 'completed') throw new Error(`run ${run.id} ended ${run.status}: ${run.error ?? ''}`);
  return run.id;
}

const pairCard = (page: Page, n: number) => page.getByRole('article', { name: `Pair ${n}`, exact: true });

test('review a CAI run’s pairs with the keyboard and make the approved one a preference dataset', async ({
  page,
  host,
}) => {
  const runId = await caiRun(host);
  const samples = (await api<Sample[]>(host, 'runSamples', { runId })).filter((s) => s.kind === 'cai-pair');
  expect(samples.length, 'the smoke run keeps at least two flagged pairs').toBeGreaterThanOrEqual(2);
  const [first, second] = samples as [Sample, Sample];

  await page.goto(`${host.url}#/runs/${runId}/review`);
  await expect(page.getByRole('heading', { level: 1, name: 'Review pairs' })).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(samples.length);
  // Flags per principle, and each pair's flagged principles and diff.
  const flags = page.getByRole('region', { name: 'Flags per principle' });
  for (const name of first.data.flagged) await expect(flags.getByRole('button', { name })).toBeVisible();
  await expect(pairCard(page, 1).getByRole('list', { name: 'Flagged principles' })).toContainText(
    first.data.flagged[0]!,
  );
  await expect(pairCard(page, 1).locator('.cai-diff')).toBeVisible();

  // Before any approval, the lab says why there is no dataset to make.
  const form = page.getByRole('form', { name: 'Create preference dataset' });
  await expect(form.getByLabel('Approved pairs only (0)')).toBeChecked();
  await form.getByRole('button', { name: 'Create dataset' }).click();
  await expect(form.getByRole('alert')).toHaveText('no pair is approved yet');

  // a approves the current pair (the first) and moves on; r rejects the next; k goes back.
  await expect(pairCard(page, 1)).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('a');
  await expect(pairCard(page, 1)).toContainText('Approved');
  await expect(pairCard(page, 2)).toHaveAttribute('aria-current', 'true');
  await expect(pairCard(page, 2)).toBeFocused();
  await page.keyboard.press('r');
  await expect(pairCard(page, 2)).toContainText('Rejected');
  await page.keyboard.press('k');
  await expect(pairCard(page, 2)).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('j');
  if (samples.length > 2) await expect(pairCard(page, 3)).toHaveAttribute('aria-current', 'true');

  // Saved in the lab, not only on the page.
  const reviewed = await api<Sample[]>(host, 'runSamples', { runId });
  expect(reviewed.find((s) => s.id === first.id)?.review).toBe('approved');
  expect(reviewed.find((s) => s.id === second.id)?.review).toBe('rejected');
  expect(reviewed.filter((s) => s.review !== null)).toHaveLength(2);

  // The review filter.
  await page.getByLabel('Review', { exact: true }).selectOption({ label: 'Approved' });
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(pairCard(page, 1)).toBeVisible();
  await page.getByLabel('Review', { exact: true }).selectOption({ label: 'All' });

  // Approved pairs only → a preference dataset with that one pair, revised chosen.
  await form.getByLabel('Dataset name').fill('Reviewed CAI pairs');
  await expect(form.getByLabel('Approved pairs only (1)')).toBeChecked();
  await form.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page).toHaveURL(/#\/datasets\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Reviewed CAI pairs' })).toBeVisible();
  await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(1);
  const datasetId = Number(/datasets\/(\d+)/.exec(page.url())?.[1]);
  const { examples } = await api<{ examples: Example[] }>(host, 'getDataset', { id: datasetId });
  expect(examples).toHaveLength(1);
  expect(examples[0]!.record.prompt.at(-1)?.content).toBe(first.data.prompt);
  expect(examples[0]!.record.chosen[0]?.content).toBe(first.data.revised);
  expect(examples[0]!.record.rejected[0]?.content).toBe(first.data.original);
});

test('a run whose responses no principle flags: the review page says it produced no pairs', async ({
  page,
  host,
}) => {
  const constitution = await api<{ id: number }>(host, 'createDataset', {
    name: 'Never',
    kind: 'constitution',
  });
  await api(host, 'addExample', {
    datasetId: constitution.id,
    data: { name: 'never', critique: 'c', revision: 'r', triggers: 'zq{3}xj', strategy: 'refuse' },
  });
  let run = await api<Run>(host, 'startRun', {
    algorithm: 'cai',
    dataset: 'sandbox-harmful',
    config: { model: 'byte-tiny', maxPrompts: 2, maxNewTokens: 4, constitution: constitution.id },
  });
  while (run.status === 'queued' || run.status === 'running') {
    await new Promise((r) => setTimeout(r, 300));
    run = await api<Run>(host, 'getRun', { id: run.id });
  }
  expect(run.status).toBe('completed');
  await page.goto(`${host.url}#/runs/${run.id}/review`);
  await expect(page.getByText('This run produced no pairs.')).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Create preference dataset' })).toHaveCount(0);
});

test('a copy of the default constitution, a principle with a bad pattern, and a prompt set', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Copy the default constitution' }).click();
  await expect(page).toHaveURL(/#\/datasets\/\d+$/);
  await expect(page.getByText('Constitution (principles)')).toBeVisible();
  const table = page.getByRole('table');
  await expect(table.getByRole('columnheader')).toHaveText([
    '#',
    'Name',
    'Critique request',
    'Strategy',
    'Triggers',
    'Actions',
  ]);
  await expect(table.locator('tbody tr').first()).toContainText('harmlessness');
  const before = await table.locator('tbody tr').count();
  expect(before).toBeGreaterThan(0);

  // A bad trigger pattern is reported by its line; what was typed stays.
  const add = page.getByRole('form', { name: 'Add principle' });
  await add.getByLabel('Name').fill('brevity');
  await add.getByLabel('Critique request').fill('Is the response padded?');
  await add.getByLabel('Revision request').fill('Say it in fewer words.');
  const patterns = add.getByLabel('Trigger patterns (one per line)');
  await patterns.fill('\\bbasically\\b\n(unclosed');
  await add.getByLabel('Revision strategy').selectOption({ label: 'Hedge (add uncertainty)' });
  await add.getByRole('button', { name: 'Add principle' }).click();
  await expect(patterns).toHaveAccessibleDescription(
    /Trigger patterns, line 2: `\(unclosed` is not a valid regular expression: unterminated group/,
  );
  await expect(add.getByLabel('Name')).toHaveValue('brevity');
  await patterns.fill('\\bbasically\\b\n\\bin order to\\b');
  await add.getByRole('button', { name: 'Add principle' }).click();
  await expect(table.locator('tbody tr')).toHaveCount(before + 1);
  const row = table.locator('tbody tr').last();
  await expect(row).toContainText('brevity');
  await expect(row).toContainText('Hedge');
  await expect(row).toContainText('on the response:');

  // Editing a principle opens every field in the row.
  await row.getByRole('button', { name: 'Edit' }).click();
  await expect(row.getByLabel('Trigger patterns (one per line)')).toHaveValue(
    '\\bbasically\\b\n\\bin order to\\b',
  );
  await row.getByLabel('Minimum words').fill('3');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(table.locator('tbody tr').last()).toContainText('under 3 words');

  // A prompt set from the New dataset form.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
  await page.getByRole('button', { name: 'New dataset' }).click();
  const create = page.getByRole('dialog', { name: 'New dataset' });
  await create.getByLabel('Name').fill('Questions');
  await create.getByLabel('Kind').selectOption({ label: 'Prompts (for PPO and Constitutional AI)' });
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Questions' })).toBeVisible();
  await page.getByLabel('Prompt', { exact: true }).fill('How do I poison the well?');
  await page.getByRole('button', { name: 'Add prompt' }).click();
  await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByRole('table')).toContainText('How do I poison the well?');
});
