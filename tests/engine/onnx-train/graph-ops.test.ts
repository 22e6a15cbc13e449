// The graph builder's hand-written gradients (onnx-train/graph.ts) against tfjs on random inputs: for
// each op, a loss Σ w · op(inputs) with random weights w, differentiated by the generated ONNX graph on
// onnxruntime, gives the value and the gradient of every input that tfjs's tf.grads gives for the same
// function (model/kernels.ts for GELU and LayerNorm, as the GPT uses them). Covers the ops whose
// backward passes were rewritten for speed: GELU (forward fused by onnxruntime, gradient recomputed),
// LayerNorm, softmax, per-token log-probs (scatter instead of a one-hot), a @ bᵀ (matmulNT), and the
// one-pass affine map scaleShift.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import type * as ortTypes from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { gelu as tfGelu, layerNorm as tfLayerNorm } from '../../../src/main/engine/model/kernels';
import { Graph, type Val } from '../../../src/main/engine/onnx-train/graph';
import { mulberry32 } from '../../../src/main/engine/random';
import { relErr } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof ortTypes;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

interface Case {
  /** Float inputs that are differentiated (name → shape, values). */
  inputs: { name: string; shape: number[]; data: Float32Array }[];
  /** int64 inputs (not differentiated). */
  ints?: { name: string; shape: number[]; data: number[] };
  onnx(g: Graph, xs: Val[], ints?: Val): Val;
  tfjs(xs: tf.Tensor[], ints?: tf.Tensor): tf.Tensor;
}

/** Value of Σ w · op and its gradients on onnxruntime (graph.ts) and on tfjs. */
async function compare(c: Case, seed: number) {
  const g = new Graph();
  const xs = c.inputs.map((x) => g.input(x.name, x.shape, 'float', true));
  const ints = c.ints ? g.input(c.ints.name, c.ints.shape, 'int64') : undefined;
  const y = c.onnx(g, xs, ints);
  const wData = randomArray(size(y.shape), seed);
  const w = g.input('w', y.shape);
  const loss = g.reduceSum(
    g.mul(y, w),
    y.shape.map((_, i) => i),
  );
  g.output(loss, 'loss');
  g.grad(loss, xs).forEach((gr, i) => g.output(gr, `grad_${i}`));
  const session = await ort.InferenceSession.create(g.encode('ops'), { graphOptimizationLevel: 'all' });
  const feeds: Record<string, ortTypes.Tensor> = { w: new ort.Tensor('float32', wData, y.shape.slice()) };
  for (const x of c.inputs) feeds[x.name] = new ort.Tensor('float32', x.data, x.shape);
  if (c.ints)
    feeds[c.ints.name] = new ort.Tensor('int64', BigInt64Array.from(c.ints.data, BigInt), c.ints.shape);
  const out = await session.run(feeds);
  await session.release();
  const onnx = {
    loss: (out['loss']!.data as Float32Array)[0]!,
    grads: c.inputs.map((_, i) => out[`grad_${i}`]!.data as Float32Array),
  };

  const tensors = c.inputs.map((x) => tf.tensor(x.data, x.shape));
  const intTensor = c.ints ? tf.tensor(c.ints.data, c.ints.shape, 'int32') : undefined;
  const wt = tf.tensor(wData, y.shape.slice());
  const f = (...a: tf.Tensor[]) => tf.sum(tf.mul(c.tfjs(a, intTensor), wt));
  const value = f(...tensors);
  const grads = tf.grads(f)(tensors);
  const ref = {
    loss: (await value.data())[0]!,
    grads: await Promise.all(grads.map(async (t) => (await t.data()) as Float32Array)),
  };
  tf.dispose([...tensors, wt, value, ...grads, ...(intTensor ? [intTensor] : [])]);
  return { onnx, ref };
}

async function expectSame(c: Case, seed = 1) {
  const { onnx, ref } = await compare(c, seed);
  expect(Math.abs(onnx.loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-6), 'value').toBeLessThan(1e-5);
  onnx.grads.forEach((gr, i) => {
    expect(relErr(gr, ref.grads[i]!, 1e-12), `gradient of ${c.inputs[i]!.name}`).toBeLessThan(1e-5);
  });
}

describe('graph.ts ops: values and gradients equal tfjs', () => {
  it('gelu (tanh form, the forward fused by onnxruntime) over a wide range of x', async () => {
    const shape = [3, 5, 16];
    // |x| up to 8: both tails (σ saturating to 0 and 1) and the middle.
    await expectSame({
      inputs: [{ name: 'x', shape, data: randomArray(size(shape), 2, 8) }],
      onnx: (g, [x]) => g.gelu(x!),
      tfjs: ([x]) => tfGelu(x!),
    });
  });

  it('layerNorm: input, gain and bias', async () => {
    const D = 12;
    const shape = [2, 7, D];
    const x = randomArray(size(shape), 3, 2).map((v, i) => v + (i % D) * 0.3); // rows with a mean ≠ 0
    await expectSame({
      inputs: [
        { name: 'x', shape, data: x },
        { name: 'g', shape: [D], data: randomArray(D, 4).map((v) => 1 + 0.5 * v) },
        { name: 'b', shape: [D], data: randomArray(D, 5, 0.1) },
      ],
      onnx: (g, [x, gain, bias]) => g.layerNorm(x!, gain!, bias!, 1e-5),
      tfjs: ([x, gain, bias]) =>
        tf.reshape(tfLayerNorm(tf.reshape(x!, [-1, D]), gain!, bias!), shape) as tf.Tensor,
    });
  });

  it('concat along an axis, and a stopped input that takes no gradient (frozen rows)', async () => {
    await expectSame({
      inputs: [
        { name: 'a', shape: [2, 3, 4], data: randomArray(24, 11) },
        { name: 'b', shape: [1, 3, 4], data: randomArray(12, 12) },
      ],
      onnx: (g, [a, b]) => g.mul(g.concat([a!, b!], 0), g.concat([b!, a!], 0)),
      tfjs: ([a, b]) => tf.mul(tf.concat([a!, b!], 0), tf.concat([b!, a!], 0)),
    });
    await expectSame({
      inputs: [
        { name: 'a', shape: [3, 2], data: randomArray(6, 13) },
        { name: 'b', shape: [3, 5], data: randomArray(15, 14) },
      ],
      onnx: (g, [a, b]) => g.concat([g.exp(a!), g.stopGradient(b!)], 1),
      // b's values with a zero gradient, as stopGradient
      tfjs: ([a, b]) => tf.concat([tf.exp(a!), tf.add(tf.mul(b!, 0), tf.tensor(b!.dataSync(), b!.shape))], 1),
    });
  });

  it('softmax over the last axis', async () => {
    const shape = [4, 3, 9];
    await expectSame({
      inputs: [{ name: 'x', shape, data: randomArray(size(shape), 6, 3) }],
      onnx: (g, [x]) => g.softmax(x!),
      tfjs: ([x]) => tf.softmax(x!),
    });
  });

  it('tokenLogProbs: log p(target) and its gradient −softmax + one-hot, without a one-hot', async () => {
    const [R, T, V] = [3, 5, 11];
    const rng = mulberry32(7);
    const targets = Array.from({ length: R * T }, () => rng.int(0, V));
    await expectSame({
      inputs: [{ name: 'logits', shape: [R, T, V], data: randomArray(R * T * V, 8, 4) }],
      ints: { name: 'targets', shape: [R, T], data: targets },
      onnx: (g, [logits], t) => g.tokenLogProbs(logits!, t!),
      tfjs: ([logits], t) => {
        const hot = tf.reshape(tf.cast(tf.oneHot(tf.reshape(t!, [-1]), V), 'float32'), [R, T, V]);
        return tf.sum(tf.mul(tf.logSoftmax(logits!), hot), -1);
      },
    });
  });

  it('matmulNT: a @ bᵀ, both operands differentiated', async () => {
    const [B, M, N, K] = [6, 5, 7, 4];
    await expectSame({
      inputs: [
        { name: 'a', shape: [B, M, K], data: randomArray(B * M * K, 9) },
        { name: 'b', shape: [B, N, K], data: randomArray(B * N * K, 10) },
      ],
      onnx: (g, [a, b]) => g.matmulNT(a!, b!),
      tfjs: ([a, b]) => tf.matMul(a!, b!, false, true),
    });
  });

  it('scaleShift: x · scale + shift per row, and with one number for every entry', async () => {
    const [N, D] = [5, 6];
    const x = randomArray(N * D, 11, 3);
    const scale = randomArray(N, 12, 2);
    const shift = randomArray(N, 13);
    const g = new Graph();
    const xv = g.input('x', [N, D]);
    const sv = g.input('scale', [N]);
    const hv = g.input('shift', [N, 1]);
    g.output(g.scaleShift(xv, sv, hv, N), 'rows');
    g.output(g.scaleShift(xv, 0.5, -2), 'all');
    const session = await ort.InferenceSession.create(g.encode('affine'));
    const out = await session.run({
      x: new ort.Tensor('float32', x, [N, D]),
      scale: new ort.Tensor('float32', scale, [N]),
      shift: new ort.Tensor('float32', shift, [N, 1]),
    });
    await session.release();
    const rows = out['rows']!.data as Float32Array;
    const all = out['all']!.data as Float32Array;
    expect(out['rows']!.dims).toEqual([N, D]);
    for (let i = 0; i < N * D; i++) {
      const r = Math.floor(i / D);
      expect(rows[i]!).toBeCloseTo(x[i]! * scale[r]! + shift[r]!, 5);
      expect(all[i]!).toBeCloseTo(x[i]! * 0.5 - 2, 5);
    }
    expect(() => g.scaleShift(xv, sv, hv, 4)).toThrow(/rows/);
  });
});
