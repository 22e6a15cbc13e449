// Pipelines: stages as runs under one object, and resumption after the lab process is killed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../../src/shared/schemas';
import type { Lab } from '../../src/main/lab/lab';
import { tempDir } from '../helpers/tmp';
import { labFixtures, testLab } from '../helpers/lab';

const CLI = fileURLToPath(new URL('../../src/main/hosts/cli/main.ts', import.meta.url));
const { defer } = labFixtures();

async function waitForPipeline(lab: Lab, id: number, timeoutMs = 180_000): Promise<Pipeline> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await lab.getPipeline({ id });
    if (p.status !== 'running') return p;
    if (Date.now() > end) throw new Error(`pipeline ${id} still running: ${JSON.stringify(p.stages)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('pipelines', () => {
  it('runs every stage of a preset as its own run and ends with the evaluations', async () => {
    const { dir, cleanup } = tempDir();
    const lab = testLab(dir);
    defer(cleanup, () => lab.close());
    const started = await lab.startPipeline({ preset: 'smoke' });
    const p = await waitForPipeline(lab, started.id);
    expect(p.error).toBeNull();
    expect(p.status).toBe('completed');
    expect(p.stages.map((s) => [s.name, s.status])).toEqual([
      ['world', 'completed'],
      ['pretrain', 'completed'],
      ['eval-base', 'completed'],
      ['sft', 'completed'],
      ['eval-sft', 'completed'],
    ]);
    const runs = await lab.listRuns();
    expect(runs.map((r) => r.algorithm).sort()).toEqual(['eval', 'eval', 'pretrain', 'sft']);
    const sft = runs.find((r) => r.algorithm === 'sft')!;
    expect((await lab.listModels()).find((m) => m.runId === sft.id)?.parentId).toBe(p.stages[1]!.modelId);
    const evalSft = await lab.getRun({ id: p.stages[4]!.runId! });
    expect(evalSft.summary['factsPretrainOnly/n']).toBeGreaterThan(0);
  });

  it('runs the alignment pipeline: merged SFT data, reward model, PPO, DPO, CAI pairs into DPO, evaluations', async () => {
    const { dir, cleanup } = tempDir();
    const lab = testLab(dir);
    defer(cleanup, () => lab.close());
    const started = await lab.startPipeline({ preset: 'align-smoke' });
    const p = await waitForPipeline(lab, started.id, 300_000);
    expect(p.error).toBeNull();
    expect(p.status).toBe('completed');
    const stage = (name: string) => p.stages.find((s) => s.name === name)!;
    // The SFT data puts three world datasets together.
    const world = (await lab.listWorlds())[0]!;
    const merged = await lab.getDataset({ id: stage('sft-data').datasetId! });
    const sizes = ['sft', 'safety', 'unanswerable'].map((r) => world.counts[r]!);
    expect(merged.examples.length).toBe(sizes.reduce((a, b) => a + b, 0));
    const sftRun = await lab.getRun({ id: stage('sft').runId! });
    expect(sftRun.dataset).toBe(merged.dataset.id);
    // PPO is scored by the pipeline's reward model; the CAI pairs train the last DPO.
    const ppo = await lab.getRun({ id: stage('ppo').runId! });
    expect(ppo.config.rewardModel).toBe(stage('reward').modelId);
    // CAI answers the red-team prompts; its revised pairs, each three times, join the world's pairs.
    const cai = await lab.getRun({ id: stage('cai').runId! });
    expect(cai.dataset).toBe(world.datasets.redteam);
    const revised = (await lab.runSamples({ runId: cai.id, limit: 10_000 })).filter(
      (s) => s.kind === 'cai-pair' && s.data.revised !== s.data.original && String(s.data.original).trim(),
    );
    expect(revised.length).toBeGreaterThan(0);
    const pairs = await lab.getDataset({ id: stage('cai-pairs').datasetId! });
    expect(pairs.dataset.kind).toBe('preference');
    expect(pairs.examples.length).toBe(3 * revised.length + world.counts.preferences!);
    const prompt = (r: unknown) => (r as { prompt: { content: string }[] }).prompt[0]!.content;
    expect(prompt(pairs.examples[0]!.record)).toBe(revised[0]!.data.prompt);
    expect((await lab.getRun({ id: stage('dpo-cai').runId! })).dataset).toBe(pairs.dataset.id);
    // Each evaluation measures the KL to the SFT model.
    for (const name of ['eval-sft', 'eval-ppo', 'eval-dpo', 'eval-ipo', 'eval-cai']) {
      const run = await lab.getRun({ id: stage(name).runId! });
      expect(run.config.referenceModel, name).toBe(stage('sft').modelId);
      expect(Number.isFinite(run.summary['kl_to_reference']), name).toBe(true);
    }
  }, 320_000);

  it('refuses an unknown preset naming the field', async () => {
    const { dir, cleanup } = tempDir();
    const lab = testLab(dir);
    defer(cleanup, () => lab.close());
    await expect(lab.startPipeline({ preset: 'nope' })).rejects.toMatchObject({
      issues: [{ path: 'preset' }],
    });
  });

  it('skips the stages that need Constitutional AI pairs when the run revised nothing, and completes', async () => {
    const { dir, cleanup } = tempDir();
    const lab = testLab(dir);
    defer(cleanup, () => lab.close());
    // A constitution whose one principle never fires: every response comes back unrevised.
    const quiet = await lab.createDataset({ name: 'never fires', kind: 'constitution' });
    await lab.addExample({
      datasetId: quiet.id,
      data: {
        name: 'never',
        critique: 'Point out anything wrong.',
        revision: 'Rewrite it.',
        triggers: '\\bzzqx\\b',
        triggerOn: 'prompt',
        minWords: 0,
        strategy: 'refuse',
      },
    });
    const stage = (name: string, label: string, rest: Record<string, unknown>) => ({ name, label, ...rest });
    const spec = {
      description: 'CAI with nothing to revise',
      seed: 1,
      stages: [
        stage('world', 'world', { kind: 'world', world: { size: 'tiny' } }),
        stage('pretrain', 'pretrain', {
          kind: 'run',
          algorithm: 'pretrain',
          worldDataset: 'corpus',
          config: { model: 'byte-tiny', maxSteps: 2, batchSize: 2, valFraction: 0 },
        }),
        stage('cai', 'CAI', {
          kind: 'run',
          algorithm: 'cai',
          worldDataset: 'safety',
          config: { maxPrompts: 3, maxNewTokens: 4, constitution: quiet.id, flaggedOnly: false },
          from: { baseModel: 'pretrain.modelId' },
        }),
        stage('cai-pairs', 'CAI pairs', { kind: 'dataset', pairsFrom: 'cai' }),
        stage('safety', 'DPO on the CAI pairs', {
          kind: 'run',
          algorithm: 'dpo',
          datasetFrom: 'cai-pairs',
          config: { epochs: 1, batchSize: 2, maxLength: 32 },
          from: { baseModel: 'pretrain.modelId' },
        }),
        stage('eval-safety', 'evaluate it', {
          kind: 'run',
          algorithm: 'eval',
          config: { sets: ['harmful'], maxNewTokens: 2, template: 'chatml' },
          from: { model: 'safety.modelId', world: 'world.worldId' },
        }),
      ],
    };
    const pipelines = (
      lab as unknown as { pipelines: { startSpec(n: string, s: unknown): Promise<Pipeline> } }
    ).pipelines;
    const p = await waitForPipeline(lab, (await pipelines.startSpec('cai-nothing', spec)).id);
    expect(p.status).toBe('completed');
    expect(p.stages.map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(p.stages[3]!.note).toMatch(/revised no response/);
    expect(p.stages[4]!.note).toMatch(/needs CAI pairs, which was skipped/);
    expect(p.stages[4]!.runId).toBeNull();
    // Asked directly, the lab says why there is no dataset.
    await expect(
      lab.samplesToDataset({ runId: p.stages[2]!.runId!, name: 'x', include: 'unrejected' }),
    ).rejects.toThrow(/revised no response/);
  }, 120_000);

  it('resumes where it stopped after the lab process is killed mid-way', async () => {
    const { dir, cleanup } = tempDir();
    defer(cleanup);
    // The CLI runs the pipeline; we kill it (SIGKILL) once pretraining is under way.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'pipeline', '--preset', 'smoke', '--data', dir, '--json'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let worldId: number | null = null;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        for (const line of buf.split('\n').slice(0, -1)) {
          const e = JSON.parse(line) as { type: string; name?: string; status?: string; worldId?: number };
          if (e.type === 'stage' && e.name === 'world') worldId = e.worldId ?? null;
          if (e.type === 'stage' && e.name === 'pretrain' && e.status === 'running') resolve();
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
      child.on('exit', (code) => reject(new Error(`the CLI exited (${code}) before pretraining started`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    const lab = testLab(dir);
    defer(() => lab.close());
    const [stale] = await lab.listPipelines();
    const p = await waitForPipeline(lab, stale!.id);
    expect(p.status).toBe('completed');
    expect(p.stages[0]!.worldId).toBe(worldId); // the world was not generated again
    expect(await lab.listWorlds()).toHaveLength(1);
    const pretrainRuns = (await lab.listRuns()).filter((r) => r.algorithm === 'pretrain');
    expect(pretrainRuns.map((r) => r.status).sort()).toEqual(['completed', 'interrupted']);
    expect(p.stages[1]!.runId).toBe(pretrainRuns.find((r) => r.status === 'completed')!.id);
  });
});
