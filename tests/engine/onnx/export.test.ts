// The ONNX export against the tfjs forward: logits within 1e-4 for every preset the lab trains and
// several (B, T), including a single token and the full context; the KV-cache export decoding step by
// step equals the full forward; greedy decoding on ONNX (with and without the cache) picks the tokens
// generate.ts picks. Runs on onnxruntime's CPU provider here (CUDA is absent; the reason says so).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { generate } from '../../../src/main/engine/generate';
import { GPT } from '../../../src/main/engine/model/gpt';
import { MODEL_PRESETS, type ModelPresetName } from '../../../src/main/engine/model/presets';
import { greedyDecode } from '../../../src/main/engine/onnx/decode';
import { exportOnnx } from '../../../src/main/engine/onnx/export';
import { createSession, type OnnxSession } from '../../../src/main/engine/onnx/session';
import { mulberry32 } from '../../../src/main/engine/random';

const TOL = 1e-4;

beforeAll(async () => {
  await selectBackend();
});

const randomIds = (B: number, T: number, V: number, seed: number) => {
  const rng = mulberry32(seed);
  return Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(0, V)));
};

/** tfjs logits [B, T, V] as a flat array. */
function tfLogits(model: GPT, ids: number[][]): Float32Array {
  const x = tf.tensor2d(ids, undefined, 'int32');
  const y = model.forward(x);
  const data = y.dataSync() as Float32Array;
  x.dispose();
  y.dispose();
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const presets: ModelPresetName[] = ['seed-tiny', 'byte-tiny', 'lab-small'];

describe('exportOnnx', () => {
  const models = new Map<ModelPresetName, GPT>();
  afterAll(() => {
    for (const m of models.values()) m.dispose();
  });

  it.each(presets)('%s: ONNX logits match the tfjs forward within 1e-4', async (preset) => {
    const cfg = MODEL_PRESETS[preset];
    const model = GPT.init(cfg, 11);
    models.set(preset, model);
    const before = tf.memory().numTensors;
    const bytes = exportOnnx(model);
    expect(tf.memory().numTensors).toBe(before);
    const session = await createSession(bytes, { threads: 1 });
    expect(session.provider).toBe('cpu');
    expect(session.kvCache).toBe(false);
    expect(session.vocabSize).toBe(cfg.vocabSize);
    const shapes: [number, number][] = [
      [1, 1],
      [2, 7],
      [3, cfg.contextLength],
      [5, Math.min(33, cfg.contextLength)],
    ];
    let worst = 0;
    for (const [i, [B, T]] of shapes.entries()) {
      const ids = randomIds(B, T, cfg.vocabSize, 100 + i);
      const out = await session.run(ids);
      expect(out.dims).toEqual([B, T, cfg.vocabSize]);
      worst = Math.max(worst, maxAbsDiff(out.data, tfLogits(model, ids)));
    }
    console.log(`${preset}: max |onnx − tfjs| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOL);
    await session.release();
  });

  it('differs from a model with other weights (the parity check can fail)', async () => {
    const cfg = MODEL_PRESETS['seed-tiny'];
    const a = GPT.init(cfg, 1);
    const b = GPT.init(cfg, 2);
    const session = await createSession(exportOnnx(a));
    const ids = randomIds(2, 8, cfg.vocabSize, 5);
    expect(maxAbsDiff((await session.run(ids)).data, tfLogits(b, ids))).toBeGreaterThan(TOL);
    await session.release();
    a.dispose();
    b.dispose();
  });

  it.each(presets)('%s: KV-cache decoding step by step equals the full forward', async (preset) => {
    const cfg = MODEL_PRESETS[preset];
    const model = models.get(preset) ?? GPT.init(cfg, 11);
    models.set(preset, model);
    const session = await createSession(exportOnnx(model, { kvCache: true }));
    expect(session.kvCache).toBe(true);
    const B = 3;
    const T = Math.min(20, cfg.contextLength);
    const ids = randomIds(B, T, cfg.vocabSize, 42);
    const full = tfLogits(model, ids); // [B, T, V]
    const V = cfg.vocabSize;
    // A 5-token prompt, then chunks of 1, 3 and 1 tokens, … to the end.
    const chunks = [5, 1, 3];
    let at = 0;
    let cache: Awaited<ReturnType<OnnxSession['step']>>['cache'] | undefined;
    let worst = 0;
    for (let c = 0; at < T; c++) {
      const n = Math.min(chunks[c] ?? 1, T - at);
      const r = await session.step(
        ids.map((row) => row.slice(at, at + n)),
        cache,
      );
      expect(r.logits.dims).toEqual([B, n, V]);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < n; t++) {
          const got = r.logits.data.subarray((b * n + t) * V, (b * n + t + 1) * V);
          const want = full.subarray((b * T + at + t) * V, (b * T + at + t + 1) * V);
          worst = Math.max(worst, maxAbsDiff(got, want));
        }
      cache = r.cache;
      at += n;
      expect(cache.length).toBe(at);
    }
    console.log(`${preset} (KV cache): max |onnx − tfjs| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOL);
    // run() on a KV export is the full forward with an empty cache.
    expect(maxAbsDiff((await session.run(ids)).data, full)).toBeLessThan(TOL);
    await session.release();
  });

  it('greedy decoding with and without the cache picks the tokens generate.ts picks', async () => {
    const cfg = MODEL_PRESETS['seed-tiny']; // contextLength 16: the run crosses the window
    const model = GPT.init(cfg, 3);
    const prompts = randomIds(2, 4, cfg.vocabSize, 9);
    const maxNewTokens = 16;
    const want = (await generate(model, prompts, { maxNewTokens, temperature: 0 })).map((g) => g.ids);
    const plain = await createSession(exportOnnx(model));
    const cached = await createSession(exportOnnx(model, { kvCache: true }));
    const opts = { maxNewTokens, contextLength: cfg.contextLength };
    expect(await greedyDecode(plain, prompts, opts)).toEqual(want);
    expect(await greedyDecode(cached, prompts, opts)).toEqual(want);
    await plain.release();
    await cached.release();
    model.dispose();
  });
});

describe('createSession', () => {
  it('says which provider it chose and why, and rejects bad ids with the row and id', async () => {
    const cfg = MODEL_PRESETS['seed-tiny'];
    const model = GPT.init(cfg, 1);
    const session = await createSession(exportOnnx(model), { threads: 2 });
    expect(session.reason).toMatch(/CUDA provider unavailable .*; using cpu \(2 threads\)/);
    await expect(session.run([[1, 2], [3]])).rejects.toThrow(/row 2 has 1 tokens/);
    await expect(session.run([[1, 50]])).rejects.toThrow(/token id 50, outside the vocabulary \(0–49\)/);
    await expect(session.step([[1]])).rejects.toThrow(/kvCache: true/);
    await session.release();
    const cpu = await createSession(exportOnnx(model), { provider: 'cpu' });
    expect(cpu.reason).toBe('requested; using cpu (1 thread)');
    await cpu.release();
    await expect(createSession(exportOnnx(model), { threads: 0 })).rejects.toThrow(/threads/);
    model.dispose();
  });
});
