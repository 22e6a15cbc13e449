// The DPO trainer's other losses on onnxruntime against tfjs, the reference: one step of the onnx heads
// (heads/paired.ts with RPO, heads/reference-free.ts, heads/kto.ts) through the trainer's own onnx step
// functions (dpo-steps.ts onnxPairedStep, onnxKtoStep) gives the same loss, the same metrics under the
// same names, and the same gradient of every weight as the tfjs steps (pairedStep, ktoStep, whose Adam
// is a spy recording the gradients it is given): sigmoid and IPO with RPO's NLL term, ORPO, SimPO with
// and without label smoothing, KTO with both labels in a batch (out of order) and with only one, on
// seed-tiny and lab-small, with rows of different lengths and padding. Also ORPO's log(1 − eˣ) near 0,
// where ONNX has no expm1, against tfjs's.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import type * as ortTypes from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import type { PreferenceTokens, TokenRows } from '../../../src/main/engine/data/preference-pairs';
import type { UnpairedTokens } from '../../../src/main/engine/data/unpaired';
import { GPT } from '../../../src/main/engine/model/gpt';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import { OnnxTrainer, type OnnxStepResult } from '../../../src/main/engine/onnx-train/engine';
import { Graph } from '../../../src/main/engine/onnx-train/graph';
import { oneMinusExp } from '../../../src/main/engine/onnx-train/heads/reference-free';
import { mulberry32 } from '../../../src/main/engine/random';
import { Adam, PLAIN_ADAM } from '../../../src/main/engine/trainers/common';
import {
  AVERAGED,
  REFERENCE_FREE,
  ktoStep,
  onnxHeadOf,
  onnxKtoStep,
  onnxPairedStep,
  pairedStep,
  referenceLogProbs,
  type DpoStepResult,
} from '../../../src/main/engine/trainers/dpo-steps';
import { DpoConfig, type DpoConfigInput } from '../../../src/shared/schemas';
import { floorOf, relErr } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** n random rows of length T: a prompt of 1–3 tokens, then a scored response, then padding (id 0). */
function randomRows(n: number, T: number, V: number, rng: ReturnType<typeof mulberry32>): TokenRows {
  const inputs = new Int32Array(n * T);
  const targets = new Int32Array(n * T);
  const mask = new Float32Array(n * T);
  for (let i = 0; i < n; i++) {
    const prompt = rng.int(1, 4);
    const length = rng.int(prompt + 2, T + 1); // scored targets at positions prompt−1 .. length−1
    for (let t = 0; t < length; t++) {
      inputs[i * T + t] = rng.int(1, V);
      targets[i * T + t] = rng.int(1, V);
      if (t >= prompt - 1) mask[i * T + t] = 1;
    }
  }
  return { inputs, targets, mask };
}

/** The gradients Adam was asked to apply, by weight name; the weights are left alone. */
function spyOn(adam: Adam): Map<string, Float32Array>[] {
  const seen: Map<string, Float32Array>[] = [];
  adam.apply = (grads: Record<string, tf.Tensor>) => {
    seen.push(new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync().slice() as Float32Array])));
  };
  return seen;
}

/** The step results the trainer returned (with raw gradients: emitGrads). */
function stepsOf(trainer: OnnxTrainer): OnnxStepResult[] {
  const seen: OnnxStepResult[] = [];
  const step = trainer.step.bind(trainer);
  trainer.step = async (...args) => {
    const out = await step(...args);
    seen.push(out);
    return out;
  };
  return seen;
}

type Variant = { name: string; config: DpoConfigInput; indices?: number[] };

const PAIRED: Variant[] = [
  { name: 'sigmoid + RPO', config: { lossType: 'sigmoid', beta: 0.1, rpoAlpha: 0.5 } },
  { name: 'ipo + RPO (averaged)', config: { lossType: 'ipo', beta: 0.1, rpoAlpha: 1 } },
  { name: 'orpo', config: { lossType: 'orpo', beta: 0.5 } },
  { name: 'simpo', config: { lossType: 'simpo', beta: 2, gamma: 0.5 } },
  { name: 'simpo, label smoothing', config: { lossType: 'simpo', beta: 2, gamma: 1, labelSmoothing: 0.1 } },
];
const KTO: Variant[] = [
  {
    name: 'kto, both labels, out of order',
    config: { lossType: 'kto', beta: 0.5, desirableWeight: 1, undesirableWeight: 1.5 },
    indices: [3, 0, 2, 1],
  },
  { name: 'kto, desirable only', config: { lossType: 'kto', beta: 0.5 }, indices: [2, 0] },
];

const cases = [
  { preset: 'seed-tiny', n: 3, T: 16 },
  { preset: 'seed-tiny', n: 2, T: 11 },
  { preset: 'lab-small', n: 2, T: 40 },
] as const;

/** The tfjs step's and the onnx step's results agree: loss, every metric (same names), every gradient. */
function expectSame(
  name: string,
  tfjs: DpoStepResult,
  grads: Map<string, Float32Array>,
  onnx: DpoStepResult,
  onnxGrads: Map<string, Float32Array>,
) {
  expect(tfjs.applied && onnx.applied).toBe(true);
  expect(Object.keys(onnx.values).sort(), name).toEqual(Object.keys(tfjs.values).sort());
  for (const [k, want] of Object.entries(tfjs.values)) {
    const got = onnx.values[k]!;
    expect(Math.abs(got - want), `${name}: ${k} ${got} vs ${want}`).toBeLessThanOrEqual(
      1e-4 * Math.max(1, Math.abs(want)),
    );
  }
  const floor = floorOf(grads);
  expect(floor, `${name}: a gradient reaches the weights`).toBeGreaterThan(1e-9);
  expect(onnxGrads.size).toBe(grads.size);
  for (const [w, g] of grads) expect(relErr(onnxGrads.get(w)!, g, floor), `${name}: ${w}`).toBeLessThan(1e-4);
}

describe.each(cases)('onnx preference heads vs tfjs: $preset, $n × $T', ({ preset, n, T }) => {
  const shape = MODEL_PRESETS[preset];

  it('RPO, ORPO and SimPO: loss, metrics and every gradient', async () => {
    const rng = mulberry32(41);
    const data: PreferenceTokens = {
      n,
      T,
      maxId: shape.vocabSize - 1,
      chosen: randomRows(n, T, shape.vocabSize, rng),
      rejected: randomRows(n, T, shape.vocabSize, rng),
      notes: [],
    };
    const indices = Array.from({ length: n }, (_, i) => n - 1 - i);
    const policy = GPT.init(shape, 7);
    try {
      for (const { name, config: input } of PAIRED) {
        const config = DpoConfig.parse({ ...input, learningRate: 1e-3 });
        // The reference: the policy's own log-probs moved by noise, so that rewards are not all 0.
        const ref = REFERENCE_FREE.includes(config.lossType)
          ? null
          : referenceLogProbs(
              policy,
              { kind: 'pairs', tokens: data },
              n,
              AVERAGED.includes(config.lossType),
            ).map((set) => set.map((x) => x + (rng.next() - 0.5)));
        const adam = new Adam(policy.weights, PLAIN_ADAM);
        const seen = spyOn(adam);
        const tfjs = pairedStep(policy, adam, data, ref, indices, config);
        adam.dispose();
        const trainer = new OnnxTrainer(shape, await policy.toArrays(), {
          adam: PLAIN_ADAM,
          head: onnxHeadOf(config),
          emitGrads: true,
          threads: 1,
        });
        const steps = stepsOf(trainer);
        try {
          const onnx = await onnxPairedStep(trainer, data, ref, indices, config);
          expectSame(name, tfjs, seen[0]!, onnx, steps[0]!.grads!);
        } finally {
          await trainer.release();
        }
      }
    } finally {
      policy.dispose();
    }
  });

  it('KTO: loss, metrics and every gradient (the KL pairs get none)', async () => {
    const rng = mulberry32(43);
    const m = 4;
    const data: UnpairedTokens = {
      n: m,
      T,
      maxId: shape.vocabSize - 1,
      examples: randomRows(m, T, shape.vocabSize, rng),
      kl: randomRows(m, T, shape.vocabSize, rng),
      desirable: [true, false, true, false],
      notes: [],
    };
    const policy = GPT.init(shape, 9);
    try {
      // Reference log-probs below the policy's on the KL pairs: z0 ≈ 0.5, not clamped to 0.
      const [examples, kl] = referenceLogProbs(policy, { kind: 'unpaired', tokens: data }, m, false);
      const ref = [examples!.map((x) => x + (rng.next() - 0.5)), kl!.map((x) => x - 0.5 + 0.2 * rng.next())];
      for (const { name, config: input, indices } of KTO) {
        const config = DpoConfig.parse({ ...input, learningRate: 1e-3, batchSize: 2 });
        const adam = new Adam(policy.weights, PLAIN_ADAM);
        const seen = spyOn(adam);
        const tfjs = ktoStep(policy, adam, data, ref, indices!, config);
        adam.dispose();
        const trainer = new OnnxTrainer(shape, await policy.toArrays(), {
          adam: PLAIN_ADAM,
          head: onnxHeadOf(config),
          emitGrads: true,
          threads: 1,
        });
        const steps = stepsOf(trainer);
        try {
          const onnx = await onnxKtoStep(trainer, data, ref, indices!, config);
          expect(onnx.values['kl'], name).toBeGreaterThan(0.1);
          expectSame(name, tfjs, seen[0]!, onnx, steps[0]!.grads!);
        } finally {
          await trainer.release();
        }
      }
    } finally {
      policy.dispose();
    }
  });
});

describe("ORPO's log(1 − eˣ) without expm1", () => {
  it('matches tfjs log(−expm1(x)) and its gradient from −20 to −1e-6', async () => {
    const xs = [-20, -3, -0.5, -0.0101, -0.0099, -1e-3, -3e-5, -1e-6];
    const g = new Graph();
    const x = g.input('x', [xs.length], 'float', true);
    const y = g.log(oneMinusExp(g, x));
    g.output(y, 'y');
    g.output(g.grad(g.reduceSum(y, [0]), [x])[0]!, 'dy');
    const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof ortTypes;
    const session = await ort.InferenceSession.create(g.encode('log1mexp'));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(xs), [xs.length]) });
    await session.release();
    const f = (t: tf.Tensor) => tf.sum(tf.log(tf.neg(tf.expm1(t))));
    const input = tf.tensor1d(xs);
    const want = tf.log(tf.neg(tf.expm1(input)));
    const wantGrad = tf.grad(f)(input);
    const [value, grad] = [want.dataSync(), wantGrad.dataSync()];
    tf.dispose([input, want, wantGrad]);
    const got = out['y']!.data as Float32Array;
    const gotGrad = out['dy']!.data as Float32Array;
    xs.forEach((v, i) => {
      expect(Math.abs(got[i]! - value[i]!), `log(1 − e^${v})`).toBeLessThanOrEqual(
        1e-5 * Math.max(1, Math.abs(value[i]!)),
      );
      expect(Math.abs(gotGrad[i]! - grad[i]!), `its gradient at ${v}`).toBeLessThanOrEqual(
        1e-4 * Math.abs(grad[i]!) + 1e-8,
      );
    });
  });
});
