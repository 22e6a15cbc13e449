// A preset over several seeds: the seed list parser, the summary's arithmetic on hand-made tables, and
// the CLI running two real `smoke` pipelines side by side and summarising them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSeedsSummary, parseSeeds, summariseSeeds, type SeedRun } from '../../src/main/lab/seeds';
import type { TaxModel } from '../../src/shared/tax';
import { tempDir } from '../helpers/tmp';

const CLI = fileURLToPath(new URL('../../src/main/hosts/cli/main.ts', import.meta.url));

describe('parseSeeds', () => {
  it('reads lists, ranges and mixes, without repeats', () => {
    expect(parseSeeds('3')).toEqual([3]);
    expect(parseSeeds('1,2,5')).toEqual([1, 2, 5]);
    expect(parseSeeds('1-4')).toEqual([1, 2, 3, 4]);
    expect(parseSeeds('1-3, 2, 7')).toEqual([1, 2, 3, 7]);
  });
  it('names what it cannot read', () => {
    expect(() => parseSeeds('a')).toThrow(/"a" is not a seed/);
    expect(() => parseSeeds('4-1')).toThrow(/backwards/);
    expect(() => parseSeeds('1-1000')).toThrow(/more than 100/);
    expect(() => parseSeeds('')).toThrow(/not a seed/);
  });
});

const model = (label: string, gold: number | null, sftGold: number | null, kl: number | null): TaxModel => ({
  stage: `eval-${label}`,
  label,
  runId: 1,
  modelId: 1,
  modelName: label,
  values: { gold_score: gold, kl },
  vsBase: {},
  vsSft: { gold_score: gold === null || sftGold === null ? null : gold - sftGold },
});
const run = (seed: number, sft: number, dpo: number | null, status = 'completed'): SeedRun => ({
  seed,
  status,
  table: [
    {
      stage: 'eval-sft',
      set: 'factsPretrainOnly',
      directAnswerRate: sft,
      factAccuracy: sft / 2,
      meanScore: sft,
      n: 32,
    },
  ],
  tax: {
    id: seed,
    name: `quick #${seed}`,
    preset: 'quick',
    status,
    models: [model('SFT', sft, sft, 0), ...(dpo === null ? [] : [model('DPO', dpo, sft, 0.1 * seed)])],
  },
});

describe('summariseSeeds', () => {
  it('gives each number its mean and range, and counts the seeds above SFT', () => {
    const s = summariseSeeds([run(1, 0.4, 0.5), run(2, 0.6, 0.55), run(3, 0.5, 0.6)]);
    expect(s.seeds).toEqual([1, 2, 3]);
    expect(s.incomplete).toEqual([]);
    const e = s.evaluation[0]!;
    expect(e.directAnswerRate.mean).toBeCloseTo(0.5);
    expect([e.directAnswerRate.min, e.directAnswerRate.max]).toEqual([0.4, 0.6]);
    expect(e.factAccuracy.mean).toBeCloseTo(0.25);
    const dpo = s.models.find((m) => m.label === 'DPO')!;
    expect(dpo.values['gold_score']!.mean).toBeCloseTo(0.55);
    expect(dpo.goldVsSft!.mean).toBeCloseTo((0.1 - 0.05 + 0.1) / 3);
    expect([dpo.aboveSft, dpo.comparedSeeds]).toEqual([2, 3]);
    expect(dpo.values['kl']!.max).toBeCloseTo(0.3);
    const sft = s.models.find((m) => m.label === 'SFT')!;
    expect([sft.aboveSft, sft.comparedSeeds]).toEqual([0, 3]);
  });

  it('leaves out what a seed did not measure, and names the seeds that did not complete', () => {
    const s = summariseSeeds([run(1, 0.4, 0.5), run(2, 0.6, null, 'failed')]);
    expect(s.incomplete).toEqual([2]);
    const dpo = s.models.find((m) => m.label === 'DPO')!;
    expect(dpo.values['gold_score']!.mean).toBeCloseTo(0.5);
    expect(Number.isNaN(dpo.values['gold_score']!.bySeed[2])).toBe(true);
    expect([dpo.aboveSft, dpo.comparedSeeds]).toEqual([1, 1]);
    const text = formatSeedsSummary(s, 'quick').join('\n');
    expect(text).toMatch(/quick over 2 seeds \(1, 2\).*not completed: seed 2/);
    expect(text).toMatch(/DPO\s+0\.500 \(0\.500–0\.500\)\s+\+0\.100 \(\+0\.100–\+0\.100\)\s+1 of 1/);
  });
});

describe('lab pipeline --seeds', () => {
  it('runs a preset once per seed, side by side, and summarises them', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', CLI, 'pipeline', '--preset', 'smoke', '--seeds', '1-2', '--data', dir, '--json'],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const summaries = lines.filter((l) => l.type === 'summary');
      expect(summaries.map((l) => [l.seed, l.status])).toEqual([
        [1, 'completed'],
        [2, 'completed'],
      ]);
      const last = lines.at(-1) as {
        type: string;
        seeds: number[];
        evaluation: { stage: string; set: string; directAnswerRate: { bySeed: Record<string, number> } }[];
      };
      expect(last.type).toBe('seeds');
      expect(last.seeds).toEqual([1, 2]);
      const row = last.evaluation.find((r) => r.stage === 'eval-sft')!;
      // Each seed's number is the one its own pipeline reported.
      for (const s of summaries) {
        const own = (s.table as { stage: string; set: string; directAnswerRate: number }[]).find(
          (r) => r.stage === 'eval-sft' && r.set === row.set,
        )!;
        expect(row.directAnswerRate.bySeed[String(s.seed)]).toBe(own.directAnswerRate);
      }
    } finally {
      cleanup();
    }
  }, 240_000);
});
