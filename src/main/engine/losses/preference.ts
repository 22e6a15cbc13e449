// Preference losses on sequence log-probabilities, as pure functions (TRL's semantics, one variant per
// `lossType`). Inputs are per-example log-probs, each [B], summed or length-averaged as each variant
// needs (see each input type); outputs are per-example losses (the training loss is their mean) and
// the implicit rewards, plus extras where a variant has them (`kl`, `logOddsRatio`, `nllLoss`).
//
// Sources (huggingface/trl, trl/trainer/):
//   dpo_trainer.py `dpo_loss`        sigmoid (with label_smoothing), robust, hinge, ipo
//   kto_trainer.py `kto_loss`        kto
//   orpo_trainer.py `odds_ratio_loss` + `get_batch_loss_metrics`   orpo
//   cpo_trainer.py `cpo_loss` (loss_type="simpo")                  simpo
//
// Numerics: −log σ(z) is written softplus(−z) (tfjs' logSigmoid has a custom gradient that closes over
// its input, which a tidy disposes when the input is an intermediate); only kernels every backend has
// (Softplus, Sigmoid, Relu, Square, Expm1, Log, Minimum, Identity, Concat, Mean). Everything runs in
// tf.tidy; the caller owns the returned tensors.
import * as tf from '@tensorflow/tfjs-core';

/** DPO (sigmoid), IPO, hinge (SLiC), robust (label-smoothed), KTO, ORPO, SimPO. */
export type PreferenceLossType = 'sigmoid' | 'ipo' | 'hinge' | 'robust' | 'kto' | 'orpo' | 'simpo';

/** The variants that compare a policy against a frozen reference on paired data. */
export type ReferencePreferenceLossType = 'sigmoid' | 'robust' | 'hinge' | 'ipo';
/** The variants without a reference model. */
export type ReferenceFreePreferenceLossType = 'orpo' | 'simpo';

/**
 * Paired, against a reference: 'sigmoid' (DPO, with optional cDPO label smoothing), 'robust', 'hinge',
 * 'ipo'. With h = (πw − rw) − (πl − rl):
 * - sigmoid: (1 − ε) softplus(−βh) + ε softplus(βh)
 *            = −(1 − ε) log σ(βh) − ε log σ(−βh)  (ε = 0 is DPO)
 * - robust:  ((1 − ε) softplus(−βh) − ε softplus(βh)) / (1 − 2ε)
 *            = (−(1 − ε) log σ(βh) + ε log σ(−βh)) / (1 − 2ε)
 * - hinge:   relu(1 − βh)  (SLiC; TRL's RSO "hinge")
 * - ipo:     (h − 1/(2β))²  (β is IPO's τ)
 */
export interface PairedPreferenceLossInput {
  lossType: ReferencePreferenceLossType;
  /**
   * log π_θ(y_w | x): [B]. Summed over the response tokens for sigmoid / robust / hinge; for 'ipo', the
   * per-token average (sum / token count), as TRL averages when loss_type="ipo". Same for the three below.
   */
  policyChosen: tf.Tensor1D;
  /** log π_θ(y_l | x): [B]. */
  policyRejected: tf.Tensor1D;
  /** log π_ref(y_w | x): [B]. */
  refChosen: tf.Tensor1D;
  /** log π_ref(y_l | x): [B]. */
  refRejected: tf.Tensor1D;
  /** Temperature of the implicit reward (TRL default 0.1); IPO's τ for 'ipo'. Positive. */
  beta: number;
  /**
   * ε ∈ [0, 0.5): how likely a label is flipped (cDPO, Mitchell 2023; TRL `label_smoothing`, default 0).
   * For 'sigmoid' and 'robust' only; 'hinge' and 'ipo' throw if it is non-zero.
   */
  labelSmoothing?: number;
}

/**
 * KTO (Ethayarajh et al. 2024), unpaired: each example is a (prompt, completion) judged desirable or not.
 * With r = log π_θ(y|x) − log π_ref(y|x) (summed log-probs) and z0 the KL estimate:
 * - desirable:   w_d · (1 − σ(β (r − z0)))
 * - undesirable: w_u · (1 − σ(β (z0 − r)))
 * z0 = max(0, mean_i(policyKl_i − refKl_i)), with no gradient (TRL detaches and clamps it). The KL
 * pairs are mismatched: prompt x_i with another example's completion — TRL pairs x_i with y_{i−1}
 * (see `ktoMismatchedIndices`). A batch of one has no other completion, so it is rejected.
 */
export interface KtoPreferenceLossInput {
  lossType: 'kto';
  /** Summed log π_θ(y|x) of the desirable examples: [Nd] (Nd may be 0). */
  policyChosen: tf.Tensor1D;
  /** Summed log π_θ(y|x) of the undesirable examples: [Nu] (Nu may be 0). */
  policyRejected: tf.Tensor1D;
  /** Summed log π_ref(y|x) of the desirable examples: [Nd]. */
  refChosen: tf.Tensor1D;
  /** Summed log π_ref(y|x) of the undesirable examples: [Nu]. */
  refRejected: tf.Tensor1D;
  /**
   * Summed log π_θ(y_{m(i)} | x_i) of the mismatched pairs, one per example of the batch:
   * [B = Nd + Nu], B ≥ 2.
   */
  policyKl: tf.Tensor1D;
  /** Summed log π_ref(y_{m(i)} | x_i) of the same mismatched pairs: [B]. */
  refKl: tf.Tensor1D;
  /** Temperature (TRL default 0.1). Positive. */
  beta: number;
  /** w_d, weight of the desirable losses (TRL `desirable_weight`, default 1). Non-negative. */
  desirableWeight?: number;
  /** w_u, weight of the undesirable losses (TRL `undesirable_weight`, default 1). Non-negative. */
  undesirableWeight?: number;
}

/**
 * Without a reference; inputs are per-token AVERAGE log-probs (sum / token count), as TRL computes them
 * for these losses.
 * - orpo (Hong et al. 2024), with a = avg log p:
 *   logOdds = (a_w − a_l) − (log(1 − e^{a_w}) − log(1 − e^{a_l})),
 *   loss = nll + λ · softplus(−logOdds)
 *   (TRL: policy_nll_loss − mean(β · logsigmoid(log_odds)), where β is λ).
 *   log(1 − e^a) is computed as log(−expm1(a)) with a clamped to ≤ −1e-6, so a certain sequence
 *   (a = 0, where TRL gives −inf) stays finite.
 * - simpo (Meng et al. 2024), with z = β (a_w − a_l) − γ: loss = (1 − ε) softplus(−z) + ε softplus(z)
 *   (TRL CPOTrainer loss_type="simpo" with cpo_alpha = 0, i.e. pure SimPO, no NLL term).
 */
export interface ReferenceFreePreferenceLossInput {
  lossType: ReferenceFreePreferenceLossType;
  /** Average log π_θ(y_w | x) per response token: [B]. */
  policyChosen: tf.Tensor1D;
  /** Average log π_θ(y_l | x) per response token: [B]. */
  policyRejected: tf.Tensor1D;
  /**
   * 'simpo': the temperature (SimPO paper 2.0–2.5; TRL CPOConfig default 0.1). 'orpo': λ, the weight of
   * the odds-ratio term (TRL ORPOConfig `beta`, default 0.1). Positive.
   */
  beta: number;
  /** 'simpo' only: the target reward margin γ (TRL `simpo_gamma`, default 0.5). */
  gamma?: number;
  /** 'simpo' only: ε ∈ [0, 0.5), as for 'sigmoid' (TRL CPO `label_smoothing`, default 0). */
  labelSmoothing?: number;
  /**
   * 'orpo' only: the chosen responses' token counts [B]. Given, the NLL is token-weighted so that
   * mean(nllLoss) is TRL's cross-entropy averaged over every chosen token of the batch:
   * nll_i = −a_w,i · n_i / mean(n). Omitted, nll_i = −a_w,i (each sequence's mean, the paper's L_SFT).
   */
  chosenLengths?: tf.Tensor1D;
  /**
   * 'orpo' only, with chosenLengths: mean(n) over the whole optimizer step when it is accumulated over
   * micro-batches (trainers/accumulate.ts); omitted, the mean of `chosenLengths`.
   */
  chosenLengthMean?: number;
}

export type PreferenceLossInput =
  PairedPreferenceLossInput | KtoPreferenceLossInput | ReferenceFreePreferenceLossInput;

export interface PreferenceLossOutput {
  /** Per-example loss: [B] (KTO: [Nd + Nu], desirable first); the training loss is its mean. */
  losses: tf.Tensor1D;
  /**
   * Implicit reward of the chosen (KTO: desirable) responses, reported, not for differentiation: [B]
   * (KTO: [Nd]). With a reference: β (log π_θ − log π_ref) (for 'ipo', of the averages); ORPO and SimPO:
   * β · average log π_θ (TRL's definitions).
   */
  chosenRewards: tf.Tensor1D;
  /** The same for the rejected (KTO: undesirable) responses: [B] (KTO: [Nu]). */
  rejectedRewards: tf.Tensor1D;
  /** 'kto' only: z0, the clamped KL estimate (a scalar, TRL's `kl` metric). */
  kl?: tf.Scalar;
  /**
   * 'orpo' only: log(odds_w / odds_l) per pair: [B]. TRL's `log_odds_chosen` metric is its mean; TRL's
   * `log_odds_ratio` metric is mean(log σ(logOddsRatio)) = −mean(softplus(−logOddsRatio)).
   */
  logOddsRatio?: tf.Tensor1D;
  /** 'orpo' only: the NLL term of each pair's loss: [B]; its mean is TRL's `nll_loss`. */
  nllLoss?: tf.Tensor1D;
}

export interface KtoLossOutput extends PreferenceLossOutput {
  kl: tf.Scalar;
}
export interface OrpoLossOutput extends PreferenceLossOutput {
  logOddsRatio: tf.Tensor1D;
  nllLoss: tf.Tensor1D;
}

const TYPES: readonly PreferenceLossType[] = ['sigmoid', 'ipo', 'hinge', 'robust', 'kto', 'orpo', 'simpo'];

/**
 * For KTO's KL estimate: the completion each prompt of a batch of `b` is scored with, as TRL builds its
 * KL dataset (completions shifted by one: prompt i gets completion i − 1, prompt 0 the last one).
 */
export function ktoMismatchedIndices(b: number): number[] {
  if (!(Number.isInteger(b) && b >= 2))
    throw new Error(
      `KTO needs at least 2 examples per batch (got ${b}): its KL estimate pairs each prompt with another ` +
        `example's completion, and with 1 it would just be the example's own reward`,
    );
  return Array.from({ length: b }, (_, i) => (i + b - 1) % b);
}

/** The loss for `input.lossType`; see each input type for its formula and what its log-probs are. */
export function preferenceLoss(input: KtoPreferenceLossInput): KtoLossOutput;
export function preferenceLoss(
  input: ReferenceFreePreferenceLossInput & { lossType: 'orpo' },
): OrpoLossOutput;
export function preferenceLoss(input: PreferenceLossInput): PreferenceLossOutput;
export function preferenceLoss(input: PreferenceLossInput): PreferenceLossOutput {
  const lossType: string = input.lossType;
  if (!(TYPES as readonly string[]).includes(lossType))
    throw new Error(`preference loss "${lossType}" is unknown; use one of ${TYPES.join(', ')}`);
  checkPositive('beta', input.beta, input.lossType);
  switch (input.lossType) {
    case 'kto':
      return ktoLoss(input);
    case 'orpo':
    case 'simpo':
      return referenceFreeLoss(input);
    default:
      return pairedLoss(input);
  }
}

function pairedLoss(input: PairedPreferenceLossInput): PreferenceLossOutput {
  const { policyChosen, policyRejected, refChosen, refRejected, beta, lossType } = input;
  checkSameLength(lossType, { policyChosen, policyRejected, refChosen, refRejected });
  const eps = labelSmoothingOf(input.labelSmoothing, lossType);
  if (eps > 0 && (lossType === 'hinge' || lossType === 'ipo'))
    throw new Error(`preference loss "${lossType}": labelSmoothing applies to "sigmoid" and "robust" only`);
  return tf.tidy(() => {
    const chosenLogRatio = tf.sub(policyChosen, refChosen); // [B]
    const rejectedLogRatio = tf.sub(policyRejected, refRejected); // [B]
    const h = tf.sub(chosenLogRatio, rejectedLogRatio); // [B]
    let losses: tf.Tensor;
    if (lossType === 'ipo') {
      losses = tf.square(tf.sub(h, 1 / (2 * beta))); // [B]
    } else {
      const z = tf.mul(h, beta); // [B]
      if (lossType === 'hinge')
        losses = tf.relu(tf.sub(1, z)); // [B]
      else if (lossType === 'sigmoid')
        losses = smoothedSigmoidLoss(z, eps); // [B]
      else {
        // robust: ((1 − ε) softplus(−z) − ε softplus(z)) / (1 − 2ε)
        const kept = tf.mul(tf.softplus(tf.neg(z)), 1 - eps);
        losses = eps > 0 ? tf.div(tf.sub(kept, tf.mul(tf.softplus(z), eps)), 1 - 2 * eps) : kept;
      }
    }
    // Rewards are reported, not differentiated through (TRL detaches them); callers use them as values.
    return {
      losses: losses as tf.Tensor1D,
      chosenRewards: tf.mul(chosenLogRatio, beta) as tf.Tensor1D, // [B]
      rejectedRewards: tf.mul(rejectedLogRatio, beta) as tf.Tensor1D, // [B]
    };
  });
}

function ktoLoss(input: KtoPreferenceLossInput): KtoLossOutput {
  const { policyChosen, policyRejected, refChosen, refRejected, policyKl, refKl, beta } = input;
  const wd = input.desirableWeight ?? 1;
  const wu = input.undesirableWeight ?? 1;
  checkNonNegative('desirableWeight', wd);
  checkNonNegative('undesirableWeight', wu);
  checkSameLength('kto (desirable)', { policyChosen, refChosen });
  checkSameLength('kto (undesirable)', { policyRejected, refRejected });
  checkSameLength('kto (KL pairs)', { policyKl, refKl });
  const b = policyKl.shape[0];
  ktoMismatchedIndices(b); // throws for a batch of fewer than 2
  const n = policyChosen.shape[0] + policyRejected.shape[0];
  if (n !== b)
    throw new Error(
      `preference loss "kto": ${policyChosen.shape[0]} desirable + ${policyRejected.shape[0]} undesirable ` +
        `examples, but ${b} KL pairs; pass one mismatched pair per example`,
    );
  return tf.tidy(() => {
    // z0 = max(0, mean(policyKl − refKl)), no gradient: [] (TRL: .mean().detach() ... .clamp(min=0))
    const kl = stopGradient(tf.relu(tf.mean(tf.sub(policyKl, refKl)))) as tf.Scalar;
    const chosenLogRatio = tf.sub(policyChosen, refChosen); // [Nd]
    const rejectedLogRatio = tf.sub(policyRejected, refRejected); // [Nu]
    // 1 − σ(β (r − z0)) = σ(β (z0 − r)), and 1 − σ(β (z0 − r)) = σ(β (r − z0))
    const chosenLosses = tf.sigmoid(tf.mul(tf.sub(kl, chosenLogRatio), beta)); // [Nd]
    const rejectedLosses = tf.sigmoid(tf.mul(tf.sub(rejectedLogRatio, kl), beta)); // [Nu]
    const losses = tf.concat([tf.mul(chosenLosses, wd), tf.mul(rejectedLosses, wu)]) as tf.Tensor1D; // [Nd + Nu]
    return {
      losses,
      chosenRewards: tf.mul(chosenLogRatio, beta) as tf.Tensor1D, // [Nd]
      rejectedRewards: tf.mul(rejectedLogRatio, beta) as tf.Tensor1D, // [Nu]
      kl,
    };
  });
}

function referenceFreeLoss(input: ReferenceFreePreferenceLossInput): PreferenceLossOutput {
  const { policyChosen, policyRejected, beta, lossType } = input;
  checkSameLength(lossType, { policyChosen, policyRejected });
  const eps = labelSmoothingOf(input.labelSmoothing, lossType);
  if (lossType === 'orpo') {
    if (eps > 0)
      throw new Error('preference loss "orpo": labelSmoothing applies to "sigmoid", "robust" and "simpo"');
    if (input.gamma !== undefined) throw new Error('preference loss "orpo": gamma is a SimPO parameter');
    const lengths = input.chosenLengths;
    if (lengths) checkSameLength('orpo', { policyChosen, chosenLengths: lengths });
    return tf.tidy(() => {
      const logOddsOf = (a: tf.Tensor) => {
        const safe = tf.minimum(a, -1e-6); // [B], log(1 − e^0) would be −inf
        return tf.sub(a, tf.log(tf.neg(tf.expm1(safe)))); // [B] log(p / (1 − p))
      };
      const logOddsRatio = tf.sub(logOddsOf(policyChosen), logOddsOf(policyRejected)) as tf.Tensor1D; // [B]
      const nllLoss = (
        lengths
          ? tf.mul(tf.neg(policyChosen), tf.div(lengths, input.chosenLengthMean ?? tf.mean(lengths)))
          : tf.neg(policyChosen)
      ) as tf.Tensor1D; // [B]
      const losses = tf.add(nllLoss, tf.mul(tf.softplus(tf.neg(logOddsRatio)), beta)) as tf.Tensor1D; // [B]
      return {
        losses,
        chosenRewards: tf.mul(policyChosen, beta) as tf.Tensor1D, // [B]
        rejectedRewards: tf.mul(policyRejected, beta) as tf.Tensor1D, // [B]
        logOddsRatio,
        nllLoss,
      };
    });
  }
  if (input.chosenLengths !== undefined)
    throw new Error('preference loss "simpo": chosenLengths is an ORPO parameter; pass average log-probs');
  const gamma = input.gamma ?? 0.5;
  if (!Number.isFinite(gamma))
    throw new Error(`preference loss "simpo": gamma must be a number (got ${gamma})`);
  return tf.tidy(() => {
    const z = tf.sub(tf.mul(tf.sub(policyChosen, policyRejected), beta), gamma); // [B] β (a_w − a_l) − γ
    return {
      losses: smoothedSigmoidLoss(z, eps) as tf.Tensor1D, // [B]
      chosenRewards: tf.mul(policyChosen, beta) as tf.Tensor1D, // [B]
      rejectedRewards: tf.mul(policyRejected, beta) as tf.Tensor1D, // [B]
    };
  });
}

/** (1 − ε) softplus(−z) + ε softplus(z) = −(1 − ε) log σ(z) − ε log σ(−z). */
function smoothedSigmoidLoss(z: tf.Tensor, eps: number): tf.Tensor {
  const main = tf.softplus(tf.neg(z));
  return eps > 0 ? tf.add(tf.mul(main, 1 - eps), tf.mul(tf.softplus(z), eps)) : main;
}

/**
 * Identity forward, zero gradient (tfjs has no stopGradient). The gradient closes over nothing, so it
 * survives the tidy that disposes the input.
 */
function stopGradient(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((t: tf.Tensor) => ({
    value: tf.clone(t),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as (t: tf.Tensor) => tf.Tensor;
  return f(x);
}

function labelSmoothingOf(value: number | undefined, lossType: string): number {
  const eps = value ?? 0;
  if (!(Number.isFinite(eps) && eps >= 0 && eps < 0.5))
    throw new Error(`preference loss "${lossType}": labelSmoothing must be in [0, 0.5) (got ${eps})`);
  return eps;
}

function checkPositive(name: string, value: number, lossType: string): void {
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`preference loss "${lossType}": ${name} must be a positive number (got ${value})`);
}

function checkNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new Error(`preference loss "kto": ${name} must be a non-negative number (got ${value})`);
}

function checkSameLength(what: string, tensors: Record<string, tf.Tensor>): void {
  const entries = Object.entries(tensors);
  const bad = entries.some(([, t]) => t.rank !== 1 || t.shape[0] !== entries[0]![1].shape[0]);
  if (bad)
    throw new Error(
      `preference loss "${what}": inputs must be 1-D of one length; got ` +
        entries.map(([name, t]) => `${name} [${t.shape.join(', ')}]`).join(', '),
    );
}
