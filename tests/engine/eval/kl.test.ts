// KL to a reference on a model's own greedy replies: the batched, windowed log-probs are those of one
// forward per decoding step (prefixes past the context window included), they pick the reply's own
// tokens and its end token, onnxruntime decoding gives the same ids and end flags, a model is at KL 0 from itself and above it from another, and a reference that reads
// other tokens is refused with a reason.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { decodeReplies, promptIds } from '../../../src/main/engine/eval/answers';
import {
  checkReference,
  checkTokenizerNames,
  replyKlToReference,
  stepLogProbs,
  stepPrefixLengths,
  type KlRow,
} from '../../../src/main/engine/eval/kl';
import { GPT } from '../../../src/main/engine/model/gpt';
import { openInference } from '../../../src/main/engine/onnx/engine';
import { BYTE_VOCAB_SIZE, EOS, byteTokenizer } from '../../../src/main/engine/tokenizer/byte';
import { generateWorld, renderEvalSets } from '../../../src/main/engine/world';

const sets = renderEvalSets(generateWorld({ seed: 3, size: 'tiny' }));
// A 48-token window: the chatml prompts (byte tokens) outgrow it, the plain sums fit in it, and
// plain fact questions outgrow it while the reply is decoded.
const cfg = { vocabSize: BYTE_VOCAB_SIZE, contextLength: 48, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64 };
let model: GPT;
let other: GPT;
let rows: KlRow[];

/** log-softmax of one forward per decoding step over its last C tokens, read at the last position. */
function naiveStepLogProbs(m: GPT, row: KlRow): Float64Array[] {
  const full = [...row.prompt, ...row.reply];
  return stepPrefixLengths(row).map((L) => {
    const w = full.slice(Math.max(0, L - m.config.contextLength), L);
    const logits = tf.tidy(() => m.forward(tf.tensor2d([w], [1, w.length], 'int32')));
    const x = Array.from(logits.dataSync().slice((w.length - 1) * cfg.vocabSize, w.length * cfg.vocabSize));
    logits.dispose();
    const max = Math.max(...x);
    const lse = max + Math.log(x.reduce((a, v) => a + Math.exp(v - max), 0));
    return Float64Array.from(x, (v) => v - lse);
  });
}

/**
 * `seed`'s model, but wherever it would pick `token` (with a positive logit) it picks the end token:
 * the end token's row of the tied embedding is 1.05 × `token`'s. So that some replies end on it.
 */
async function endingOn(token: number, seed: number): Promise<GPT> {
  const base = GPT.init(cfg, seed, false);
  const arrays = await base.toArrays();
  base.dispose();
  const wte = arrays.find((a) => a.name === 'wte')!;
  const D = cfg.dModel;
  for (let d = 0; d < D; d++) wte.data[EOS * D + d] = 1.05 * wte.data[token * D + d]!;
  return GPT.fromArrays(cfg, arrays, false);
}

beforeAll(async () => {
  await selectBackend();
  const probe = GPT.init(cfg, 1, false);
  const all = Object.values(sets)
    .flat()
    .map((i) => promptIds(byteTokenizer, i.prompt, null));
  const probed = await decodeReplies(probe, byteTokenizer, all.slice(0, 40), {
    maxNewTokens: 4,
    batchSize: 64,
  });
  probe.dispose();
  const counts = new Map<number, number>();
  for (const r of probed) counts.set(r.reply[1]!, (counts.get(r.reply[1]!) ?? 0) + 1);
  const common = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  model = await endingOn(common, 1);
  other = GPT.init(cfg, 2, false);
  // Fact questions that outgrow the window, and a few that fit it until their replies are decoded.
  const facts = [...sets.factsHeldOut, ...sets.factsPretrainOnly].map((i) => i.prompt);
  const questions = [
    ...sets.arithmetic.slice(0, 2).map((i) => i.prompt),
    facts.find((q) => q.length > cfg.contextLength)!,
    ...facts.filter((q) => q.length >= 38 && q.length <= 44).filter((_, i) => i % 7 === 0),
  ];
  const prompts = [
    ...questions.map((q) => promptIds(byteTokenizer, q, null)),
    ...questions.slice(0, 3).map((q) => promptIds(byteTokenizer, q, 'chatml')),
  ];
  rows = await decodeReplies(model, byteTokenizer, prompts, { maxNewTokens: 12, batchSize: 4 });
});
afterAll(() => {
  model?.dispose();
  other?.dispose();
});

describe('stepLogProbs', () => {
  it('are the log-probs of one forward per step, and pick the greedy reply tokens', () => {
    expect(rows.some((r) => r.prompt.length > cfg.contextLength)).toBe(true);
    // A reply that ended on the end token scores that choice as one more step.
    expect(rows.some((r) => r.ended)).toBe(true);
    expect(rows.some((r) => !r.ended)).toBe(true);
    const end = (r: KlRow) => r.prompt.length + r.reply.length;
    expect(rows.some((r) => end(r) <= cfg.contextLength)).toBe(true);
    expect(rows.some((r) => r.prompt.length < cfg.contextLength && end(r) > cfg.contextLength)).toBe(true);
    const before = tf.memory().numTensors;
    const { logProbs, offsets } = stepLogProbs(model, rows, 3);
    expect(tf.memory().numTensors).toBe(before);
    const V = cfg.vocabSize;
    rows.forEach((row, r) => {
      const naive = naiveStepLogProbs(model, row);
      expect(offsets[r + 1]! - offsets[r]!).toBe(row.reply.length + (row.ended ? 1 : 0));
      naive.forEach((want, j) => {
        const got = logProbs.subarray((offsets[r]! + j) * V, (offsets[r]! + j + 1) * V);
        let worst = 0;
        for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(got[v]! - want[v]!));
        expect(worst).toBeLessThan(1e-4);
        // Each step's most likely token is the one decoding chose: the reply's, or the end token.
        expect(got.indexOf(Math.max(...got))).toBe(j < row.reply.length ? row.reply[j] : EOS);
      });
    });
  });
});

describe('decodeReplies', () => {
  it('gives the same ids and end flags on onnxruntime as on tfjs', async () => {
    const inf = await openInference(model, { engine: 'onnx' });
    expect(inf.engine).toBe('onnx');
    try {
      const prompts = rows.map((r) => r.prompt);
      const onnx = await decodeReplies(model, byteTokenizer, prompts, {
        maxNewTokens: 12,
        batchSize: 4,
        session: inf.session!,
      });
      expect(onnx).toEqual(rows);
    } finally {
      await inf.session?.release();
    }
  });
});

describe('replyKlToReference', () => {
  it('is 0 against the model itself', async () => {
    const before = tf.memory().numTensors;
    const kls = await replyKlToReference(model, model, rows, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(kls).toHaveLength(rows.length);
    for (const k of kls) {
      expect(Math.abs(k.perToken)).toBeLessThan(1e-5);
      expect(Math.abs(k.sum)).toBeLessThan(1e-5);
      expect(k.steps).toBeGreaterThan(0);
    }
  });

  it('is Σ_v p (log p − log q) per step against another model, mean and sum per reply', async () => {
    const kls = await replyKlToReference(model, other, rows, { batchSize: 3 });
    rows.forEach((row, r) => {
      const p = naiveStepLogProbs(model, row);
      const q = naiveStepLogProbs(other, row);
      const perStep = p.map((lp, j) => lp.reduce((a, v, i) => a + Math.exp(v) * (v - q[j]![i]!), 0));
      const sum = perStep.reduce((a, x) => a + x, 0);
      expect(kls[r]!.steps).toBe(perStep.length);
      expect(kls[r]!.sum).toBeCloseTo(sum, 4);
      expect(kls[r]!.perToken).toBeCloseTo(sum / perStep.length, 4);
      expect(kls[r]!.perToken).toBeGreaterThan(1e-4);
    });
  });
});

describe('checkReference', () => {
  it('refuses a reference that reads with another tokenizer, naming both', () => {
    expect(() => checkTokenizerNames('byte', 'tokenizer.json')).toThrow(
      /reference model reads with tokenizer "tokenizer.json" and the evaluated model with "byte"/,
    );
    expect(() => checkTokenizerNames('byte', 'byte')).not.toThrow();
  });

  it('refuses other tokens under the same name, and another number of model ids', () => {
    const fewer = { ...byteTokenizer, vocabSize: byteTokenizer.vocabSize - 1 };
    expect(() =>
      checkReference({ tokenizer: byteTokenizer, gpt: model }, { tokenizer: fewer, gpt: other }),
    ).toThrow(/other tokens/);
    const bigger = GPT.init({ ...cfg, vocabSize: cfg.vocabSize + 8 }, 3, false);
    try {
      expect(() =>
        checkReference({ tokenizer: byteTokenizer, gpt: model }, { tokenizer: byteTokenizer, gpt: bigger }),
      ).toThrow(/token ids/);
    } finally {
      bigger.dispose();
    }
    expect(() =>
      checkReference({ tokenizer: byteTokenizer, gpt: model }, { tokenizer: byteTokenizer, gpt: other }),
    ).not.toThrow();
  });
});
