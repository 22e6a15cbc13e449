// The Bradley-Terry reward-model loss against values computed by hand (arithmetic in the comments), its
// metrics, the direction of its gradient, and that it leaks no tensor.
// Notation: sp(x) = softplus(x) = ln(1 + e^x) = −log σ(−x).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import {
  rewardLoss,
  type RewardLossInput,
  type RewardLossOutput,
} from '../../../src/main/engine/losses/reward';

beforeAll(async () => {
  await selectBackend();
});

const t = (v: number[]) => tf.tensor1d(v);

function read(out: RewardLossOutput) {
  const values = {
    losses: out.losses.arraySync(),
    accuracy: out.accuracy.arraySync(),
    margin: out.margin.arraySync(),
    meanReward: out.meanReward.arraySync(),
    minReward: out.minReward.arraySync(),
    maxReward: out.maxReward.arraySync(),
  };
  tf.dispose(Object.values(out) as tf.Tensor[]);
  return values;
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, digits));
}

// r_w = [2, 0.5, −1], r_l = [1, 1, −1.5] → r_w − r_l = [1, −0.5, 0.5], r_w + r_l = [3, 1.5, −2.5]
const CHOSEN = [2, 0.5, -1];
const REJECTED = [1, 1, -1.5];

describe('rewardLoss', () => {
  it('is −log σ(r_w − r_l) with TRL metrics', () => {
    const [chosen, rejected] = [t(CHOSEN), t(REJECTED)];
    const out = read(rewardLoss({ chosen, rejected }));
    // sp(−1) = 0.313262, sp(0.5) = 0.974077, sp(−0.5) = 0.474077
    expectClose(out.losses, [0.313262, 0.974077, 0.474077]);
    expect(out.accuracy).toBeCloseTo(2 / 3, 6); // pairs 1 and 3 have r_w > r_l
    expect(out.margin).toBeCloseTo(1 / 3, 6); // (1 − 0.5 + 0.5) / 3
    expect(out.meanReward).toBeCloseTo(1 / 3, 6); // (2 + 0.5 − 1 + 1 + 1 − 1.5) / 6 = 2/6
    expect(out.minReward).toBe(-1.5);
    expect(out.maxReward).toBe(2);
    tf.dispose([chosen, rejected]);
  });

  it('subtracts a margin, one for all pairs or one per pair', () => {
    const [chosen, rejected] = [t(CHOSEN), t(REJECTED)];
    // m = 0.5: z = [0.5, −1, 0] → [sp(−0.5), sp(1), sp(0)] = [0.474077, 1.313262, 0.693147]
    const fixed = read(rewardLoss({ chosen, rejected, margin: 0.5 }));
    expectClose(fixed.losses, [0.474077, 1.313262, 0.693147]);
    expect(fixed.margin).toBeCloseTo(1 / 3, 6); // the metric is r_w − r_l, without m
    // m = [1, 0, 0.5]: z = [0, −0.5, 0] → [0.693147, 0.974077, 0.693147]
    const m = t([1, 0, 0.5]);
    expectClose(read(rewardLoss({ chosen, rejected, margin: m })).losses, [0.693147, 0.974077, 0.693147]);
    tf.dispose([chosen, rejected, m]);
  });

  it('adds c · (r_w + r_l)² with centerCoefficient', () => {
    const [chosen, rejected] = [t(CHOSEN), t(REJECTED)];
    // c = 0.01: c · [9, 2.25, 6.25] = [0.09, 0.0225, 0.0625]
    // → [0.313262 + 0.09, 0.974077 + 0.0225, 0.474077 + 0.0625] = [0.403262, 0.996577, 0.536577]
    const out = read(rewardLoss({ chosen, rejected, centerCoefficient: 0.01 }));
    expectClose(out.losses, [0.403262, 0.996577, 0.536577]);
    // its mean is TRL's loss: mean(−logσ(Δ)) + c · mean((r_w + r_l)²) = 0.587139 + 0.01 · 17.5/3 = 0.645472
    expect(out.losses.reduce((s, x) => s + x, 0) / 3).toBeCloseTo(0.587139 + 0.175 / 3, 5);
    tf.dispose([chosen, rejected]);
  });

  it('pushes the chosen reward up and the rejected one down', () => {
    const [chosen, rejected] = [t(CHOSEN), t(REJECTED)];
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.mean(rewardLoss({ chosen: a as tf.Tensor1D, rejected: b as tf.Tensor1D }).losses),
    )([chosen, rejected]);
    const [dChosen, dRejected] = g.map((x) => x.arraySync() as number[]);
    // d/dr_w sp(−Δ) / B = −σ(−Δ) / 3; pair 1: −σ(−1) / 3 = −0.268941 / 3 = −0.089647
    expect(dChosen![0]).toBeCloseTo(-0.089647, 5);
    dChosen!.forEach((d) => expect(d).toBeLessThan(0));
    dRejected!.forEach((d) => expect(d).toBeGreaterThan(0));
    tf.dispose([...g, chosen, rejected]);
  });

  it('leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const [chosen, rejected, m] = [t(CHOSEN), t(REJECTED), t([1, 0, 0.5])];
    read(rewardLoss({ chosen, rejected, margin: m, centerCoefficient: 0.01 }));
    const g = tf.grads((a: tf.Tensor) =>
      tf.mean(rewardLoss({ chosen: a as tf.Tensor1D, rejected, centerCoefficient: 0.01 }).losses),
    )([chosen]);
    tf.dispose([...g, chosen, rejected, m]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched shapes, a bad margin and a negative centerCoefficient', () => {
    const [chosen, rejected, short] = [t(CHOSEN), t(REJECTED), t([0])];
    const call = (extra: Partial<RewardLossInput>) => () => rewardLoss({ chosen, rejected, ...extra });
    expect(call({ rejected: short })).toThrow('must be 1-D of one non-zero length');
    expect(call({ margin: short })).toThrow('must be a number or one per pair [3]');
    expect(call({ margin: Number.NaN })).toThrow('margin must be a number');
    expect(call({ centerCoefficient: -1 })).toThrow('centerCoefficient must be a non-negative number');
    tf.dispose([chosen, rejected, short]);
  });
});
