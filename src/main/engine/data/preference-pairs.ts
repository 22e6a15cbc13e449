// Preference pairs as token rows ready for a causal LM: for each pair, the chosen and the rejected
// sequence as (inputs, targets = inputs shifted by one, loss mask), padded to one length. Also turns
// text pairs into such rows through the byte tokenizer. Holds plain arrays; tensors are made per batch.
// The pieces (clip, fill, batch) also serve KTO's unpaired examples (unpaired.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { PreferencePairText } from '../types';
import { BOS, EOS, PAD, encode } from '../tokenizer/byte';

/** n sequences of length T, row-major. */
export interface TokenRows {
  inputs: Int32Array; // [n, T]
  targets: Int32Array; // [n, T]
  mask: Float32Array; // [n, T], 1 where the target is scored
}

export interface PreferenceTokens {
  /** Number of pairs. */
  n: number;
  /** Sequence length (inputs and targets). */
  T: number;
  /** Largest token id used, to check against a model's vocabulary. */
  maxId: number;
  chosen: TokenRows;
  rejected: TokenRows;
  /** Things the user should hear about (cut sequences, pairs left without a response). */
  notes: string[];
}

/**
 * Text pairs → token rows. Each sequence is `<|bos|> prompt response <|eos|>` in bytes; only the
 * response bytes and the EOS are scored. Sequences longer than `maxLength` tokens keep their start and
 * are cut (counted in `notes`). Inputs/targets have length ≤ maxLength − 1, padded with `<|pad|>`.
 */
export function tokenizeTextPairs(pairs: readonly PreferencePairText[], maxLength: number): PreferenceTokens {
  const rendered = pairs.map((p, i): RenderedPair => {
    if (p.chosen.length === 0 || p.rejected.length === 0)
      throw new Error(`pair ${i + 1}: a response is empty`);
    return { chosen: byteSequence(p.prompt, p.chosen), rejected: byteSequence(p.prompt, p.rejected) };
  });
  return tokenizeRenderedPairs(rendered, maxLength, PAD);
}

/** `<|bos|> prompt response <|eos|>` in bytes, scoring the response bytes and the EOS. */
export function byteSequence(prompt: string, response: string): RenderedSequence {
  const head = [BOS, ...encode(prompt)];
  const reply = [...encode(response), EOS];
  return { ids: [...head, ...reply], mask: [...head.map(() => 0), ...reply.map(() => 1)] };
}

/** Token sequences (no prompt: every token after the first is scored) → token rows. All of one length. */
export function rowsFromSequences(seqs: readonly number[][]): TokenRows {
  const L = seqs[0]?.length ?? 0;
  const T = L - 1;
  const out: TokenRows = {
    inputs: new Int32Array(seqs.length * T),
    targets: new Int32Array(seqs.length * T),
    mask: new Float32Array(seqs.length * T).fill(1),
  };
  seqs.forEach((s, i) => {
    if (s.length !== L) throw new Error(`sequence ${i + 1} has length ${s.length}, expected ${L}`);
    for (let t = 0; t < T; t++) {
      out.inputs[i * T + t] = s[t]!;
      out.targets[i * T + t] = s[t + 1]!;
    }
  });
  return out;
}

export interface BatchTensors {
  inputs: tf.Tensor2D; // [b, T] int32
  targets: tf.Tensor2D; // [b, T] int32
  mask: tf.Tensor2D; // [b, T] float32
}

/** The rows at `indices` of chosen then rejected, stacked: [2b, T] each (chosen first). Caller disposes. */
export function pairBatch(data: PreferenceTokens, indices: readonly number[]): BatchTensors {
  return rowBatch([data.chosen, data.rejected], data.T, indices);
}

/** The rows at `indices` of each row set in turn, stacked: [sets · b, T] each. Caller disposes. */
export function rowBatch(sets: readonly TokenRows[], T: number, indices: readonly number[]): BatchTensors {
  const b = indices.length;
  const n = sets.length * b;
  const inputs = new Int32Array(n * T);
  const targets = new Int32Array(n * T);
  const mask = new Float32Array(n * T);
  sets.forEach((rows, half) => {
    indices.forEach((idx, j) => {
      const from = idx * T;
      const to = (half * b + j) * T;
      inputs.set(rows.inputs.subarray(from, from + T), to);
      targets.set(rows.targets.subarray(from, from + T), to);
      mask.set(rows.mask.subarray(from, from + T), to);
    });
  });
  return {
    inputs: tf.tensor2d(inputs, [n, T], 'int32'),
    targets: tf.tensor2d(targets, [n, T], 'int32'),
    mask: tf.tensor2d(mask, [n, T], 'float32'),
  };
}

/** A sequence already rendered through a chat template: ids, and 1 on the tokens the loss scores. */
export interface RenderedSequence {
  ids: number[];
  mask: number[];
}

/** A preference pair rendered through a chat template: the same prompt with each response. */
export interface RenderedPair {
  chosen: RenderedSequence;
  rejected: RenderedSequence;
}

/**
 * Rendered pairs → token rows. Sequences longer than `maxLength` tokens keep their start and are cut
 * (counted in `notes`); target t is scored where mask[t + 1] is 1 (an assistant token). Padding uses
 * `pad` (any id: padded positions are never scored and, being after the sequence, never attended to).
 */
export function tokenizeRenderedPairs(
  pairs: readonly RenderedPair[],
  maxLength: number,
  pad = 0,
): PreferenceTokens {
  if (pairs.length === 0) throw new Error('No preference pairs to train on');
  let cut = 0;
  let empty = 0;
  const rows = pairs.map((p) => {
    const chosen = clipSequence(p.chosen, maxLength);
    const rejected = clipSequence(p.rejected, maxLength);
    if (chosen.truncated || rejected.truncated) cut++;
    if (!chosen.scored || !rejected.scored) empty++;
    return { chosen, rejected };
  });
  const all = rows.flatMap((r) => [r.chosen, r.rejected]);
  const T = rowLength(all);
  const notes: string[] = [];
  if (cut > 0)
    notes.push(`${cut} of ${pairs.length} pairs were longer than ${maxLength} tokens and were cut to fit`);
  if (empty > 0)
    notes.push(
      `${empty} of ${pairs.length} pairs had no response tokens left after cutting; they do not affect training`,
    );
  return {
    n: rows.length,
    T,
    maxId: maxIdOf(all, pad),
    chosen: fillRows(
      rows.map((r) => r.chosen),
      T,
      pad,
    ),
    rejected: fillRows(
      rows.map((r) => r.rejected),
      T,
      pad,
    ),
    notes,
  };
}

/** A rendered sequence cut to `maxLength` tokens (its start kept), and whether any target is left scored. */
export function clipSequence(
  s: RenderedSequence,
  maxLength: number,
): RenderedSequence & { truncated: boolean; scored: boolean } {
  if (s.ids.length !== s.mask.length)
    throw new Error('a rendered sequence has ids and mask of different lengths');
  const truncated = s.ids.length > maxLength;
  const ids = truncated ? s.ids.slice(0, maxLength) : s.ids;
  const mask = truncated ? s.mask.slice(0, maxLength) : s.mask;
  return { ids, mask, truncated, scored: mask.slice(1).some((m) => m === 1) };
}

/** The row length T (inputs = sequence minus its last token) that fits every sequence; at least 1. */
export function rowLength(seqs: readonly RenderedSequence[]): number {
  return Math.max(1, ...seqs.map((s) => s.ids.length - 1));
}

/** The largest id in `seqs` (and `pad`). */
export function maxIdOf(seqs: readonly RenderedSequence[], pad: number): number {
  let maxId = pad;
  for (const s of seqs) for (const id of s.ids) if (id > maxId) maxId = id;
  return maxId;
}

/** Sequences → rows of length T padded with `pad`; target t is scored where mask[t + 1] is 1. */
export function fillRows(seqs: readonly RenderedSequence[], T: number, pad: number): TokenRows {
  const out: TokenRows = {
    inputs: new Int32Array(seqs.length * T).fill(pad),
    targets: new Int32Array(seqs.length * T).fill(pad),
    mask: new Float32Array(seqs.length * T),
  };
  seqs.forEach(({ ids, mask }, i) => {
    for (let t = 0; t + 1 < ids.length; t++) {
      out.inputs[i * T + t] = ids[t]!;
      out.targets[i * T + t] = ids[t + 1]!;
      out.mask[i * T + t] = mask[t + 1] === 1 ? 1 : 0;
    }
  });
  return out;
}
