// The preference-alignment algorithms through the Lab, as the UI and the CLI start them: every smoke
// preset (resources/presets.json) runs a real tiny model end to end in a run process; the lab stores
// what each produces (a reward model, rollouts, Constitutional AI pairs) and refuses what cannot run,
// naming the field.
import { describe, expect, it } from 'vitest';
import presets from '../../resources/presets.json';
import { LabError } from '../../src/shared/api';
import { RUN_KINDS, TERMINAL_STATUSES, type RunKind } from '../../src/shared/schemas';
import { clientOf, labFixtures, testLab, waitForRun } from '../helpers/lab';
import type { Lab } from '../../src/main/lab/lab';

const fx = labFixtures();
type Preset = { dataset: string; config: Record<string, unknown> };
const PRESETS = presets.runs as Record<string, Record<string, Preset>>;

async function runPreset(lab: Lab, kind: RunKind, overrides: Record<string, unknown> = {}) {
  const preset = PRESETS[kind]!['smoke']!;
  const { algorithm, config } = RUN_KINDS[kind];
  const started = await lab.startRun({
    algorithm,
    dataset: preset.dataset as never,
    config: { ...config, ...preset.config, ...overrides },
  });
  const run = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
  expect(run.error).toBeNull();
  expect(run.status).toBe('completed');
  return run;
}

async function issuesOf(p: Promise<unknown>): Promise<Record<string, string>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  return Object.fromEntries((err as LabError).issues.map((i) => [i.path, i.message]));
}

describe('preference alignment through the lab', () => {
  it('has a smoke preset for every algorithm the issue names', () => {
    for (const kind of ['sft', 'reward', 'dpo', 'ipo', 'kto', 'orpo', 'simpo', 'ppo', 'cai'])
      expect(PRESETS[kind]?.['smoke'], kind).toBeDefined();
  });

  it('trains a reward model, lists it as one, scores responses with it, and feeds it to PPO', async () => {
    const { lab } = fx.open();
    const run = await runPreset(lab, 'reward', { epochs: 2 });
    for (const m of ['loss', 'accuracy', 'margin', 'mean_reward', 'eval/accuracy'])
      expect(Number.isFinite(run.summary[m]), m).toBe(true);
    const model = (await lab.listModels()).find((m) => m.id === run.modelId)!;
    expect(model.kind).toBe('reward');

    const { rewards } = await clientOf(lab).scoreResponses({
      modelId: model.id,
      prompt: 'What is the capital of Vorlane?',
      responses: ['The capital of Vorlane is Tesh.', 'Well, people have wondered about that for years…'],
    });
    expect(rewards).toHaveLength(2);
    expect(rewards.every(Number.isFinite)).toBe(true);

    // A reward model is not a policy; a language model is not a reward model.
    const issues = await issuesOf(
      lab.startRun({
        algorithm: 'ppo',
        dataset: 'sandbox-prompts',
        config: { baseModel: model.id, rewardSource: 'model', rewardModel: model.id },
      }),
    );
    expect(issues['config.baseModel']).toMatch(/reward model/);
    await expect(
      clientOf(lab).scoreResponses({ modelId: 999, prompt: 'x', responses: ['y'] }),
    ).rejects.toThrow(/modelId/);

    const ppo = await runPreset(lab, 'ppo', { rewardSource: 'model', rewardModel: model.id, iterations: 2 });
    expect(Number.isFinite(ppo.summary['objective/scores'])).toBe(true);
  }, 240_000);

  it('runs PPO against the gold judge and stores its rollouts per iteration', async () => {
    const { lab } = fx.open();
    const run = await runPreset(lab, 'ppo');
    for (const m of ['objective/kl', 'objective/scores', 'policy/clipfrac', 'loss/policy', 'loss/value'])
      expect(Number.isFinite(run.summary[m]), m).toBe(true);
    const samples = await clientOf(lab).runSamples({ runId: run.id });
    expect(samples.length).toBeGreaterThan(0);
    expect(new Set(samples.map((s) => s.step)).size).toBe(3); // 2 per iteration, 3 iterations
    expect(samples[0]!.kind).toBe('rollout');
    expect(samples[0]!.data).toHaveProperty('prompt');
    expect(samples[0]!.data).toHaveProperty('response');
    const step2 = await clientOf(lab).runSamples({ runId: run.id, step: 2 });
    expect(step2.every((s) => s.step === 2)).toBe(true);
  }, 180_000);

  it('gives the same metrics for the same seed (PPO and reward model, same backend)', async () => {
    const { lab } = fx.open();
    for (const kind of ['ppo', 'reward'] as const) {
      const a = await runPreset(lab, kind);
      const b = await runPreset(lab, kind);
      expect(b.config, kind).toEqual(a.config);
      const metrics = async (id: number) =>
        (await lab.runMetrics({ runId: id })).map((m) => [m.step, m.name, m.value]);
      const [ma, mb] = await Promise.all([metrics(a.id), metrics(b.id)]);
      // Wall-clock and memory metrics differ between runs; everything else is a function of the seed.
      const same = (m: (string | number)[][]) => m.filter((x) => !/^(time|perf)\//.test(String(x[1])));
      expect(same(ma).length, kind).toBeGreaterThan(10);
      expect(same(mb), kind).toEqual(same(ma));
    }
  }, 180_000);

  it('runs IPO, KTO, ORPO and SimPO from their presets', async () => {
    const { lab } = fx.open();
    const [ipo, kto, orpo, simpo] = await Promise.all(
      (['ipo', 'kto', 'orpo', 'simpo'] as const).map((k) => runPreset(lab, k)),
    );
    expect(ipo!.config.lossType).toBe('ipo');
    expect(kto!.config.lossType).toBe('kto');
    expect(Number.isFinite(kto!.summary['kl'])).toBe(true);
    expect(Number.isFinite(orpo!.summary['log_odds_ratio'])).toBe(true);
    expect(simpo!.config.lossType).toBe('simpo');
    for (const r of [ipo, kto, orpo, simpo]) expect(r!.modelId).not.toBeNull();
  }, 240_000);

  it('turns a Constitutional AI run into reviewed pairs and a preference dataset', async () => {
    const { lab } = fx.open();
    const run = await runPreset(lab, 'cai');
    const pairs = await clientOf(lab).runSamples({ runId: run.id });
    expect(pairs.length).toBeGreaterThan(1);
    const first = pairs[0]!;
    expect(first.kind).toBe('cai-pair');
    expect(first.data['flagged']).toContain('harmlessness');
    expect(first.review).toBeNull();

    await expect(clientOf(lab).samplesToDataset({ runId: run.id, name: 'none yet' })).rejects.toThrow(
      /approved/,
    );
    expect((await clientOf(lab).reviewSample({ id: first.id, review: 'approved' })).review).toBe('approved');
    await clientOf(lab).reviewSample({ id: pairs[1]!.id, review: 'rejected' });
    const approved = await clientOf(lab).samplesToDataset({ runId: run.id, name: 'CAI approved' });
    expect(approved.kind).toBe('preference');
    expect(approved.exampleCount).toBe(1);
    const { examples } = await lab.getDataset({ id: approved.id });
    expect(examples[0]!.data['chosen']).toBe(first.data['revised']);
    expect(examples[0]!.data['rejected']).toBe(first.data['original']);
    const unrejected = await clientOf(lab).samplesToDataset({
      runId: run.id,
      name: 'all',
      include: 'unrejected',
    });
    expect(unrejected.exampleCount).toBe(pairs.length - 1);
  }, 120_000);

  it('copies the default constitution into an editable dataset that a CAI run can use', async () => {
    const { lab } = fx.open();
    const constitution = await clientOf(lab).copyDefaultConstitution({});
    expect(constitution.kind).toBe('constitution');
    expect(constitution.exampleCount).toBeGreaterThanOrEqual(3);
    const run = await runPreset(lab, 'cai', { constitution: constitution.id, maxPrompts: 3 });
    expect(run.config.constitution).toBe(constitution.id);
  }, 120_000);

  it('cancels DPO and PPO runs mid-way and resumes each from its checkpoint to the end', async () => {
    const { lab } = fx.open();
    const cases = [
      { algorithm: 'dpo' as const, dataset: 'seed-dpo' as const, config: { epochs: 12 }, total: 84, at: 20 },
      {
        algorithm: 'ppo' as const,
        dataset: 'sandbox-prompts' as const,
        config: { ...PRESETS['ppo']!['smoke']!.config, iterations: 8 },
        total: 8,
        at: 2,
      },
    ];
    for (const c of cases) {
      const started = await lab.startRun({ algorithm: c.algorithm, dataset: c.dataset, config: c.config });
      await waitForRun(lab, started.id, (r) => (r.progress?.step ?? 0) >= c.at, 120_000);
      await lab.cancelRun({ id: started.id });
      const cancelled = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status));
      expect(cancelled.status, c.algorithm).toBe('cancelled');
      const stoppedAt = cancelled.progress!.step;
      expect(stoppedAt).toBeLessThan(c.total);

      const resumed = await clientOf(lab).resumeRun({ id: started.id });
      expect(resumed.status).toBe('queued');
      expect(resumed.config['resumeFrom']).toMatch(/checkpoint-0*\d+\.safetensors$/);
      const done = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      expect(done.progress!.step).toBe(c.total);
      expect(done.modelId).not.toBeNull();
      // Every step recorded once: the stopped attempt's steps, then the resumed attempt's, no gap.
      const lossName = c.algorithm === 'dpo' ? 'loss' : 'loss/policy';
      const steps = (await lab.runMetrics({ runId: started.id }))
        .filter((m) => m.name === lossName)
        .map((m) => m.step);
      expect(steps).toEqual(Array.from({ length: c.total }, (_, i) => i + 1));
    }
    // A run that completed has nothing to resume.
    const run = (await lab.listRuns())[0]!;
    await expect(clientOf(lab).resumeRun({ id: run.id })).rejects.toThrow(/only a stopped run/);
  }, 300_000);

  it('resumes a killed run from its periodic checkpoint, recording each step once', async () => {
    const { lab } = fx.open();
    const started = await lab.startRun({
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      // tfjs: slow enough per step that the kill lands between two checkpoints (onnx is much faster).
      config: { epochs: 12, checkpointEvery: 40, trainingEngine: 'tfjs' },
    });
    await waitForRun(lab, started.id, (r) => (r.progress?.step ?? 0) >= 45, 120_000);
    process.kill(lab.runner.pidOf(started.id)!, 'SIGKILL'); // a crash: no cancel checkpoint
    const failed = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status));
    expect(failed.status).toBe('failed');
    const before = (await lab.runMetrics({ runId: started.id })).filter((m) => m.name === 'loss');
    const last = before.at(-1)!.step;
    expect(last).toBeGreaterThan(40); // steps past the last checkpoint were recorded…
    const checkpoint = Math.floor(last / 40) * 40; // metrics are flushed before each checkpoint

    const resumed = await clientOf(lab).resumeRun({ id: started.id });
    expect(resumed.config['resumeFrom']).toMatch(new RegExp(`checkpoint-0*${checkpoint}\\.safetensors$`)); // …and are dropped
    expect(resumed.attempt).toBe(2);
    const done = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
    expect(done.status).toBe('completed');
    const steps = (await lab.runMetrics({ runId: started.id }))
      .filter((m) => m.name === 'loss')
      .map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 84 }, (_, i) => i + 1));
  }, 180_000);

  it('checkpoints a running run when the lab closes, so that the next lab can resume it', async () => {
    const { lab, dir } = fx.open();
    const started = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 12 } });
    await waitForRun(lab, started.id, (r) => (r.progress?.step ?? 0) >= 10, 120_000);
    await lab.close();
    const next = testLab(dir);
    fx.defer(() => next.close());
    const run = await next.getRun({ id: started.id });
    expect(run.status).toBe('interrupted');
    await clientOf(next).resumeRun({ id: run.id });
    const done = await waitForRun(next, run.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
    expect(done.status).toBe('completed');
    expect(done.progress!.step).toBe(84);
  }, 180_000);

  it('leaves responses no principle flagged out of a CAI dataset', async () => {
    const { lab } = fx.open();
    const run = await runPreset(lab, 'cai', { flaggedOnly: false, maxPrompts: 4 });
    const all = await clientOf(lab).runSamples({ runId: run.id });
    const revised = all.filter((s) => s.data['revised'] !== s.data['original']);
    expect(all.length).toBe(4);
    const d = await clientOf(lab).samplesToDataset({ runId: run.id, name: 'x', include: 'unrejected' });
    expect(d.exampleCount).toBe(revised.length);
  }, 120_000);

  it('refuses runs that cannot work, naming the field', async () => {
    const { lab } = fx.open();
    let issues = await issuesOf(
      lab.startRun({ algorithm: 'ppo', dataset: 'sandbox-prompts', config: { rewardSource: 'model' } }),
    );
    expect(issues['config.rewardModel']).toMatch(/reward model/);
    issues = await issuesOf(
      lab.startRun({
        algorithm: 'ppo',
        dataset: 'sandbox-prompts',
        config: { rewardSource: 'rule', rule: 'keyword' },
      }),
    );
    expect(issues['config.ruleKeywords']).toMatch(/keyword/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'dpo', dataset: 'sandbox-pairs', config: { lossType: 'kto', batchSize: 1 } }),
    );
    expect(issues['config.batchSize']).toMatch(/at least 2/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'dpo', dataset: 'sandbox-unpaired', config: { lossType: 'sigmoid' } }),
    );
    expect(issues['config.lossType']).toMatch(/KTO/);
    issues = await issuesOf(lab.startRun({ algorithm: 'reward', dataset: 'sandbox-prompts', config: {} }));
    expect(issues['dataset']).toMatch(/preference pairs/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'cai', dataset: 'sandbox-harmful', config: { critic: 'model' } }),
    );
    expect(issues['config.criticModel']).toMatch(/needs a model/);
    issues = await issuesOf(
      lab.startRun({
        algorithm: 'ppo',
        dataset: 'sandbox-prompts',
        config: { rewardSource: 'gold', batchSize: 4, numMiniBatches: 8, maxNewTokens: 64 },
      }),
    );
    expect(issues['config.numMiniBatches']).toMatch(/batch size/);
    expect(issues['config.maxNewTokens']).toMatch(/context of 64/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'dpo', dataset: 'sandbox-pairs', config: { lossType: 'orpo', rpoAlpha: 1 } }),
    );
    expect(issues['config.rpoAlpha']).toMatch(/own NLL/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'dpo', dataset: 'sandbox-pairs', config: { maxLength: 200 } }),
    );
    expect(issues['config.maxLength']).toMatch(/at most 65/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { resumeFrom: '/etc/passwd' } }),
    );
    expect(issues['config.resumeFrom']).toMatch(/set by Resume/);
    issues = await issuesOf(
      lab.startRun({ algorithm: 'eval', dataset: null, config: { model: 1, world: 1, judgeRewardModel: 2 } }),
    );
    expect(issues['config.judgeRewardModel']).toMatch(/Win rate against/);
  });
});
