// The GPT model: shapes, causality, determinism, tensor ownership, agreement between backends, and
// gradients (tfjs's, and the model's custom matmul gradient) against finite differences.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { sequenceLogProbs } from '../../src/main/engine/logprobs';
import { GPT } from '../../src/main/engine/model/gpt';
import { PRESETS } from '../../src/main/engine/model/presets';
import { mulberry32 } from '../../src/main/engine/random';

let backend = '';
beforeAll(async () => {
  backend = (await selectBackend()).name;
});
afterAll(async () => {
  await selectBackend();
});

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');
const randomIds = (B: number, T: number, V: number, seed: number) => {
  const rng = mulberry32(seed);
  return Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(0, V)));
};

describe('GPT', () => {
  it.each(['seed-tiny', 'byte-tiny'] as const)(
    '%s: logits are [B, T, V] and forward leaks no tensors',
    (preset) => {
      const cfg = PRESETS[preset];
      const model = GPT.init(cfg, 1);
      const x = ids(randomIds(3, cfg.contextLength, cfg.vocabSize, 2));
      const before = tf.memory().numTensors;
      const logits = model.forward(x);
      expect(logits.shape).toEqual([3, cfg.contextLength, cfg.vocabSize]);
      expect(logits.dtype).toBe('float32');
      logits.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const count = model.weights.size;
      expect(count).toBe(4 + 16 * cfg.nLayers);
      x.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before - 1 - count);
    },
  );

  it('is causal: a token changes only the logits at and after its position', () => {
    const model = GPT.init(PRESETS['seed-tiny'], 3);
    const a = randomIds(1, 16, 50, 4);
    const b = [a[0]!.map((t, i) => (i === 9 ? (t + 1) % 50 : t))];
    const [la, lb] = tf.tidy(() => [
      model.forward(ids(a)).arraySync()[0]!,
      model.forward(ids(b)).arraySync()[0]!,
    ]);
    for (let t = 0; t < 16; t++) {
      const diff = Math.max(...la![t]!.map((v, i) => Math.abs(v - lb![t]![i]!)));
      if (t < 9) expect(diff, `position ${t}`).toBeLessThan(1e-6);
      else expect(diff, `position ${t}`).toBeGreaterThan(1e-5);
    }
    model.dispose();
  });

  it('init is deterministic in the seed; clone is an independent copy', async () => {
    const [a, b, c] = [
      GPT.init(PRESETS['seed-tiny'], 7),
      GPT.init(PRESETS['seed-tiny'], 7),
      GPT.init(PRESETS['seed-tiny'], 8),
    ];
    const wte = async (m: GPT) => Array.from((await m.toArrays()).find((w) => w.name === 'wte')!.data);
    expect(await wte(a)).toEqual(await wte(b));
    expect(await wte(a)).not.toEqual(await wte(c));
    const std = Math.sqrt((await wte(a)).reduce((s, v) => s + v * v, 0) / (50 * 64));
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    const copy = a.clone();
    a.weights.get('wte')!.assign(tf.zerosLike(a.weights.get('wte')!));
    expect(await wte(copy)).toEqual(await wte(b));
    for (const m of [a, b, c, copy]) m.dispose();
  });

  it('rejects a sequence longer than the context', () => {
    const model = GPT.init(PRESETS['seed-tiny'], 0);
    const x = ids(randomIds(1, 17, 50, 0));
    expect(() => model.forward(x)).toThrow('sequence of 17 tokens exceeds the context length 16');
    x.dispose();
    model.dispose();
  });

  it('gives the same logits and gradients on the cpu backend as on the default one', async () => {
    const rows = randomIds(2, 16, 50, 5);
    const compute = () => {
      const model = GPT.init(PRESETS['seed-tiny'], 11);
      const x = ids(rows);
      const logits = model.forward(x);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(model.forward(x))) as tf.Scalar,
        model.trainableVariables(),
      );
      const out = {
        logits: Array.from(logits.dataSync()),
        grads: Object.values(grads).map((g) => Array.from(g.dataSync())),
      };
      tf.dispose([x, logits, value, ...Object.values(grads)]);
      model.dispose();
      return out;
    };
    const here = compute();
    await selectBackend('cpu');
    const cpu = compute();
    await selectBackend();
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(maxDiff(here.logits, cpu.logits), `logits ${backend} vs cpu`).toBeLessThan(1e-4);
    here.grads.forEach((g, i) => {
      const scale = Math.max(1e-6, ...cpu.grads[i]!.map(Math.abs));
      expect(maxDiff(g, cpu.grads[i]!) / scale, `grad ${i}`).toBeLessThan(1e-3);
    });
  });

  it('has gradients that match finite differences, weight by weight (directional derivatives)', () => {
    const model = GPT.init(PRESETS['seed-tiny'], 12);
    const rows = randomIds(2, 16, 50, 6);
    const x = ids(rows.map((r) => r.slice(0, 15)));
    const y = ids(rows.map((r) => r.slice(1)));
    const mask = tf.ones([2, 15]) as tf.Tensor2D;
    const loss = () => tf.tidy(() => tf.mean(sequenceLogProbs(model.forward(x), y, mask).sum) as tf.Scalar);
    const vars = model.trainableVariables();
    const names = [...model.weights.keys()];
    const { value, grads } = tf.variableGrads(loss, vars);
    const rng = mulberry32(13);
    const eps = 3e-4; // small: the model is far from linear at 1e-2 along a unit-normal direction
    const lossAt = (v: tf.Variable, base: tf.Tensor, dir: tf.Tensor, sign: number) => {
      v.assign(tf.tidy(() => tf.add(base, tf.mul(dir, sign * eps))));
      const l = loss();
      const out = l.dataSync()[0]!;
      l.dispose();
      return out;
    };
    vars.forEach((v, i) => {
      const dir = tf.tensor(
        Float32Array.from({ length: v.size }, () => rng.normal()),
        v.shape,
      );
      const base = tf.clone(v);
      const analytic = tf.tidy(() => tf.sum(tf.mul(grads[v.name]!, dir)).dataSync()[0]!);
      const numeric = (lossAt(v, base, dir, 1) - lossAt(v, base, dir, -1)) / (2 * eps);
      v.assign(base);
      expect(Math.abs(numeric - analytic), names[i]).toBeLessThan(0.02 * Math.abs(analytic) + 0.02);
      tf.dispose([dir, base]);
    });
    tf.dispose([x, y, mask, value, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('sequenceLogProbs', () => {
  it('matches log softmax computed by hand and respects the mask', () => {
    const logits = tf.tensor3d([
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
      [
        [1000, 0, -1000],
        [5, 1, 1],
      ],
    ]); // [2, 2, 3]
    const targets = tf.tensor2d(
      [
        [2, 1],
        [1, 0],
      ],
      undefined,
      'int32',
    );
    const mask = tf.tensor2d([
      [1, 1],
      [1, 0],
    ]);
    const { sum, count } = sequenceLogProbs(logits, targets, mask);
    const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
    const expected0 = 3 - lse([1, 2, 3]) + (0 - Math.log(3));
    expect(sum.arraySync()[0]).toBeCloseTo(expected0, 5);
    expect(sum.arraySync()[1]).toBeCloseTo(-1000, 3); // stable where a naive softmax overflows
    expect(count.arraySync()).toEqual([2, 1]);
    tf.dispose([logits, targets, mask, sum, count]);
  });
});
