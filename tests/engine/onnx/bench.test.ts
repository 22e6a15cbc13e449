// The ONNX benchmark's smoke test: every row is measured on a tiny model (1 run), rates are positive
// and finite, and ratios are against the tfjs row of the same task. Speed is not asserted: it is what
// benchOnnx measures (see the lead's report for lab-small numbers).
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { benchOnnx } from '../../../src/main/engine/onnx/bench';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('benchOnnx', () => {
  it('measures forward, scoring and generation on tfjs and onnxruntime', async () => {
    const rows = await benchOnnx({
      preset: 'seed-tiny',
      batch: 4,
      seqLen: 8,
      genBatch: 2,
      promptLen: 2,
      newTokens: 4,
      threads: [1],
      runs: 1,
      warmup: 0,
    });
    expect(rows.map((r) => `${r.task} ${r.impl}`)).toEqual([
      'forward tfjs wasm',
      'score tfjs wasm',
      'generate tfjs wasm',
      'forward onnxruntime cpu ×1',
      'score onnxruntime cpu ×1',
      'generate onnxruntime cpu ×1',
      'generate onnxruntime cpu ×1 + kv',
    ]);
    for (const r of rows) {
      expect(Number.isFinite(r.rate) && r.rate > 0).toBe(true);
      expect(r.unit).toBe(r.task === 'generate' ? 'tok/s' : 'seq/s');
    }
    expect(rows[0]!.vsTfjs).toBe(1);
    expect(rows[3]!.vsTfjs).toBeCloseTo(rows[3]!.rate / rows[0]!.rate);
    expect(rows[4]!.vsTfjs).toBeCloseTo(rows[4]!.rate / rows[1]!.rate);
  });
});
