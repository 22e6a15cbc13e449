// The onnxruntime training step against tfjs, the reference: the loss and every weight's gradient of
// the generated graph (onnx-train) equal tfjs's tf.variableGrads of the same loss — the SFT masked
// next-token loss (trainers/common.ts weightedCrossEntropy) and the DPO sigmoid loss (losses/preference.ts
// on logprobs.ts's sequence log-probs) — on every model preset, with a sequence shorter
// than the context (the position slice) and one at full length.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { sequenceLogProbs } from '../../../src/main/engine/logprobs';
import { preferenceLoss } from '../../../src/main/engine/losses/preference';
import { GPT, type GPTConfig } from '../../../src/main/engine/model/gpt';
import { MODEL_PRESETS, type ModelPresetName } from '../../../src/main/engine/model/presets';
import { OnnxTrainer, type OnnxBatch } from '../../../src/main/engine/onnx-train/engine';
import { weightedCrossEntropy } from '../../../src/main/engine/trainers/common';
import { mulberry32 } from '../../../src/main/engine/random';
import { floorOf, relErr } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** Random ids/targets and a mask scoring positions ≥ `from` of each row except the last one. */
function randomBatch(R: number, T: number, V: number, seed: number, from: number) {
  const rng = mulberry32(seed);
  const ids = Array.from({ length: R * T }, () => rng.int(0, V));
  const targets = Array.from({ length: R * T }, () => rng.int(0, V));
  const mask = new Float32Array(R * T);
  for (let r = 0; r < R; r++) for (let t = from; t < T - 1; t++) mask[r * T + t] = 1;
  return { ids, targets, mask };
}

async function tfGrads(model: GPT, loss: () => tf.Scalar) {
  const { value, grads } = tf.variableGrads(loss, model.trainableVariables());
  const names = new Map([...model.weights].map(([n, w]) => [w.name, n]));
  const out = new Map<string, Float32Array>();
  for (const [k, g] of Object.entries(grads)) out.set(names.get(k)!, (await g.data()) as Float32Array);
  const lossValue = (await value.data())[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss: lossValue, grads: out };
}

// Every model preset once (the trunk is the same for every loss head; the heads' own tests take
// seed-tiny and lab-small), and a sequence shorter than the context.
const cases: { preset: ModelPresetName; R: number; T: number }[] = [
  { preset: 'seed-tiny', R: 6, T: 16 },
  { preset: 'seed-tiny', R: 4, T: 11 },
  { preset: 'byte-tiny', R: 4, T: 24 },
  { preset: 'lab-small', R: 4, T: 40 },
  { preset: 'lab-base', R: 4, T: 24 },
];

describe.each(cases)('ONNX training graph vs tfjs: $preset, $R × $T', ({ preset, R, T }) => {
  const config: GPTConfig = MODEL_PRESETS[preset];

  it('SFT loss and every gradient', async () => {
    const model = GPT.init(config, 3);
    const { ids, targets, mask } = randomBatch(R, T, config.vocabSize, 11, Math.floor(T / 2));
    const scored = mask.reduce((a, b) => a + b, 0);
    const weights = mask.map((m) => m / scored);
    const x = tf.tensor2d(ids, [R, T], 'int32');
    const y = tf.tensor1d(targets, 'int32');
    const w = tf.tensor1d(weights);
    const ref = await tfGrads(model, () => {
      const logits = model.forward(x);
      return weightedCrossEntropy(tf.reshape(logits, [R * T, config.vocabSize]), y, w);
    });
    tf.dispose([x, y, w]);
    const trainer = new OnnxTrainer(config, await model.toArrays(), {
      adam: ADAM,
      head: { kind: 'sft' },
      emitGrads: true,
      threads: 1,
    });
    try {
      const batch: OnnxBatch = { rows: R, seqLen: T, ids, targets, weights };
      const out = await trainer.step(batch, 1e-3, 0);
      expect(Math.abs(out.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
      expect(out.grads!.size).toBe(ref.grads.size);
      for (const [name, g] of ref.grads) {
        const err = relErr(out.grads!.get(name)!, g, floorOf(ref.grads));
        expect(err, name).toBeLessThan(1e-4);
      }
    } finally {
      await trainer.release();
      model.dispose();
    }
  });

  it('DPO-family losses (sigmoid ± label smoothing, robust, hinge, ipo; summed and averaged log-probs) and every gradient', async () => {
    const model = GPT.init(config, 5);
    const b = R / 2;
    const { ids, targets, mask } = randomBatch(R, T, config.vocabSize, 17, 2);
    const rng = mulberry32(23);
    const refLp = Float32Array.from({ length: R }, () => -T * (1 + rng.next()));
    const counts = Array.from({ length: R }, (_, r) =>
      mask.subarray(r * T, (r + 1) * T).reduce((a, c) => a + c, 0),
    );
    const variants = [
      { loss: 'sigmoid', average: false, labelSmoothing: 0 },
      { loss: 'sigmoid', average: true, labelSmoothing: 0.1 },
      { loss: 'robust', average: false, labelSmoothing: 0.1 },
      { loss: 'hinge', average: false, labelSmoothing: 0 },
      { loss: 'ipo', average: true, labelSmoothing: 0 },
    ] as const;
    for (const { loss, average, labelSmoothing } of variants) {
      const rowScale = Float32Array.from(counts, (c) => (average ? 1 / c : 1));
      // hinge needs βh near 1 to have a gradient: a larger β; ipo's τ likewise.
      const beta = loss === 'hinge' ? 1 : 0.1;
      const x = tf.tensor2d(ids, [R, T], 'int32');
      const y = tf.tensor2d(targets, [R, T], 'int32');
      const m = tf.tensor2d(mask, [R, T]);
      const refT = tf.tensor1d(refLp);
      const scaleT = tf.tensor1d(rowScale);
      const ref = await tfGrads(model, () => {
        const { sum } = sequenceLogProbs(model.forward(x), y, m);
        const lp = tf.mul(sum, scaleT);
        const out = preferenceLoss({
          lossType: loss,
          policyChosen: tf.slice(lp, [0], [b]) as tf.Tensor1D,
          policyRejected: tf.slice(lp, [b], [b]) as tf.Tensor1D,
          refChosen: tf.slice(refT, [0], [b]) as tf.Tensor1D,
          refRejected: tf.slice(refT, [b], [b]) as tf.Tensor1D,
          beta,
          labelSmoothing,
        });
        return tf.mean(out.losses) as tf.Scalar;
      });
      tf.dispose([x, y, m, refT, scaleT]);
      const trainer = new OnnxTrainer(config, await model.toArrays(), {
        adam: ADAM,
        head: { kind: 'dpo', beta, labelSmoothing, loss },
        emitGrads: true,
        threads: 1,
      });
      try {
        const out = await trainer.step(
          { rows: R, seqLen: T, ids, targets, mask, rowScale, ref: refLp },
          1e-3,
          0,
        );
        // float32 sums over lab-base's larger rows differ by ~1e-5 relative
        expect(Math.abs(out.loss - ref.loss) / ref.loss).toBeLessThan(5e-5);
        for (const [name, g] of ref.grads) {
          const err = relErr(out.grads!.get(name)!, g, floorOf(ref.grads));
          expect(err, `${name} (${loss}, average ${average})`).toBeLessThan(1e-4);
        }
        expect(floorOf(ref.grads), `${loss}: a gradient reaches the weights`).toBeGreaterThan(1e-9);
      } finally {
        await trainer.release();
      }
    }
    model.dispose();
  });
});
