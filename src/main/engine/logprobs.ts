// Sequence log-probabilities under a language model's logits: for each sequence, the sum over masked
// positions of log p(target token | prefix). Used by preference losses (DPO and relatives). Computed
// as logit[target] − logsumexp(logits) with the max subtracted, from kernels every backend has (no
// logSoftmax, no gather).
import * as tf from '@tensorflow/tfjs-core';
import { oneHotFloat } from './model/gpt';

export interface SequenceLogProbs {
  /** Σ_t mask · log p(target_t): [B]. */
  sum: tf.Tensor1D;
  /** Σ_t mask, the number of scored tokens: [B]. */
  count: tf.Tensor1D;
}

/**
 * logits: [B, T, V], targets: [B, T] int32, mask: [B, T] float32 (1 = scored, 0 = ignored)
 * → per-sequence summed log-prob and token count, both [B]. The caller owns the results.
 */
export function sequenceLogProbs(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
): SequenceLogProbs {
  const [B, T, V] = logits.shape;
  if (targets.shape[0] !== B || targets.shape[1] !== T || mask.shape[0] !== B || mask.shape[1] !== T)
    throw new Error(
      `sequenceLogProbs: logits [${logits.shape}] do not match targets [${targets.shape}] / mask [${mask.shape}]`,
    );
  return tf.tidy(() => {
    const tokenLogProbs = tokenLogProbsOf(logits, targets, V); // [B, T]
    const sum = tf.sum(tf.mul(tokenLogProbs, mask), -1) as tf.Tensor1D; // [B]
    const count = tf.sum(mask, -1) as tf.Tensor1D; // [B]
    return { sum, count };
  });
}

/** log p(targets) per position: [B, T]. */
export function tokenLogProbsOf(logits: tf.Tensor3D, targets: tf.Tensor2D, V: number): tf.Tensor2D {
  return tf.tidy(() => {
    const max = tf.max(logits, -1, true); // [B, T, 1]
    const shifted = tf.sub(logits, max); // [B, T, V], ≤ 0
    const logZ = tf.log(tf.sum(tf.exp(shifted), -1)); // [B, T], log Σ exp(shifted) ≥ 0
    const picked = tf.sum(tf.mul(shifted, oneHotFloat(targets, V)), -1); // [B, T]
    return tf.sub(picked, logZ) as tf.Tensor2D; // [B, T]
  });
}
