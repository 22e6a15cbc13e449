// Experiments (pipeline presets of the `experiment` group, src/shared/experiments.ts): every one is
// well-formed and listed by the LabApi and the CLI; rater disagreement renders a seeded, nested share of
// flipped, tagged pairs from a world; a reward model trained on them reports its held-out accuracy
// against the gold labels; an experiment's comparison table is read from its pipeline and runs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import presets from '../../resources/presets.json';
import { experimentOf, experimentTable } from '../../src/shared/experiments';
import { PipelinePresetInfo, TERMINAL_STATUSES, type Pipeline, type Run } from '../../src/shared/schemas';
import type { RecordOf } from '../../src/shared/records';
import { renderWorldDataset } from '../../src/main/lab/world-variants';
import { experimentCommand } from '../../src/main/hosts/cli/experiment';
import { labFixtures, waitForRun } from '../helpers/lab';

const fx = labFixtures();
afterEach(() => vi.restoreAllMocks());

type Stage = {
  name: string;
  kind: string;
  datasetFrom?: string;
  from?: Record<string, string>;
  worldRender?: { role: string };
};
type Preset = {
  group?: string;
  claim?: string;
  compare?: { stages: string[]; metrics: string[] };
  stages: Stage[];
};
const PIPELINES = presets.pipelines as unknown as Record<string, Preset>;
const EXPERIMENTS = Object.entries(PIPELINES).filter(([, p]) => p.group === 'experiment');

describe('experiment presets', () => {
  it('include rater-noise and grad-accumulation, each well-formed', () => {
    const names = EXPERIMENTS.map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['rater-noise', 'grad-accumulation']));
    for (const [name, p] of EXPERIMENTS) {
      expect(p.claim, name).toMatch(/\w+/);
      expect(p.compare?.metrics.length, name).toBeGreaterThan(0);
      const seen = new Map<string, Stage>();
      for (const s of p.stages) {
        for (const ref of Object.values(s.from ?? {})) {
          const stage = seen.get(ref.split('.')[0]!);
          expect(stage, `${name}: ${s.name} refers to ${ref}, not an earlier stage`).toBeDefined();
        }
        if (s.datasetFrom) expect(seen.get(s.datasetFrom)?.kind, `${name}: ${s.name}`).toBe('dataset');
        seen.set(s.name, s);
      }
      for (const c of p.compare!.stages) expect(seen.has(c), `${name} compares ${c}`).toBe(true);
    }
  });

  it('are offered by the LabApi with their claim and comparison, and listed by the CLI', async () => {
    const { lab } = fx.open();
    const infos = (await lab.pipelinePresets()).map((p) => PipelinePresetInfo.parse(p));
    const rater = infos.find((p) => p.name === 'rater-noise')!;
    expect(rater.group).toBe('experiment');
    expect(rater.claim).toMatch(/reward model/);
    expect(rater.compare?.metrics).toContain('eval/gold_accuracy');
    expect(infos.find((p) => p.name === 'smoke')?.group).toBe('pipeline');

    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    expect(await experimentCommand([])).toBe(0);
    expect(lines.join('\n')).toMatch(/^rater-noise: /m);
    expect(lines.join('\n')).toMatch(/^grad-accumulation: /m);
    await expect(experimentCommand(['no-such'])).rejects.toThrow(
      /unknown experiment "no-such"; known: .*rater-noise/,
    );
  });
});

describe('rater disagreement', () => {
  it('flips a seeded, nested share of the world pairs, each flipped one tagged and swapped', async () => {
    const { lab } = fx.open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const gold = (await lab.getDataset({ id: world.datasets.preferences! })).examples.map(
      (e) => e.record as RecordOf<'preference'>,
    );
    const render = async (flipRate: number) => {
      const id = renderWorldDataset(
        lab.store,
        world.id,
        { role: 'preferences', flipRate },
        `flip ${flipRate}`,
      );
      return (await lab.getDataset({ id })).examples.map((e) => e.record as RecordOf<'preference'>);
    };
    const flippedAt = (records: RecordOf<'preference'>[]) =>
      new Set(records.flatMap((r, i) => (r.flipped ? [i] : [])));

    const none = await render(0);
    expect(none.map(({ flipped, ...r }) => (expect(flipped).toBe(false), r))).toEqual(gold);

    const n = gold.length;
    const sets = new Map<number, Set<number>>();
    for (const rate of [0.1, 0.25, 0.4]) {
      const records = await render(rate);
      expect(records).toHaveLength(n);
      const flipped = flippedAt(records);
      expect(Math.abs(flipped.size / n - rate), `rate ${rate}`).toBeLessThan(0.06);
      records.forEach((r, i) => {
        const g = gold[i]!;
        expect(r.prompt).toEqual(g.prompt);
        if (flipped.has(i)) expect([r.chosen, r.rejected]).toEqual([g.rejected, g.chosen]);
        else expect([r.chosen, r.rejected]).toEqual([g.chosen, g.rejected]);
      });
      sets.set(rate, flipped);
    }
    for (const i of sets.get(0.1)!) expect(sets.get(0.25)!.has(i)).toBe(true);
    for (const i of sets.get(0.25)!) expect(sets.get(0.4)!.has(i)).toBe(true);
    // Seeded: the same world gives the same flips.
    expect(flippedAt(await render(0.25))).toEqual(sets.get(0.25));
  });

  it('a reward model on flipped pairs reports its held-out accuracy against the gold labels', async () => {
    const { lab } = fx.open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const dataset = renderWorldDataset(
      lab.store,
      world.id,
      { role: 'preferences', flipRate: 0.4 },
      'flip 40',
    );
    const started = await lab.startRun({
      algorithm: 'reward',
      dataset,
      config: {
        model: 'byte-tiny',
        template: 'plain',
        epochs: 1,
        batchSize: 32,
        maxLength: 48,
        valFraction: 0.25,
      },
    });
    const run = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
    expect(run.error).toBeNull();
    const s = run.summary;
    for (const k of ['eval/accuracy', 'eval/gold_accuracy', 'eval/flipped_share'])
      expect(Number.isFinite(s[k]), k).toBe(true);
    // The held-out pairs are the same share flipped as the data, and the two accuracies differ exactly
    // on the flipped ones: |gold − noisy| ≤ the flipped share.
    expect(s['eval/flipped_share']).toBeGreaterThan(0.2);
    expect(s['eval/flipped_share']).toBeLessThan(0.6);
    expect(Math.abs(s['eval/gold_accuracy']! - s['eval/accuracy']!)).toBeLessThanOrEqual(
      s['eval/flipped_share']! + 1e-9,
    );
    expect(s['forward_passes']).toBeGreaterThan(0);
  }, 150_000);
});

describe('experimentTable', () => {
  const stage = (name: string, runId: number | null) => ({
    name,
    label: name.toUpperCase(),
    status: 'completed' as const,
    runId,
    worldId: null,
    modelId: null,
    datasetId: null,
  });
  const pipeline = (config: Record<string, unknown>): Pipeline => ({
    id: 7,
    name: 'x #1',
    preset: 'x',
    status: 'completed',
    error: null,
    stages: [stage('world', null), stage('a', 1), stage('b', 2)],
    config,
    createdAt: '',
    finishedAt: '',
  });
  const run = (id: number, summary: Record<string, number>) => ({ id, summary }) as unknown as Run;

  it('reads each compared stage’s run summary; absent metrics are null', () => {
    const p = pipeline({
      group: 'experiment',
      claim: 'c',
      compare: { stages: ['a', 'b'], metrics: ['loss', 'x'] },
    });
    const runs = new Map([
      [1, run(1, { loss: 1.5, x: 2 })],
      [2, run(2, { loss: 0.5 })],
    ]);
    expect(experimentTable(p, runs)).toEqual({
      claim: 'c',
      metrics: ['loss', 'x'],
      rows: [
        { stage: 'a', label: 'A', runId: 1, status: 'completed', values: [1.5, 2] },
        { stage: 'b', label: 'B', runId: 2, status: 'completed', values: [0.5, null] },
      ],
    });
  });

  it('is null for a pipeline that is not an experiment', () => {
    expect(experimentOf(pipeline({ stages: [] }))).toBeNull();
    expect(experimentTable(pipeline({ group: 'experiment' }), new Map())).toBeNull();
  });
});
