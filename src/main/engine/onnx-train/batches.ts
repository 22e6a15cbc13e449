// Batches for the onnxruntime training step from the trainers' rows, as plain arrays: the LM rows of
// trainers/common.ts (lmBatch's layout: inputs, next-token targets, 0/1 mask, right-padded with id 0 and
// weight 0) and the preference pairs of data/preference-pairs.ts. A batch may be padded to a longer
// length (`padTo`) so that fewer distinct shapes (one graph each) occur: padding comes after every
// scored position, and the attention is causal, so the loss and gradients do not change.
import { lmArrays, type LmRow } from '../trainers/common';
import type { OnnxBatch } from './engine';

export interface LmOnnxBatch extends OnnxBatch {
  weights: Float32Array;
  /** Scored targets and input tokens (padding excluded). */
  scored: number;
  tokens: number;
}

/** The length a batch of longest row `T` is padded to: the next multiple of `multiple`, at most `max`. */
export function paddedLength(T: number, multiple: number, max: number): number {
  return Math.min(max, Math.ceil(T / multiple) * multiple);
}

/** LM rows → ids, targets and loss weights mask / scored (over this batch, or `scoredTotal` when given). */
export function lmRowsBatch(rows: readonly LmRow[], padTo = 0, scoredTotal?: number): LmOnnxBatch {
  const { b, T, inputs: ids, targets, mask, scored, tokens } = lmArrays(rows, padTo);
  const denominator = Math.max(1, scoredTotal ?? scored);
  const weights = mask.map((m) => m / denominator);
  return { rows: b, seqLen: T, ids, targets, weights, mask, scored, tokens };
}

/** The step's pairs as one batch: chosen rows, then rejected rows, each [T]; `ref` the reference log-probs. */
export function pairBatch(
  data: { T: number; chosen: TokenRowsLike; rejected: TokenRowsLike },
  ref: readonly Float32Array[],
  indices: readonly number[],
  average: boolean,
): Required<Pick<OnnxBatch, 'mask' | 'rowScale' | 'ref'>> & OnnxBatch {
  const { T } = data;
  const b = indices.length;
  const R = 2 * b;
  const ids = new Int32Array(R * T);
  const targets = new Int32Array(R * T);
  const mask = new Float32Array(R * T);
  const rowScale = new Float32Array(R);
  const refs = new Float32Array(R);
  [data.chosen, data.rejected].forEach((rows, half) => {
    indices.forEach((idx, j) => {
      const from = idx * T;
      const row = half * b + j;
      ids.set(rows.inputs.subarray(from, from + T), row * T);
      targets.set(rows.targets.subarray(from, from + T), row * T);
      const m = rows.mask.subarray(from, from + T);
      mask.set(m, row * T);
      const count = m.reduce((a, x) => a + x, 0);
      rowScale[row] = average ? 1 / Math.max(count, 1) : 1;
      refs[row] = ref[half]![idx]!;
    });
  });
  return { rows: R, seqLen: T, ids, targets, mask, rowScale, ref: refs };
}

/** The rows of a preference data set (data/preference-pairs.ts TokenRows). */
export interface TokenRowsLike {
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
}
