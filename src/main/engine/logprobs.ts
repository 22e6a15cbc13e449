// Sequence log-probabilities under a language model's logits: for each sequence, the sum over masked
// positions of log p(target token | prefix). Used by preference losses (DPO and relatives). Computed
// as logit[target] − logsumexp(logits) with the max subtracted, from kernels every backend has (no
// logSoftmax, no gather), with a hand-written gradient (see tokenLogProbsOf).
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

/**
 * log p(targets) per position: [B, T], differentiated by hand (d/dlogits = dy · (onehot − softmax)).
 * With m = max(logits) and p = softmax(logits) (the Softmax kernel, far faster than Exp on wasm):
 * log p(t) = (logit_t − m) − logsumexp(logits − m), and logsumexp(logits − m) = −log max(p), since the
 * largest entry of p is exp(0) / Σ exp(logits − m). max(p) ≥ 1/V, so nothing underflows.
 */
export function tokenLogProbsOf(logits: tf.Tensor3D, targets: tf.Tensor2D, V: number): tf.Tensor2D {
  return tf.tidy(() => {
    const oneHot = oneHotFloat(targets, V); // [B, T, V]
    const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
      const probs = tf.softmax(x); // [B, T, V]
      const picked = tf.sub(tf.sum(tf.mul(x, oneHot), -1), tf.max(x, -1)); // [B, T], logit_t − m ≤ 0
      save([probs, oneHot]); // kept for the backward pass, which runs after this tidy
      return {
        value: tf.add(picked, tf.log(tf.max(probs, -1))), // [B, T]
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [p, hot] = saved as [tf.Tensor, tf.Tensor];
          return tf.mul(tf.sub(hot, p), tf.expandDims(dy, -1)); // [B, T, V]
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
    return f(logits) as tf.Tensor2D;
  });
}
