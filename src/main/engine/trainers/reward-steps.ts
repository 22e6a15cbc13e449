// The per-step math of the reward-model trainer (trainers/reward.ts): one Adam step of the Bradley-Terry
// loss on a batch of pairs, chosen and rejected read in one forward ([2b, T]), and the held-out
// metrics. The loss is losses/reward.ts; packing sequences and reading the head at each one's last
// token is reward-score.ts, shared with the scorer so that training and scoring read alike.
import * as tf from '@tensorflow/tfjs-core';
import type { RewardConfig } from '../../../shared/schemas';
import { rewardLoss } from '../losses/reward';
import type { GPT } from '../model/gpt';
import type { ScalarHead } from '../model/heads';
import type { OnnxBatch, OnnxTrainer } from '../onnx-train/engine';
import { paddedLength } from '../onnx-train/batches';
import { packSequences, scoreSequences } from '../reward-score';
import { accumulatedAdamStep, microBatches } from './accumulate';
import type { Adam } from './common';

/** A training or held-out pair, cut to fit; `margin` is 0 unless the config uses margins. */
export interface RewardRow {
  chosen: number[];
  rejected: number[];
  margin: number;
  /** Rater disagreement: the labels were swapped on purpose (absent: the data says nothing of it). */
  flipped?: boolean;
}

/** Step metrics, in the order one read-back packs them. */
const STEP_METRICS = ['loss', 'grad_norm', 'accuracy', 'margin', 'mean_reward', 'min_reward', 'max_reward'];

/**
 * One Adam step on `rows` over `params` (trunk and head, by Adam's names), taken in
 * `config.gradientAccumulationSteps` micro-batches (accumulate.ts: the same step as one batch, in
 * pieces); returns the step's metrics (batch means), whether it was applied, and the tokens it read.
 */
export function rewardStep(
  trunk: GPT,
  head: ScalarHead,
  adam: Adam,
  params: Map<string, tf.Variable>,
  rows: readonly RewardRow[],
  config: RewardConfig,
  pad: number,
): { values: Record<string, number>; applied: boolean; tokens: number; micro: number } {
  const n = rows.length;
  const parts = microBatches(rows, config.gradientAccumulationSteps);
  const packed = parts.map((part) => {
    const seqs = [...part.map((r) => r.chosen), ...part.map((r) => r.rejected)];
    const margin = part.some((r) => r.margin !== 0) ? tf.tensor1d(part.map((r) => r.margin)) : 0; // [b]
    return { b: part.length, ...packSequences(seqs, pad), margin }; // ids [2b, T]: chosen rows, then rejected
  });
  const tokens = rows.reduce((a, r) => a + r.chosen.length + r.rejected.length, 0);
  try {
    const { numbers, applied } = accumulatedAdamStep(
      adam,
      params,
      config.learningRate,
      0,
      parts.length,
      (j) => {
        const { b, ids, last, margin } = packed[j]!;
        const share = b / n; // this micro-batch's weight in the step's means
        const rewards = head.atLast(trunk.hidden(ids), last); // [2b]
        const out = rewardLoss({
          chosen: tf.slice(rewards, [0], [b]) as tf.Tensor1D, // [b]
          rejected: tf.slice(rewards, [b], [b]) as tf.Tensor1D, // [b]
          margin,
          centerCoefficient: config.centerRewardsCoefficient,
        });
        const weighted = [out.accuracy, out.margin, out.meanReward].map((t) => tf.mul(t, share));
        const stats = [...weighted, out.minReward, out.maxReward]; // 5
        return { loss: tf.div(tf.sum(out.losses), n) as tf.Scalar, stats };
      },
      ['sum', 'sum', 'sum', 'min', 'max'],
    ); // numbers [7]: the step's one read-back
    return {
      values: Object.fromEntries(STEP_METRICS.map((m, i) => [m, numbers[i]!])),
      applied,
      tokens,
      micro: parts.length,
    };
  } finally {
    for (const p of packed) {
      tf.dispose(p.ids);
      if (typeof p.margin !== 'number') p.margin.dispose();
    }
  }
}

/**
 * The step's pairs as one onnxruntime batch (onnx-train/heads/reward.ts): chosen rows, then rejected,
 * right-padded with `pad` to the longest padded up to a multiple of 16 tokens (at most `contextLength`)
 * so that few batch shapes (one graph each) occur; `last` marks each row's last token, `margin` holds
 * each pair's margin. Targets are unused by the reward head (zeros).
 */
export function rewardBatch(
  rows: readonly RewardRow[],
  pad: number,
  contextLength: number,
): OnnxBatch & { floats: { last: Float32Array; margin: Float32Array } } {
  const seqs = [...rows.map((r) => r.chosen), ...rows.map((r) => r.rejected)];
  const R = seqs.length;
  const T = paddedLength(Math.max(1, ...seqs.map((s) => s.length)), 16, contextLength);
  const ids = new Int32Array(R * T).fill(pad);
  const last = new Float32Array(R * T);
  seqs.forEach((s, i) => {
    if (s.length === 0 || s.length > T)
      throw new Error(`reward batch: sequence ${i + 1} has ${s.length} tokens`);
    ids.set(s, i * T);
    last[i * T + s.length - 1] = 1;
  });
  const margin = Float32Array.from(rows, (r) => r.margin);
  return { rows: R, seqLen: T, ids, targets: new Int32Array(R * T), floats: { last, margin } };
}

/**
 * rewardStep on onnxruntime: every pair of the step in one pass (the micro-batches of a tfjs step
 * together: the same mean loss and metrics), no clipping. `micro` is 1.
 */
export async function onnxRewardStep(
  onnx: OnnxTrainer,
  rows: readonly RewardRow[],
  config: RewardConfig,
  pad: number,
): Promise<{ values: Record<string, number>; applied: boolean; tokens: number; micro: number }> {
  const out = await onnx.step(rewardBatch(rows, pad, onnx.config.contextLength), config.learningRate, 0);
  const tokens = rows.reduce((a, r) => a + r.chosen.length + r.rejected.length, 0);
  const values = Object.fromEntries(
    STEP_METRICS.map((m) => [m, m === 'loss' ? out.loss : m === 'grad_norm' ? out.gradNorm : out.stats[m]!]),
  );
  return { values, applied: out.applied, tokens, micro: 1 };
}

/** Loss, accuracy and mean margin over the held-out pairs, no gradients. */
export function evaluate(
  trunk: GPT,
  head: ScalarHead,
  val: readonly RewardRow[],
  config: RewardConfig,
  pad: number,
): Record<string, number> {
  const m = val.length;
  const seqs = [...val.map((r) => r.chosen), ...val.map((r) => r.rejected)];
  const rewards = scoreSequences(trunk, head, seqs, 2 * config.batchSize, pad); // [2m]
  const stats = tf.tidy(() => {
    const out = rewardLoss({
      chosen: tf.tensor1d(rewards.subarray(0, m)),
      rejected: tf.tensor1d(rewards.subarray(m)),
      margin: val.some((r) => r.margin !== 0) ? tf.tensor1d(val.map((r) => r.margin)) : 0,
      centerCoefficient: config.centerRewardsCoefficient,
    });
    return tf.stack([tf.mean(out.losses), out.accuracy, out.margin]); // [3]
  });
  const [loss, accuracy, margin] = stats.dataSync();
  stats.dispose();
  const out: Record<string, number> = {
    'eval/loss': loss!,
    'eval/accuracy': accuracy!,
    'eval/margin': margin!,
  };
  if (val.some((r) => r.flipped !== undefined)) {
    // Against the gold labels: a flipped pair counts when the model prefers what the rater rejected.
    const right = val.filter((r, i) => rewards[i]! > rewards[m + i]! !== (r.flipped === true)).length;
    out['eval/gold_accuracy'] = right / m;
    out['eval/flipped_share'] = val.filter((r) => r.flipped === true).length / m;
  }
  return out;
}
