// The Runner and the Lab together, with real run processes training the real (tiny) DPO model.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/shared/api';
import type { Lab } from '../../src/main/lab/lab';
import { Store } from '../../src/main/lab/store';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp';
import { labFixtures, testLab, waitForRun } from '../helpers/lab';

const { open, defer } = labFixtures();

describe('Runner', () => {
  it('trains a run to completion in a run process, storing metrics, progress and the model', async () => {
    const { lab } = open();
    const statuses: string[] = [];
    let progressEvents = 0;
    lab.subscribe((event, payload) => {
      if (event === 'runStatus') statuses.push((payload as { status: string }).status);
      if (event === 'runProgress') progressEvents++;
    });
    const run = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 2 } });
    expect(run.status).toBe('queued');
    const done = await waitForRun(lab, run.id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(done.status).toBe('completed');
    expect(done.error).toBeNull();
    expect(done.backend?.name).toMatch(/tensorflow|wasm|cpu/);
    expect(done.progress).toMatchObject({ step: 14, totalSteps: 14 }); // 200 pairs / 32 = 7 steps per epoch
    expect(done.config).toMatchObject({ epochs: 2, beta: 0.1, model: 'seed-tiny' });
    const metrics = await lab.runMetrics({ runId: run.id });
    expect(metrics.filter((m) => m.name === 'loss').map((m) => m.step)).toEqual(
      [...Array(14).keys()].map((i) => i + 1),
    );
    expect(done.summary['rewards/accuracies']).toBeGreaterThanOrEqual(0);
    expect(statuses.filter((s, i) => s !== statuses[i - 1])).toEqual(['queued', 'running', 'completed']);
    expect(progressEvents).toBeGreaterThan(0);
    const models = await lab.listModels();
    expect(models.map((m) => m.runId)).toContain(run.id);
    expect(done.modelId).toBe(models[0]!.id);
  });

  it('cancels a running run between steps: it ends cancelled', async () => {
    const { lab } = open();
    const run = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 500 } });
    await waitForRun(lab, run.id, (r) => (r.progress?.step ?? 0) > 0);
    await lab.cancelRun({ id: run.id });
    const done = await waitForRun(lab, run.id, (r) => r.status !== 'running', 20_000);
    expect(done.status).toBe('cancelled');
    expect(done.progress!.step).toBeLessThan(done.progress!.totalSteps);
  });

  it('cancels a queued run at once', async () => {
    const { lab } = open(1);
    const first = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 500 } });
    const second = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1 } });
    expect((await lab.getRun({ id: second.id })).status).toBe('queued');
    expect((await lab.cancelRun({ id: second.id })).status).toBe('cancelled');
    await lab.cancelRun({ id: first.id });
    await waitForRun(lab, first.id, (r) => r.status === 'cancelled', 20_000);
  });

  it('a run process killed with SIGKILL fails only its own run; the queue goes on', async () => {
    const { lab } = open(2);
    const victim = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 500 } });
    const other = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 2 } });
    await waitForRun(lab, victim.id, (r) => (r.progress?.step ?? 0) > 0);
    process.kill(lab.runner.pidOf(victim.id)!, 'SIGKILL');
    const failed = await waitForRun(lab, victim.id, (r) => r.status !== 'running');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/SIGKILL/);
    expect(
      (await waitForRun(lab, other.id, (r) => r.status !== 'running' && r.status !== 'queued')).status,
    ).toBe('completed');
    const third = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1 } });
    expect(
      (await waitForRun(lab, third.id, (r) => r.status === 'completed' || r.status === 'failed')).status,
    ).toBe('completed');
  });

  it('runs at most poolSize runs at once and queues the rest', async () => {
    const { lab } = open(1);
    const a = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1 } });
    const b = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1 } });
    await waitForRun(lab, a.id, (r) => r.status === 'running');
    expect((await lab.getRun({ id: b.id })).status).toBe('queued');
    await lab.runner.whenIdle();
    expect((await lab.getRun({ id: a.id })).status).toBe('completed');
    expect((await lab.getRun({ id: b.id })).status).toBe('completed');
  });

  it('at start-up, marks runs left running as interrupted and re-queues queued ones', async () => {
    const { dir, cleanup } = tempDir();
    defer(cleanup);
    const store = new Store(join(dir, 'lab.sqlite'));
    const base = {
      algorithm: 'dpo' as const,
      dataset: 'seed-dpo' as const,
      datasetName: 'seed-dpo',
      seed: 0,
    };
    const stale = store.createRun({ ...base, name: 'stale', config: { epochs: 1 } });
    store.setRunStatus(stale.id, 'running');
    const waiting = store.createRun({
      ...base,
      name: 'waiting',
      config: {
        epochs: 1,
        beta: 0.1,
        learningRate: 1e-4,
        batchSize: 32,
        seed: 0,
        model: 'seed-tiny',
        maxLength: 64,
        checkpointEvery: 0,
        backend: 'auto',
      },
    });
    // What startRun leaves beside a queued run: the snapshot of its inputs.
    mkdirSync(join(dir, 'runs', String(waiting.id)), { recursive: true });
    writeFileSync(join(dir, 'runs', String(waiting.id), 'inputs.json'), JSON.stringify({ kind: 'seed-dpo' }));
    store.close();
    const lab = testLab(dir);
    defer(() => lab.close());
    expect((await lab.getRun({ id: stale.id })).status).toBe('interrupted');
    expect(
      (await waitForRun(lab, waiting.id, (r) => r.status === 'completed' || r.status === 'failed')).status,
    ).toBe('completed');
  });
});

describe('Lab validation', () => {
  it('rejects bad configs and datasets naming the field, and creates no run', async () => {
    const { lab } = open();
    const bad = async (input: Parameters<Lab['startRun']>[0], path: string) => {
      const err = await lab.startRun(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).issues.map((i) => i.path)).toContain(path);
    };
    await bad({ algorithm: 'dpo', dataset: 'seed-dpo', config: { beta: -1 } }, 'config.beta');
    await bad({ algorithm: 'dpo', dataset: 'seed-dpo', config: { beta: 'abc' } }, 'config.beta');
    await bad({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1.5 } }, 'config.epochs');
    await bad({ algorithm: 'dpo', dataset: 999, config: {} }, 'dataset');
    const empty = await lab.createDataset({ name: 'empty', kind: 'preference' });
    await bad({ algorithm: 'dpo', dataset: empty.id, config: {} }, 'dataset');
    const sft = await lab.createDataset({ name: 'sft', kind: 'instruction' });
    await lab.addExample({ datasetId: sft.id, data: { prompt: 'p', response: 'r' } });
    await bad({ algorithm: 'dpo', dataset: sft.id, config: {} }, 'dataset');
    expect(await lab.listRuns()).toEqual([]);
  });

  it('rejects a bad example naming the field and leaves saved examples unchanged', async () => {
    const { lab } = open();
    const ds = await lab.createDataset({ name: 'p', kind: 'preference' });
    const ok = await lab.addExample({
      datasetId: ds.id,
      data: { prompt: 'Q', chosen: 'good', rejected: 'bad' },
    });
    const err = (await lab
      .addExample({ datasetId: ds.id, data: { prompt: 'Q', chosen: '  ', rejected: 'bad' } })
      .catch((e: unknown) => e)) as LabError;
    expect(err.issues).toEqual([{ path: 'chosen', message: 'Chosen response is empty' }]);
    const big = 'x'.repeat(20_001);
    const err2 = (await lab
      .updateExample({ id: ok.id, data: { prompt: 'Q', chosen: big, rejected: 'bad' } })
      .catch((e: unknown) => e)) as LabError;
    expect(err2.issues[0]?.path).toBe('chosen');
    const { examples } = await lab.getDataset({ id: ds.id });
    expect(examples.map((e) => e.data)).toEqual([{ prompt: 'Q', chosen: 'good', rejected: 'bad' }]);
  });

  it('trains DPO on a text dataset built in the form, through the byte tokenizer', async () => {
    const { lab } = open();
    const ds = await lab.createDataset({ name: 'text', kind: 'preference' });
    await lab.addExample({
      datasetId: ds.id,
      data: { prompt: 'What is 2+2?', chosen: '4', rejected: 'I am not sure, maybe 5.' },
    });
    await lab.addExample({
      datasetId: ds.id,
      data: {
        prompt: 'Capital of Vorlane?',
        chosen: 'Tessem.',
        rejected: 'Who knows — ' + 'long '.repeat(30),
      },
    });
    const run = await lab.startRun({ algorithm: 'dpo', dataset: ds.id, config: { epochs: 3, batchSize: 2 } });
    const done = await waitForRun(lab, run.id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.config.model).toBe('byte-tiny');
    expect(Number.isFinite(done.summary.loss)).toBe(true);
  });
});
