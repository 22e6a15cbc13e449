// Gradient accumulation for the preference and RL trainers (reward, DPO, PPO): one optimizer step over k
// micro-batches, one forward/backward each, so that a batch too big for memory is taken in pieces.
// Semantics, the same as the language-model trainers' (common.ts lmStep): each micro-batch's loss is
// already weighted by its share of the step (its pairs, or its scored tokens, over the step's), so the
// summed gradients are those of the whole batch; they are clipped by their global norm and applied
// once. A step of k micro-batches of b examples therefore equals one step of a batch of k·b (up to
// float rounding), at the memory of one micro-batch plus the gradient sums.
import * as tf from '@tensorflow/tfjs-core';
import { clipScale, globalNorm, type Adam } from './common';

/** How a statistic of the micro-batches becomes the step's: summed (weighted means), or min / max. */
export type Combine = 'sum' | 'min' | 'max';

/** Splits `items` into `k` consecutive micro-batches of near-equal size (none empty; fewer when short). */
export function microBatches<T>(items: readonly T[], k: number): T[][] {
  const parts = Math.max(1, Math.min(k, items.length));
  const size = Math.ceil(items.length / parts);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One Adam step over `micro` micro-batches: `f(j)` builds micro-batch j's weighted loss and statistics
 * inside the gradient tape (statistics combined by `combine`, default `sum`). Gradients are taken for
 * the trainable variables of `params` (Adam's names → variables), summed, scaled to a global norm of at
 * most `maxGradNorm` (0 = no clipping) and applied only when the loss and the norm are finite. One
 * read-back: `numbers` = [loss, grad_norm, ...stats].
 */
export function accumulatedAdamStep(
  adam: Adam,
  params: Map<string, tf.Variable>,
  lr: number,
  maxGradNorm: number,
  micro: number,
  f: (j: number) => { loss: tf.Scalar; stats: tf.Tensor[] },
  combine: readonly Combine[] = [],
): { numbers: Float32Array; applied: boolean } {
  const vars = [...params.values()].filter((v) => v.trainable);
  const names = new Map([...params].map(([name, v]) => [v.name, name]));
  let grads: Record<string, tf.Tensor> = {};
  let loss: tf.Tensor | null = null;
  let stats: tf.Tensor[] = [];
  try {
    for (let j = 0; j < micro; j++) {
      let partStats: tf.Tensor[] = [];
      const { value, grads: g } = tf.variableGrads(() => {
        const out = f(j);
        partStats = out.stats.map((s) => tf.keep(s));
        return out.loss;
      }, vars);
      const merge = (prev: tf.Tensor | null | undefined, next: tf.Tensor, how: Combine): tf.Tensor => {
        if (!prev) return next;
        const merged =
          how === 'min'
            ? tf.minimum(prev, next)
            : how === 'max'
              ? tf.maximum(prev, next)
              : tf.add(prev, next);
        prev.dispose();
        next.dispose();
        return merged;
      };
      loss = merge(loss, value, 'sum');
      stats = partStats.map((s, i) => merge(stats[i], s, combine[i] ?? 'sum'));
      const next: Record<string, tf.Tensor> = {};
      for (const [varName, t] of Object.entries(g)) {
        const key = names.get(varName) ?? varName;
        next[key] = merge(grads[key], t, 'sum');
      }
      grads = next;
    }
    if (!loss) throw new Error('a step needs at least one micro-batch');
    const total = loss;
    const packed = tf.tidy(() =>
      tf.concat([
        tf.stack([total, globalNorm(Object.values(grads))]),
        ...stats.map((s) => tf.reshape(s, [1])),
      ]),
    );
    const numbers = packed.dataSync() as Float32Array;
    packed.dispose();
    const [l, gradNorm] = numbers;
    const applied = Number.isFinite(l) && Number.isFinite(gradNorm);
    if (applied) adam.apply(grads, lr, clipScale(gradNorm!, maxGradNorm));
    return { numbers, applied };
  } finally {
    tf.dispose([...Object.values(grads), ...stats]);
    if (loss) loss.dispose();
  }
}
