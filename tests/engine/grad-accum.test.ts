// Gradient accumulation (trainers/accumulate.ts) in each trainer that takes it: a step of k
// micro-batches of b examples gives the same loss, gradient norm, statistics and gradients (within
// float tolerance) as one step of a batch of k·b on the same data. Adam's `apply` is replaced by a spy
// that records the gradients it is given, so the comparison is of the gradients themselves.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { GPT, type GPTConfig } from '../../src/main/engine/model/gpt';
import { ScalarHead } from '../../src/main/engine/model/heads';
import { mulberry32 } from '../../src/main/engine/random';
import { REWARD_HEAD } from '../../src/main/engine/reward-score';
import { Adam, PLAIN_ADAM, paramsOf } from '../../src/main/engine/trainers/common';
import { accumulatedAdamStep, microBatches } from '../../src/main/engine/trainers/accumulate';
import { rewardStep, type RewardRow } from '../../src/main/engine/trainers/reward-steps';
import { DpoConfig, PpoConfig, RewardConfig } from '../../src/shared/schemas';
import { assemble } from '../../src/main/engine/trainers/ppo-rollouts';
import { ppoUpdate } from '../../src/main/engine/trainers/ppo-update';
import { tokenizeTextPairs } from '../../src/main/engine/data/preference-pairs';
import { PRESETS } from '../../src/main/engine/model/presets';
import { AVERAGED, pairedStep, referenceLogProbs } from '../../src/main/engine/trainers/dpo-steps';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SHAPE: GPTConfig = { vocabSize: 24, contextLength: 16, dModel: 16, nLayers: 1, nHeads: 2, dFF: 32 };

/** Random token rows of lengths 3..12, seeded. */
function seqs(n: number, seed: number): number[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () =>
    Array.from(
      { length: 3 + Math.floor(rng.next() * 10) },
      () => 1 + Math.floor(rng.next() * (SHAPE.vocabSize - 1)),
    ),
  );
}

/** Gradients Adam was asked to apply, by name, copied out; the weights are left alone. */
function spyOn(adam: Adam): Record<string, Float32Array>[] {
  const seen: Record<string, Float32Array>[] = [];
  adam.apply = (grads: Record<string, tf.Tensor>) => {
    seen.push(
      Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync().slice() as Float32Array])),
    );
  };
  return seen;
}

function expectClose(a: Record<string, Float32Array>, b: Record<string, Float32Array>): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let worst = 0;
  for (const [k, x] of Object.entries(a)) {
    const y = b[k]!;
    for (let i = 0; i < x.length; i++)
      worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (1e-4 + Math.abs(y[i]!)));
  }
  expect(worst).toBeLessThan(2e-3);
}

describe('microBatches', () => {
  it('splits into k consecutive parts, none empty', () => {
    expect(microBatches([1, 2, 3, 4, 5, 6, 7, 8], 4)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    expect(microBatches([1, 2, 3], 8)).toEqual([[1], [2], [3]]);
    expect(microBatches([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
});

describe('accumulatedAdamStep', () => {
  it('sums weighted micro-batch losses into the full-batch gradient and leaves no tensors behind', () => {
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'w-accum-test');
    const params = new Map([['w', w]]);
    const xs = [1, 2, 3, 4, 5, 6].map((v) => tf.tensor1d([v, v / 2, -v]));
    const loss = (rows: tf.Tensor1D[]) =>
      tf.div(tf.addN(rows.map((x) => tf.square(tf.sum(tf.mul(w, x))))), 6) as tf.Scalar;
    const runs = [1, 3].map((k) => {
      const adam = new Adam(params, PLAIN_ADAM);
      const seen = spyOn(adam);
      const before = tf.memory().numTensors;
      const parts = microBatches(xs as tf.Tensor1D[], k);
      const { numbers } = accumulatedAdamStep(adam, params, 0.1, 0, parts.length, (j) => ({
        loss: loss(parts[j]!),
        stats: [],
      }));
      expect(tf.memory().numTensors).toBe(before);
      adam.dispose();
      return { loss: numbers[0]!, grads: seen[0]! };
    });
    expect(runs[1]!.loss).toBeCloseTo(runs[0]!.loss, 4);
    expectClose(runs[1]!.grads, runs[0]!.grads);
    xs.forEach((x) => x.dispose());
    w.dispose();
  });
});

describe('reward model', () => {
  it('4 micro-batches of 4 pairs equal one batch of 16', () => {
    const chosen = seqs(16, 1);
    const rejected = seqs(16, 2);
    const rows: RewardRow[] = chosen.map((c, i) => ({
      chosen: c,
      rejected: rejected[i]!,
      margin: i % 3 === 0 ? 0.5 : 0,
    }));
    const run = (k: number) => {
      const trunk = GPT.init(SHAPE, 7);
      const head = ScalarHead.init(REWARD_HEAD, SHAPE.dModel, 7);
      const params = paramsOf(trunk, head);
      const adam = new Adam(params, PLAIN_ADAM);
      const seen = spyOn(adam);
      const config = RewardConfig.parse({
        batchSize: 16 / k,
        gradientAccumulationSteps: k,
        centerRewardsCoefficient: 0.01,
      });
      const before = tf.memory().numTensors;
      const r = rewardStep(trunk, head, adam, params, rows, config, 0);
      expect(tf.memory().numTensors).toBe(before);
      expect(r.micro).toBe(k);
      trunk.dispose();
      head.dispose();
      adam.dispose();
      return { values: r.values, grads: seen[0]! };
    };
    const one = run(1);
    const four = run(4);
    for (const [k, v] of Object.entries(one.values)) expect(four.values[k]).toBeCloseTo(v, 4);
    expectClose(four.grads, one.grads);
  });
});

describe('DPO (paired losses)', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  const pairs = words.flatMap((w, i) => [
    { prompt: `say ${w}`, chosen: w, rejected: `${words[(i + 3) % 8]} and more ${i}` },
    { prompt: `name ${i}`, chosen: `${w}!`, rejected: 'no' },
  ]); // 16 pairs
  const tokens = tokenizeTextPairs(pairs, 32);
  const shape: GPTConfig = {
    ...PRESETS['byte-tiny'],
    dModel: 16,
    nLayers: 1,
    nHeads: 2,
    dFF: 32,
    contextLength: 32,
  };

  for (const [lossType, rpoAlpha] of [
    ['sigmoid', 1],
    ['ipo', 0],
    ['orpo', 0],
  ] as const)
    it(`${lossType}${rpoAlpha ? ' + RPO' : ''}: 4 micro-batches of 4 pairs equal one batch of 16`, () => {
      const indices = Array.from({ length: 16 }, (_, i) => (i * 5) % 16);
      const run = (k: number) => {
        const policy = GPT.init(shape, 3);
        const config = DpoConfig.parse({
          lossType,
          rpoAlpha,
          batchSize: 16 / k,
          gradientAccumulationSteps: k,
        });
        const ref =
          lossType === 'orpo'
            ? null
            : referenceLogProbs(policy, { kind: 'pairs', tokens }, 16, AVERAGED.includes(lossType));
        const adam = new Adam(policy.weights, PLAIN_ADAM);
        const seen = spyOn(adam);
        const before = tf.memory().numTensors;
        const r = pairedStep(policy, adam, tokens, ref, indices, config);
        expect(tf.memory().numTensors).toBe(before);
        policy.dispose();
        adam.dispose();
        return { values: r.values, grads: seen[0]! };
      };
      const one = run(1);
      const four = run(4);
      for (const [k, v] of Object.entries(one.values)) expect(four.values[k], k).toBeCloseTo(v, 4);
      expectClose(four.grads, one.grads);
    });
});

describe('PPO update', () => {
  it('4 micro-batches of 2 rollouts equal one minibatch of 8 (token-weighted)', () => {
    const prompts = seqs(8, 11).map((s) => s.slice(0, 3));
    const responses = seqs(8, 12); // different lengths: different token shares per micro-batch
    const data = assemble(prompts, responses);
    const rng = mulberry32(5);
    const arr = () => Float32Array.from({ length: data.B * data.T }, () => rng.next() - 0.5);
    const targets = { oldLogp: arr().map((v) => v - 3), oldValues: arr(), adv: arr(), returns: arr() };
    const rows = [3, 0, 7, 5, 1, 6, 2, 4];
    const run = (k: number) => {
      const policy = GPT.init(SHAPE, 9);
      const vHead = ScalarHead.init('v_head', SHAPE.dModel, 9);
      const params = paramsOf(policy, vHead);
      const adam = new Adam(params, PLAIN_ADAM);
      const seen = spyOn(adam);
      const config = PpoConfig.parse({ batchSize: 8, gradientAccumulationSteps: k, maxGradNorm: 0 });
      const before = tf.memory().numTensors;
      const r = ppoUpdate(policy, vHead, adam, params, data, rows, targets, config);
      expect(tf.memory().numTensors).toBe(before);
      policy.dispose();
      vHead.dispose();
      adam.dispose();
      return { r, grads: seen[0]! };
    };
    const one = run(1);
    const four = run(4);
    expect(four.r.loss).toBeCloseTo(one.r.loss, 4);
    expect(four.r.gradNorm).toBeCloseTo(one.r.gradNorm, 4);
    four.r.stats.forEach((v, i) => expect(v).toBeCloseTo(one.r.stats[i]!, 4));
    expectClose(four.grads, one.grads);
  });
});
