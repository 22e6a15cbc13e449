// How far a model has moved from a reference (usually its parent, e.g. the SFT model under DPO or
// PPO), measured on the model's own greedy replies: at each decoding step of a reply, the exact KL
// over the vocabulary between the model's next-token distribution p and the reference's q,
//   KL_t = Σ_v p(v) (log p(v) − log q(v)),
// both read with teacher forcing on prompt + reply. A reply's `perToken` is the mean of KL_t over its
// steps, `sum` their sum. Not an estimate from sampled tokens (as PPO's penalty is): exact, since the
// vocabulary is small.
//
// The steps of a reply are the decoding steps that chose its tokens, plus the step that chose the end
// token when it ended on one (DecodedReply.ended). Each step is read where decoding read it: the
// logits after the last min(L, C) tokens of its L-token prefix, C being each model's own context
// length. Prefixes that fit the window are read from one forward pass over the row's first C tokens
// (the models are causal); longer ones each get their own window of the last C tokens. Windows are
// batched, padded on the right; no gradients are taken and every tensor is disposed.
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../model/gpt';
import type { Tokenizer } from '../tokenizer/types';
import type { DecodedReply } from './answers';

export type KlRow = Pick<DecodedReply, 'prompt' | 'reply' | 'ended'>;

export interface ReplyKl {
  /** Mean of KL_t over the reply's steps (0 for a reply with no steps). */
  perToken: number;
  /** Sum of KL_t over the reply's steps. */
  sum: number;
  /** Decoding steps scored. */
  steps: number;
}

/** Prefix lengths of a row's decoding steps: one per reply token, plus one for an end token. */
export function stepPrefixLengths(row: KlRow): number[] {
  const P = row.prompt.length;
  const n = row.reply.length + (row.ended ? 1 : 0);
  return Array.from({ length: n }, (_, j) => P + j);
}

/**
 * log p(· | prefix) at every decoding step of every row, under `model`: rows' steps in order,
 * `logProbs` [steps, V] row-major, row r's steps at [offsets[r], offsets[r + 1]).
 */
export function stepLogProbs(
  model: GPT,
  rows: readonly KlRow[],
  batchSize = 32,
): { logProbs: Float32Array; offsets: number[] } {
  const { contextLength: C, vocabSize: V } = model.config;
  const windows: number[][] = [];
  const reads: { window: number; at: number }[] = []; // in step order, hence in window order
  const offsets = [0];
  for (const [r, row] of rows.entries()) {
    if (row.prompt.length === 0) throw new Error(`kl_to_reference: prompt ${r + 1} is empty`);
    const full = [...row.prompt, ...row.reply];
    const lengths = stepPrefixLengths(row);
    const fitting = lengths.filter((L) => L <= C);
    if (fitting.length > 0) {
      windows.push(full.slice(0, Math.max(...fitting)));
      for (const L of fitting) reads.push({ window: windows.length - 1, at: L - 1 });
    }
    for (const L of lengths.filter((L) => L > C)) {
      windows.push(full.slice(L - C, L));
      reads.push({ window: windows.length - 1, at: C - 1 });
    }
    offsets.push(reads.length);
  }
  const logProbs = new Float32Array(reads.length * V);
  const indexed = reads.map((r, i) => ({ ...r, i }));
  for (let start = 0; start < windows.length; start += batchSize) {
    const chunk = windows.slice(start, start + batchSize);
    const T = Math.max(...chunk.map((w) => w.length));
    const flat = new Int32Array(chunk.length * T);
    chunk.forEach((w, b) => flat.set(w, b * T));
    const mine = indexed.filter((r) => r.window >= start && r.window < start + chunk.length);
    if (mine.length === 0) continue;
    const positions = mine.map((r) => (r.window - start) * T + r.at);
    const out = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(flat, [chunk.length, T], 'int32')); // [b, T, V]
      const x = tf.gather(tf.reshape(logits, [-1, V]), tf.tensor1d(positions, 'int32')); // [n, V]
      const shifted = tf.sub(x, tf.max(x, -1, true)); // [n, V]
      return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true))); // log softmax: [n, V]
    });
    const values = out.dataSync();
    out.dispose();
    mine.forEach((r, k) => logProbs.set(values.subarray(k * V, (k + 1) * V), r.i * V));
  }
  return { logProbs, offsets };
}

const WHY = 'kl_to_reference compares next-token distributions, so both models must read the same tokens';

/** The reference must read with the tokenizer of the same name; throws an error that names both. */
export function checkTokenizerNames(modelTokenizer: string, referenceTokenizer: string): void {
  if (modelTokenizer !== referenceTokenizer)
    throw new Error(
      `The reference model reads with tokenizer "${referenceTokenizer}" and the evaluated model with "${modelTokenizer}": ${WHY}`,
    );
}

/**
 * Beyond the name (a tokenizer file is named relative to its model, so two can share one): the same
 * token for every id, and the same number of model ids. Throws an error that says which differs.
 */
export function checkReference(
  model: { tokenizer: Tokenizer; gpt: GPT },
  reference: { tokenizer: Tokenizer; gpt: GPT },
): void {
  const a = model.tokenizer;
  const b = reference.tokenizer;
  const differs =
    a.vocabSize !== b.vocabSize ||
    Array.from({ length: a.vocabSize }, (_, id) => id).some((id) => a.decode([id]) !== b.decode([id]));
  if (differs)
    throw new Error(
      `The reference model's tokenizer has the evaluated model's name but other tokens: ${WHY}`,
    );
  const [va, vb] = [model.gpt.config.vocabSize, reference.gpt.config.vocabSize];
  if (va !== vb)
    throw new Error(`The reference model has ${vb} token ids and the evaluated model ${va}: ${WHY}`);
}

/** KL(model ‖ reference) of each reply (see the header); batches `batchSize` replies at a time. */
export async function replyKlToReference(
  model: GPT,
  reference: GPT,
  rows: readonly KlRow[],
  opts: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<ReplyKl[]> {
  const V = model.config.vocabSize;
  if (reference.config.vocabSize !== V)
    throw new Error(`kl_to_reference: the models have ${V} and ${reference.config.vocabSize} token ids`);
  const batch = opts.batchSize ?? 16;
  const out: ReplyKl[] = [];
  for (let start = 0; start < rows.length; start += batch) {
    if (opts.signal?.aborted) break;
    const chunk = rows.slice(start, start + batch);
    const p = stepLogProbs(model, chunk);
    const q = stepLogProbs(reference, chunk);
    chunk.forEach((_, r) => {
      let sum = 0;
      for (let s = p.offsets[r]!; s < p.offsets[r + 1]!; s++) {
        let kl = 0;
        for (let v = s * V; v < (s + 1) * V; v++) {
          const lp = p.logProbs[v]!;
          kl += Math.exp(lp) * (lp - q.logProbs[v]!);
        }
        sum += kl;
      }
      const steps = p.offsets[r + 1]! - p.offsets[r]!;
      out.push({ perToken: steps === 0 ? 0 : sum / steps, sum, steps });
    });
    await new Promise<void>((res) => setImmediate(res)); // let an abort through
  }
  return out;
}
