// The DPO trainer end to end on the tutorial's seed data and on text pairs: it learns the preference,
// keeps tensor memory flat, writes real safetensors files, and stops promptly on cancel.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { DpoConfig, type DpoConfigInput } from '../../src/shared/schemas';
import { readSafetensors } from '../../src/main/engine/safetensors';
import { trainDpo } from '../../src/main/engine/trainers/dpo';
import type { DpoInputs, TrainEvent } from '../../src/main/engine/types';

const dirs: string[] = [];
async function outDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'dpo-test-'));
  dirs.push(d);
  return d;
}
beforeAll(async () => {
  await selectBackend();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function run(
  config: DpoConfigInput,
  inputs: DpoInputs,
  signal = new AbortController().signal,
  onEvent?: (e: TrainEvent) => void,
) {
  const events: TrainEvent[] = [];
  const dir = await outDir();
  for await (const e of trainDpo(DpoConfig.parse(config), inputs, { signal, outDir: dir })) {
    events.push(e);
    onEvent?.(e);
  }
  return { events, dir };
}

const metricsOf = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));

describe('trainDpo on seed-dpo', () => {
  it('runs the full preset (20 epochs, batch 32, beta 0.1, lr 1e-4) and learns the preference', async () => {
    const t0 = performance.now();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { events, dir } = await run(
      { epochs: 20, batchSize: 32, beta: 0.1, learningRate: 1e-4, seed: 0 },
      { kind: 'seed-dpo' },
      undefined,
      (e) => {
        if (e.type === 'metrics') counts.push(tf.memory().numTensors);
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const backend = events[0];
    expect(backend?.type).toBe('backend');
    const metrics = metricsOf(events);
    expect(metrics).toHaveLength(140); // ceil(200 / 32) = 7 steps × 20 epochs
    const last = metrics.at(-1)!;
    // The whole last epoch, so one small final batch cannot decide the verdict.
    const lastEpoch = metrics.slice(-7);
    const mean = (k: string) => lastEpoch.reduce((a, m) => a + m[k]!, 0) / lastEpoch.length;
    console.log(
      `seed-dpo preset: ${seconds.toFixed(1)} s, ${(140 / seconds).toFixed(1)} steps/s on`,
      backend?.type === 'backend' ? backend.backend : '?',
      '\nfinal step:',
      last,
      '\nlast-epoch means:',
      Object.fromEntries(
        ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies'].map((k) => [
          k,
          mean(k),
        ]),
      ),
      '\nfirst step:',
      metrics[0],
    );
    for (const name of [
      'loss',
      'rewards/chosen',
      'rewards/rejected',
      'rewards/margins',
      'rewards/accuracies',
      'logps/chosen',
      'logps/rejected',
      'grad_norm',
      'learning_rate',
      'epoch',
    ])
      expect(Number.isFinite(last[name]), name).toBe(true);
    expect(metrics[0]!['loss']).toBeCloseTo(Math.log(2), 2); // policy = reference at step 1
    expect(mean('rewards/chosen')).toBeGreaterThan(0);
    expect(mean('rewards/rejected')).toBeLessThan(0);
    expect(mean('rewards/accuracies')).toBeGreaterThanOrEqual(0.9);
    expect(last['rewards/chosen']).toBeGreaterThan(0);
    expect(last['rewards/rejected']).toBeLessThan(0);
    expect(last['rewards/accuracies']).toBeGreaterThanOrEqual(0.9);
    expect(last['loss']).toBeLessThan(metrics[0]!['loss']!);
    // Memory: flat from step 2 on (Adam creates its moment variables at step 1), and all released at the end.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // The final model: a real safetensors file with every weight, plus its JSON record.
    const model = events.find((e) => e.type === 'model');
    expect(model?.type === 'model' && model.path).toBe(path.join(dir, 'model.safetensors'));
    const { tensors, metadata } = await readSafetensors(path.join(dir, 'model.safetensors'));
    expect(tensors.find((t) => t.name === 'wte')?.shape).toEqual([50, 64]);
    expect(JSON.parse(metadata['arch']!)).toMatchObject({ preset: 'seed-tiny', vocabSize: 50 });
    expect(JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')).step).toBe(140);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('trainDpo: checkpoints, cancel, text pairs, errors', () => {
  it('writes checkpoints every N steps and the final model, each announced after it exists', async () => {
    const seen: string[] = [];
    const { events, dir } = await run(
      { epochs: 1, batchSize: 32, checkpointEvery: 3 },
      { kind: 'seed-dpo' },
      undefined,
      (e) => {
        if (e.type === 'checkpoint' || e.type === 'model') seen.push(e.path);
      },
    );
    expect(
      events.filter((e) => e.type === 'checkpoint').map((e) => (e.type === 'checkpoint' ? e.step : -1)),
    ).toEqual([3, 6]);
    expect(seen.map((p) => path.basename(p))).toEqual([
      'checkpoint-000003.safetensors',
      'checkpoint-000006.safetensors',
      'model.safetensors',
    ]);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([
      'checkpoint-000003.json',
      'checkpoint-000003.optim.safetensors',
      'checkpoint-000003.safetensors',
      'checkpoint-000006.json',
      'checkpoint-000006.optim.safetensors',
      'checkpoint-000006.safetensors',
      'model.json',
      'model.safetensors',
    ]);
    const a = await readSafetensors(path.join(dir, 'checkpoint-000003.safetensors'));
    const b = await readSafetensors(path.join(dir, 'model.safetensors'));
    expect(a.metadata['step']).toBe('3');
    expect(a.tensors.find((t) => t.name === 'wte')!.data).not.toEqual(
      b.tensors.find((t) => t.name === 'wte')!.data,
    );
  });

  it('stops within one step of an abort, keeps the work in a checkpoint, and releases its tensors', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const { events } = await run({ epochs: 20 }, { kind: 'seed-dpo' }, controller.signal, (e) => {
      if (e.type === 'metrics' && e.step === 3) controller.abort();
    });
    const steps = events.flatMap((e) => (e.type === 'metrics' ? [e.step] : []));
    expect(steps).toEqual([1, 2, 3]);
    expect(events.at(-1)).toMatchObject({ type: 'checkpoint', step: 3 });
    expect(events.some((e) => e.type === 'model')).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains byte-tiny on text pairs, reports cut sequences, scores only responses', async () => {
    const long = 'a long prompt that will not fit in the window at all '.repeat(3);
    const pairs = [
      { prompt: 'Capital of France? ', chosen: 'Paris.', rejected: 'Lyon, I think.' },
      { prompt: '2+2= ', chosen: '4', rejected: 'five' },
      { prompt: long, chosen: 'ok', rejected: 'no' },
      { prompt: 'Say hi ', chosen: 'hi 👋', rejected: 'no.' },
    ];
    const { events } = await run(
      { epochs: 3, batchSize: 2, maxLength: 48, learningRate: 1e-3 },
      { kind: 'text', pairs },
    );
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContain('1 of 4 pairs were longer than 48 tokens and were cut to fit');
    expect(logs.some((m) => m.startsWith('1 of 4 pairs had no response tokens left'))).toBe(true);
    const model = events.find((e) => e.type === 'model');
    expect(model?.type === 'model' && model.arch).toMatchObject({
      preset: 'byte-tiny',
      tokenizer: 'byte',
      vocabSize: 262,
    });
    const metrics = metricsOf(events);
    expect(metrics).toHaveLength(6);
    expect(metrics.at(-1)!['rewards/margins']).toBeGreaterThan(0);
  });

  it('refuses a model whose vocabulary cannot read the data, with a clear message', async () => {
    const pairs = [{ prompt: 'x', chosen: 'a', rejected: 'b' }];
    await expect(run({ model: 'seed-tiny' }, { kind: 'text', pairs })).rejects.toThrow(
      /vocabulary of 50 tokens.*byte-tiny/,
    );
    await expect(
      run(
        { maxLength: 200 },
        { kind: 'text', pairs: [{ prompt: 'p'.repeat(150), chosen: 'a', rejected: 'b' }] },
      ),
    ).rejects.toThrow(/context 64.*Max length to at most 65/);
  });
});
