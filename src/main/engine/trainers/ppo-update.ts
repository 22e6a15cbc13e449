// PPO's optimisation phase (trainers/ppo.ts): the targets of an iteration's rollouts (KL-penalised
// rewards, GAE advantages and returns), then `ppoEpochs` passes over the rollouts, each in an order
// seeded by (seed, iteration, epoch) and split into `numMiniBatches` minibatches, one clipped policy +
// value update each on the shared trunk and its value head, taken in gradientAccumulationSteps
// micro-batches when asked (the same update at the memory of one micro-batch; accumulate.ts). The
// formulas are losses/ppo.ts; gradients are clipped to maxGradNorm, none applied on a non-finite loss.
// Each minibatch's update runs on tfjs (`ppoUpdate`) or on onnxruntime (`onnxPpoUpdate`, the generated
// step of onnx-train/heads/ppo.ts), whichever the trainer chose.
import * as tf from '@tensorflow/tfjs-core';
import type { PpoConfig } from '../../../shared/schemas';
import { tokenLogProbsOf } from '../logprobs';
import { clippedPolicyLoss, clippedValueLoss, gae, klPerToken, tokenRewards, whiten } from '../losses/ppo';
import type { GPT } from '../model/gpt';
import type { ScalarHead } from '../model/heads';
import { maskedLogProbs, type OnnxScorer } from '../onnx/scorer';
import { paddedLength } from '../onnx-train/batches';
import { OnnxTrainer, type OnnxBatch, type OnnxTrainerOptions } from '../onnx-train/engine';
import { PPO_STATS } from '../onnx-train/heads/ppo';
import { mulberry32, permutation } from '../random';
import { accumulatedAdamStep, microBatches } from './accumulate';
import type { Adam } from './common';
import { batchTensors, scoreRollouts, type RolloutBatch } from './ppo-rollouts';

/** Per-minibatch statistics, in the order the update packs them (the onnx step's order too). */
const UPDATE_STATS = PPO_STATS;

/** One minibatch update's loss, gradient norm, UPDATE_STATS, and whether it was applied. */
export interface UpdateResult {
  loss: number;
  gradNorm: number;
  stats: number[];
  applied: boolean;
}

/** Takes one update on the rollouts `rows` (tfjs: ppoUpdate; onnxruntime: onnxPpoUpdate). */
export type MinibatchUpdate = (rows: readonly number[]) => UpdateResult | Promise<UpdateResult>;

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
  /** The policy's log-probs and values of the rollouts already computed (onnxruntime), [B·T], masked. */
  computed?: { logp: Float32Array; values: Float32Array },
): { targets: Targets; klTok: Float32Array; nonScore: Float32Array } {
  const dims = { B: data.B, T: data.T };
  const old = computed ?? scoreRollouts(policy, vHead, data, config.temperature);
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
 * one clipped update (`update`) each. Returns the update statistics averaged over the minibatches, or
 * where the loss first became non-finite (that update is not applied).
 */
export async function optimise(
  data: RolloutBatch,
  config: PpoConfig,
  iteration: number,
  update: MinibatchUpdate,
): Promise<
  | { stats: Record<string, number> }
  | { failed: { loss: number; gradNorm: number; epoch: number; minibatch: number } }
> {
  const sums = new Array<number>(UPDATE_STATS.length + 1).fill(0);
  let updates = 0;
  for (let e = 0; e < config.ppoEpochs; e++) {
    const seed = (config.seed ^ Math.imul(iteration, 0x85ebca6b) ^ Math.imul(e + 1, 0xc2b2ae35)) >>> 0;
    const order = permutation(data.B, mulberry32(seed));
    for (let k = 0; k < config.numMiniBatches; k++) {
      const rows = order.filter((_, j) => j % config.numMiniBatches === k);
      const r = await update(rows);
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
 * The onnx trainer of PPO's updates: the policy's and the value head's weights, the `ppo` head with the
 * config's temperature and clip ranges, Adam as the tfjs updates' (`adam`).
 */
export async function openPpoTrainer(
  policy: GPT,
  vHead: ScalarHead,
  config: PpoConfig,
  adam: OnnxTrainerOptions['adam'],
  place: Pick<OnnxTrainerOptions, 'threads' | 'provider'>,
): Promise<OnnxTrainer> {
  return new OnnxTrainer(policy.config, [...(await policy.toArrays()), ...(await vHead.toArrays())], {
    adam,
    head: {
      kind: 'ppo',
      temperature: config.temperature,
      clipRange: config.clipRange,
      clipRangeValue: config.clipRangeValue,
      vfCoef: config.vfCoef,
      valueHead: vHead.prefix,
    },
    ...place,
  });
}

/** Where an iteration's updates run: the onnx trainer when there is one, else tfjs's policy, value head and Adam. */
export interface UpdateEngine {
  onnx?: OnnxTrainer;
  policy: GPT;
  vHead: ScalarHead;
  adam: Adam;
  /** The trained variables by Adam's names (trunk and value head). */
  params: Map<string, tf.Variable>;
}

/**
 * ppoTargets with the policy's old log-probs and values from the engine in use: on onnxruntime, a
 * forward pass on the trainer's own weights (no copy to tfjs needed); else tfjs's.
 */
export async function targetsOn(
  engine: UpdateEngine,
  reference: GPT | Float32Array,
  data: RolloutBatch,
  scores: readonly number[],
  beta: number,
  config: PpoConfig,
): Promise<ReturnType<typeof ppoTargets>> {
  const { onnx, policy, vHead } = engine;
  const old = onnx ? await onnxRolloutScores(onnx, data, config, vHead.prefix) : undefined;
  return ppoTargets(policy, vHead, reference, data, scores, beta, config, old);
}

/**
 * The policy's log-probs at the sampling temperature and the value head's values of the rollouts, on
 * the onnx trainer's current weights, [B·T] and 0 off the response tokens (as scoreRollouts). Rows are
 * padded to a multiple of 16 tokens, so that few graph shapes occur; causal, so padding changes nothing.
 */
export async function onnxRolloutScores(
  onnx: OnnxTrainer,
  data: RolloutBatch,
  config: PpoConfig,
  valueHead: string,
): Promise<{ logp: Float32Array; values: Float32Array }> {
  const { B, T, mask } = data;
  const S = paddedLength(T, 16, onnx.config.contextLength);
  const ids = new Int32Array(B * S);
  const targets = new Int32Array(B * S);
  for (let b = 0; b < B; b++) {
    ids.set(data.inputs.subarray(b * T, (b + 1) * T), b * S);
    targets.set(data.targets.subarray(b * T, (b + 1) * T), b * S);
  }
  const out = await onnx.evaluate(
    { rows: B, seqLen: S, ids, targets },
    { temperature: config.temperature, valueHead },
  );
  const logp = new Float32Array(B * T);
  const values = new Float32Array(B * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (!mask[i]) continue;
      logp[i] = out.logp[b * S + t]!;
      values[i] = out.values![b * S + t]!;
    }
  return { logp, values };
}

/**
 * The reference's log-probs of the rollouts [B·T] on its onnxruntime scorer; without one, the tfjs
 * reference itself, for ppoTargets to score.
 */
export async function referenceLogProbs(
  scorer: OnnxScorer | undefined,
  reference: GPT,
  data: RolloutBatch,
  config: PpoConfig,
): Promise<GPT | Float32Array> {
  if (!scorer) return reference;
  return maskedLogProbs(scorer, { ...data, n: data.B }, { temperature: config.temperature });
}

/**
 * An iteration's optimisation phase (`optimise`) on the engine in use. On onnxruntime the minibatches
 * are padded to ⌈B / numMiniBatches⌉ rows of a multiple of 16 tokens, so that few graph shapes occur.
 */
export function optimiseOn(
  engine: UpdateEngine,
  data: RolloutBatch,
  targets: Targets,
  config: PpoConfig,
  iteration: number,
): ReturnType<typeof optimise> {
  const { onnx, policy, vHead, adam, params } = engine;
  const shape = {
    rows: Math.ceil(data.B / config.numMiniBatches),
    seqLen: paddedLength(data.T, 16, policy.config.contextLength),
  };
  return optimise(data, config, iteration, (rows) =>
    onnx
      ? onnxPpoUpdate(onnx, data, rows, targets, config, shape)
      : ppoUpdate(policy, vHead, adam, params, data, rows, targets, config),
  );
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
): UpdateResult {
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

/**
 * The same update on onnxruntime: every row of the minibatch in one step (the micro-batches of
 * gradientAccumulationSteps add up to this batch's gradient, so they need not be split here), padded
 * to `shape` — rows with mask 0, and positions after every response — so that few graphs are built.
 */
export async function onnxPpoUpdate(
  onnx: OnnxTrainer,
  data: RolloutBatch,
  rows: readonly number[],
  targets: Targets,
  config: PpoConfig,
  shape: { rows: number; seqLen: number },
): Promise<UpdateResult> {
  const out = await onnx.step(ppoBatch(data, rows, targets, shape), config.learningRate, config.maxGradNorm);
  return {
    loss: out.loss,
    gradNorm: out.gradNorm,
    stats: UPDATE_STATS.map((name) => out.stats[name]!),
    applied: out.applied,
  };
}

/**
 * The rollouts `rows` as an onnx step's batch (onnx-train/heads/ppo.ts inputs), `shape.rows` rows of
 * `shape.seqLen` tokens: inputs, next-token targets, mask and the update's targets (old log-probs and
 * values, advantages, returns), zero beyond the rows' own.
 */
export function ppoBatch(
  data: RolloutBatch,
  rows: readonly number[],
  targets: Targets,
  shape: { rows: number; seqLen: number },
): OnnxBatch {
  const { T } = data;
  const { rows: R, seqLen: S } = shape;
  if (R < rows.length || S < T)
    throw new Error(`ppo: a batch of ${rows.length} × ${T} does not fit the shape ${R} × ${S}`);
  const take = <A extends Int32Array | Float32Array>(x: A, out: A) => {
    rows.forEach((b, j) => out.set(x.subarray(b * T, (b + 1) * T), j * S));
    return out;
  };
  const f32 = (x: Float32Array) => take(x, new Float32Array(R * S));
  return {
    rows: R,
    seqLen: S,
    ids: take(data.inputs, new Int32Array(R * S)),
    targets: take(data.targets, new Int32Array(R * S)),
    mask: f32(data.mask),
    floats: {
      old_logp: f32(targets.oldLogp),
      old_values: f32(targets.oldValues),
      adv: f32(targets.adv),
      returns: f32(targets.returns),
    },
  };
}
