// The per-step math of the DPO trainer (trainers/dpo.ts): the reference log-probs computed once before
// training, one Adam step of a paired loss (sigmoid, robust, hinge, ipo ± RPO, orpo, simpo) and one
// KTO step, each returning the step's metrics under TRL's names; and the same two steps on
// onnxruntime (onnx-train's heads compute the same losses and metrics). The losses themselves are
// losses/preference.ts; the Adam step (one read-back, no update on a non-finite loss or gradient)
// is common.ts's.
import * as tf from '@tensorflow/tfjs-core';
import type { DpoConfig } from '../../../shared/schemas';
import { rowBatch, type BatchTensors, type PreferenceTokens, type TokenRows } from '../data/preference-pairs';
import type { UnpairedTokens } from '../data/unpaired';
import { sequenceLogProbs } from '../logprobs';
import { preferenceLoss, type PreferenceLossOutput } from '../losses/preference';
import type { GPT } from '../model/gpt';
import { ktoBatch, pairBatch } from '../onnx-train/batches';
import type { OnnxTrainer } from '../onnx-train/engine';
import type { HeadSpec } from '../onnx-train/heads';
import type { KTO_STATS } from '../onnx-train/heads/kto';
import { PAIRED_STATS } from '../onnx-train/heads/paired';
import { accumulatedAdamStep, microBatches } from './accumulate';
import { adamStep, type Adam } from './common';

/** The data, tokenized: pairs (chosen and rejected rows) or unpaired examples (example and KL rows). */
export type DpoData =
  { kind: 'pairs'; tokens: PreferenceTokens } | { kind: 'unpaired'; tokens: UnpairedTokens };

type LossType = DpoConfig['lossType'];
/** Losses without a reference model. */
export const REFERENCE_FREE: readonly LossType[] = ['orpo', 'simpo'];
/** Losses on per-token average log-probs (the others sum them), as TRL. */
export const AVERAGED: readonly LossType[] = ['ipo', 'orpo', 'simpo'];

/** Metric names of the paired losses, in the order the step packs them into one read-back. */
const METRICS = ['loss', 'grad_norm', ...PAIRED_STATS] as const;
/** ORPO's extra metrics (TRL ORPOTrainer), after the common ones. */
const ORPO_METRICS = ['log_odds_ratio', 'log_odds_chosen', 'nll_loss'] as const;

/** A step's metrics (batch means), and whether its update was applied (false: a non-finite loss or gradient). */
export interface DpoStepResult {
  values: Record<string, number>;
  applied: boolean;
}

/** Per-sequence log-probs [rows]: summed, or averaged per scored token (a sequence with none counts 1). */
function logProbsOf(model: GPT, batch: BatchTensors, average: boolean) {
  const logits = model.forward(batch.inputs); // [rows, T, V]
  const { sum, count } = sequenceLogProbs(logits, batch.targets, batch.mask); // [rows] each
  return { logps: average ? tf.div(sum, tf.maximum(count, 1)) : sum, count }; // [rows] each
}

/**
 * Log-probs of every row of each row set (pairs: chosen, rejected; unpaired: examples, KL pairs) under
 * the initial policy, no gradients: one array [n] per set.
 */
export function referenceLogProbs(
  model: GPT,
  data: DpoData,
  batchSize: number,
  average: boolean,
): Float32Array[] {
  const { n, T } = data.tokens;
  const sets: TokenRows[] =
    data.kind === 'pairs'
      ? [data.tokens.chosen, data.tokens.rejected]
      : [data.tokens.examples, data.tokens.kl];
  const out = sets.map(() => new Float32Array(n));
  for (let start = 0; start < n; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, n - start) }, (_, j) => start + j);
    const b = indices.length;
    const batch = rowBatch(sets, T, indices);
    const logps = tf.tidy(() => logProbsOf(model, batch, average).logps); // [sets · b]
    const values = logps.dataSync();
    tf.dispose([logps, batch.inputs, batch.targets, batch.mask]);
    out.forEach((o, k) => o.set(values.subarray(k * b, (k + 1) * b), start));
  }
  return out;
}

/**
 * One step of a paired loss on the pairs at `indices`, in `config.gradientAccumulationSteps`
 * micro-batches (accumulate.ts: each micro-batch's means weighted by its share of the pairs, RPO's NLL
 * by its share of the chosen tokens, so the step is the same as one batch); returns the step's metrics
 * (batch means).
 */
export function pairedStep(
  policy: GPT,
  adam: Adam,
  data: PreferenceTokens,
  ref: Float32Array[] | null,
  indices: number[],
  config: DpoConfig,
): DpoStepResult {
  const { lossType, beta, labelSmoothing, gamma } = config;
  const n = indices.length;
  const parts = microBatches(indices, config.gradientAccumulationSteps).map((idx) => ({
    b: idx.length,
    batch: rowBatch([data.chosen, data.rejected], data.T, idx), // [2b, T] each: chosen, then rejected
    refChosen: ref ? tf.tensor1d(idx.map((i) => ref[0]![i]!)) : null, // [b]
    refRejected: ref ? tf.tensor1d(idx.map((i) => ref[1]![i]!)) : null, // [b]
  }));
  const rpo = lossType !== 'orpo' && config.rpoAlpha > 0; // ORPO has its own NLL term
  // RPO's and ORPO's NLL are token-weighted over the whole step: they need the step's chosen tokens.
  let chosenTokens = 0;
  if (rpo || lossType === 'orpo')
    for (const i of indices)
      for (let t = 0; t < data.T; t++) chosenTokens += data.chosen.mask[i * data.T + t]!;
  const names: string[] = [
    ...METRICS,
    ...(lossType === 'orpo' ? ORPO_METRICS : []),
    ...(rpo ? ['nll_loss'] : []),
  ];
  try {
    const { numbers, applied } = accumulatedAdamStep(
      adam,
      policy.weights,
      config.learningRate,
      0,
      parts.length,
      (j) => {
        const { b, batch, refChosen, refRejected } = parts[j]!;
        const share = b / n;
        const average = AVERAGED.includes(lossType);
        const { logps, count } = logProbsOf(policy, batch, average); // [2b] each
        const policyChosen = tf.slice(logps, [0], [b]) as tf.Tensor1D; // [b]
        const policyRejected = tf.slice(logps, [b], [b]) as tf.Tensor1D; // [b]
        let out: PreferenceLossOutput;
        if (lossType === 'orpo') {
          const chosenLengths = tf.slice(count, [0], [b]) as tf.Tensor1D; // [b]
          const chosenLengthMean = Math.max(chosenTokens, 1) / n; // ORPO's NLL is token-weighted over the whole step
          out = preferenceLoss({
            lossType,
            policyChosen,
            policyRejected,
            beta,
            chosenLengths,
            chosenLengthMean,
          });
        } else if (lossType === 'simpo') {
          out = preferenceLoss({ lossType, policyChosen, policyRejected, beta, gamma, labelSmoothing });
        } else {
          out = preferenceLoss({
            lossType: lossType as 'sigmoid' | 'robust' | 'hinge' | 'ipo',
            policyChosen,
            policyRejected,
            refChosen: refChosen!,
            refRejected: refRejected!,
            beta,
            labelSmoothing,
          });
        }
        const margins = tf.sub(out.chosenRewards, out.rejectedRewards); // [b]
        const extra =
          out.logOddsRatio && out.nllLoss
            ? [
                tf.neg(tf.mean(tf.softplus(tf.neg(out.logOddsRatio)))), // mean log σ(log odds ratio)
                tf.mean(out.logOddsRatio),
                tf.mean(out.nllLoss),
              ]
            : [];
        const stats = [
          tf.mean(out.chosenRewards),
          tf.mean(out.rejectedRewards),
          tf.mean(margins),
          tf.mean(tf.cast(tf.greater(margins, 0), 'float32')),
          tf.mean(policyChosen),
          tf.mean(policyRejected),
          ...extra,
        ].map((t) => tf.mul(t, share)); // 6 (+3 for ORPO), weighted means
        let loss = tf.mul(tf.mean(out.losses), share) as tf.Scalar;
        if (rpo) {
          // RPO (Pang et al. 2024; TRL `rpo_alpha`): + α × the chosen tokens' mean NLL, token-weighted
          // over the batch as TRL's cross-entropy is.
          const chosenCount = tf.slice(count, [0], [b]); // [b]
          const chosenSum = average ? tf.mul(policyChosen, tf.maximum(chosenCount, 1)) : policyChosen; // [b]
          const nll = tf.div(tf.neg(tf.sum(chosenSum)), Math.max(chosenTokens, 1)) as tf.Scalar;
          loss = tf.add(loss, tf.mul(nll, config.rpoAlpha)) as tf.Scalar;
          stats.push(nll);
        }
        return { loss, stats };
      },
    );
    return { values: Object.fromEntries(names.map((name, i) => [name, numbers[i]!])), applied };
  } finally {
    for (const p of parts) {
      tf.dispose([p.batch.inputs, p.batch.targets, p.batch.mask]);
      if (p.refChosen) p.refChosen.dispose();
      if (p.refRejected) p.refRejected.dispose();
    }
  }
}

/**
 * One KTO step on the examples at `indices` (desirable ones first, as the loss wants); `ref` holds the
 * reference log-probs of the examples and of their KL pairs. Metrics are TRL KTOTrainer's batch means.
 */
export function ktoStep(
  policy: GPT,
  adam: Adam,
  data: UnpairedTokens,
  ref: Float32Array[],
  indices: number[],
  config: DpoConfig,
): DpoStepResult {
  const { beta, desirableWeight, undesirableWeight } = config;
  const good = indices.filter((i) => data.desirable[i]);
  const bad = indices.filter((i) => !data.desirable[i]);
  const rows = [...good, ...bad];
  const [nd, nu] = [good.length, bad.length];
  const batch = rowBatch([data.examples], data.T, rows); // [b, T] each
  const klBatch = rowBatch([data.kl], data.T, rows); // [b, T] each
  const refs = [
    tf.tensor1d(good.map((i) => ref[0]![i]!)), // [Nd]
    tf.tensor1d(bad.map((i) => ref[0]![i]!)), // [Nu]
    tf.tensor1d(rows.map((i) => ref[1]![i]!)), // [b]
  ] as tf.Tensor1D[];
  // The KL estimate is detached (TRL computes its logits under no_grad): no tape for it.
  const policyKl = tf.tidy(() => logProbsOf(policy, klBatch, false).logps) as tf.Tensor1D; // [b]
  try {
    const { numbers, applied } = adamStep(adam, policy.weights, config.learningRate, 0, () => {
      const { logps } = logProbsOf(policy, batch, false); // [b]
      const policyChosen = tf.slice(logps, [0], [nd]) as tf.Tensor1D; // [Nd]
      const policyRejected = tf.slice(logps, [nd], [nu]) as tf.Tensor1D; // [Nu]
      const out = preferenceLoss({
        lossType: 'kto',
        policyChosen,
        policyRejected,
        refChosen: refs[0]!,
        refRejected: refs[1]!,
        policyKl,
        refKl: refs[2]!,
        beta,
        desirableWeight,
        undesirableWeight,
      });
      // Sums, divided by the counts below: a side with no example in the batch gives 0, not NaN.
      const stats = [
        out.kl,
        tf.sum(out.chosenRewards),
        tf.sum(out.rejectedRewards),
        tf.sum(policyChosen),
        tf.sum(policyRejected),
      ];
      return { loss: tf.mean(out.losses) as tf.Scalar, stats };
    });
    const [loss, gradNorm, kl, rewardsChosen, rewardsRejected, logpsChosen, logpsRejected] = numbers;
    const sums = { rewardsChosen, rewardsRejected, logpsChosen, logpsRejected } as KtoSums;
    return { values: ktoValues(loss!, gradNorm!, kl!, sums, nd, nu), applied };
  } finally {
    tf.dispose([batch.inputs, batch.targets, batch.mask, klBatch.inputs, klBatch.targets, klBatch.mask]);
    tf.dispose([...refs, policyKl]);
  }
}

/** A KTO batch's sums over its desirable (chosen) and undesirable (rejected) examples. */
interface KtoSums {
  rewardsChosen: number;
  rewardsRejected: number;
  logpsChosen: number;
  logpsRejected: number;
}

/**
 * TRL KTOTrainer's metrics of a step with `nd` desirable and `nu` undesirable examples: a side absent
 * from the batch reports no reward or log-prob (and then no margin), not NaN.
 */
function ktoValues(
  loss: number,
  gradNorm: number,
  kl: number,
  s: KtoSums,
  nd: number,
  nu: number,
): Record<string, number> {
  const values: Record<string, number> = { loss, grad_norm: gradNorm, kl };
  if (nd > 0)
    Object.assign(values, { 'rewards/chosen': s.rewardsChosen / nd, 'logps/chosen': s.logpsChosen / nd });
  if (nu > 0)
    Object.assign(values, {
      'rewards/rejected': s.rewardsRejected / nu,
      'logps/rejected': s.logpsRejected / nu,
    });
  if (nd > 0 && nu > 0) values['rewards/margins'] = s.rewardsChosen / nd - s.rewardsRejected / nu;
  return values;
}

// ── The same steps on onnxruntime (onnx-train, heads/) ──────────────────────────────────────────────

/** The onnx-train loss head computing `config`'s loss (heads/paired.ts, reference-free.ts, kto.ts). */
export function onnxHeadOf(config: DpoConfig): HeadSpec {
  const { lossType, beta, labelSmoothing } = config;
  switch (lossType) {
    case 'kto':
      return {
        kind: 'kto',
        beta,
        desirableWeight: config.desirableWeight,
        undesirableWeight: config.undesirableWeight,
      };
    case 'orpo':
      return { kind: 'orpo', beta };
    case 'simpo':
      return { kind: 'simpo', beta, gamma: config.gamma, labelSmoothing };
    default:
      return { kind: 'dpo', beta, labelSmoothing, loss: lossType, rpoAlpha: config.rpoAlpha };
  }
}

/**
 * pairedStep on onnxruntime: one step over all the step's pairs at once (the same loss as its
 * micro-batches; no clipping), with the trainer's head `onnxHeadOf(config)`; same metrics.
 */
export async function onnxPairedStep(
  onnx: OnnxTrainer,
  data: PreferenceTokens,
  ref: Float32Array[] | null,
  indices: number[],
  config: DpoConfig,
): Promise<DpoStepResult> {
  const average = AVERAGED.includes(config.lossType);
  const out = await onnx.step(pairBatch(data, ref, indices, average), config.learningRate, 0);
  return { values: { loss: out.loss, grad_norm: out.gradNorm, ...out.stats }, applied: out.applied };
}

/** ktoStep on onnxruntime (heads/kto.ts: the KL pairs share the forward pass, without gradient). */
export async function onnxKtoStep(
  onnx: OnnxTrainer,
  data: UnpairedTokens,
  ref: Float32Array[],
  indices: number[],
  config: DpoConfig,
): Promise<DpoStepResult> {
  const batch = ktoBatch(data, ref, indices);
  const out = await onnx.step(batch, config.learningRate, 0);
  const stat = (name: (typeof KTO_STATS)[number]) => out.stats[name]!;
  const sums: KtoSums = {
    rewardsChosen: stat('sum/rewards/chosen'),
    rewardsRejected: stat('sum/rewards/rejected'),
    logpsChosen: stat('sum/logps/chosen'),
    logpsRejected: stat('sum/logps/rejected'),
  };
  const values = ktoValues(
    out.loss,
    out.gradNorm,
    stat('kl'),
    sums,
    batch.desirableCount,
    batch.undesirableCount,
  );
  return { values, applied: out.applied };
}
