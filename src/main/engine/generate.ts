// Text generation from a GPT with TensorFlow.js: greedy or sampled (temperature, top-k, top-p),
// seeded, for several prompts at once, streamed token by token, stopped by stop tokens, stop strings,
// a token budget or an AbortSignal. It is the simple kind: no KV cache, every step runs the model over
// the whole sequence (its last contextLength tokens), which is fine for the lab's tiny models. The
// fast path for rollouts and evaluation is the ONNX export (see ARCHITECTURE.md, "Compute").
//
// Batching: rows whose sequences have the same length run in one forward pass; rows of different
// lengths run in separate passes. No padding, so a row's tokens never depend on the other rows. Each
// row samples from its own seeded generator, so a row's output depends on (seed, row index, prompt).
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from './model/gpt';
import { mulberry32, type Rng } from './random';
import type { Tokenizer } from './tokenizer/types';

export interface GenerateOptions {
  /** Most tokens added to each prompt. Default 64. */
  maxNewTokens?: number;
  /** Softmax temperature; 0 = greedy (always the most likely token). Default 1. */
  temperature?: number;
  /** Sample only from the k most likely tokens (0 = no limit). Default 0. */
  topK?: number;
  /** Nucleus sampling: only from the most likely tokens whose probabilities sum to p (1 = no limit). Default 1. */
  topP?: number;
  /** Seeds sampling. Default 0. */
  seed?: number;
  /** A row ends when it draws one of these (e.g. EOS, end-of-turn); the stop token is not part of the output. */
  stopTokenIds?: readonly number[];
  /** A row ends when its generated text contains one of these; the text is cut before it. Needs `tokenizer`. */
  stopStrings?: readonly string[];
  /** Decodes generated ids into `text` (and for stop strings). */
  tokenizer?: Pick<Tokenizer, 'decode'>;
  /** Sample only ids below this: a tokenizer with fewer ids than the model (a BPE that stopped merging early). */
  vocabLimit?: number;
  /** Checked before every step; an aborted generation returns what it has, finishReason 'aborted'. */
  signal?: AbortSignal;
}

export type FinishReason = 'stop_token' | 'stop_string' | 'length' | 'aborted';

export interface Generation {
  /** The generated ids (prompt and stop token excluded; for a stop string, up to the token that completed it). */
  ids: number[];
  /** Decoded `ids` (cut before a stop string), when a tokenizer was given. */
  text?: string;
  finishReason: FinishReason;
}

/** One generated token, as streamed. */
export interface GeneratedToken {
  row: number;
  id: number;
  /** Position among the row's generated tokens (0-based). */
  index: number;
}

/**
 * Generate continuations of `prompts` (non-empty id lists), yielding each token as it is chosen and
 * returning every row's result. The model is not modified and no tensor outlives a step.
 */
export async function* generateStream(
  model: GPT,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions = {},
): AsyncGenerator<GeneratedToken, Generation[]> {
  const o = resolve(options);
  const { vocabSize: V, contextLength } = model.config;
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`generate: prompt ${i + 1} is empty; start it with a BOS token`);
    for (const id of p)
      if (!Number.isInteger(id) || id < 0 || id >= V)
        throw new Error(`generate: prompt ${i + 1} has token id ${id}, outside the vocabulary (0–${V - 1})`);
  });
  if (o.stopStrings.length > 0 && !o.tokenizer) throw new Error('generate: stop strings need a tokenizer');
  const rows = prompts.map((p, row) => ({
    seq: [...p],
    out: [] as number[],
    rng: mulberry32((o.seed ^ Math.imul(row + 1, 0x9e3779b9)) >>> 0),
    done: undefined as FinishReason | undefined,
    text: undefined as string | undefined,
  }));
  const stopIds = new Set(o.stopTokenIds);
  for (let step = 0; step < o.maxNewTokens; step++) {
    const active = rows.filter((r) => !r.done);
    if (active.length === 0) break;
    if (o.signal?.aborted) {
      for (const r of active) r.done = 'aborted';
      break;
    }
    const byLength = new Map<number, typeof active>();
    for (const r of active) byLength.set(r.seq.length, [...(byLength.get(r.seq.length) ?? []), r]);
    for (const group of byLength.values()) {
      const logits = lastLogits(
        model,
        group.map((r) => r.seq.slice(-contextLength)),
      ); // [b·V]
      for (const [j, r] of group.entries()) {
        const id = pick(logits.subarray(j * V, j * V + Math.min(V, o.vocabLimit ?? V)), o, r.rng);
        if (stopIds.has(id)) {
          r.done = 'stop_token';
          continue;
        }
        r.seq.push(id);
        r.out.push(id);
        yield { row: rows.indexOf(r), id, index: r.out.length - 1 };
        if (o.stopStrings.length > 0) {
          const text = o.tokenizer!.decode(r.out);
          const at = Math.min(...o.stopStrings.map((s) => text.indexOf(s)).filter((i) => i >= 0));
          if (Number.isFinite(at)) {
            r.done = 'stop_string';
            r.text = text.slice(0, at);
          }
        }
      }
    }
    await new Promise<void>((res) => setImmediate(res)); // let an abort get through
  }
  return rows.map((r) => ({
    ids: r.out,
    ...(o.tokenizer ? { text: r.text ?? o.tokenizer.decode(r.out) } : {}),
    finishReason: r.done ?? 'length',
  }));
}

/** `generateStream` run to the end; `onToken` sees each token as it is chosen. */
export async function generate(
  model: GPT,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions & { onToken?: (t: GeneratedToken) => void } = {},
): Promise<Generation[]> {
  const it = generateStream(model, prompts, options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    options.onToken?.(r.value);
  }
}

type Resolved = Required<Omit<GenerateOptions, 'tokenizer' | 'signal'>> &
  Pick<GenerateOptions, 'tokenizer' | 'signal'>;

function resolve(o: GenerateOptions): Resolved {
  const r: Resolved = {
    maxNewTokens: o.maxNewTokens ?? 64,
    temperature: o.temperature ?? 1,
    topK: o.topK ?? 0,
    topP: o.topP ?? 1,
    seed: o.seed ?? 0,
    stopTokenIds: o.stopTokenIds ?? [],
    stopStrings: (o.stopStrings ?? []).filter((s) => s.length > 0),
    vocabLimit: o.vocabLimit ?? Number.POSITIVE_INFINITY,
    tokenizer: o.tokenizer,
    signal: o.signal,
  };
  if (!Number.isInteger(r.maxNewTokens) || r.maxNewTokens < 0)
    throw new Error(`generate: maxNewTokens must be a whole number ≥ 0 (got ${r.maxNewTokens})`);
  if (!(r.temperature >= 0)) throw new Error(`generate: temperature must be ≥ 0 (got ${r.temperature})`);
  if (!Number.isInteger(r.topK) || r.topK < 0)
    throw new Error(`generate: topK must be a whole number ≥ 0 (got ${r.topK})`);
  if (!(r.topP > 0 && r.topP <= 1)) throw new Error(`generate: topP must be in (0, 1] (got ${r.topP})`);
  return r;
}

/** Logits at the last position of each (equal-length) sequence: [b·V], row-major. */
function lastLogits(model: GPT, seqs: number[][]): Float32Array {
  const b = seqs.length;
  const T = seqs[0]!.length;
  const V = model.config.vocabSize;
  const last = tf.tidy(() => {
    const ids = tf.tensor2d(seqs.flat(), [b, T], 'int32'); // [b, T]
    const logits = model.forward(ids); // [b, T, V]
    return tf.slice(logits, [0, T - 1, 0], [b, 1, V]); // [b, 1, V]
  });
  const data = last.dataSync() as Float32Array;
  last.dispose();
  return data;
}

/** Choose the next id from one row's logits [V]. */
export function pick(
  logits: Float32Array,
  o: Pick<Resolved, 'temperature' | 'topK' | 'topP'>,
  rng: Rng,
): number {
  if (o.temperature === 0 || o.topK === 1) return argmax(logits);
  const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const kept = o.topK > 0 ? order.slice(0, o.topK) : order;
  const max = logits[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((logits[i]! - max) / o.temperature));
  const total = weights.reduce((a, w) => a + w, 0);
  let n = kept.length;
  if (o.topP < 1) {
    let cum = 0;
    for (let i = 0; i < kept.length; i++) {
      cum += weights[i]! / total;
      if (cum >= o.topP) {
        n = i + 1;
        break;
      }
    }
  }
  const mass = weights.slice(0, n).reduce((a, w) => a + w, 0);
  let u = rng.next() * mass;
  for (let i = 0; i < n; i++) {
    u -= weights[i]!;
    if (u < 0) return kept[i]!;
  }
  return kept[n - 1]!;
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
