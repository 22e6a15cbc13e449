// Resuming a DPO run: a checkpoint holds the weights, Adam's moments and the position; a run resumed
// from it (after a cancel, or from a periodic checkpoint) rebuilds the reference from the ORIGINAL
// initial policy and reproduces, step for step, the metrics and the final weights of a run that was
// never interrupted. Sigmoid DPO on byte-tiny text pairs (fresh weights), DPO from a base model, KTO.
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { saveCheckpoint, saveModel } from '../../src/main/engine/checkpoint';
import { GPT } from '../../src/main/engine/model/gpt';
import { PRESETS } from '../../src/main/engine/model/presets';
import { readSafetensors } from '../../src/main/engine/safetensors';
import { runDpoTask, type DpoTaskInputs } from '../../src/main/engine/tasks/dpo';
import type { PreferencePairText, TrainEvent } from '../../src/main/engine/types';
import { DpoConfig, type DpoConfigInput } from '../../src/shared/schemas';
import { collect, removeTempDirs, tempDir } from './trainers/helpers';

beforeAll(async () => {
  await selectBackend();
});
afterAll(removeTempDirs);

const PAIRS: PreferencePairText[] = [
  { prompt: 'Capital of France? ', chosen: 'Paris.', rejected: 'Lyon, I think.' },
  { prompt: '2+2= ', chosen: '4', rejected: 'five' },
  { prompt: 'Sky? ', chosen: 'blue', rejected: 'green, mostly' },
  { prompt: 'Say hi ', chosen: 'hi', rejected: 'no.' },
  { prompt: 'Cat says ', chosen: 'meow', rejected: 'woof' },
  { prompt: 'Opposite of up? ', chosen: 'down', rejected: 'sideways' },
  { prompt: 'Ice is ', chosen: 'cold', rejected: 'hot' },
];

// 7 pairs in batches of 2: 4 steps per epoch (the last of one pair), 12 steps in all.
const CONFIG: DpoConfigInput = { lossType: 'sigmoid', epochs: 3, batchSize: 2, learningRate: 3e-3, seed: 4 };

type Metrics = { step: number; values: Record<string, number> }[];
const metricsOf = (events: TrainEvent[]): Metrics =>
  events.flatMap((e) => (e.type === 'metrics' ? [{ step: e.step, values: e.values }] : []));

async function run(config: DpoConfigInput, inputs: DpoTaskInputs, stopAt?: number) {
  const controller = new AbortController();
  const r = await collect((ctx) => runDpoTask(DpoConfig.parse(config), inputs, ctx), {
    signal: controller.signal,
    onEvent: (e) => {
      if (stopAt !== undefined && e.type === 'metrics' && e.step === stopAt) controller.abort();
    },
  });
  if (r.error) throw r.error;
  return { ...r, metrics: metricsOf(r.events) };
}

/** Every metric of every step agrees to a relative tolerance. */
function expectSameMetrics(resumed: Metrics, full: Metrics, tolerance = 1e-4) {
  expect(resumed.map((m) => m.step)).toEqual(full.map((m) => m.step));
  resumed.forEach((m, i) => {
    const want = full[i]!.values;
    expect(Object.keys(m.values).sort()).toEqual(Object.keys(want).sort());
    for (const [k, v] of Object.entries(m.values)) {
      const w = want[k]!;
      expect(Math.abs(v - w), `step ${m.step} ${k}: ${v} vs ${w}`).toBeLessThanOrEqual(
        tolerance * Math.max(1, Math.abs(w)),
      );
    }
  });
}

async function expectSameWeights(a: string, b: string) {
  const [x, y] = await Promise.all([readSafetensors(a), readSafetensors(b)]);
  for (const t of x.tensors) {
    const u = y.tensors.find((s) => s.name === t.name)!;
    let worst = 0;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i]! - u.data[i]!));
    expect(worst, t.name).toBeLessThan(1e-5);
  }
}

const modelPath = (events: TrainEvent[]) => {
  const e = events.find((x) => x.type === 'model');
  return e?.type === 'model' ? e.path : '';
};

describe('resuming DPO', () => {
  it('after a cancel, continues as if never stopped (fresh byte-tiny, sigmoid): same metrics, same weights', async () => {
    const text: DpoTaskInputs = { kind: 'text', pairs: PAIRS };
    const full = await run(CONFIG, text);
    expect(full.metrics).toHaveLength(12);

    const before = tf.memory().numTensors;
    const stopped = await run(CONFIG, text, 6); // mid-epoch 2
    const cp = stopped.events.at(-1);
    expect(cp).toMatchObject({ type: 'checkpoint', step: 6 });
    const checkpoint = cp?.type === 'checkpoint' ? cp.path : '';
    const optim = await readSafetensors(checkpoint.replace(/\.safetensors$/, '.optim.safetensors'));
    expect(optim.tensors.some((t) => t.name === 'm.wte')).toBe(true);
    expect(optim.tensors.some((t) => t.name === 'v.wte')).toBe(true);

    const resumed = await run({ ...CONFIG, resumeFrom: checkpoint }, text);
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.events.some((e) => e.type === 'log' && e.message.startsWith('Resuming from step 6'))).toBe(
      true,
    );
    expectSameMetrics(resumed.metrics, full.metrics.slice(6));
    // The reference is the initial policy, not the checkpoint: rewards at step 7 are already far from 0.
    expect(Math.abs(resumed.metrics[0]!.values['rewards/margins']!)).toBeGreaterThan(0.01);
    await expectSameWeights(modelPath(resumed.events), modelPath(full.events));
  });

  it('from a periodic checkpoint of a run from a base model: the reference comes from the base file', async () => {
    const model = GPT.init(PRESETS['byte-tiny'], 21);
    const basePath = await saveModel(
      path.join(await tempDir('dpo-resume-base-'), 'model.safetensors'),
      model,
      {
        arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
        trainer: 'sft',
        step: 1,
        config: {},
        lineage: { parentPath: null, parentId: null },
      },
    );
    model.dispose();
    const inputs: DpoTaskInputs = { kind: 'text', pairs: PAIRS, base: { path: basePath, id: 3 } };
    const config = { ...CONFIG, template: 'plain', checkpointEvery: 5 } as const;
    const full = await run(config, inputs);
    const checkpoints = full.events.flatMap((e) => (e.type === 'checkpoint' ? [e] : []));
    expect(checkpoints.map((c) => c.step)).toEqual([5, 10]);
    const resumed = await run({ ...config, resumeFrom: checkpoints[0]!.path }, inputs);
    expectSameMetrics(resumed.metrics, full.metrics.slice(5));
    await expectSameWeights(modelPath(resumed.events), modelPath(full.events));
  });

  it('resumes KTO too (its fixed KL pairs and their reference log-probs come back the same)', async () => {
    const text: DpoTaskInputs = { kind: 'text', pairs: PAIRS };
    const config: DpoConfigInput = { ...CONFIG, lossType: 'kto', batchSize: 4, checkpointEvery: 4 };
    const full = await run(config, text); // 14 examples in batches of 4, 4, 4, 2: 4 steps × 3 epochs
    expect(full.metrics).toHaveLength(12);
    const cp = full.events.find((e) => e.type === 'checkpoint');
    const resumed = await run({ ...config, resumeFrom: cp?.type === 'checkpoint' ? cp.path : '' }, text);
    expectSameMetrics(resumed.metrics, full.metrics.slice(4));
  });

  it('refuses a checkpoint of another trainer', async () => {
    const dir = await tempDir('dpo-resume-wrong-');
    const model = GPT.init(PRESETS['byte-tiny'], 0);
    const file = await saveCheckpoint(path.join(dir, 'checkpoint-000001.safetensors'), model, [], {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
      trainer: 'sft',
      step: 1,
      config: {},
      lineage: { parentPath: null, parentId: null },
      state: { step: 1, epoch: 0, index: 2, numTokens: 0, seed: 0 },
    });
    model.dispose();
    const before = tf.memory().numTensors;
    await expect(run({ ...CONFIG, resumeFrom: file }, { kind: 'text', pairs: PAIRS })).rejects.toThrow(
      /is a sft checkpoint; it cannot resume a DPO run/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
