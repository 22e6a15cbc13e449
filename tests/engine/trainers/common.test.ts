// The trainers' shared parts against hand-computed values: the learning-rate schedule, clipping by
// global norm, the masked cross-entropy (value, gradient, mask), Adam, and a step's tensor hygiene.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { tokenLogProbsOf } from '../../../src/main/engine/logprobs';
import { GPT } from '../../../src/main/engine/model/gpt';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import {
  Adam,
  clipByGlobalNorm,
  clipScale,
  learningRateAt,
  lmStep,
  weightedCrossEntropy,
  type LmRow,
} from '../../../src/main/engine/trainers/common';

beforeAll(async () => {
  await selectBackend();
});

describe('learningRateAt', () => {
  const s = { learningRate: 1e-3, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };
  it('warms up linearly, peaks at the end of warm-up, decays by cosine to lr × minLrRatio', () => {
    expect(learningRateAt(1, s)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(5, s)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(10, s)).toBeCloseTo(1e-3, 12);
    // Halfway through the decay (step 60 of 10..110): cos(π/2) = 0 → 0.1 + 0.9 · 0.5 = 0.55.
    expect(learningRateAt(60, s)).toBeCloseTo(5.5e-4, 12);
    // A quarter in (step 35): 0.1 + 0.9 · 0.5 · (1 + cos(π/4)) = 0.868198…
    expect(learningRateAt(35, s)).toBeCloseTo(1e-3 * (0.1 + 0.45 * (1 + Math.SQRT1_2)), 12);
    expect(learningRateAt(110, s)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(500, s)).toBeCloseTo(1e-4, 12);
  });
  it('without warm-up starts just below the peak; minLrRatio 1 is constant', () => {
    expect(learningRateAt(1, { ...s, warmupSteps: 0, totalSteps: 2 })).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(77, { ...s, minLrRatio: 1 })).toBeCloseTo(1e-3, 12);
  });
});

describe('clipping by global norm', () => {
  it('scales gradients to the max norm when above it, and leaves them alone below', () => {
    const before = tf.memory().numTensors;
    const g = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // global norm 5
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(Array.from(grads[0]!.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(Array.from(grads[1]!.dataSync())).toEqual([0, expect.closeTo(0.8, 5)]);
    const unclipped = clipByGlobalNorm(g, 10);
    expect(Array.from(unclipped.grads[1]!.dataSync())).toEqual([0, 4]);
    expect(clipScale(5, 0)).toBe(1);
    tf.dispose([...g, ...grads, ...unclipped.grads]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('weightedCrossEntropy', () => {
  const logits = [
    [2, 1, 0.5, -1],
    [0, 0, 0, 0],
    [1, 3, -2, 0.3],
  ];
  it('equals −log softmax[target] by hand, weighted', () => {
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    const expected = 0.5 * (lse(logits[0]!) - 2) + 0.5 * (lse(logits[1]!) - 0);
    const v = tf.tidy(() =>
      weightedCrossEntropy(tf.tensor2d(logits), tf.tensor1d([0, 3, 1], 'int32'), tf.tensor1d([0.5, 0.5, 0])),
    );
    expect(v.dataSync()[0]).toBeCloseTo(expected, 5);
    v.dispose();
  });
  it('ignores the target wherever the weight is 0', () => {
    const at = (t: number) =>
      tf.tidy(
        () =>
          weightedCrossEntropy(
            tf.tensor2d(logits),
            tf.tensor1d([0, 3, t], 'int32'),
            tf.tensor1d([1, 1, 0]),
          ).dataSync()[0],
      );
    expect(at(1)).toBe(at(2));
  });
  it('has the gradient of the taped log-softmax (softmax − onehot) · w', () => {
    const x = tf.tensor2d(logits);
    const t = tf.tensor1d([0, 3, 1], 'int32');
    const w = tf.tensor1d([0.2, 0.3, 0.5]);
    const ours = tf.grad((l: tf.Tensor) => weightedCrossEntropy(l as tf.Tensor2D, t, w))(x);
    const taped = tf.grad((l: tf.Tensor) =>
      tf.neg(
        tf.sum(
          tf.mul(
            tokenLogProbsOf(tf.expandDims(l, 0) as tf.Tensor3D, tf.expandDims(t, 0) as tf.Tensor2D, 4),
            w,
          ),
        ),
      ),
    )(x);
    const a = ours.dataSync();
    const b = taped.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
    tf.dispose([x, t, w, ours, taped]);
  });
});

describe('Adam', () => {
  it('takes the bias-corrected first step lr · sign(g), with decoupled weight decay on matrices only', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([1]));
    const adam = new Adam(
      new Map<string, tf.Variable>([
        ['w', w],
        ['b', b],
      ]),
      { beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0.5 },
    );
    const g = { w: tf.tensor2d([[0.3, -7]]), b: tf.tensor1d([2]) };
    adam.apply(g, 0.1);
    // w ← w·(1 − lr·wd) − lr·m̂/√v̂ = w·0.95 − 0.1·sign(g)
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.85, 6), expect.closeTo(-1.8, 6)]);
    expect(b.dataSync()[0]).toBeCloseTo(0.9, 6); // no decay on a vector
    tf.dispose([w, b, g.w, g.b]);
    adam.dispose();
  });
  it('restores its moments and step count exactly', async () => {
    const mk = () => new Map([['w', tf.variable(tf.tensor1d([1, 2, 3]))]]);
    const p1 = mk();
    const a1 = new Adam(p1, { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 });
    const g = { w: tf.tensor1d([0.1, -0.2, 0.3]) };
    a1.apply(g, 0.01);
    const p2 = mk();
    p2.get('w')!.assign(p1.get('w')!);
    const a2 = new Adam(p2, { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 });
    a2.load(await a1.state(), a1.t);
    a1.apply(g, 0.01);
    a2.apply(g, 0.01);
    expect(Array.from(p2.get('w')!.dataSync())).toEqual(Array.from(p1.get('w')!.dataSync()));
    tf.dispose([g.w, ...p1.values(), ...p2.values()]);
    a1.dispose();
    a2.dispose();
  });
});

describe('lmStep', () => {
  const rows: LmRow[] = [
    { ids: [1, 2, 3, 4, 5], mask: [0, 0, 1, 1, 1] },
    { ids: [7, 8, 9], mask: [0, 1, 1] },
  ];
  it('leaks no tensors; accumulation over two passes equals one pass over both rows', () => {
    const cfg = MODEL_PRESETS['seed-tiny'];
    const a = GPT.init(cfg, 3);
    const b = a.clone(true);
    const opts = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
    const adamA = new Adam(a.weights, opts);
    const adamB = new Adam(b.weights, opts);
    const before = tf.memory().numTensors;
    const one = lmStep(a, adamA, [rows], 1e-2, 0, true);
    const two = lmStep(b, adamB, [[rows[0]!], [rows[1]!]], 1e-2, 0, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(one.scored).toBe(5);
    expect(two.loss).toBeCloseTo(one.loss, 5);
    expect(two.gradNorm).toBeCloseTo(one.gradNorm, 4);
    const wa = a.weights.get('wte')!.dataSync();
    const wb = b.weights.get('wte')!.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < wa.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wa[i]! - wb[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    for (const m of [a, b]) m.dispose();
    adamA.dispose();
    adamB.dispose();
  });
  it('clips: the step sees the gradient scaled by maxGradNorm / norm (Adam first moments compared)', async () => {
    const cfg = MODEL_PRESETS['seed-tiny'];
    const opts = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
    const firstMoments = async (maxNorm: number) => {
      const m = GPT.init(cfg, 4);
      const adam = new Adam(m.weights, opts);
      const r = lmStep(m, adam, [rows], 1e-2, maxNorm, false);
      const mWte = (await adam.state()).find((a) => a.name === 'm.wte')!.data;
      m.dispose();
      adam.dispose();
      return { r, mWte };
    };
    const free = await firstMoments(0);
    const clipped = await firstMoments(0.01);
    expect(clipped.r.gradNorm).toBeCloseTo(free.r.gradNorm, 5); // reported before clipping
    expect(free.r.gradNorm).toBeGreaterThan(0.01);
    const scale = 0.01 / (free.r.gradNorm + 1e-6);
    let checked = 0;
    for (let i = 0; i < free.mWte.length; i++) {
      if (Math.abs(free.mWte[i]!) < 1e-6) continue;
      expect(clipped.mWte[i]! / free.mWte[i]!).toBeCloseTo(scale, 4);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});
