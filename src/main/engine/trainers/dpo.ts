// The DPO trainer and its relatives (TRL's `loss_type`s: sigmoid, robust, hinge, ipo against a frozen
// reference; orpo and simpo without one): trains a policy on preference pairs, yielding events: backend,
// progress and metrics under TRL's names each step, checkpoints, the final model. It knows nothing of
// SQLite, IPC or Electron. The config is `DpoConfig` in src/shared/schemas.ts (every field documented
// there); the losses are losses/preference.ts. Rendering pairs through a base model's tokenizer and
// chat template is tasks/dpo.ts; this file takes the rendered ids.
//
// Choices worth knowing:
// - The policy starts from fresh weights (seed-dpo, byte text pairs) or from a base model's weights
//   (rendered pairs); the reference is a frozen copy of the initial policy. Reference log-probs are
//   computed once for the whole dataset before training (no gradients), then the reference weights
//   are released: the reference never changes, so neither do they. ORPO and SimPO have no reference.
// - Log-probs are summed over the response tokens for sigmoid / robust / hinge and averaged per token
//   (sum / count) for ipo / orpo / simpo, as TRL does.
// - Adam (tf.train.adam, β1 0.9, β2 0.999, ε 1e-8), no weight decay, no gradient clipping;
//   `grad_norm` is the global L2 norm of the gradient before the step.
// - Each epoch visits the pairs in a seeded shuffled order; the last batch of an epoch may be smaller.
// - Cancel: `ctx.signal` is checked before every step. When aborted, the trainer writes a checkpoint of
//   the weights trained so far (if any step ran since the last one), yields that `checkpoint`, and
//   returns without a `model` event. Training work is never thrown away by a cancel.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DpoConfig, ModelPreset } from '../../../shared/schemas';
import { loadModel, saveModel, type ArchRecord, type Lineage } from '../checkpoint';
import { selectBackend } from '../backend';
import {
  pairBatch,
  tokenizeRenderedPairs,
  tokenizeTextPairs,
  type PreferenceTokens,
  type RenderedPair,
} from '../data/preference-pairs';
import { seedDpoData } from '../data/seed-dpo';
import { sequenceLogProbs } from '../logprobs';
import { preferenceLoss, type PreferenceLossOutput } from '../losses/preference';
import { GPT } from '../model/gpt';
import { PRESETS } from '../model/presets';
import { permutation, mulberry32 } from '../random';
import { BYTE_VOCAB_SIZE } from '../tokenizer/byte';
import type { DpoInputs, TrainContext, TrainEvent } from '../types';

/**
 * What the trainer reads: the tutorial's token pairs or byte text pairs (fresh model), or pairs already
 * rendered with a base model's tokenizer and chat template (the policy starts from `base.path`).
 */
export type DpoTrainerInputs =
  | DpoInputs
  | {
      kind: 'rendered';
      pairs: RenderedPair[];
      /** The base model's weights file and, when the lab knows it, its id (recorded as the parent). */
      base: { path: string; id: number | null };
      /** Padding id (never scored); 0 by default. */
      pad?: number;
    };

type LossType = DpoConfig['lossType'];
const REFERENCE_FREE: readonly LossType[] = ['orpo', 'simpo'];
const AVERAGED: readonly LossType[] = ['ipo', 'orpo', 'simpo'];

/** Metric names, in the order the step packs them into one read-back. */
const METRICS = [
  'loss',
  'grad_norm',
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
] as const;
/** ORPO's extra metrics (TRL ORPOTrainer), after the common ones. */
const ORPO_METRICS = ['log_odds_ratio', 'log_odds_chosen', 'nll_loss'] as const;

interface RefLogProbs {
  chosen: Float32Array;
  rejected: Float32Array;
}

export async function* trainDpo(
  config: DpoConfig,
  inputs: DpoTrainerInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  checkLossOptions(config);
  const backend = await selectBackend(config.backend);
  yield { type: 'backend', backend };

  let policy: GPT;
  let archRecord: ArchRecord;
  let lineage: Lineage;
  if (inputs.kind === 'rendered') {
    const loaded = await loadModel(inputs.base.path);
    policy = loaded.model;
    archRecord = { ...loaded.record.arch };
    lineage = { parentPath: inputs.base.path, parentId: inputs.base.id };
  } else {
    const preset: ModelPreset = config.model ?? (inputs.kind === 'seed-dpo' ? 'seed-tiny' : 'byte-tiny');
    archRecord = { preset, tokenizer: inputs.kind === 'text' ? 'byte' : 'seed-dpo', ...PRESETS[preset] };
    policy = GPT.init(PRESETS[preset], config.seed);
    lineage = { parentPath: null, parentId: null };
  }
  const optimizer = tf.train.adam(config.learningRate);
  try {
    const data = tokenize(config, inputs, archRecord);
    for (const message of data.notes) yield { type: 'log', message };
    checkCompatible(archRecord, inputs, data);

    await mkdir(ctx.outDir, { recursive: true });
    const { batchSize, epochs, lossType } = config;
    const stepsPerEpoch = Math.ceil(data.n / batchSize);
    const totalSteps = stepsPerEpoch * epochs;
    const rng = mulberry32(config.seed ^ 0x9e3779b9);
    const average = AVERAGED.includes(lossType);

    let step = 0;
    let savedStep = 0;
    const save = async (name: string) => {
      const file = await saveModel(path.join(ctx.outDir, `${name}.safetensors`), policy, {
        arch: archRecord,
        trainer: 'dpo',
        step,
        config: config as Record<string, unknown>,
        lineage,
      });
      savedStep = step;
      return file;
    };
    let ref: RefLogProbs | null = null;
    if (!REFERENCE_FREE.includes(lossType)) {
      const reference = policy.clone(false); // frozen copy of the initial policy
      try {
        ref = referenceLogProbs(reference, data, batchSize, average);
      } finally {
        reference.dispose();
      }
    }
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(data.n, rng);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (ctx.signal.aborted) {
          if (step > savedStep) yield { type: 'checkpoint', step, path: await save(checkpointName(step)) };
          return;
        }
        const indices = order.slice(s * batchSize, (s + 1) * batchSize);
        const values = dpoStep(policy, optimizer, data, ref, indices, config);
        step++;
        if (!Number.isFinite(values['loss']))
          throw new Error(
            `${lossType} loss became ${values['loss']} at step ${step} (epoch ${epoch + 1}); ` +
              `try a smaller learning rate (now ${config.learningRate}) or beta (now ${config.beta})`,
          );
        const epochFloat = epoch + (s + 1) / stepsPerEpoch;
        yield { type: 'progress', step, totalSteps, epoch: epochFloat };
        yield {
          type: 'metrics',
          step,
          values: { ...values, learning_rate: config.learningRate, epoch: epochFloat },
        };
        if (config.checkpointEvery > 0 && step % config.checkpointEvery === 0 && step < totalSteps)
          yield { type: 'checkpoint', step, path: await save(checkpointName(step)) };
        await new Promise<void>((resolve) => setImmediate(resolve)); // let an abort (or IPC) get through
      }
    }
    yield { type: 'model', path: await save('model'), arch: { ...archRecord, lineage } };
  } finally {
    policy.dispose();
    optimizer.dispose();
  }
}

function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(6, '0')}`;
}

function checkLossOptions(config: DpoConfig): void {
  if (config.labelSmoothing > 0 && !['sigmoid', 'robust', 'simpo'].includes(config.lossType))
    throw new Error(
      `Label smoothing applies to the sigmoid, robust and simpo losses, not "${config.lossType}"; set it to 0`,
    );
}

function tokenize(config: DpoConfig, inputs: DpoTrainerInputs, arch: ArchRecord): PreferenceTokens {
  switch (inputs.kind) {
    case 'seed-dpo':
      return seedDpoData(config.seed);
    case 'text':
      return tokenizeTextPairs(inputs.pairs, config.maxLength);
    case 'rendered': {
      // Inputs are the sequence minus its last token, so a sequence of context + 1 tokens fits.
      const limit = Math.min(config.maxLength, arch.contextLength + 1);
      return tokenizeRenderedPairs(inputs.pairs, limit, inputs.pad ?? 0);
    }
  }
}

function checkCompatible(arch: ArchRecord, inputs: DpoTrainerInputs, data: PreferenceTokens): void {
  const name = arch.preset ?? 'the base model';
  if (inputs.kind === 'text' && arch.vocabSize < BYTE_VOCAB_SIZE)
    throw new Error(
      `Model "${name}" has a vocabulary of ${arch.vocabSize} tokens, but text needs the byte tokenizer's ` +
        `${BYTE_VOCAB_SIZE}; use the "byte-tiny" model for text pairs`,
    );
  if (data.maxId >= arch.vocabSize)
    throw new Error(
      `Model "${name}" has a vocabulary of ${arch.vocabSize} tokens, but the data uses token id ${data.maxId}`,
    );
  if (data.T > arch.contextLength)
    throw new Error(
      `Sequences of ${data.T + 1} tokens do not fit model "${name}" (context ${arch.contextLength}); ` +
        `set Max length to at most ${arch.contextLength + 1}`,
    );
}

/** Per-sequence log-probs [2b]: summed, or averaged per scored token (a sequence with none counts 1). */
function logProbsOf(model: GPT, batch: ReturnType<typeof pairBatch>, average: boolean) {
  const logits = model.forward(batch.inputs); // [2b, T, V]
  const { sum, count } = sequenceLogProbs(logits, batch.targets, batch.mask); // [2b] each
  return { logps: average ? tf.div(sum, tf.maximum(count, 1)) : sum, count }; // [2b] each
}

/** Log-probs of every pair's chosen and rejected sequence under the initial policy, no gradients. */
function referenceLogProbs(
  model: GPT,
  data: PreferenceTokens,
  batchSize: number,
  average: boolean,
): RefLogProbs {
  const chosen = new Float32Array(data.n);
  const rejected = new Float32Array(data.n);
  for (let start = 0; start < data.n; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.n - start) }, (_, j) => start + j);
    const b = indices.length;
    const logps = tf.tidy(() => logProbsOf(model, pairBatch(data, indices), average).logps); // [2b]
    const values = logps.dataSync();
    logps.dispose();
    chosen.set(values.subarray(0, b), start);
    rejected.set(values.subarray(b, 2 * b), start);
  }
  return { chosen, rejected };
}

/** One optimizer step on the pairs at `indices`; returns the step's metrics (batch means). */
function dpoStep(
  policy: GPT,
  optimizer: tf.Optimizer,
  data: PreferenceTokens,
  ref: RefLogProbs | null,
  indices: number[],
  config: DpoConfig,
): Record<string, number> {
  const { lossType, beta, labelSmoothing, gamma } = config;
  const b = indices.length;
  const batch = pairBatch(data, indices); // [2b, T] each: chosen rows, then rejected rows
  const refChosen = ref ? tf.tensor1d(indices.map((i) => ref.chosen[i]!)) : null; // [b]
  const refRejected = ref ? tf.tensor1d(indices.map((i) => ref.rejected[i]!)) : null; // [b]
  const names: string[] = [...METRICS, ...(lossType === 'orpo' ? ORPO_METRICS : [])];
  let stats: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const { logps, count } = logProbsOf(policy, batch, AVERAGED.includes(lossType)); // [2b] each
      const policyChosen = tf.slice(logps, [0], [b]) as tf.Tensor1D; // [b]
      const policyRejected = tf.slice(logps, [b], [b]) as tf.Tensor1D; // [b]
      let out: PreferenceLossOutput;
      if (lossType === 'orpo') {
        const chosenLengths = tf.slice(count, [0], [b]) as tf.Tensor1D; // [b]
        out = preferenceLoss({ lossType, policyChosen, policyRejected, beta, chosenLengths });
      } else if (lossType === 'simpo') {
        out = preferenceLoss({ lossType, policyChosen, policyRejected, beta, gamma, labelSmoothing });
      } else {
        out = preferenceLoss({
          lossType,
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
      stats = tf.keep(
        tf.stack([
          tf.mean(out.chosenRewards),
          tf.mean(out.rejectedRewards),
          tf.mean(margins),
          tf.mean(tf.cast(tf.greater(margins, 0), 'float32')),
          tf.mean(policyChosen),
          tf.mean(policyRejected),
          ...extra,
        ]),
      ); // [6] (+3 for ORPO)
      return tf.mean(out.losses) as tf.Scalar;
    }, policy.trainableVariables());
    const gradNorm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
    const packed = tf.tidy(() => tf.concat([tf.stack([value, gradNorm]), stats!])); // one read-back
    const numbers = packed.dataSync();
    packed.dispose();
    gradNorm.dispose();
    value.dispose();
    // A non-finite loss must not corrupt the weights: skip the update; the caller throws.
    if (Number.isFinite(numbers[0])) optimizer.applyGradients(grads);
    tf.dispose(grads);
    return Object.fromEntries(names.map((name, i) => [name, numbers[i]!]));
  } finally {
    tf.dispose([batch.inputs, batch.targets, batch.mask]);
    if (refChosen) refChosen.dispose();
    if (refRejected) refRejected.dispose();
    stats?.dispose();
  }
}
