// The reward-model loss (Bradley-Terry, Ouyang et al. 2022), as a pure function with TRL's semantics
// (huggingface/trl trl/trainer/reward_trainer.py `compute_loss`): per pair,
//   loss = −log σ(r_w − r_l − m) + c · (r_w + r_l)²
// whose batch mean is TRL's `−logsigmoid(r_c − r_r − margin).mean() + center_rewards_coefficient ·
// mean((r_c + r_r)²)`. The metrics are TRL's: accuracy, margin, mean/min/max reward. −log σ(z) is
// written softplus(−z) (see losses/preference.ts); everything runs in tf.tidy; the caller owns the results.
import * as tf from '@tensorflow/tfjs-core';

export interface RewardLossInput {
  /** r(x, y_w), the reward model's scalar score of each chosen response: [B]. */
  chosen: tf.Tensor1D;
  /** r(x, y_l), the score of each rejected response: [B]. */
  rejected: tf.Tensor1D;
  /**
   * m, how much the chosen should beat the rejected by (Llama 2's margin; TRL's optional dataset column
   * `margin`): a number for every pair, or one per pair [B]. Default 0.
   */
  margin?: number | tf.Tensor1D;
  /**
   * c, weight of the centering term c · (r_w + r_l)², which pulls the rewards toward mean zero
   * (Eisenstein et al. 2023; TRL `center_rewards_coefficient`, default none = 0). Non-negative.
   */
  centerCoefficient?: number;
}

export interface RewardLossOutput {
  /** Per-pair loss: [B]; the training loss is its mean. */
  losses: tf.Tensor1D;
  /** Fraction of pairs with r_w > r_l (strictly): []. TRL's `accuracy`. */
  accuracy: tf.Scalar;
  /** mean(r_w − r_l) (the input margin is not subtracted): []. TRL's `margin`. */
  margin: tf.Scalar;
  /** Mean of all 2B rewards: []. TRL's `mean_reward`. */
  meanReward: tf.Scalar;
  /** Smallest of all 2B rewards: []. TRL's `min_reward`. */
  minReward: tf.Scalar;
  /** Largest of all 2B rewards: []. TRL's `max_reward`. */
  maxReward: tf.Scalar;
}

export function rewardLoss(input: RewardLossInput): RewardLossOutput {
  const { chosen, rejected } = input;
  const margin = input.margin ?? 0;
  const c = input.centerCoefficient ?? 0;
  const b = chosen.shape[0];
  if (chosen.rank !== 1 || rejected.rank !== 1 || rejected.shape[0] !== b || b === 0)
    throw new Error(
      `reward loss: chosen [${chosen.shape.join(', ')}] and rejected [${rejected.shape.join(', ')}] ` +
        `must be 1-D of one non-zero length`,
    );
  if (typeof margin === 'number') {
    if (!Number.isFinite(margin)) throw new Error(`reward loss: margin must be a number (got ${margin})`);
  } else if (margin.rank !== 1 || margin.shape[0] !== b) {
    throw new Error(
      `reward loss: margin [${margin.shape.join(', ')}] must be a number or one per pair [${b}]`,
    );
  }
  if (!(Number.isFinite(c) && c >= 0))
    throw new Error(`reward loss: centerCoefficient must be a non-negative number (got ${c})`);
  return tf.tidy(() => {
    const diff = tf.sub(chosen, rejected); // [B] r_w − r_l
    let losses = tf.softplus(tf.neg(tf.sub(diff, margin))); // [B] −log σ(r_w − r_l − m)
    if (c > 0) losses = tf.add(losses, tf.mul(tf.square(tf.add(chosen, rejected)), c)); // [B]
    const all = tf.concat([chosen, rejected]); // [2B]
    return {
      losses: losses as tf.Tensor1D,
      accuracy: tf.mean(tf.cast(tf.greater(chosen, rejected), 'float32')) as tf.Scalar,
      margin: tf.mean(diff) as tf.Scalar,
      meanReward: tf.mean(all) as tf.Scalar,
      minReward: tf.min(all) as tf.Scalar,
      maxReward: tf.max(all) as tf.Scalar,
    };
  });
}
