// Generating a sandbox world from the Lab: stored once, datasets for each role, deterministic.
import { describe, expect, it } from 'vitest';
import { labFixtures } from '../helpers/lab';

const { open } = labFixtures();

describe('sandbox worlds in the lab', () => {
  it('generates a world with its datasets, and shows its facts and evaluation sets', async () => {
    const { lab } = open();
    const world = await lab.generateWorld({ seed: 7, size: 'tiny' });
    expect(Object.keys(world.datasets).sort()).toEqual([
      'corpus',
      'preferences',
      'redteam',
      'safety',
      'sft',
      'unanswerable',
    ]);
    const datasets = await lab.listDatasets();
    const byId = new Map(datasets.map((d) => [d.id, d]));
    expect(byId.get(world.datasets.corpus!)?.kind).toBe('text');
    expect(byId.get(world.datasets.sft!)?.kind).toBe('instruction');
    expect(byId.get(world.datasets.preferences!)?.kind).toBe('preference');
    expect(byId.get(world.datasets.redteam!)?.kind).toBe('prompt');
    for (const [role, id] of Object.entries(world.datasets))
      expect(byId.get(id)?.exampleCount).toBe(world.counts[role]);

    const detail = await lab.getWorld({ id: world.id });
    expect(detail.places).toHaveLength(8);
    expect(new Set(detail.facts.map((f) => f.split))).toEqual(new Set(['train', 'heldout', 'pretrain-only']));
    expect(detail.evalSets.factsPretrainOnly!.length).toBeGreaterThan(0);

    // Same seed, same world: the same facts and the same SFT pairs.
    const again = await lab.generateWorld({ seed: 7, size: 'tiny' });
    expect((await lab.getWorld({ id: again.id })).facts).toEqual(detail.facts);
    const sft = (id: number) => lab.getDataset({ id }).then((d) => d.examples.map((e) => e.record));
    expect(await sft(again.datasets.sft!)).toEqual(await sft(world.datasets.sft!));
    expect((await lab.listWorlds()).map((w) => w.id)).toEqual([again.id, world.id]);
  });

  it('rejects a bad seed naming the field', async () => {
    const { lab } = open();
    const { parseInput } = await import('../../src/shared/api');
    expect(() => parseInput('generateWorld', { seed: -1 })).toThrow(/seed: Seed must be at least 0/);
    expect(() => parseInput('generateWorld', { seed: 1, size: 'huge' })).toThrow(/size/);
    expect(await lab.listWorlds()).toEqual([]);
  });
});
