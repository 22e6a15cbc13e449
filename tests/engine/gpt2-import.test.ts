// A GPT-2-shaped checkpoint (HF names, fused c_attn in Conv1D layout, vocab.json + merges.txt) written
// by the test, imported into the lab's GPT: its logits must match GPT-2's forward computed here by hand
// in plain JavaScript loops over the checkpoint's own tensors (no lab model code), within 1e-4.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { GPT, type NamedArray } from '../../src/main/engine/model/gpt';
import {
  decodeFloatSafetensors,
  fromGpt2Tensors,
  readGpt2Folder,
  toGpt2Tensors,
} from '../../src/main/engine/model/gpt2-import';
import { encodeSafetensors } from '../../src/main/engine/safetensors';
import { fromTokenizerJson } from '../../src/main/engine/tokenizer/hf';
import { tempDir } from '../helpers/tmp';
import { writeTinyGpt2, HF_TINY } from './gpt2-fixture';

beforeAll(async () => {
  await selectBackend();
});
const dirs: (() => void)[] = [];
afterAll(() => dirs.forEach((c) => c()));

type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

/** GPT-2's forward pass (HF GPT2LMHeadModel semantics) over HF-named tensors, in plain loops. */
function referenceLogits(t: Tensors, ids: number[]): number[][] {
  const { n_embd: D, n_head: H, n_layer: L, vocab_size: V } = HF_TINY;
  const F = 4 * D;
  const hd = D / H;
  const w = (n: string) => t.get(n)!.data;
  const ln = (x: number[], name: string) => {
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const v = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    const g = w(name + '.weight');
    const b = w(name + '.bias');
    return x.map((xi, i) => ((xi - mean) / Math.sqrt(v + 1e-5)) * g[i]! + b[i]!);
  };
  // Conv1D: y = x @ W + b with W stored [in, out].
  const conv = (x: number[], name: string, out: number) => {
    const W = w(name + '.weight');
    const b = w(name + '.bias');
    const y = Array.from(b.subarray(0, out));
    for (let i = 0; i < x.length; i++) for (let o = 0; o < out; o++) y[o]! += x[i]! * W[i * out + o]!;
    return y;
  };
  const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  const wte = w('wte.weight');
  const wpe = w('wpe.weight');
  let xs = ids.map((id, p) => Array.from({ length: D }, (_, d) => wte[id * D + d]! + wpe[p * D + d]!));
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    const qkv = xs.map((x) => conv(ln(x, p + 'ln_1'), p + 'attn.c_attn', 3 * D));
    const attended = xs.map((_, i) => {
      const out = new Array<number>(D).fill(0);
      for (let h = 0; h < H; h++) {
        const scores = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let d = 0; d < hd; d++) s += qkv[i]![h * hd + d]! * qkv[j]![D + h * hd + d]!;
          scores.push(s / Math.sqrt(hd));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++)
          for (let d = 0; d < hd; d++) out[h * hd + d]! += (e[j]! / z) * qkv[j]![2 * D + h * hd + d]!;
      }
      return out;
    });
    xs = xs.map((x, i) => {
      const a = conv(attended[i]!, p + 'attn.c_proj', D);
      const r = x.map((xi, d) => xi + a[d]!);
      const m = conv(conv(ln(r, p + 'ln_2'), p + 'mlp.c_fc', F).map(gelu), p + 'mlp.c_proj', D);
      return r.map((ri, d) => ri + m[d]!);
    });
  }
  return xs.map((x) => {
    const h = ln(x, 'ln_f');
    return Array.from({ length: V }, (_, v) => h.reduce((s, hd_, d) => s + hd_ * wte[v * D + d]!, 0));
  });
}

function labLogits(arrays: NamedArray[], ids: number[]): number[][] {
  const model = GPT.fromArrays(
    {
      vocabSize: HF_TINY.vocab_size,
      contextLength: HF_TINY.n_positions,
      dModel: HF_TINY.n_embd,
      nLayers: HF_TINY.n_layer,
      nHeads: HF_TINY.n_head,
      dFF: 4 * HF_TINY.n_embd,
    },
    arrays,
    false,
  );
  try {
    const input = tf.tensor2d([ids], [1, ids.length], 'int32');
    const logits = model.forward(input);
    const out = (logits.arraySync() as number[][][])[0]!;
    input.dispose();
    logits.dispose();
    return out;
  } finally {
    model.dispose();
  }
}

describe('GPT-2 checkpoint import', () => {
  for (const prefix of ['', 'transformer.']) {
    it(`imports a random GPT-2 checkpoint ${prefix ? 'with' : 'without'} the transformer. prefix; logits match a hand-computed reference`, async () => {
      const { dir, cleanup } = tempDir();
      dirs.push(cleanup);
      const tensors = writeTinyGpt2(dir, { prefix, seed: prefix ? 7 : 3, lmHead: !prefix });
      const folder = await readGpt2Folder(dir);
      expect(folder.config).toEqual({
        vocabSize: 259,
        contextLength: 16,
        dModel: 16,
        nLayers: 2,
        nHeads: 2,
        dFF: 64,
      });
      expect(folder.files).toEqual(['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']);
      const tok = fromTokenizerJson(folder.tokenizerJson);
      const ids = tok.encode(' the cat');
      expect(ids.slice(0, 2)).toEqual([256, 257]); // " the" → "Ġt" (merge 0) + "he" (merge 1)
      expect(tok.decode(ids)).toBe(' the cat');
      expect(tok.specialId('<|endoftext|>')).toBe(258);
      const seq = [...ids, 258, 5, 100];
      const ref = referenceLogits(tensors, seq);
      const got = labLogits(folder.arrays, seq);
      let maxDiff = 0;
      ref.forEach((row, i) =>
        row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - got[i]![j]!)))),
      );
      expect(maxDiff).toBeLessThan(1e-4);
      // The logits are not trivially equal: different positions give different rows.
      expect(Math.abs(ref[0]![0]! - ref[1]![0]!)).toBeGreaterThan(1e-3);
    });
  }

  it('reads nn.Linear-layout ([out, in]) checkpoints by transposing them', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const tensors = writeTinyGpt2(dir, { prefix: '', seed: 11, linearLayout: true });
    const folder = await readGpt2Folder(dir);
    const seq = [1, 2, 3, 4, 5];
    const conv = new Map(tensors);
    // The reference reads Conv1D layout: transpose the stored matrices back for it.
    for (const [name, t] of tensors)
      if (/(c_attn|c_proj|c_fc)\.weight$/.test(name)) {
        const [o, i] = t.shape as [number, number];
        const d = new Float32Array(t.data.length);
        for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) d[c * o + r] = t.data[r * i + c]!;
        conv.set(name, { shape: [i, o], data: d });
      }
    const ref = referenceLogits(conv, seq);
    const got = labLogits(folder.arrays, seq);
    ref.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - got[i]![j]!)).toBeLessThan(1e-4)));
  });

  it('round-trips: lab arrays → HF GPT-2 tensors → lab arrays', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    writeTinyGpt2(dir, { prefix: '', seed: 5 });
    const folder = await readGpt2Folder(dir);
    const hf = toGpt2Tensors(folder.config, folder.arrays);
    expect(hf.every((t) => t.name.startsWith('transformer.'))).toBe(true);
    const decoded = decodeFloatSafetensors(encodeSafetensors(hf));
    const back = fromGpt2Tensors(folder.config, decoded);
    const byName = new Map(back.map((a) => [a.name, a]));
    for (const a of folder.arrays) expect(Array.from(byName.get(a.name)!.data)).toEqual(Array.from(a.data));
  });

  it('refuses what is not GPT-2, naming the field', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    writeTinyGpt2(dir, { prefix: '', seed: 1 });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...HF_TINY, activation_function: 'relu' }));
    await expect(readGpt2Folder(dir)).rejects.toThrow(/activation_function/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...HF_TINY, n_layer: 3 }));
    await expect(readGpt2Folder(dir)).rejects.toThrow(/h\.2\.mlp\.c_fc\.weight|h\.2\./);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(readGpt2Folder(empty)).rejects.toThrow(/no config\.json/);
  });

  it('reads F16 and BF16 tensors', () => {
    const f16 = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]); // 1.0, -2.0
    const bf16 = new Uint8Array([0x80, 0x3f, 0x40, 0x40]); // 1.0, 3.0
    const header = JSON.stringify({
      a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
    });
    const h = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + h.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
    bytes.set(h, 8);
    bytes.set(f16, 8 + h.length);
    bytes.set(bf16, 12 + h.length);
    const [a, b] = decodeFloatSafetensors(bytes);
    expect(Array.from(a!.data)).toEqual([1, -2]);
    expect(Array.from(b!.data)).toEqual([1, 3]);
  });
});
