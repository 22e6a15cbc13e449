// The pieces of PPO for language models (Schulman et al. 2017; Ziegler et al. 2019; Ouyang et al. 2022)
// as pure functions, with the semantics of TRL's PPOTrainer (huggingface/trl trl/trainer/ppo_trainer.py).
// It is not a trainer: trainers/ppo.ts runs these on rollouts.
//
// Layout: every per-token quantity is a row-major [B, T] Float32Array with a 0/1 `mask` of the same
// shape, 1 on the response tokens (the actions the policy took, the end-of-turn token included). A
// row's masked positions are contiguous (one response per row). Masked-out positions are ignored and
// come back as 0. Everything without a gradient is plain arithmetic on Float32Arrays; the clipped
// losses, which are differentiated, are tfjs and run in tf.tidy (the caller owns the results).
import * as tf from '@tensorflow/tfjs-core';

export type KlEstimator = 'k1' | 'k3';

/** Shape of the [B, T] arrays passed to the functions below. */
export interface Dims {
  B: number;
  T: number;
}

function check(name: string, a: ArrayLike<number>, { B, T }: Dims): void {
  if (a.length !== B * T) throw new Error(`ppo: ${name} has ${a.length} values, expected B·T = ${B}·${T}`);
}

/**
 * Per-token KL estimate of the policy from the reference at the sampled tokens (Schulman, "Approximating
 * KL divergence", 2020), with log r = log p_ref(y_t) − log p_policy(y_t):
 *   k1 = −log r                  (unbiased, can be negative)
 *   k3 = (r − 1) − log r         (unbiased, never negative, lower variance)
 * TRL: `kl = -logr if kl_estimator == "k1" else (logr.exp() - 1) - logr`. Returns [B·T], 0 where mask is 0.
 */
export function klPerToken(
  logpPolicy: Float32Array,
  logpRef: Float32Array,
  mask: Float32Array,
  estimator: KlEstimator,
): Float32Array {
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const logr = logpRef[i]! - logpPolicy[i]!;
    out[i] = estimator === 'k1' ? -logr : Math.expm1(logr) - logr;
  }
  return out;
}

/**
 * The per-token reward of RLHF (Ziegler 2019, eq. 2; TRL `rewards = -kl_coef * kl`, then
 * `rewards[actual_end] += scores`): r_t = −β·kl_t on every response token, plus the sequence's
 * score on its last response token. Returns the rewards and the non-score part (−β·kl_t), both [B·T].
 */
export function tokenRewards(
  kl: Float32Array,
  scores: ArrayLike<number>,
  mask: Float32Array,
  beta: number,
  dims: Dims,
): { rewards: Float32Array; nonScore: Float32Array } {
  const { B, T } = dims;
  check('kl', kl, dims);
  check('mask', mask, dims);
  if (scores.length !== B) throw new Error(`ppo: ${scores.length} scores for ${B} rows`);
  const nonScore = new Float32Array(B * T);
  for (let i = 0; i < B * T; i++) if (mask[i]) nonScore[i] = -beta * kl[i]!;
  const rewards = Float32Array.from(nonScore);
  lastMasked(mask, dims).forEach((t, b) => {
    if (t >= 0) rewards[b * T + t]! += scores[b]!;
  });
  return { rewards, nonScore };
}

/** Each row's last position with mask 1, or −1 for a row with none. */
export function lastMasked(mask: ArrayLike<number>, { B, T }: Dims): number[] {
  return Array.from({ length: B }, (_, b) => {
    for (let t = T - 1; t >= 0; t--) if (mask[b * T + t]) return t;
    return -1;
  });
}

/**
 * Generalised advantage estimation (Schulman et al. 2016), backwards over each row's response:
 *   δ_t = r_t + γ·V_{t+1} − V_t,   A_t = δ_t + γλ·A_{t+1},   returns R_t = A_t + V_t,
 * with V and A taken as 0 after the last response token (TRL's loop over `reversed(range(gen_length))`).
 * Returns advantages and returns, both [B·T], 0 where mask is 0.
 */
export function gae(
  rewards: Float32Array,
  values: Float32Array,
  mask: Float32Array,
  gamma: number,
  lam: number,
  dims: Dims,
): { advantages: Float32Array; returns: Float32Array } {
  const { B, T } = dims;
  for (const [n, a] of [
    ['rewards', rewards],
    ['values', values],
    ['mask', mask],
  ] as const)
    check(n, a, dims);
  const advantages = new Float32Array(B * T);
  const returns = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    let nextValue = 0;
    let nextAdv = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = b * T + t;
      if (!mask[i]) {
        nextValue = 0;
        nextAdv = 0;
        continue;
      }
      const delta = rewards[i]! + gamma * nextValue - values[i]!;
      nextAdv = delta + gamma * lam * nextAdv;
      advantages[i] = nextAdv;
      returns[i] = nextAdv + values[i]!;
      nextValue = values[i]!;
    }
  }
  return { advantages, returns };
}

/**
 * Whitening over the masked entries (TRL `masked_whiten`): (x − mean) / √(var + 1e-8), with the
 * unbiased variance (n − 1 in the denominator; 0 when fewer than two entries). Returns [B·T], 0 where
 * mask is 0.
 */
export function whiten(x: Float32Array, mask: Float32Array): Float32Array {
  if (x.length !== mask.length) throw new Error(`ppo: whiten of ${x.length} values with ${mask.length} mask`);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++)
    if (mask[i]) {
      n++;
      sum += x[i]!;
    }
  const out = new Float32Array(x.length);
  if (n === 0) return out;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) ss += (x[i]! - mean) ** 2;
  const variance = n > 1 ? ss / (n - 1) : 0;
  const inv = 1 / Math.sqrt(variance + 1e-8);
  for (let i = 0; i < x.length; i++) if (mask[i]) out[i] = (x[i]! - mean) * inv;
  return out;
}

/** Σ mask·x / Σ mask (0 for an empty mask), as a tensor. */
function maskedMean(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

export interface PolicyLossOutput {
  /** Masked mean of max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)): the clipped surrogate, negated. */
  loss: tf.Scalar;
  /** Share of tokens where the clipped term is the larger one (TRL `policy/clipfrac`). */
  clipfrac: tf.Scalar;
  /** Masked mean of ½(log ρ)², an estimate of KL(old ‖ new) (TRL `policy/approxkl`). */
  approxkl: tf.Scalar;
  /** Masked mean of ρ (TRL `val/ratio`). */
  ratio: tf.Scalar;
}

/**
 * PPO's clipped policy objective (Schulman 2017, eq. 7), as TRL writes it:
 *   ρ = exp(log π_new − log π_old),  loss = mean(max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε))).
 * newLogp [B, T] (differentiated), oldLogp, advantages, mask [B, T] (constants).
 */
export function clippedPolicyLoss(
  newLogp: tf.Tensor2D,
  oldLogp: tf.Tensor2D,
  advantages: tf.Tensor2D,
  mask: tf.Tensor2D,
  clipRange: number,
): PolicyLossOutput {
  return tf.tidy(() => {
    const diff = tf.mul(tf.sub(newLogp, oldLogp), mask); // [B, T], 0 off the mask
    const ratio = tf.exp(diff); // [B, T]
    const a = tf.neg(advantages);
    const unclipped = tf.mul(a, ratio); // [B, T]
    const clipped = tf.mul(a, tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange)); // [B, T]
    return {
      loss: maskedMean(tf.maximum(unclipped, clipped), mask),
      clipfrac: maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask),
      approxkl: maskedMean(tf.mul(tf.square(diff), 0.5), mask),
      ratio: maskedMean(ratio, mask),
    };
  });
}

export interface ValueLossOutput {
  /** ½ · masked mean of max((V − R)², (clip(V, V_old ± ε) − R)²) (TRL `loss/value`). */
  loss: tf.Scalar;
  /** Share of tokens where the clipped error is the larger one (TRL `val/clipfrac`). */
  clipfrac: tf.Scalar;
}

/**
 * The clipped value loss (PPO2's; TRL `vf_loss`): V_clip = V_old + clip(V − V_old, −ε, ε),
 * loss = ½·mean(max((V − R)², (V_clip − R)²)). values [B, T] (differentiated), oldValues, returns, mask.
 */
export function clippedValueLoss(
  values: tf.Tensor2D,
  oldValues: tf.Tensor2D,
  returns: tf.Tensor2D,
  mask: tf.Tensor2D,
  clipRangeValue: number,
): ValueLossOutput {
  return tf.tidy(() => {
    const vClipped = tf.add(
      oldValues,
      tf.clipByValue(tf.sub(values, oldValues), -clipRangeValue, clipRangeValue),
    );
    const e1 = tf.square(tf.sub(values, returns)); // [B, T]
    const e2 = tf.square(tf.sub(vClipped, returns)); // [B, T]
    return {
      loss: tf.mul(maskedMean(tf.maximum(e1, e2), mask), 0.5) as tf.Scalar,
      clipfrac: maskedMean(tf.cast(tf.greater(e2, e1), 'float32'), mask),
    };
  });
}

/**
 * The adaptive KL coefficient of Ziegler et al. 2019 (§2.2; TRL's `AdaptiveKLController`): after each
 * batch of n rollouts whose mean KL per sequence was KL,
 *   e = clip(KL / KL_target − 1, −0.2, 0.2),   β ← β · (1 + e · n / horizon).
 */
export class AdaptiveKlController {
  constructor(
    public value: number,
    readonly target: number,
    readonly horizon: number,
  ) {
    if (!(target > 0)) throw new Error(`ppo: the target KL must be > 0 (got ${target})`);
    if (!(horizon > 0)) throw new Error(`ppo: the KL horizon must be > 0 (got ${horizon})`);
  }

  update(currentKl: number, nSteps: number): number {
    const error = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.value *= 1 + (error * nSteps) / this.horizon;
    return this.value;
  }
}
