// Importing files into datasets through the Lab: the real fixtures land whole in SQLite, bad lines are
// reported and skipped (or the whole import refused), nothing stored changes, and exports read back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labFixtures } from '../helpers/lab';

const FIXTURES = new URL('../../../shared/fixtures/llamafactory/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

const { open } = labFixtures();

describe('import and export through the Lab', () => {
  it.each([
    ['dpo_en_demo.json', 'sharegpt', 'preference', 300],
    ['kto_en_demo.json', 'sharegpt', 'unpaired', 300],
    ['alpaca_en_demo.json', 'alpaca', 'instruction', 999],
  ])('imports %s whole (%s, %s, %i records) and exports it back', async (file, format, kind, count) => {
    const { lab } = open();
    const text = fixture(file);
    expect((await lab.inspectImport({ text })).format).toBe(format);
    const result = await lab.importDataset({ text, name: file, onError: 'skip' });
    expect(result).toMatchObject({ format, kind, imported: count, errors: [], refused: false });
    const { dataset, examples } = await lab.getDataset({ id: result.dataset!.id });
    expect(dataset.exampleCount).toBe(count);
    expect(examples).toHaveLength(count);

    const exported = await lab.exportDataset({ id: dataset.id });
    expect(exported.records).toBe(count);
    const again = await lab.importDataset({
      text: exported.content,
      name: 'again',
      format: 'trl',
      onError: 'refuse',
    });
    expect(again.imported).toBe(count);
    const back = await lab.getDataset({ id: again.dataset!.id });
    const strip = (r: Record<string, unknown>) => {
      const { alpacaInput: _drop, ...rest } = r;
      return rest;
    };
    expect(back.examples.map((e) => strip(e.record))).toEqual(examples.map((e) => strip(e.record)));
  });

  it('keeps the context of a multi-turn example when its last exchange is edited in the form', async () => {
    const { lab } = open();
    const result = await lab.importDataset({
      text: fixture('dpo_en_demo.json'),
      name: 'dpo',
      onError: 'skip',
    });
    const { examples } = await lab.getDataset({ id: result.dataset!.id });
    const multi = examples.find((e) => e.context >= 2)!;
    const before = multi.record.prompt as { role: string; content: string }[];
    const edited = await lab.updateExample({
      id: multi.id,
      data: { ...multi.data, chosen: 'A shorter, better answer.' },
    });
    const after = edited.record.prompt as { role: string; content: string }[];
    expect(after).toEqual(before);
    expect(edited.data.chosen).toBe('A shorter, better answer.');
    expect(edited.context).toBe(multi.context);
  });

  it('reports bad lines by number and field, keeps the good ones, or refuses all; nothing stored changes', async () => {
    const { lab } = open();
    const keep = await lab.createDataset({ name: 'keep', kind: 'preference' });
    await lab.addExample({ datasetId: keep.id, data: { prompt: 'Q', chosen: 'A', rejected: 'B' } });
    const text = [
      '{"prompt": "a", "chosen": "b", "rejected": "c"}',
      '{"prompt": "a", "rejected": "c"}',
      '{"prompt": "a", "chosen": "b", "rejected": ',
      '{"prompt": "d", "chosen": "e", "rejected": "f"}',
    ].join('\n');
    const skipped = await lab.importDataset({ text, name: 'partly bad', onError: 'skip' });
    expect(skipped.imported).toBe(2);
    expect(skipped.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(skipped.errors[0]!.message).toMatch(/line 2: .*`chosen`/);

    const refused = await lab.importDataset({ text, name: 'refused', onError: 'refuse' });
    expect(refused).toMatchObject({ dataset: null, imported: 0, refused: true });
    expect((await lab.listDatasets()).map((d) => d.name).sort()).toEqual(['keep', 'partly bad']);
    expect((await lab.getDataset({ id: keep.id })).examples.map((e) => e.data)).toEqual([
      { prompt: 'Q', chosen: 'A', rejected: 'B' },
    ]);
  });
});
