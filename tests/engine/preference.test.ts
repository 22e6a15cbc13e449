// The DPO sigmoid loss against values computed by hand, and the direction of its gradient (the other
// variants: tests/engine/losses/preference-variants.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { preferenceLoss, type PreferenceLossType } from '../../src/main/engine/losses/preference';

beforeAll(async () => {
  await selectBackend();
});

const t = (v: number[]) => tf.tensor1d(v);

describe('preferenceLoss (sigmoid)', () => {
  it('matches -log σ(β((πw − rw) − (πl − rl))) computed by hand', () => {
    const before = tf.memory().numTensors;
    const inputs = {
      policyChosen: t([-1, -3]),
      policyRejected: t([-2, -1]),
      refChosen: t([-1.5, -2]),
      refRejected: t([-1.5, -2]),
    };
    const out = preferenceLoss({ ...inputs, beta: 0.1, lossType: 'sigmoid' });
    // Pair 1: z = 0.1 · (0.5 − (−0.5)) = 0.1 → softplus(−0.1) = log(1 + e^−0.1) = 0.644397
    // Pair 2: z = 0.1 · (−1 − 1) = −0.2 → softplus(0.2) = log(1 + e^0.2) = 0.798139
    const losses = out.losses.arraySync();
    expect(losses[0]).toBeCloseTo(0.644397, 5);
    expect(losses[1]).toBeCloseTo(Math.log(1 + Math.exp(0.2)), 5);
    expect(out.chosenRewards.arraySync()).toEqual([expect.closeTo(0.05, 6), expect.closeTo(-0.1, 6)]);
    expect(out.rejectedRewards.arraySync()).toEqual([expect.closeTo(-0.05, 6), expect.closeTo(0.1, 6)]);
    tf.dispose([out.losses, out.chosenRewards, out.rejectedRewards, ...Object.values(inputs)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is stable for large margins (no overflow in exp)', () => {
    const out = preferenceLoss({
      policyChosen: t([0]),
      policyRejected: t([-5000]),
      refChosen: t([0]),
      refRejected: t([0]),
      beta: 1,
      lossType: 'sigmoid',
    });
    expect(out.losses.arraySync()[0]).toBeCloseTo(0, 6);
    const bad = preferenceLoss({
      policyChosen: t([-5000]),
      policyRejected: t([0]),
      refChosen: t([0]),
      refRejected: t([0]),
      beta: 1,
      lossType: 'sigmoid',
    });
    expect(bad.losses.arraySync()[0]).toBeCloseTo(5000, 1);
  });

  it('pushes the chosen log-prob up and the rejected one down', () => {
    const [pc, pr, rc, rr] = [t([-1]), t([-2]), t([-1.5]), t([-1.5])];
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.mean(
        preferenceLoss({
          policyChosen: a as tf.Tensor1D,
          policyRejected: b as tf.Tensor1D,
          refChosen: rc,
          refRejected: rr,
          beta: 0.1,
          lossType: 'sigmoid',
        }).losses,
      ),
    )([pc, pr]);
    const [dChosen, dRejected] = g.map((x) => x.arraySync() as number[]);
    // d/dπw softplus(−z) = −β σ(−z) = −0.1 · σ(−0.1)
    expect(dChosen![0]).toBeCloseTo(-0.1 / (1 + Math.exp(0.1)), 6);
    expect(dChosen![0]).toBeLessThan(0);
    expect(dRejected![0]).toBeGreaterThan(0);
  });

  it('rejects a variant it does not name (the others: tests/engine/losses/)', () => {
    expect(() =>
      preferenceLoss({
        policyChosen: t([0]),
        policyRejected: t([0]),
        refChosen: t([0]),
        refRejected: t([0]),
        beta: 0.1,
        lossType: 'dpo' as string as PreferenceLossType as 'sigmoid',
      }),
    ).toThrow('preference loss "dpo" is unknown');
  });
});
