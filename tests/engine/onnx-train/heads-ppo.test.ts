// PPO's update on onnxruntime against tfjs, the reference: the generated step of onnx-train/heads/ppo.ts
// gives the loss (clipped policy + vfCoef × clipped value loss at a sampling temperature ≠ 1), the
// update's statistics and every weight's gradient — the trunk's and the value head's — that tfjs's
// tf.variableGrads gives for trainers/ppo-update.ts's loss, with clipping active on some tokens of both
// losses, on seed-tiny, byte-tiny and lab-small; the batch padded with empty rows and positions (as the
// trainer pads it) changes nothing. Then the PPO trainer on both engines: the same metrics with the
// same seeded sampling, the engine recorded, and a checkpoint of an onnx run resumed on tfjs.
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { tokenLogProbsOf } from '../../../src/main/engine/logprobs';
import { clippedPolicyLoss, clippedValueLoss } from '../../../src/main/engine/losses/ppo';
import { GPT, type GPTConfig } from '../../../src/main/engine/model/gpt';
import { ScalarHead } from '../../../src/main/engine/model/heads';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import { paddedLength } from '../../../src/main/engine/onnx-train/batches';
import { OnnxTrainer } from '../../../src/main/engine/onnx-train/engine';
import { PPO_STATS } from '../../../src/main/engine/onnx-train/heads/ppo';
import { mulberry32 } from '../../../src/main/engine/random';
import { readSafetensors } from '../../../src/main/engine/safetensors';
import { runPpoTask } from '../../../src/main/engine/tasks/ppo';
import { paramsOf } from '../../../src/main/engine/trainers/common';
import {
  assemble,
  batchTensors,
  scoreRollouts,
  type RolloutBatch,
} from '../../../src/main/engine/trainers/ppo-rollouts';
import { onnxRolloutScores, ppoBatch, type Targets } from '../../../src/main/engine/trainers/ppo-update';
import type { TrainEvent } from '../../../src/main/engine/types';
import { PpoConfig } from '../../../src/shared/schemas';
import { collect, removeTempDirs } from '../trainers/helpers';
import { expectRequestedEngines, floorOf, relErr, trainingOf } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(removeTempDirs);

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
const LOSS = { temperature: 0.7, clipRange: 0.2, clipRangeValue: 0.2, vfCoef: 0.5 };

/** Rollouts of random prompts and responses whose longest row is `T` tokens, and targets around the policy's own log-probs and values. */
function rollouts(
  policy: GPT,
  vHead: ScalarHead,
  B: number,
  T: number,
  seed: number,
): { data: RolloutBatch; targets: Targets } {
  const V = policy.config.vocabSize;
  const rng = mulberry32(seed);
  const ids = (n: number) => Array.from({ length: n }, () => rng.int(0, V));
  const prompts = Array.from({ length: B }, () => ids(rng.int(1, Math.max(2, T >> 2))));
  // Responses end where the row's length says; the first row is the longest (T + 1 tokens in all).
  const responses = prompts.map((p, b) => ids(Math.max(1, (b === 0 ? T + 1 : rng.int(2, T + 1)) - p.length)));
  const data = assemble(prompts, responses);
  expect(data.T).toBe(T);
  const old = scoreRollouts(policy, vHead, data, LOSS.temperature);
  // Old log-probs and values off the current ones by up to ±0.6: some ratios and value moves clip.
  const jitter = (x: Float32Array) => x.map((v, i) => (data.mask[i] ? v + (rng.next() - 0.5) * 1.2 : 0));
  const normal = () => Float32Array.from(data.mask, (m) => (m ? rng.normal() : 0));
  return {
    data,
    targets: { oldLogp: jitter(old.logp), oldValues: jitter(old.values), adv: normal(), returns: normal() },
  };
}

/** trainers/ppo-update.ts's loss on tfjs: the loss, the update's statistics and every gradient by name. */
async function tfjsUpdate(policy: GPT, vHead: ScalarHead, data: RolloutBatch, targets: Targets) {
  const params = paramsOf(policy, vHead);
  const rows = Array.from({ length: data.B }, (_, b) => b);
  const t = batchTensors(data, rows, { ...targets });
  let stats: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const { oldLogp, oldValues, adv, returns } = t.extra as Record<keyof Targets, tf.Tensor2D>;
    const { logits, hidden } = policy.forwardWithHidden(t.inputs);
    const logp = tokenLogProbsOf(
      tf.div(logits, LOSS.temperature) as tf.Tensor3D,
      t.targets,
      policy.config.vocabSize,
    );
    const pg = clippedPolicyLoss(logp, oldLogp, adv, t.mask, LOSS.clipRange);
    const vf = clippedValueLoss(vHead.apply(hidden), oldValues, returns, t.mask, LOSS.clipRangeValue);
    stats = [pg.loss, vf.loss, pg.clipfrac, vf.clipfrac, pg.approxkl, pg.ratio].map((x) => tf.keep(x));
    return tf.add(pg.loss, tf.mul(vf.loss, LOSS.vfCoef)) as tf.Scalar;
  }, [...params.values()]);
  const names = new Map([...params].map(([n, w]) => [w.name, n]));
  const out = new Map<string, Float32Array>();
  for (const [k, g] of Object.entries(grads)) out.set(names.get(k)!, (await g.data()) as Float32Array);
  const result = {
    loss: (await value.data())[0]!,
    stats: await Promise.all(stats.map(async (s) => (await s.data())[0]!)),
    grads: out,
  };
  tf.dispose([
    value,
    ...Object.values(grads),
    ...stats,
    t.inputs,
    t.targets,
    t.mask,
    ...Object.values(t.extra),
  ]);
  return result;
}

const cases: { preset: 'seed-tiny' | 'byte-tiny' | 'lab-small'; B: number; T: number; padRows: number }[] = [
  { preset: 'seed-tiny', B: 6, T: 13, padRows: 1 },
  { preset: 'seed-tiny', B: 4, T: 16, padRows: 0 },
  { preset: 'byte-tiny', B: 4, T: 30, padRows: 2 },
  { preset: 'lab-small', B: 4, T: 40, padRows: 0 },
];

describe.each(cases)(
  'the onnx PPO step vs tfjs: $preset, $B rollouts of $T tokens',
  ({ preset, B, T, padRows }) => {
    const config: GPTConfig = MODEL_PRESETS[preset];

    it('gives the loss, statistics and every gradient (value head included) of tfjs', async () => {
      const policy = GPT.init(config, 7);
      const vHead = ScalarHead.init('v_head', config.dModel, 7);
      const { data, targets } = rollouts(policy, vHead, B, T, 31);
      const ref = await tfjsUpdate(policy, vHead, data, targets);
      const trainer = new OnnxTrainer(config, [...(await policy.toArrays()), ...(await vHead.toArrays())], {
        adam: ADAM,
        head: { kind: 'ppo', ...LOSS, valueHead: 'v_head' },
        emitGrads: true,
        threads: 1,
      });
      try {
        const shape = { rows: B + padRows, seqLen: paddedLength(T, 16, config.contextLength) };
        const rows = Array.from({ length: B }, (_, b) => b);
        const out = await trainer.step(ppoBatch(data, rows, targets, shape), 1e-3, 0);
        expect(Math.abs(out.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-5);
        PPO_STATS.forEach((name, i) => expect(out.stats[name], name).toBeCloseTo(ref.stats[i]!, 5));
        // Clipping is active on some tokens of both losses (and not on all).
        for (const name of ['policy/clipfrac', 'val/clipfrac']) {
          expect(out.stats[name], name).toBeGreaterThan(0.05);
          expect(out.stats[name], name).toBeLessThan(0.95);
        }
        expect(out.grads!.size).toBe(ref.grads.size);
        const floor = floorOf(ref.grads);
        for (const [name, g] of ref.grads)
          expect(relErr(out.grads!.get(name)!, g, floor), name).toBeLessThan(1e-4);
        // The value head's gradient is far from the floor: its weights are compared in earnest.
        for (const name of ['v_head.weight', 'v_head.bias'])
          expect(Math.max(...ref.grads.get(name)!.map(Math.abs)), name).toBeGreaterThan(10 * floor);
      } finally {
        await trainer.release();
        policy.dispose();
        vHead.dispose();
      }
    });

    it("computes the old log-probs and values on the trainer's weights as tfjs does", async () => {
      const policy = GPT.init(config, 9);
      const vHead = ScalarHead.init('v_head', config.dModel, 9);
      const { data } = rollouts(policy, vHead, B, T, 41);
      const ref = scoreRollouts(policy, vHead, data, LOSS.temperature);
      const trainer = new OnnxTrainer(config, [...(await policy.toArrays()), ...(await vHead.toArrays())], {
        adam: ADAM,
        head: { kind: 'ppo', ...LOSS, valueHead: 'v_head' },
        threads: 1,
      });
      try {
        const cfg = PpoConfig.parse({ temperature: LOSS.temperature });
        const out = await onnxRolloutScores(trainer, data, cfg, 'v_head');
        expect(relErr(out.logp, ref.logp, 1e-6)).toBeLessThan(1e-5);
        expect(relErr(out.values, ref.values, 1e-6)).toBeLessThan(1e-5);
        // 0 off the response tokens, as tfjs's.
        data.mask.forEach((m, i) => {
          if (!m) expect([out.logp[i], out.values[i]]).toEqual([0, 0]);
        });
      } finally {
        await trainer.release();
        policy.dispose();
        vHead.dispose();
      }
    });
  },
);

// ── The trainer on both engines ─────────────────────────────────────────────────────────────────
const PROMPTS = ['hi', 'tell me a story', 'what is two plus two?', 'name a colour', 'say something', 'why?'];
const base = {
  model: 'byte-tiny',
  template: 'plain',
  rewardSource: 'rule',
  rule: 'length',
  ruleTargetLength: 4,
  iterations: 3,
  batchSize: 5,
  numMiniBatches: 2,
  ppoEpochs: 2,
  maxNewTokens: 8,
  learningRate: 3e-3,
  maxGradNorm: 0.5,
  samplesPerIteration: 5,
  checkpointEvery: 2,
  seed: 5,
} as const;
const run = (config: Record<string, unknown>) =>
  collect((ctx) => runPpoTask(PpoConfig.parse({ ...base, ...config }), { prompts: PROMPTS }, ctx));
const metricsOf = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
const responsesOf = (events: TrainEvent[]) =>
  events.flatMap((e) => (e.type === 'samples' ? e.items.map((i) => i['response']) : []));
const UPDATE = [...PPO_STATS, 'grad_norm'];
const COMPARED = [...UPDATE, 'objective/kl', 'objective/entropy', 'objective/scores'];

/**
 * The metrics of two runs' iteration agree: relative error ≤ `rel` (with an absolute floor of
 * rel × 0.01; for the KL, rel × the entropy), and the clip fractions, which count tokens on either side of a threshold, within `clip`
 * (a token that sits at the clip edge may fall on the other side under rounding).
 */
function expectClose(a: Record<string, number>, b: Record<string, number>, rel: number, clip: number) {
  for (const name of COMPARED) {
    const [x, y] = [a[name]!, b[name]!];
    expect(Number.isFinite(x) && Number.isFinite(y), name).toBe(true);
    // The KL is a difference of log-prob sums (the entropy's scale): 0 when the policy is the
    // reference, up to that scale's rounding when one side's log-probs come from onnxruntime.
    const scale = name === 'objective/kl' ? Math.abs(b['objective/entropy']!) : 0;
    const tolerance = name.endsWith('clipfrac') ? clip : rel * Math.max(Math.abs(y), scale, 0.01);
    expect(Math.abs(x - y), `${name}: ${x} vs ${y}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('the PPO trainer on each training engine', () => {
  it('gives the same metrics on onnx and tfjs with seeded sampling, and records the engine', async () => {
    const onnx = await run({ trainingEngine: 'onnx' });
    const tfjs = await run({ trainingEngine: 'tfjs' });
    expectRequestedEngines(onnx, tfjs);
    const a = metricsOf(onnx.events);
    const b = metricsOf(tfjs.events);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    // The same rollouts (sampling is seeded; the weights agree to float rounding).
    expect(responsesOf(onnx.events)).toEqual(responsesOf(tfjs.events));
    // The first iteration's update on the same rollouts: equal to float rounding. Later ones see
    // rollouts scored by weights that differ by rounding: close.
    expectClose(a[0]!, b[0]!, 2e-5, 1 / 48);
    for (let i = 1; i < 3; i++) expectClose(a[i]!, b[i]!, 1e-3, 0.05);
    // The policy moved: the updates were applied.
    expect(a[2]!['objective/kl']).not.toBe(0);
  });

  it('auto trains on onnx here; its checkpoint resumes on tfjs to the same end', async () => {
    const whole = await run({ trainingEngine: 'auto' });
    expect(whole.error).toBeUndefined();
    expect(trainingOf(whole.events)).toMatchObject({
      engine: 'onnx',
      reason: expect.stringContaining('self-check passed'),
    });
    const cp = whole.events.find((e) => e.type === 'checkpoint' && e.step === 2);
    expect(cp).toBeDefined();
    const resumed = await run({
      trainingEngine: 'tfjs',
      resumeFrom: (cp as Extract<TrainEvent, { type: 'checkpoint' }>).path,
    });
    expect(resumed.error).toBeUndefined();
    const a = metricsOf(whole.events)[2]!;
    const [b] = metricsOf(resumed.events);
    expectClose(b!, a, 1e-3, 0.05);
    const weights = async (dir: string) =>
      new Map(
        (await readSafetensors(path.join(dir, 'model.safetensors'))).tensors.map((t) => [t.name, t.data]),
      );
    const wa = await weights(whole.dir);
    const wb = await weights(resumed.dir);
    expect([...wb.keys()].sort()).toEqual([...wa.keys()].sort());
    expect(wa.has('v_head.weight')).toBe(true);
    let d = 0;
    for (const [name, x] of wa) {
      if (name.endsWith('attn.k.bias')) continue; // 0-gradient weight: noise on both (see loss-curve.test.ts)
      const y = wb.get(name)!;
      for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
    }
    expect(d).toBeLessThan(1e-4);
  });
});
