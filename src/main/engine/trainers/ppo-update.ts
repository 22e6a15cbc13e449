// PPO's optimisation phase (trainers/ppo.ts): the targets of an iteration's rollouts (KL-penalised
// rewards, GAE advantages and returns), then `ppoEpochs` passes over the rollouts, each in an order
// seeded by (seed, iteration, epoch) and split into `numMiniBatches` minibatches, one clipped policy +
// value update each on the shared trunk and its value head, taken in gradientAccumulationSteps
// micro-batches when asked (the same update at the memory of one micro-batch; accumulate.ts). The
// formulas are losses/ppo.ts; gradients are clipped to maxGradNorm, none applied on a non-finite loss.
import * as tf from '@tensorflow/tfjs-core';
import type { PpoConfig } from '../../../shared/schemas';
import { tokenLogProbsOf } from '../logprobs';
import { clippedPolicyLoss, clippedValueLoss, gae, klPerToken, tokenRewards, whiten } from '../losses/ppo';
import type { GPT } from '../model/gpt';
import type { ScalarHead } from '../model/heads';
import { mulberry32, permutation } from '../random';
import { accumulatedAdamStep, microBatches } from './accumulate';
import type { Adam } from './common';
import { batchTensors, scoreRollouts, type RolloutBatch } from './ppo-rollouts';

/** Per-minibatch statistics, in the order the update packs them. */
const UPDATE_STATS = [
  'loss/policy',
  'loss/value',
  'policy/clipfrac',
  'val/clipfrac',
  'policy/approxkl',
  'val/ratio',
] as const;

export interface Targets {
  oldLogp: Float32Array;
  oldValues: Float32Array;
  /** Whitened advantages. */
  adv: Float32Array;
  returns: Float32Array;
}

/**
 * The update's targets for an iteration's rollouts. Old log-probs and values come from the policy and
 * the reference's log-probs from the reference (no gradients, at the sampling temperature); each
 * response token's reward is −β·KL to the reference, plus the score at its last token; GAE turns
 * rewards and values into advantages (whitened) and returns. Also gives the per-token KL and
 * non-score reward for the metrics.
 */
export function ppoTargets(
  policy: GPT,
  vHead: ScalarHead,
  /** The frozen reference, or its log-probs of the rollouts already computed (onnxruntime), [B·T]. */
  reference: GPT | Float32Array,
  data: RolloutBatch,
  scores: readonly number[],
  beta: number,
  config: PpoConfig,
): { targets: Targets; klTok: Float32Array; nonScore: Float32Array } {
  const dims = { B: data.B, T: data.T };
  const old = scoreRollouts(policy, vHead, data, config.temperature);
  const ref =
    reference instanceof Float32Array
      ? { logp: reference }
      : scoreRollouts(reference, null, data, config.temperature);
  const klTok = klPerToken(old.logp, ref.logp, data.mask, config.klEstimator);
  const { rewards, nonScore } = tokenRewards(klTok, scores, data.mask, beta, dims);
  const { advantages, returns } = gae(rewards, old.values, data.mask, config.gamma, config.lam, dims);
  const targets = { oldLogp: old.logp, oldValues: old.values, adv: whiten(advantages, data.mask), returns };
  return { targets, klTok, nonScore };
}

/**
 * `ppoEpochs` passes over the rollouts, each in a seeded order split into `numMiniBatches` minibatches,
 * one clipped update each. Returns the update statistics averaged over the minibatches, or where the
 * loss first became non-finite (that update is not applied).
 */
export function optimise(
  policy: GPT,
  vHead: ScalarHead,
  adam: Adam,
  params: Map<string, tf.Variable>,
  data: RolloutBatch,
  targets: Targets,
  config: PpoConfig,
  iteration: number,
):
  | { stats: Record<string, number> }
  | { failed: { loss: number; gradNorm: number; epoch: number; minibatch: number } } {
  const sums = new Array<number>(UPDATE_STATS.length + 1).fill(0);
  let updates = 0;
  for (let e = 0; e < config.ppoEpochs; e++) {
    const seed = (config.seed ^ Math.imul(iteration, 0x85ebca6b) ^ Math.imul(e + 1, 0xc2b2ae35)) >>> 0;
    const order = permutation(data.B, mulberry32(seed));
    for (let k = 0; k < config.numMiniBatches; k++) {
      const rows = order.filter((_, j) => j % config.numMiniBatches === k);
      const r = ppoUpdate(policy, vHead, adam, params, data, rows, targets, config);
      if (!r.applied)
        return { failed: { loss: r.loss, gradNorm: r.gradNorm, epoch: e + 1, minibatch: k + 1 } };
      [...r.stats, r.gradNorm].forEach((v, i) => (sums[i]! += v));
      updates++;
    }
  }
  const names = [...UPDATE_STATS, 'grad_norm'];
  return { stats: Object.fromEntries(names.map((name, i) => [name, sums[i]! / updates])) };
}

/**
 * One clipped PPO step (policy + vfCoef · value loss) on the rollouts `rows`, in
 * `config.gradientAccumulationSteps` micro-batches (accumulate.ts): each micro-batch's masked means are
 * weighted by its share of the response tokens, so the step equals one over all of `rows`.
 */
export function ppoUpdate(
  policy: GPT,
  vHead: ScalarHead,
  adam: Adam,
  params: Map<string, tf.Variable>,
  data: RolloutBatch,
  rows: readonly number[],
  targets: Targets,
  config: PpoConfig,
): { loss: number; gradNorm: number; stats: number[]; applied: boolean } {
  const tokensOf = (rs: readonly number[]) =>
    rs.reduce((a, b) => a + data.mask.subarray(b * data.T, (b + 1) * data.T).reduce((x, y) => x + y, 0), 0);
  const total = Math.max(tokensOf(rows), 1);
  const parts = microBatches(rows, config.gradientAccumulationSteps).map((rs) => ({
    share: tokensOf(rs) / total,
    t: batchTensors(data, rs, { ...targets }),
  }));
  try {
    const step = accumulatedAdamStep(
      adam,
      params,
      config.learningRate,
      config.maxGradNorm,
      parts.length,
      (j) => {
        const { share, t } = parts[j]!;
        const { oldLogp, oldValues, adv, returns } = t.extra as Record<keyof Targets, tf.Tensor2D>;
        const { logits, hidden } = policy.forwardWithHidden(t.inputs); // [b, T, V], [b, T, D]
        const logp = tokenLogProbsOf(
          tf.div(logits, config.temperature) as tf.Tensor3D,
          t.targets,
          policy.config.vocabSize,
        ); // [b, T]
        const pg = clippedPolicyLoss(logp, oldLogp, adv, t.mask, config.clipRange);
        const vf = clippedValueLoss(vHead.apply(hidden), oldValues, returns, t.mask, config.clipRangeValue);
        const loss = tf.mul(tf.add(pg.loss, tf.mul(vf.loss, config.vfCoef)), share) as tf.Scalar;
        const stats = [pg.loss, vf.loss, pg.clipfrac, vf.clipfrac, pg.approxkl, pg.ratio].map((x) =>
          tf.mul(x, share),
        );
        return { loss, stats };
      },
    );
    const [loss, gradNorm, ...stats] = Array.from(step.numbers);
    return { loss: loss!, gradNorm: gradNorm!, stats, applied: step.applied };
  } finally {
    for (const { t } of parts) tf.dispose([t.inputs, t.targets, t.mask, ...Object.values(t.extra)]);
  }
}
