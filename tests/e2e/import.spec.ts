// End-to-end: importing real files through the Import dialog, reading a large multi-turn dataset a
// page at a time, editing the last exchange of a conversation, and exporting it as TRL JSONL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './host';

const DPO_DEMO = resolve('..', 'shared', 'fixtures', 'llamafactory', 'dpo_en_demo.json');

async function openImport(page: Page) {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a dataset' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('import a ShareGPT file, page through it, edit a multi-turn pair, and export it as TRL JSONL', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  const dialog = await openImport(page);
  await dialog.getByLabel('File').setInputFiles(DPO_DEMO);
  await expect(dialog.getByRole('status').filter({ hasText: 'Detected: ShareGPT' })).toBeVisible();
  await expect(dialog).toContainText('Preference pairs');
  await expect(dialog.getByLabel('Name')).toHaveValue('dpo_en_demo');
  await expect(dialog.getByLabel('Format')).toHaveValue(''); // "Detected" unless overridden
  await dialog.getByLabel('Name').fill('DPO demo');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Imported' })).toContainText(
    'Imported 300 pairs into “DPO demo”',
  );
  await dialog.getByRole('link', { name: 'Open dataset' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'DPO demo' })).toBeVisible();

  // A page at a time.
  await expect(page.getByText('Showing 1–50 of 300')).toBeVisible();
  const table = page.getByRole('table', { name: 'pairs in DPO demo' });
  const rows = table.locator('tbody > tr:not(.conversation-row)');
  await expect(rows).toHaveCount(50);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Showing 51–100 of 300')).toBeVisible();
  await expect(rows.first().getByRole('rowheader')).toHaveText(/^51/);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect(page.getByText('Showing 1–50 of 300')).toBeVisible();

  // Row 5 is a conversation: four turns come before the last exchange.
  const row = rows.nth(4);
  const badge = row.getByRole('button', { name: '+4 earlier turns' });
  await expect(badge).toHaveAttribute('aria-expanded', 'false');
  await badge.click();
  await expect(badge).toHaveAttribute('aria-expanded', 'true');
  const conversation = page.getByRole('list', { name: 'Conversation of pair 5' });
  await expect(conversation.getByRole('listitem')).toHaveCount(7); // 5 prompt turns, chosen, rejected
  await expect(conversation.getByRole('listitem').first()).toContainText('User');
  await expect(conversation.getByRole('listitem').nth(1)).toContainText('Assistant');

  // Editing changes the last exchange only; the earlier turns stay.
  await row.getByRole('button', { name: 'Edit' }).click();
  await expect(row).toContainText('Editing the last exchange; 4 earlier turns are kept.');
  await row.getByLabel('Edit chosen response').fill('An edited answer to the last question.');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('An edited answer to the last question.');
  await expect(row.getByRole('button', { name: '+4 earlier turns' })).toBeVisible();
  await expect(conversation.getByRole('listitem')).toHaveCount(7);
  await expect(conversation.getByRole('listitem').nth(5)).toContainText(
    'An edited answer to the last question.',
  );

  // The filter looks at every turn's text.
  await page.getByLabel('Filter').fill('an edited answer to the last');
  await expect(page.getByText('Showing 1–1 of 1')).toBeVisible();
  await expect(rows).toHaveCount(1);
  await page.getByLabel('Filter').fill('');
  await expect(page.getByText('Showing 1–50 of 300')).toBeVisible();

  // Export: TRL conversational JSONL, one line per record, the edit included.
  await expect(page.getByText('TRL conversational JSONL')).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('DPO-demo.jsonl');
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  expect(lines).toHaveLength(300);
  const fifth = JSON.parse(lines[4]!) as { prompt: { role: string }[]; chosen: { content: string }[] };
  expect(fifth.prompt.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  expect(fifth.chosen[0]?.content).toBe('An edited answer to the last question.');
});

test('a file with a bad line: "Import nothing" names the line, "Keep the good records" imports the rest', async ({
  page,
  host,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'alignment-lab-import-'));
  try {
    const file = join(dir, 'greetings.jsonl');
    const good = (p: string, r: string) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: p },
          { role: 'assistant', content: r },
        ],
      });
    writeFileSync(
      file,
      [
        good('Say hello.', 'Hello!'),
        '{"messages": [{"role": "user", "content": "oops"}',
        good('Wave.', '👋'),
      ].join('\n'),
    );
    await page.goto(host.url);
    const dialog = await openImport(page);
    await dialog.getByLabel('File').setInputFiles(file);
    await expect(dialog.getByRole('status').filter({ hasText: 'Detected: TRL' })).toBeVisible();
    await expect(dialog.getByLabel('Name')).toHaveValue('greetings');

    await dialog.getByLabel('Import nothing').check();
    await dialog.getByRole('button', { name: 'Import' }).click();
    const refused = dialog.getByRole('alert').filter({ hasText: 'Nothing was imported' });
    await expect(refused).toBeVisible();
    await expect(refused.getByRole('listitem')).toHaveCount(1);
    await expect(refused.getByRole('listitem')).toContainText('line 2');

    await dialog.getByLabel('Keep the good records').check();
    await dialog.getByRole('button', { name: 'Import' }).click();
    const done = dialog.getByRole('status').filter({ hasText: 'Imported' });
    await expect(done).toContainText('Imported 2 examples into “greetings”');
    await expect(done.getByRole('listitem')).toHaveCount(1);
    await expect(done.getByRole('listitem')).toContainText('line 2');
    await expect(dialog.getByRole('alert').filter({ hasText: 'Nothing was imported' })).toHaveCount(0);

    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(dialog).toBeHidden();
    const listed = page.getByRole('row').filter({ hasText: 'greetings' });
    await expect(listed).toContainText('Instruction/response pairs');
    await expect(listed).toContainText('2');
    await listed.getByRole('link').click();
    await expect(page.getByText('Showing 1–2 of 2')).toBeVisible();
    await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(2);
    await expect(page.getByRole('button', { name: 'Next' })).toHaveCount(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unpaired dataset has a Label select; a text dataset has one large Text box', async ({
  page,
  host,
}) => {
  await page.goto(host.url);
  const create = async (name: string, kind: string) => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Datasets', exact: true })
      .click();
    await page.getByRole('button', { name: 'New dataset' }).click();
    const dialog = page.getByRole('dialog', { name: 'New dataset' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Kind').selectOption({ label: kind });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  };

  await create('Tones', 'Unpaired good/bad examples');
  await page.getByLabel('Prompt', { exact: true }).fill('Reply to a complaint.');
  await page.getByLabel('Completion', { exact: true }).fill('Whatever.');
  await page.getByLabel('Label', { exact: true }).selectOption({ label: 'Undesirable' });
  await page.getByRole('button', { name: 'Add example' }).click();
  const rows = page.getByRole('table').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Undesirable');
  await expect(page.getByLabel('Label', { exact: true })).toHaveValue('desirable'); // reset after adding
  await rows.first().getByRole('button', { name: 'Edit' }).click();
  await rows.first().getByLabel('Edit label').selectOption({ label: 'Desirable' });
  await rows.first().getByRole('button', { name: 'Save' }).click();
  await expect(rows.first()).toContainText('Desirable');

  await create('Notes', 'Text documents (pretraining)');
  await expect(page.getByRole('textbox')).toHaveCount(1); // only Text
  await page.getByLabel('Text', { exact: true }).fill('A document.\n\nWith two paragraphs.');
  await page.getByRole('button', { name: 'Add document' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('With two paragraphs.');
});
