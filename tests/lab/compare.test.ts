// The Compare page's data (lab/compare.ts) and the reward–KL sweep (lab/sweep.ts) against real runs:
// an SFT model, a reward model, then the sweep (DPO at two betas, PPO against the reward model with
// the gold judge logged beside it, every model evaluated against the SFT reference) as one pipeline;
// and runs of different kinds compared on what they share.
import { describe, expect, it } from 'vitest';
import presets from '../../resources/presets.json';
import { LabError } from '../../src/shared/api';
import { TERMINAL_STATUSES, type Pipeline, type Run } from '../../src/shared/schemas';
import type { Lab } from '../../src/main/lab/lab';
import { clientOf, labFixtures, waitForRun } from '../helpers/lab';

const fx = labFixtures();
type Preset = { dataset: string; config: Record<string, unknown> };
const PRESETS = presets.runs as Record<string, Record<string, Preset>>;

async function smoke(lab: Lab, kind: 'sft' | 'reward' | 'dpo', overrides: Record<string, unknown> = {}) {
  const preset = PRESETS[kind]!['smoke']!;
  const started = await lab.startRun({
    algorithm: kind,
    dataset: preset.dataset as never,
    config: { ...preset.config, ...overrides },
  });
  const run = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
  expect(run.error).toBeNull();
  return run;
}

async function waitForPipeline(lab: Lab, id: number, timeoutMs: number): Promise<Pipeline> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await lab.getPipeline({ id });
    if (p.status !== 'running') return p;
    if (Date.now() > end) throw new Error(`pipeline ${id} still running: ${JSON.stringify(p.stages)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A metric's stored value at a step. */
const stored = async (lab: Lab, runId: number, name: string, step: number) =>
  (await lab.runMetrics({ runId })).find((m) => m.name === name && m.step === step)?.value;

describe('compare', () => {
  it('sweeps DPO betas and PPO KL coefficients from one SFT model and compares them on the frontier', async () => {
    const { lab } = fx.open(2);
    const api = clientOf(lab);
    const world = await lab.generateWorld({ seed: 0, size: 'tiny' });
    const [sft, rm] = await Promise.all([
      smoke(lab, 'sft', { template: 'chatml' }),
      smoke(lab, 'reward', { template: 'chatml' }),
    ]);

    // The form's mistakes are named by field, before anything starts.
    const bad = await api
      .startSweep({ baseModel: rm.modelId!, dataset: 'sandbox-pairs', world: 999, rewardModel: sft.modelId! })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(LabError);
    expect(Object.fromEntries((bad as LabError).issues.map((i) => [i.path, i.message]))).toMatchObject({
      baseModel: expect.stringMatching(/reward model/),
      world: expect.stringMatching(/does not exist/),
      rewardModel: expect.stringMatching(/not a reward model/),
    });

    const started = await api.startSweep({
      baseModel: sft.modelId!,
      dataset: 'sandbox-pairs',
      world: world.id,
      rewardModel: rm.modelId!,
      betas: [0.1, 0.5],
      klCoefs: [0.05],
      dpoConfig: { batchSize: 16, maxLength: 64 },
      ppoConfig: { batchSize: 4, ppoEpochs: 1, maxNewTokens: 8 },
      ppoIterations: 3,
      evalSets: ['harmful'],
      evalMaxNewTokens: 4,
    });
    expect(started.preset).toBe('sweep');
    expect(started.stages.map((s) => s.name)).toEqual([
      'eval-sft',
      'dpo-1',
      'eval-dpo-1',
      'dpo-2',
      'eval-dpo-2',
      'ppo-1',
      'eval-ppo-1',
    ]);
    const p = await waitForPipeline(lab, started.id, 300_000);
    expect(p.error).toBeNull();
    expect(p.status).toBe('completed');
    const runOf = (stage: string) => p.stages.find((s) => s.name === stage)!.runId!;
    const ppo = await lab.getRun({ id: runOf('ppo-1') });
    expect(ppo.config).toMatchObject({ rewardSource: 'model', rewardModel: rm.modelId, klCoef: 0.05 });
    expect((await lab.getRun({ id: runOf('dpo-2') })).config['beta']).toBe(0.5);

    // Every run of the pipeline, as the page's `?pipeline=` selects them.
    const result = await api.compareRuns({ runIds: p.stages.map((s) => s.runId!) });
    // Evaluations are folded into their models' runs; the SFT model's evaluation stands for it.
    expect(result.runs.map((r) => r.id).sort()).toEqual(
      [runOf('eval-sft'), runOf('dpo-1'), runOf('dpo-2'), ppo.id].sort(),
    );
    expect(result.runs.every((r) => r.pipelineId === p.id)).toBe(true);
    expect(result.runs.find((r) => r.id === ppo.id)).toMatchObject({
      kind: 'PPO (RLHF)',
      axes: { tokens: true, epoch: true, time: true },
      cost: { steps: 3, tokens: await stored(lab, ppo.id, 'num_tokens', 3) },
    });
    expect(result.runs.find((r) => r.id === runOf('dpo-1'))!.axes).toMatchObject({
      tokens: false,
      epoch: true,
    });

    // PPO's over-optimisation data: proxy and gold of the same rollouts against KL, each iteration.
    const training = result.frontier.find((c) => c.runId === ppo.id && c.source === 'training')!;
    expect(training.points.map((x) => x.step)).toEqual([1, 2, 3]);
    for (const point of training.points) {
      expect(point.gold).toBe(await stored(lab, ppo.id, 'gold/score', point.step!));
      expect(point.kl).toBe(await stored(lab, ppo.id, 'objective/kl', point.step!));
      expect(point.proxy).toBe(await stored(lab, ppo.id, 'objective/scores', point.step!));
      expect(point.gold).toBeGreaterThanOrEqual(0);
      expect(point.gold).toBeLessThanOrEqual(1);
    }
    // One evaluated point per model: gold score and KL per reply to the SFT reference.
    for (const stage of ['dpo-1', 'dpo-2', 'ppo-1']) {
      const curve = result.frontier.find((c) => c.runId === runOf(stage) && c.source === 'evaluation')!;
      const evalRun = await lab.getRun({ id: runOf(`eval-${stage}`) });
      expect(curve.points).toEqual([
        {
          kl: evalRun.summary['kl_to_reference_seq'],
          gold: evalRun.summary['overall/mean_score'],
          proxy: null,
          step: null,
          evalRunId: evalRun.id,
        },
      ]);
      expect(curve.points[0]!.kl).toBeGreaterThanOrEqual(0);
    }
    // The reference against itself: the frontier's origin.
    const origin = result.frontier.find((c) => c.runId === runOf('eval-sft'))!;
    expect(origin.points[0]!.kl).toBeCloseTo(0, 6);

    // Curves: what every run logs is overlaid (PPO and DPO share little); the rest per run that has it.
    const namesOf = async (id: number) => new Set((await lab.runMetrics({ runId: id })).map((m) => m.name));
    const [d1, d2, pp] = await Promise.all([runOf('dpo-1'), runOf('dpo-2'), ppo.id].map(namesOf));
    const common = [...d1!].filter((n) => d2!.has(n) && pp!.has(n) && !['epoch', 'num_tokens'].includes(n));
    expect(result.shared).toEqual(common.sort());
    expect(result.shared).toEqual(expect.arrayContaining(['grad_norm', 'learning_rate']));
    expect(result.shared).not.toContain('loss');
    const loss = result.metrics.find((m) => m.name === 'loss')!;
    expect(loss.series.map((s) => s.runId).sort()).toEqual([runOf('dpo-1'), runOf('dpo-2')].sort());
    const dpoLoss = await lab.runMetrics({ runId: runOf('dpo-1') });
    const first = loss.series.find((s) => s.runId === runOf('dpo-1'))!.points[0]!;
    const storedFirst = dpoLoss.find((m) => m.name === 'loss')!;
    expect(first[0]).toBe(storedFirst.step);
    expect(first[1]).toBe(storedFirst.value);
    expect(first[4]).toBe(dpoLoss.find((m) => m.name === 'epoch' && m.step === storedFirst.step)!.value);

    // Config diff: only what differs; beta between the DPO runs, absent from PPO's.
    const beta = result.configDiff.find((d) => d.field === 'beta')!;
    expect(beta.values).toMatchObject({ [runOf('dpo-1')]: '0.1', [runOf('dpo-2')]: '0.5', [ppo.id]: null });
    expect(result.configDiff.find((d) => d.field === 'baseModel')?.values[ppo.id]).toBe(String(sft.modelId));
    expect(result.configDiff.some((d) => d.field === 'template')).toBe(false); // chatml in every run
    expect(result.configDiff.some((d) => d.field === 'resumeFrom')).toBe(false);

    // Evaluations side by side, and the same held-out prompts answered by each model.
    expect(result.evals.map((e) => e.evalRunId).sort()).toEqual(
      ['eval-sft', 'eval-dpo-1', 'eval-dpo-2', 'eval-ppo-1'].map(runOf).sort(),
    );
    expect(result.generations.length).toBeGreaterThan(0);
    for (const g of result.generations) {
      expect(Object.keys(g.replies).sort()).toEqual(result.runs.map((r) => String(r.id)).sort());
      expect(g.set).toBe('harmful');
    }
  }, 420_000);

  it("logs PPO's gold score when its prompts come from a world's dataset, and says when it cannot", async () => {
    const { lab } = fx.open(2);
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const own = await lab.createDataset({ name: 'mine', kind: 'prompt' });
    await clientOf(lab).addExample({ datasetId: own.id, data: { prompt: 'Say hello.' } });
    const ppo = (dataset: number) =>
      lab.startRun({
        algorithm: 'ppo',
        dataset,
        config: {
          model: 'byte-tiny',
          rewardSource: 'rule',
          rule: 'length',
          iterations: 2,
          batchSize: 2,
          ppoEpochs: 1,
          maxNewTokens: 6,
          template: 'plain',
        },
      });
    const [fromWorld, fromMine] = await Promise.all([ppo(world.datasets['preferences']!), ppo(own.id)]);
    const done = (id: number) => waitForRun(lab, id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
    const [a, b] = await Promise.all([done(fromWorld.id), done(fromMine.id)]);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    const gold = (await lab.runMetrics({ runId: a.id })).filter((m) => m.name === 'gold/score');
    expect(gold.map((m) => m.step)).toEqual([1, 2]);
    for (const m of gold) expect(m.value).toBeGreaterThanOrEqual(0);
    expect(b.summary['gold/score']).toBeUndefined();

    const result = await clientOf(lab).compareRuns({ runIds: [a.id, b.id] });
    expect(result.frontier.map((c) => [c.runId, c.source])).toEqual([[a.id, 'training']]);
    expect(result.notes.some((n) => n.startsWith(b.name) && n.includes('logged no gold score'))).toBe(true);
  }, 180_000);

  it('compares runs of different kinds on what they share, and says what a run lacks', async () => {
    const { lab } = fx.open(1);
    const dpo = await smoke(lab, 'dpo', { epochs: 2 });
    // A run recorded from outside (as an import of a Hugging Face trainer_state.json would be): its
    // tokens come as `num_input_tokens_seen`, and it has no model.
    const store = lab.store;
    let external: Run = store.createRun({
      name: 'imported',
      algorithm: 'sft',
      dataset: null,
      datasetName: '',
      config: { learningRate: 0.0002 },
      seed: 0,
    });
    store.setRunStatus(external.id, 'running');
    store.recordProgress(
      external.id,
      null,
      [1, 2, 3].flatMap((step) => [
        { step, name: 'loss', value: 3 - step / 2, time: 1000 + step * 500 },
        { step, name: 'num_input_tokens_seen', value: step * 256, time: 1000 + step * 500 },
        { step, name: 'epoch', value: step / 3, time: 1000 + step * 500 },
      ]),
    );
    external = store.setRunStatus(external.id, 'completed');

    const result = await clientOf(lab).compareRuns({ runIds: [dpo.id, external.id, dpo.id] });
    expect(result.runs.map((r) => r.id)).toEqual([dpo.id, external.id]);
    expect(result.shared).toEqual(['loss']);
    const ext = result.runs.find((r) => r.id === external.id)!;
    expect(ext).toMatchObject({ modelId: null, axes: { tokens: true, epoch: true }, cost: { tokens: 768 } });
    const points = result.metrics
      .find((m) => m.name === 'loss')!
      .series.find((s) => s.runId === external.id)!.points;
    // [step, value, seconds from the first metric, tokens, epoch]
    expect(points).toEqual([
      [1, 2.5, 0, 256, 1 / 3],
      [2, 2, 0.5, 512, 2 / 3],
      [3, 1.5, 1, 768, 1],
    ]);
    expect(result.configDiff.find((d) => d.field === 'learningRate')?.values).toEqual({
      [dpo.id]: JSON.stringify(dpo.config['learningRate']),
      [external.id]: '0.0002',
    });
    expect(result.frontier).toEqual([]);
    expect(result.notes.join(' ')).toMatch(/no evaluation yet/);
    await expect(clientOf(lab).compareRuns({ runIds: [dpo.id, 9999] })).rejects.toThrow(/run 9999/);
  }, 120_000);
});
