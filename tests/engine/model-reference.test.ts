// The model's fast paths (attention as depthwise convolutions, GELU through a sigmoid, hand-written
// gradients for the linear layers, LayerNorm, attention and the log-probabilities) against a
// straightforward GPT-2 written with plain tfjs ops and tfjs's own gradients, on the same weights.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { sequenceLogProbs, tokenLogProbsOf } from '../../src/main/engine/logprobs';
import { GPT, type GPTConfig } from '../../src/main/engine/model/gpt';
import { mulberry32 } from '../../src/main/engine/random';

beforeAll(async () => {
  await selectBackend();
});

/** GPT-2 as written in the textbook: batched matmuls, tanh GELU, log-softmax by autodiff. */
function referenceLogits(model: GPT, ids: tf.Tensor2D): tf.Tensor3D {
  const { vocabSize: V, dModel: D, nLayers, nHeads: H } = model.config;
  const [B, T] = ids.shape;
  const hd = D / H;
  const w = (name: string) => model.weights.get(name)!;
  const ln = (x: tf.Tensor, name: string) => {
    const { mean, variance } = tf.moments(x, -1, true);
    const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(xhat, w(name + '.weight')), w(name + '.bias'));
  };
  const linear = (x: tf.Tensor, name: string) => tf.add(tf.matMul(x, w(name + '.weight')), w(name + '.bias'));
  const gelu = (x: tf.Tensor) =>
    tf.mul(
      tf.mul(x, 0.5),
      tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
    );
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // 1 on and below the diagonal
  const mask = tf.mul(tf.sub(1, causal), -1e9);
  const N = B * T; // activations are [N, D] (tfjs's broadcasting matmul gradient is wrong for [B, T, D] @ [D, F])
  const tok = tf.matMul(tf.cast(tf.oneHot(tf.reshape(ids, [N]), V), 'float32'), w('wte'));
  let x = tf.reshape(tf.add(tf.reshape(tok, [B, T, D]), tf.slice(w('wpe'), [0, 0], [T, D])), [N, D]);
  for (let i = 0; i < nLayers; i++) {
    const p = `h.${i}.`;
    const h = ln(x, p + 'ln_1');
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]); // [B, H, T, hd]
    const [q, k, v] = ['q', 'k', 'v'].map((n) => heads(linear(h, `${p}attn.${n}`)));
    const scores = tf.add(tf.div(tf.matMul(q!, k!, false, true), Math.sqrt(hd)), mask);
    const y = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v!), [0, 2, 1, 3]), [N, D]);
    x = tf.add(x, linear(y, p + 'attn.proj'));
    x = tf.add(x, linear(gelu(linear(ln(x, p + 'ln_2'), p + 'mlp.fc')), p + 'mlp.proj'));
  }
  return tf.reshape(tf.matMul(ln(x, 'ln_f'), w('wte'), false, true), [B, T, V]) as tf.Tensor3D;
}

/** log p(target) by tf.logSoftmax and a one-hot pick, differentiated by tfjs. */
function referenceTokenLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const V = logits.shape[2];
  return tf.sum(tf.mul(tf.logSoftmax(logits), tf.cast(tf.oneHot(targets, V), 'float32')), -1) as tf.Tensor2D;
}

const randomInts = (shape: [number, number], V: number, seed: number) => {
  const rng = mulberry32(seed);
  return tf.tensor2d(
    Array.from({ length: shape[0] }, () => Array.from({ length: shape[1] }, () => rng.int(0, V))),
    shape,
    'int32',
  );
};

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('GPT fast paths vs a straightforward implementation', () => {
  // Shapes with T and B·H that exercise the depthwise-convolution layout and the transposes
  // (M a multiple of 16 and not), and hd ≠ T.
  const configs: [string, GPTConfig, number][] = [
    ['seed-tiny-like', { vocabSize: 50, contextLength: 16, dModel: 64, nLayers: 2, nHeads: 4, dFF: 256 }, 3],
    ['lab-like', { vocabSize: 96, contextLength: 24, dModel: 48, nLayers: 2, nHeads: 3, dFF: 96 }, 4],
  ];

  it.each(configs)('%s: same logits, loss and gradients, no leaked tensors', (_name, cfg, B) => {
    const model = GPT.init(cfg, 21);
    // Non-zero biases and gains, so their gradients and the paths through them are really tested.
    const rng = mulberry32(22);
    for (const [name, v] of model.weights)
      if (!name.startsWith('wte') && !name.startsWith('wpe'))
        v.assign(
          tf.tidy(() => tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', rng.int(0, 1e6)), 0.1))),
        );
    const T = cfg.contextLength;
    const ids = randomInts([B, T], cfg.vocabSize, 23);
    const targets = randomInts([B, T], cfg.vocabSize, 24);
    const mask = tf.tidy(() =>
      tf.cast(tf.greater(tf.randomUniform([B, T], 0, 1, 'float32', 25), 0.3), 'float32'),
    ) as tf.Tensor2D;
    const vars = model.trainableVariables();
    const before = tf.memory().numTensors;

    const fast = tf.tidy(() => model.forward(ids));
    const ref = tf.tidy(() => referenceLogits(model, ids));
    const logitDiff = tf.tidy(() => maxAbs(tf.sub(fast, ref).dataSync() as Float32Array));
    expect(logitDiff).toBeLessThan(1e-4);

    const lossFast = () =>
      tf.tidy(() => tf.sum(sequenceLogProbs(model.forward(ids), targets, mask).sum) as tf.Scalar);
    const lossRef = () =>
      tf.tidy(
        () => tf.sum(tf.mul(referenceTokenLogProbs(referenceLogits(model, ids), targets), mask)) as tf.Scalar,
      );
    const a = tf.variableGrads(lossFast, vars);
    const b = tf.variableGrads(lossRef, vars);
    expect(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!)).toBeLessThan(1e-3);
    const globalScale = Math.max(...vars.map((v) => maxAbs(b.grads[v.name]!.dataSync() as Float32Array)));
    for (const v of vars) {
      const ga = a.grads[v.name]!.dataSync() as Float32Array;
      const gb = b.grads[v.name]!.dataSync() as Float32Array;
      const diff = ga.reduce((m, x, i) => Math.max(m, Math.abs(x - gb[i]!)), 0);
      // Relative to the weight's own gradient, with a floor at 1e-5 of the largest one: the key biases'
      // true gradient is exactly 0 (softmax ignores a per-row constant), so both sides are round-off.
      const scale = Math.max(maxAbs(gb), 1e-5 * globalScale);
      expect(diff / scale, v.name).toBeLessThan(1e-3);
    }
    tf.dispose([fast, ref, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, targets, mask]);
    model.dispose();
  });
});

describe('tokenLogProbsOf', () => {
  it('matches log-softmax and its gradient, also where exp would under- or overflow', () => {
    const rng = mulberry32(31);
    const [B, T, V] = [2, 5, 7];
    const values = Array.from({ length: B * T * V }, () => rng.normal() * 3);
    values[0] = 1000; // one huge logit: exp overflows without the max
    values[V] = -1000; // one tiny one
    values.fill(-80, 2 * V, 3 * V); // a row far below zero
    const logits = tf.tensor3d(values, [B, T, V]);
    const targets = randomInts([B, T], V, 32);
    const weights = tf.randomNormal([B, T], 0, 1, 'float32', 33);
    const before = tf.memory().numTensors;
    const f = (g: (l: tf.Tensor3D, t: tf.Tensor2D) => tf.Tensor2D) =>
      tf.valueAndGrad((l: tf.Tensor) => tf.sum(tf.mul(g(l as tf.Tensor3D, targets), weights)) as tf.Scalar)(
        logits,
      );
    const fast = f((l, t) => tokenLogProbsOf(l, t, V));
    const ref = f(referenceTokenLogProbs);
    const lpFast = tokenLogProbsOf(logits, targets, V);
    const lpRef = tf.tidy(() => referenceTokenLogProbs(logits, targets));
    const lpA = lpFast.dataSync();
    const lpB = lpRef.dataSync();
    lpA.forEach((v, i) =>
      expect(Math.abs(v - lpB[i]!), `position ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(lpB[i]!))),
    );
    expect(Math.abs(fast.value.dataSync()[0]! - ref.value.dataSync()[0]!)).toBeLessThan(1e-3);
    const gA = fast.grad.dataSync();
    const gB = ref.grad.dataSync();
    gA.forEach((v, i) => expect(Math.abs(v - gB[i]!), `grad ${i}`).toBeLessThan(1e-5));
    tf.dispose([fast.value, fast.grad, ref.value, ref.grad, lpFast, lpRef]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets, weights]);
  });
});
