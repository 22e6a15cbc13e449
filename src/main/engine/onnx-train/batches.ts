// Batches for the onnxruntime training step from the trainers' rows, as plain arrays: the LM rows of
// trainers/common.ts (lmBatch's layout: inputs, next-token targets, 0/1 mask, right-padded with id 0 and
// weight 0), the preference pairs of data/preference-pairs.ts and KTO's unpaired examples with their KL
// pairs (data/unpaired.ts). A batch may be padded to a longer length (`padTo`) so that fewer distinct
// shapes (one graph each) occur: padding comes after every scored position, and the attention is
// causal, so the loss and gradients do not change.
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
  ref: readonly Float32Array[] | null,
  indices: readonly number[],
  average: boolean,
): RowSetBatch {
  return stackRowSets([data.chosen, data.rejected], data.T, ref, indices, average);
}

/**
 * A KTO step's examples as one batch (heads/kto.ts): the examples at `indices`, desirable ones first
 * (as trainers/dpo-steps.ts ktoStep orders them), in rows 0..b−1, their KL pairs in the same order in
 * rows b..2b−1; `ref` = [examples', KL pairs'] reference log-probs; `desirable` [b] 1/0 per example.
 */
export function ktoBatch(
  data: { T: number; examples: TokenRowsLike; kl: TokenRowsLike; desirable: readonly boolean[] },
  ref: readonly Float32Array[],
  indices: readonly number[],
): RowSetBatch & { floats: { desirable: Float32Array }; desirableCount: number; undesirableCount: number } {
  const good = indices.filter((i) => data.desirable[i]);
  const bad = indices.filter((i) => !data.desirable[i]);
  const rows = [...good, ...bad];
  const desirable = Float32Array.from(rows, (_, j) => (j < good.length ? 1 : 0));
  return {
    ...stackRowSets([data.examples, data.kl], data.T, ref, rows, false),
    floats: { desirable },
    desirableCount: good.length,
    undesirableCount: bad.length,
  };
}

type RowSetBatch = Required<Pick<OnnxBatch, 'mask' | 'rowScale' | 'ref'>> & OnnxBatch;

/**
 * The rows at `indices` of each row set in turn (set k in rows k·b..(k+1)·b−1), with `row_scale` 1 or
 * 1 / scored tokens (`average`) and `ref` from `ref[k]` (zeros without a reference).
 */
function stackRowSets(
  sets: readonly TokenRowsLike[],
  T: number,
  ref: readonly Float32Array[] | null,
  indices: readonly number[],
  average: boolean,
): RowSetBatch {
  const b = indices.length;
  const R = sets.length * b;
  const ids = new Int32Array(R * T);
  const targets = new Int32Array(R * T);
  const mask = new Float32Array(R * T);
  const rowScale = new Float32Array(R);
  const refs = new Float32Array(R);
  sets.forEach((rows, k) => {
    indices.forEach((idx, j) => {
      const from = idx * T;
      const row = k * b + j;
      ids.set(rows.inputs.subarray(from, from + T), row * T);
      targets.set(rows.targets.subarray(from, from + T), row * T);
      const m = rows.mask.subarray(from, from + T);
      mask.set(m, row * T);
      const count = m.reduce((a, x) => a + x, 0);
      rowScale[row] = average ? 1 / Math.max(count, 1) : 1;
      refs[row] = ref ? ref[k]![idx]! : 0;
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
