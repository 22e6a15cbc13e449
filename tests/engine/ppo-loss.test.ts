// The pieces of PPO (losses/ppo.ts) against values computed by hand: KL estimators, token rewards, GAE,
// whitening, the clipped policy and value losses with their clip fractions, the policy loss's gradient
// sign, and the adaptive KL controller. Tensors are checked not to leak.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import {
  AdaptiveKlController,
  clippedPolicyLoss,
  clippedValueLoss,
  gae,
  klPerToken,
  lastMasked,
  tokenRewards,
  whiten,
} from '../../src/main/engine/losses/ppo';

beforeAll(async () => {
  await selectBackend();
});
let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

const f32 = (xs: number[]) => Float32Array.from(xs);
const close = (got: ArrayLike<number>, want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};
const read = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  return v;
};

describe('klPerToken', () => {
  // p_policy = 0.5, p_ref = 0.25 at the sampled token: log r = log 0.5.
  const logp = f32([Math.log(0.5), Math.log(0.5), 7]);
  const ref = f32([Math.log(0.25), Math.log(0.5), -7]);
  const mask = f32([1, 1, 0]);
  it('k1 = log p − log p_ref', () => {
    close(klPerToken(logp, ref, mask, 'k1'), [Math.log(2), 0, 0]);
  });
  it('k3 = (r − 1) − log r with r = p_ref / p: (0.5 − 1) + log 2', () => {
    close(klPerToken(logp, ref, mask, 'k3'), [-0.5 + Math.log(2), 0, 0]);
  });
  it('k3 is never negative, k1 is when the policy gives a token less mass than the reference', () => {
    const lp = f32([Math.log(0.1)]);
    const rp = f32([Math.log(0.4)]);
    expect(klPerToken(lp, rp, f32([1]), 'k1')[0]).toBeLessThan(0);
    expect(klPerToken(lp, rp, f32([1]), 'k3')[0]).toBeCloseTo(3 - Math.log(4), 5);
  });
});

describe('tokenRewards', () => {
  it('is −β·kl on each response token plus the score at the last one', () => {
    const dims = { B: 2, T: 3 };
    const kl = f32([9, 0.2, 0.4, 0.6, 0.8, 9]);
    const mask = f32([0, 1, 1, 1, 1, 0]);
    const { rewards, nonScore } = tokenRewards(kl, [3, -1], mask, 0.5, dims);
    close(nonScore, [0, -0.1, -0.2, -0.3, -0.4, 0]);
    close(rewards, [0, -0.1, 2.8, -0.3, -1.4, 0]);
    expect(lastMasked(mask, dims)).toEqual([2, 1]);
  });
});

describe('gae', () => {
  it('matches the backward recursion computed by hand, and stops at the end of each response', () => {
    // Row 0: prompt at t=0, response t=1..3. Row 1: response t=0..1, padding after.
    const rewards = f32([0, 0.1, -0.2, 1.0, 0.5, 2, 9, 9]);
    const values = f32([0, 0.5, 0.4, 0.3, 1, 1, 7, 7]);
    const mask = f32([0, 1, 1, 1, 1, 1, 0, 0]);
    const { advantages, returns } = gae(rewards, values, mask, 0.9, 0.8, { B: 2, T: 4 });
    // Row 0 (γλ = 0.72): δ3 = 1 − 0.3 = 0.7; δ2 = −0.2 + 0.9·0.3 − 0.4 = −0.33, A2 = −0.33 + 0.72·0.7 = 0.174;
    // δ1 = 0.1 + 0.9·0.4 − 0.5 = −0.04, A1 = −0.04 + 0.72·0.174 = 0.08528.
    // Row 1: δ1 = 2 − 1 = 1; δ0 = 0.5 + 0.9·1 − 1 = 0.4, A0 = 0.4 + 0.72 = 1.12.
    close(advantages, [0, 0.08528, 0.174, 0.7, 1.12, 1, 0, 0]);
    close(returns, [0, 0.58528, 0.574, 1.0, 2.12, 2, 0, 0]);
  });
  it('with γ = λ = 1 and zero values, the advantage is the reward-to-go', () => {
    const { advantages } = gae(f32([1, 2, 3]), f32([0, 0, 0]), f32([1, 1, 1]), 1, 1, { B: 1, T: 3 });
    close(advantages, [6, 5, 3]);
  });
});

describe('whiten', () => {
  it('uses the masked mean and the unbiased masked variance', () => {
    // mean 2, variance (1 + 0 + 1) / 2 = 1.
    close(whiten(f32([1, 2, 3, 99]), f32([1, 1, 1, 0])), [-1, 0, 1, 0]);
  });
  it('gives mean 0 and unbiased variance 1 over the mask', () => {
    const x = f32([0.3, -2, 5, 1.5, 8, 100]);
    const mask = f32([1, 1, 1, 1, 1, 0]);
    const w = whiten(x, mask).slice(0, 5);
    const mean = w.reduce((a, v) => a + v, 0) / 5;
    const variance = w.reduce((a, v) => a + (v - mean) ** 2, 0) / 4;
    expect(mean).toBeCloseTo(0, 6);
    expect(variance).toBeCloseTo(1, 5);
  });
  it('returns zeros for a single entry', () => {
    close(whiten(f32([4, 1]), f32([1, 0])), [0, 0]);
  });
});

describe('clippedPolicyLoss', () => {
  // Four scored tokens (ε = 0.2) and one masked one with absurd values:
  //   a: A =  1, ρ = e^0.5  → max(−1.6487, −1.2)    = −1.2     clipped
  //   b: A = −1, ρ = e^−0.5 → max( 0.6065,  0.8)    =  0.8     clipped
  //   c: A =  2, ρ = e^0.1  → max(−2.2103, −2.2103) = −2.2103  inside the range
  //   d: A = −1, ρ = e^0.5  → max( 1.6487,  1.2)    =  1.6487  pessimistic: the unclipped term wins
  const oldLogp = [-1, -1, -1, -1, -1];
  const diffs = [0.5, -0.5, 0.1, 0.5, 30];
  const adv = [1, -1, 2, -1, 1000];
  const mask = [1, 1, 1, 1, 0];
  const t = (xs: number[]) => tf.tensor2d(xs, [1, 5]);

  it('matches the hand-computed loss, clipfrac, approxkl and mean ratio', () => {
    const [nl, ol, a, m] = [t(oldLogp.map((o, i) => o + diffs[i]!)), t(oldLogp), t(adv), t(mask)];
    const out = clippedPolicyLoss(
      nl as tf.Tensor2D,
      ol as tf.Tensor2D,
      a as tf.Tensor2D,
      m as tf.Tensor2D,
      0.2,
    );
    expect(read(out.loss)).toBeCloseTo((-1.2 + 0.8 - 2 * Math.exp(0.1) + Math.exp(0.5)) / 4, 5);
    expect(read(out.clipfrac)).toBeCloseTo(0.5, 6);
    expect(read(out.approxkl)).toBeCloseTo((0.5 * (0.25 + 0.25 + 0.01 + 0.25)) / 4, 6);
    expect(read(out.ratio)).toBeCloseTo((2 * Math.exp(0.5) + Math.exp(-0.5) + Math.exp(0.1)) / 4, 5);
    tf.dispose([nl, ol, a, m, out.loss, out.clipfrac, out.approxkl, out.ratio]);
  });

  it('pushes up the log-prob of a positive-advantage token inside the range, and not past the clip', () => {
    const [ol, a, m] = [t(oldLogp), t(adv), t(mask)];
    const newLogp = t(oldLogp.map((o, i) => o + diffs[i]!));
    const grad = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => {
        const out = clippedPolicyLoss(
          x as tf.Tensor2D,
          ol as tf.Tensor2D,
          a as tf.Tensor2D,
          m as tf.Tensor2D,
          0.2,
        );
        return out.loss;
      })(newLogp),
    );
    const g = Array.from(grad.dataSync());
    expect(g[0]).toBeCloseTo(0, 6); // a: clipped, no gradient
    expect(g[1]).toBeCloseTo(0, 6); // b: clipped, no gradient
    expect(g[2]).toBeCloseTo((-2 * Math.exp(0.1)) / 4, 5); // c: −A·ρ/N < 0, descent raises log p
    expect(g[3]).toBeCloseTo(Math.exp(0.5) / 4, 5); // d: A < 0, descent lowers log p
    expect(Math.abs(g[4]!)).toBe(0); // masked
    tf.dispose([ol, a, m, newLogp, grad]);
  });
});

describe('clippedValueLoss', () => {
  it('is ½·mean(max((V − R)², (clip(V, V_old ± ε) − R)²)) with its clipfrac', () => {
    // 1: V 1.0, V_old 0.5, R 1 → V_clip 0.7: max(0, 0.09) = 0.09, clipped
    // 2: V 0.6, V_old 0.5, R 0 → V_clip 0.6: 0.36, not clipped
    // 3: V 0.0, V_old 0.5, R 0 → V_clip 0.3: max(0, 0.09) = 0.09, clipped
    const v = tf.tensor2d([[1, 0.6, 0, 50]]);
    const vOld = tf.tensor2d([[0.5, 0.5, 0.5, 0]]);
    const r = tf.tensor2d([[1, 0, 0, -50]]);
    const m = tf.tensor2d([[1, 1, 1, 0]]);
    const out = clippedValueLoss(v, vOld, r, m, 0.2);
    expect(read(out.loss)).toBeCloseTo(0.5 * ((0.09 + 0.36 + 0.09) / 3), 6);
    expect(read(out.clipfrac)).toBeCloseTo(2 / 3, 6);
    tf.dispose([v, vOld, r, m, out.loss, out.clipfrac]);
  });
});

describe('AdaptiveKlController', () => {
  it('moves β by the clipped proportional error times n / horizon (Ziegler et al. 2019)', () => {
    const c = new AdaptiveKlController(0.1, 6, 10_000);
    expect(c.update(12, 16)).toBeCloseTo(0.1 * (1 + (0.2 * 16) / 10_000), 10); // error 1 clipped to 0.2
    const c2 = new AdaptiveKlController(0.1, 6, 10_000);
    expect(c2.update(6, 16)).toBeCloseTo(0.1, 12);
    expect(c2.update(5.4, 16)).toBeCloseTo(0.1 * (1 - (0.1 * 16) / 10_000), 10);
    const c3 = new AdaptiveKlController(0.1, 6, 100);
    for (let i = 0; i < 50; i++) c3.update(0, 10); // no KL at all: β shrinks by 2% each time
    expect(c3.value).toBeCloseTo(0.1 * 0.98 ** 50, 10);
  });
});
