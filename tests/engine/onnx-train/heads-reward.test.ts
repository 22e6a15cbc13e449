// The reward model on onnxruntime against tfjs, the reference. The generated step (onnx-train/heads/
// reward.ts: the scalar head read at each row's last token, the Bradley-Terry loss with a per-pair margin
// and the centring term) gives tfjs's loss, metrics and gradient of every weight, the head's included,
// on seed-tiny and lab-small (losses/reward.ts on ScalarHead.atLast of GPT.hidden). The real trainer
// (trainers/reward.ts) gives the same metrics on both engines, with gradient accumulation (tfjs: two
// micro-batches; onnxruntime: one pass) and held-out evaluation, and a checkpoint of either engine
// resumes on the other to the same end.
import * as tf from '@tensorflow/tfjs-core';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { rewardLoss } from '../../../src/main/engine/losses/reward';
import { GPT, type GPTConfig } from '../../../src/main/engine/model/gpt';
import { ScalarHead } from '../../../src/main/engine/model/heads';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import { OnnxTrainer } from '../../../src/main/engine/onnx-train/engine';
import { mulberry32 } from '../../../src/main/engine/random';
import { REWARD_HEAD } from '../../../src/main/engine/reward-score';
import { readSafetensors } from '../../../src/main/engine/safetensors';
import { paramsOf } from '../../../src/main/engine/trainers/common';
import { trainReward, type RewardPairIds } from '../../../src/main/engine/trainers/reward';
import { rewardBatch, type RewardRow } from '../../../src/main/engine/trainers/reward-steps';
import type { TrainEvent } from '../../../src/main/engine/types';
import { RewardConfig } from '../../../src/shared/schemas';
import { collect, removeTempDirs } from '../trainers/helpers';
import { expectRequestedEngines, floorOf, relErr } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(removeTempDirs);

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** b random pairs of lengths 2..maxLen (at least one of `maxLen`), ids ≥ 1 (0 pads), margins in [0, 2). */
function randomRows(b: number, V: number, maxLen: number, seed: number): RewardRow[] {
  const rng = mulberry32(seed);
  const seq = (len: number) => Array.from({ length: len }, () => rng.int(1, V));
  return Array.from({ length: b }, (_, i) => ({
    chosen: seq(i === 0 ? maxLen : rng.int(2, maxLen + 1)),
    rejected: seq(rng.int(2, maxLen + 1)),
    margin: 2 * rng.next(),
  }));
}

const cases: { preset: 'seed-tiny' | 'lab-small'; b: number; maxLen: number }[] = [
  { preset: 'seed-tiny', b: 3, maxLen: 16 }, // full context
  { preset: 'seed-tiny', b: 2, maxLen: 9 }, // padded to 16, the position slice unused
  { preset: 'lab-small', b: 2, maxLen: 40 }, // padded to 48 of 128
];

describe.each(cases)(
  'ONNX reward step vs tfjs: $preset, $b pairs up to $maxLen tokens',
  ({ preset, b, maxLen }) => {
    const config: GPTConfig = MODEL_PRESETS[preset];

    it('loss, metrics and every gradient (head included), with and without margin and centring', async () => {
      const trunk = GPT.init(config, 3);
      const head = ScalarHead.init(REWARD_HEAD, config.dModel, 3);
      const params = paramsOf(trunk, head);
      const names = new Map([...params].map(([n, v]) => [v.name, n]));
      const rows = randomRows(b, config.vocabSize, maxLen, 5);
      const batch = rewardBatch(rows, 0, config.contextLength);
      const { rows: R, seqLen: T } = batch;
      expect(R).toBe(2 * b);
      expect(T).toBe(Math.min(config.contextLength, Math.ceil(maxLen / 16) * 16));
      const last = Array.from({ length: R }, (_, r) =>
        batch.floats.last.subarray(r * T, (r + 1) * T).indexOf(1),
      );
      const variants = [
        { margin: false, center: 0 },
        { margin: true, center: 0 },
        { margin: false, center: 0.5 },
        { margin: true, center: 0.1 },
      ];
      try {
        for (const { margin, center } of variants) {
          const label = `margin ${margin}, centring ${center}`;
          const margins = margin ? batch.floats.margin : new Float32Array(b);
          const ids = tf.tensor2d(batch.ids as Int32Array, [R, T], 'int32');
          const m = tf.tensor1d(margins);
          let stats: number[] = [];
          const { value, grads } = tf.variableGrads(() => {
            const rewards = head.atLast(trunk.hidden(ids), last);
            const out = rewardLoss({
              chosen: tf.slice(rewards, [0], [b]) as tf.Tensor1D,
              rejected: tf.slice(rewards, [b], [b]) as tf.Tensor1D,
              margin: m,
              centerCoefficient: center,
            });
            stats = [out.accuracy, out.margin, out.meanReward, out.minReward, out.maxReward].map(
              (t) => t.dataSync()[0]!,
            );
            return tf.mean(out.losses) as tf.Scalar;
          }, [...params.values()]);
          const ref = new Map<string, Float32Array>();
          for (const [k, g] of Object.entries(grads)) ref.set(names.get(k)!, g.dataSync() as Float32Array);
          const refLoss = value.dataSync()[0]!;
          tf.dispose([ids, m, value, ...Object.values(grads)]);

          const trainer = new OnnxTrainer(config, [...(await trunk.toArrays()), ...(await head.toArrays())], {
            adam: ADAM,
            head: { kind: 'reward', prefix: REWARD_HEAD, centerCoefficient: center },
            emitGrads: true,
            threads: 1,
          });
          try {
            const out = await trainer.step(
              { ...batch, floats: { ...batch.floats, margin: margins } },
              1e-3,
              0,
            );
            expect(Math.abs(out.loss - refLoss) / refLoss, label).toBeLessThan(1e-5);
            const got = ['accuracy', 'margin', 'mean_reward', 'min_reward', 'max_reward'].map(
              (k) => out.stats[k]!,
            );
            got.forEach((x, i) => expect(Math.abs(x - stats[i]!), `${label}: stat ${i}`).toBeLessThan(1e-5));
            expect(out.grads!.size).toBe(ref.size);
            expect(ref.has('score.weight') && ref.has('score.bias')).toBe(true);
            const floor = floorOf(ref);
            expect(floor, `${label}: a gradient reaches the weights`).toBeGreaterThan(1e-9);
            for (const [name, g] of ref)
              expect(relErr(out.grads!.get(name)!, g, floor), `${name} (${label})`).toBeLessThan(1e-4);
          } finally {
            await trainer.release();
          }
        }
      } finally {
        trunk.dispose();
        head.dispose();
      }
    });
  },
);

// ── The trainer on both engines ─────────────────────────────────────────────────────────────────────
// byte-tiny, 20 pairs (4 held out), 2 pairs × 2 micro-batches per step: 4 steps an epoch.
const PAIRS: RewardPairIds[] = (() => {
  const rng = mulberry32(9);
  const text = (len: number, lo: number, hi: number) => Array.from({ length: len }, () => rng.int(lo, hi));
  return Array.from({ length: 20 }, (_, i) => ({
    chosen: [...text(rng.int(3, 20), 97, 123), 10],
    rejected: [...text(rng.int(3, 30), 65, 91), 10],
    ...(i % 3 === 0 ? { margin: 0.5 } : {}),
  }));
})();
const BASE: z.input<typeof RewardConfig> = {
  model: 'byte-tiny',
  learningRate: 3e-3,
  epochs: 2,
  batchSize: 2,
  gradientAccumulationSteps: 2,
  valFraction: 0.2,
  centerRewardsCoefficient: 0.05,
  seed: 4,
  checkpointEvery: 4,
  backend: 'wasm',
};
const train = (config: z.input<typeof RewardConfig>) =>
  collect((ctx) => trainReward(RewardConfig.parse(config), { pairs: PAIRS }, ctx));
const stepsOf = (events: TrainEvent[]): Record<string, number>[] =>
  events.flatMap((e) => (e.type === 'metrics' ? [{ ...e.values, step: e.step }] : []));
/** Every metric but forward_passes (onnxruntime takes a step's micro-batches in one pass). */
function expectSameMetrics(a: Record<string, number>[], b: Record<string, number>[], what: string) {
  expect(a.map((m) => m.step)).toEqual(b.map((m) => m.step));
  a.forEach((m, i) => {
    const want = b[i]!;
    expect(Object.keys(m).sort(), what).toEqual(Object.keys(want).sort());
    for (const [k, v] of Object.entries(m)) {
      if (k === 'forward_passes') continue;
      const w = want[k]!;
      expect(Math.abs(v - w), `${what}: step ${m.step} ${k}: ${v} vs ${w}`).toBeLessThanOrEqual(
        (k === 'grad_norm' ? 1e-3 : 1e-4) * Math.max(1, Math.abs(w)),
      );
    }
  });
}
async function weightsOf(file: string) {
  return new Map((await readSafetensors(file)).tensors.map((t) => [t.name, t.data as Float32Array]));
}
async function expectSameWeights(a: string, b: string) {
  const [x, y] = [await weightsOf(a), await weightsOf(b)];
  expect([...x.keys()].sort()).toEqual([...y.keys()].sort());
  for (const [name, u] of x) {
    if (name.endsWith('attn.k.bias')) continue; // 0-gradient weight: noise on both (loss-curve.test.ts)
    const v = y.get(name)!;
    let d = 0;
    for (let i = 0; i < u.length; i++) d = Math.max(d, Math.abs(u[i]! - v[i]!));
    expect(d, name).toBeLessThan(1e-4);
  }
}

describe('trainReward on each training engine', () => {
  let onnx: Awaited<ReturnType<typeof train>>;
  let tfjs: Awaited<ReturnType<typeof train>>;
  beforeAll(async () => {
    onnx = await train({ ...BASE, trainingEngine: 'onnx' });
    tfjs = await train({ ...BASE, trainingEngine: 'tfjs' });
  });

  it('gives the same metrics, held-out metrics and weights on onnx and tfjs, and records its engine', async () => {
    expectRequestedEngines(onnx, tfjs);
    const a = stepsOf(onnx.events);
    const b = stepsOf(tfjs.events);
    expect(a).toHaveLength(8);
    for (const k of ['loss', 'accuracy', 'margin', 'mean_reward', 'min_reward', 'max_reward', 'grad_norm'])
      expect(Number.isFinite(a[0]![k]), k).toBe(true);
    expect(a[3]!['eval/loss']).toBeDefined();
    expect(a.map((m) => m['forward_passes'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(b.map((m) => m['forward_passes'])).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expectSameMetrics(a, b, 'onnx vs tfjs');
    expect(a.at(-1)!['loss']).toBeLessThan(a[0]!['loss']!); // it trains
    await expectSameWeights(
      path.join(onnx.dir, 'model.safetensors'),
      path.join(tfjs.dir, 'model.safetensors'),
    );
  });

  it("resumes either engine's checkpoint on the other to the same end", async () => {
    const firstCheckpoint = async (dir: string) =>
      path.join(dir, (await readdir(dir)).filter((f) => /^checkpoint-\d+\.safetensors$/.test(f)).sort()[0]!);
    const onnxToTfjs = await train({
      ...BASE,
      trainingEngine: 'tfjs',
      resumeFrom: await firstCheckpoint(onnx.dir),
    });
    const tfjsToOnnx = await train({
      ...BASE,
      trainingEngine: 'onnx',
      resumeFrom: await firstCheckpoint(tfjs.dir),
    });
    for (const [r, what] of [
      [onnxToTfjs, 'onnx → tfjs'],
      [tfjsToOnnx, 'tfjs → onnx'],
    ] as const) {
      expect(r.error, what).toBeUndefined();
      const m = stepsOf(r.events);
      expect(m.map((x) => x.step)).toEqual([5, 6, 7, 8]);
      expect(m.map((x) => x['forward_passes'])).toEqual(r === tfjsToOnnx ? [5, 6, 7, 8] : [10, 12, 14, 16]);
      expectSameMetrics(m, stepsOf(tfjs.events).slice(4), what);
      await expectSameWeights(
        path.join(r.dir, 'model.safetensors'),
        path.join(tfjs.dir, 'model.safetensors'),
      );
    }
  });
});
