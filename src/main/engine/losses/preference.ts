// Preference losses on sequence log-probabilities, as pure functions (TRL's DPOTrainer semantics).
// Inputs are per-pair summed log-probs of the chosen and rejected responses under the policy and the
// frozen reference, each [B]; outputs are per-pair losses and implicit rewards, each [B]. Only the
// sigmoid (DPO) loss is implemented so far; the other variants are named so callers can be typed.
import * as tf from '@tensorflow/tfjs-core';

/** DPO (sigmoid), IPO, hinge (SLiC), robust (label-smoothed), KTO, ORPO, SimPO. */
export type PreferenceLossType = 'sigmoid' | 'ipo' | 'hinge' | 'robust' | 'kto' | 'orpo' | 'simpo';

export interface PreferenceLossInput {
  /** log π_θ(y_w | x): [B]. */
  policyChosen: tf.Tensor1D;
  /** log π_θ(y_l | x): [B]. */
  policyRejected: tf.Tensor1D;
  /** log π_ref(y_w | x): [B]. */
  refChosen: tf.Tensor1D;
  /** log π_ref(y_l | x): [B]. */
  refRejected: tf.Tensor1D;
  /** Temperature of the implicit reward (TRL default 0.1). */
  beta: number;
  lossType: PreferenceLossType;
}

export interface PreferenceLossOutput {
  /** Per-pair loss: [B]; the training loss is its mean. */
  losses: tf.Tensor1D;
  /** β (log π_θ(y_w) − log π_ref(y_w)): [B]. */
  chosenRewards: tf.Tensor1D;
  /** β (log π_θ(y_l) − log π_ref(y_l)): [B]. */
  rejectedRewards: tf.Tensor1D;
}

/**
 * sigmoid (Rafailov et al. 2023, DPO): with z = β ((π_w − ref_w) − (π_l − ref_l)),
 * loss = −log σ(z) = softplus(−z). Written with softplus, which every backend has, rather than logSigmoid.
 * The caller owns the returned tensors.
 */
export function preferenceLoss(input: PreferenceLossInput): PreferenceLossOutput {
  const { policyChosen, policyRejected, refChosen, refRejected, beta, lossType } = input;
  if (lossType !== 'sigmoid')
    throw new Error(`preference loss "${lossType}" is not implemented yet (only "sigmoid" is)`);
  if (!(Number.isFinite(beta) && beta > 0))
    throw new Error(`preference loss: beta must be a positive number (got ${beta})`);
  return tf.tidy(() => {
    const chosenLogRatio = tf.sub(policyChosen, refChosen); // [B]
    const rejectedLogRatio = tf.sub(policyRejected, refRejected); // [B]
    const z = tf.mul(tf.sub(chosenLogRatio, rejectedLogRatio), beta); // [B]
    const losses = tf.softplus(tf.neg(z)) as tf.Tensor1D; // [B] = −log σ(z)
    // Rewards are reported, not differentiated through (TRL detaches them); callers use them as values.
    const chosenRewards = tf.mul(chosenLogRatio, beta) as tf.Tensor1D; // [B]
    const rejectedRewards = tf.mul(rejectedLogRatio, beta) as tf.Tensor1D; // [B]
    return { losses, chosenRewards, rejectedRewards };
  });
}
