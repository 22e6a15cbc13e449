// Data quality in the lab: a world with noisy SFT examples, each example's score and explanation, and
// the SFT variants a quality experiment trains on (a clean sample, a noisy set).
import { describe, expect, it } from 'vitest';
import { labFixtures } from '../helpers/lab';
import { parseInput } from '../../src/shared/api';
import { LOW_QUALITY } from '../../src/shared/quality';
import { sftVariantRecords } from '../../src/main/lab/quality';
import { renderWorldDataset } from '../../src/main/lab/world-variants';
import presets from '../../resources/presets.json';
import { generateWorld } from '../../src/main/engine/world';

const { open } = labFixtures();

describe('dataset quality', () => {
  it('scores every example; the examples a world made noisy are tagged and score low', async () => {
    const { lab } = open();
    const world = await lab.generateWorld({ seed: 11, size: 'tiny', sftNoise: 0.25 });
    expect(world.name).toContain('25% noisy SFT');
    const sftId = world.datasets.sft!;
    const { examples } = await lab.getDataset({ id: sftId });
    const q = await lab.datasetQuality({ id: sftId });
    expect(q.scored).toMatch(/assistant/);
    expect(q.examples.map((e) => e.exampleId)).toEqual(examples.map((e) => e.id));
    const noisy = q.examples.filter((e) => e.noise !== null);
    const clean = q.examples.filter((e) => e.noise === null);
    expect(noisy.length).toBe(Math.round(0.25 * examples.length));
    // The tag is on the stored record too, for the table.
    const tagged = examples.filter((e) => typeof e.record.noise === 'string');
    expect(tagged.map((e) => e.id)).toEqual(noisy.map((e) => e.exampleId));
    const share = (xs: typeof q.examples, low: boolean) =>
      xs.filter((e) => e.score < LOW_QUALITY === low).length / xs.length;
    expect(share(noisy, true)).toBeGreaterThanOrEqual(0.9);
    expect(share(clean, false)).toBeGreaterThanOrEqual(0.9);
    // A low score comes with reasons, each a feature whose typical value would raise it.
    const low = noisy.find((e) => e.score < LOW_QUALITY)!;
    expect(low.reasons.length).toBeGreaterThan(0);
    for (const r of low.reasons) expect(r.effect).toBeGreaterThan(0);

    // Every other kind is scored on its own text; the clean world's SFT has no tags.
    const plain = await lab.generateWorld({ seed: 11, size: 'tiny' });
    const corpus = await lab.datasetQuality({ id: plain.datasets.corpus! });
    expect(corpus.scored).toBe('the document');
    expect(corpus.examples.length).toBe(plain.counts.corpus);
    const prefs = await lab.datasetQuality({ id: plain.datasets.preferences! });
    expect(prefs.examples.every((e) => e.noise === null)).toBe(true);
    await expect(lab.datasetQuality({ id: 9999 })).rejects.toThrow(/9999/);
  });

  it('rejects a noise share outside 0–1, naming the field', () => {
    expect(() => parseInput('generateWorld', { seed: 1, sftNoise: 1.5 })).toThrow(/sftNoise: .*at most 1/);
    expect(() => parseInput('generateWorld', { seed: 1, sftNoise: 'lots' })).toThrow(/sftNoise/);
  });

  it('renders SFT variants: a seeded clean sample, and a noisy set', () => {
    const world = generateWorld({ seed: 1, size: 'tiny' });
    const all = sftVariantRecords(world, { role: 'sft' });
    const small = sftVariantRecords(world, { role: 'sft', sample: 0.25 });
    const noisy = sftVariantRecords(world, { role: 'sft', noiseRate: 0.5 });
    expect(small.length).toBe(Math.round(0.25 * all.length));
    expect(small.every((r) => !('noise' in r))).toBe(true);
    expect(noisy.length).toBe(all.length);
    expect(noisy.filter((r) => 'noise' in r).length).toBe(Math.round(0.5 * all.length));
    expect(sftVariantRecords(world, { role: 'sft', sample: 0.25 })).toEqual(small);
    expect(() => sftVariantRecords(world, { role: 'sft', sample: 0 })).toThrow(/sample/);
  });

  it('makes the quality-vs-quantity datasets in a pipeline dataset stage, same compute for both SFT runs', async () => {
    const { lab } = open();
    const world = await lab.generateWorld({ seed: 1, size: 'tiny' });
    type Stage = { name: string; worldRender?: never; config?: Record<string, number> };
    const stages = (presets.pipelines as unknown as Record<string, { stages: Stage[] }>)[
      'quality-vs-quantity'
    ]!.stages;
    const spec = (name: string) => stages.find((s) => s.name === name)!;
    const clean = renderWorldDataset(lab.store, world.id, spec('clean-data').worldRender!, 'clean');
    const noisy = renderWorldDataset(lab.store, world.id, spec('noisy-data').worldRender!, 'noisy');
    const all = world.counts.sft!;
    const cleanQ = await lab.datasetQuality({ id: clean });
    const noisyQ = await lab.datasetQuality({ id: noisy });
    expect(cleanQ.examples.length).toBe(Math.round(all * 0.25));
    expect(noisyQ.examples.length).toBe(all);
    expect(cleanQ.examples.every((e) => e.noise === null)).toBe(true);
    expect(noisyQ.examples.filter((e) => e.noise !== null).length).toBe(Math.round(all * 0.5));
    const compute = (name: string) => spec(name).config!.maxSteps! * spec(name).config!.batchSize!;
    expect(compute('sft-clean')).toBe(compute('sft-noisy'));
  });
});
