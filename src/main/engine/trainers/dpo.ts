// The DPO trainer and its relatives (TRL's `loss_type`s: sigmoid, robust, hinge, ipo against a frozen
// reference; orpo and simpo without one; kto on unpaired examples against a frozen reference): trains a
// policy on preference data, yielding events: backend, progress and metrics under TRL's names each
// step, checkpoints, the final model. It knows nothing of SQLite, IPC or Electron. The config is
// `DpoConfig` in src/shared/schemas.ts (every field documented there); the losses are
// losses/preference.ts. Rendering text through a base model's tokenizer and chat template is
// tasks/dpo.ts; this file takes the rendered ids.
//
// Choices worth knowing:
// - The policy starts from fresh weights (seed-dpo, byte text) or from a base model's weights (rendered
//   data); the reference is a frozen copy of the initial policy. Reference log-probs are computed once
//   for the whole dataset before training (no gradients), then the reference weights are released: the
//   reference never changes, so neither do they. ORPO and SimPO have no reference.
// - Log-probs are summed over the response tokens for sigmoid / robust / hinge / kto and averaged per
//   token (sum / count) for ipo / orpo / simpo, as TRL does.
// - KTO (TRL KTOTrainer): preference pairs become unpaired examples (chosen → desirable, rejected →
//   undesirable). Each example's KL pair (its prompt with another example's completion) is fixed once
//   per run, as TRL fixes it (see data/unpaired.ts), so its reference log-prob is computed up front too;
//   the policy's KL log-probs are computed each step without gradients (TRL: under no_grad). A batch
//   needs 2 examples; a last batch of one joins the one before it. `rewards/chosen` and `logps/chosen`
//   (and `rewards/margins`) are left out of a step whose batch has no desirable example; likewise for
//   the rejected ones.
// - Adam (trainers/common.ts: β1 0.9, β2 0.999, ε 1e-8), no weight decay, no gradient clipping;
//   `grad_norm` is the global L2 norm of the gradient before the step.
// - Epoch e visits the data in the order `epochOrder(n, seed, e)`; the last batch may be smaller.
// - Checkpoints hold the weights, Adam's moments and the position (step, epoch, index, seed).
//   `resumeFrom` reloads them, rebuilds the reference from the ORIGINAL initial policy (the base model
//   file, or GPT.init with the run's seed), and continues where the run stopped: the metrics of a
//   resumed run are those of an uninterrupted one.
// - Cancel: `ctx.signal` is checked before every step. When aborted, the trainer writes a checkpoint
//   (if any step ran since the last one), yields that `checkpoint`, and returns without a `model` event.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DpoConfig, ModelPreset } from '../../../shared/schemas';
import {
  checkpointName,
  gptConfigOf,
  loadCheckpoint,
  loadModel,
  readModelRecord,
  saveCheckpoint,
  saveModel,
  type ArchRecord,
  type LoadedCheckpoint,
  type Lineage,
  type TrainerState,
} from '../checkpoint';
import { selectBackend } from '../backend';
import {
  rowBatch,
  tokenizeRenderedPairs,
  tokenizeTextPairs,
  type BatchTensors,
  type PreferenceTokens,
  type RenderedPair,
  type TokenRows,
} from '../data/preference-pairs';
import { seedDpoData } from '../data/seed-dpo';
import {
  KTO_BATCH_ERROR,
  ktoBatchEnd,
  tokenizeTextUnpaired,
  tokenizeUnpaired,
  unpairedFromPairs,
  type RenderedUnpaired,
  type UnpairedTokens,
} from '../data/unpaired';
import { sequenceLogProbs } from '../logprobs';
import { preferenceLoss, type PreferenceLossOutput } from '../losses/preference';
import { GPT } from '../model/gpt';
import { PRESETS } from '../model/presets';
import { BYTE_VOCAB_SIZE } from '../tokenizer/byte';
import type { DpoInputs, TrainContext, TrainEvent } from '../types';
import { Adam, epochOrder, globalNorm } from './common';

/** A base model's weights file and, when the lab knows it, its id (recorded as the parent). */
type Base = { path: string; id: number | null };

/**
 * What the trainer reads: the tutorial's token pairs, byte text pairs or unpaired byte text (fresh
 * model), or pairs / unpaired examples already rendered with a base model's tokenizer and chat template
 * (the policy starts from `base.path`). `pad` is the padding id (never scored), 0 by default.
 */
export type DpoTrainerInputs =
  | DpoInputs
  | { kind: 'rendered'; pairs: RenderedPair[]; base: Base; pad?: number }
  | { kind: 'rendered-unpaired'; examples: RenderedUnpaired[]; base: Base; pad?: number };

type LossType = DpoConfig['lossType'];
const REFERENCE_FREE: readonly LossType[] = ['orpo', 'simpo'];
const AVERAGED: readonly LossType[] = ['ipo', 'orpo', 'simpo'];

/** Metric names of the paired losses, in the order the step packs them into one read-back. */
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

/** The data, tokenized: pairs (chosen and rejected rows) or unpaired examples (example and KL rows). */
type Data = { kind: 'pairs'; tokens: PreferenceTokens } | { kind: 'unpaired'; tokens: UnpairedTokens };

/** The policy to train, where it came from, and how to build the frozen reference. */
interface Start {
  policy: GPT;
  arch: ArchRecord;
  lineage: Lineage;
  resumed?: LoadedCheckpoint;
  /** The initial policy, frozen; the caller disposes it. */
  reference(): Promise<GPT>;
}

export async function* trainDpo(
  config: DpoConfig,
  inputs: DpoTrainerInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  checkOptions(config, inputs);
  const backend = await selectBackend(config.backend);
  yield { type: 'backend', backend };

  const start = await startFrom(config, inputs);
  const { policy, arch, lineage, resumed } = start;
  const adam = new Adam(policy.weights, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
  try {
    if (resumed) {
      yield {
        type: 'log',
        message: `Resuming from step ${resumed.record.state.step} of ${config.resumeFrom}`,
      };
      const changed = changedSettings(resumed.record.config, config);
      if (changed.length > 0)
        yield { type: 'log', message: `Resumed with changed settings: ${changed.join(', ')}` };
    }
    const state: TrainerState = resumed
      ? { ...resumed.record.state }
      : { step: 0, epoch: 0, index: 0, numTokens: 0, seed: config.seed };
    const { data, notes } = prepare(config, inputs, arch, state.seed);
    for (const message of notes) yield { type: 'log', message };
    checkCompatible(arch, inputs, data);
    if (resumed) adam.load(resumed.optimizerState, state.step);

    await mkdir(ctx.outDir, { recursive: true });
    const { batchSize, epochs, lossType } = config;
    const n = data.tokens.n;
    const batchEnd = (from: number) =>
      data.kind === 'unpaired' ? ktoBatchEnd(from, n, batchSize) : Math.min(n, from + batchSize);
    let stepsPerEpoch = 0;
    for (let from = 0; from < n; from = batchEnd(from)) stepsPerEpoch++;
    const totalSteps = stepsPerEpoch * epochs;

    let ref: Float32Array[] | null = null;
    if (!REFERENCE_FREE.includes(lossType)) {
      const reference = await start.reference();
      try {
        ref = referenceLogProbs(reference, data, batchSize, AVERAGED.includes(lossType));
      } finally {
        reference.dispose();
      }
    }

    let savedStep = state.step;
    const save = async (name: string) => {
      const record = {
        arch,
        trainer: 'dpo',
        step: state.step,
        config: config as Record<string, unknown>,
        lineage,
      };
      const file = path.join(ctx.outDir, `${name}.safetensors`);
      const written =
        name === 'model'
          ? await saveModel(file, policy, record)
          : await saveCheckpoint(file, policy, await adam.state(), { ...record, state: { ...state } });
      savedStep = state.step;
      return written;
    };
    let order = epochOrder(n, state.seed, state.epoch);
    while (state.epoch < epochs) {
      if (state.index >= n) {
        state.epoch++;
        state.index = 0;
        if (state.epoch < epochs) order = epochOrder(n, state.seed, state.epoch);
        continue;
      }
      if (ctx.signal.aborted) {
        if (state.step > savedStep)
          yield { type: 'checkpoint', step: state.step, path: await save(checkpointName(state.step)) };
        return;
      }
      const end = batchEnd(state.index);
      const indices = order.slice(state.index, end);
      const values =
        data.kind === 'unpaired'
          ? ktoStep(policy, adam, data.tokens, ref!, indices, config)
          : pairedStep(policy, adam, data.tokens, ref, indices, config);
      state.step++;
      state.index = end;
      if (!Number.isFinite(values['loss']))
        throw new Error(
          `${lossType} loss became ${values['loss']} at step ${state.step} (epoch ${state.epoch + 1}); ` +
            `try a smaller learning rate (now ${config.learningRate}) or beta (now ${config.beta})`,
        );
      const epoch = state.epoch + state.index / n;
      yield { type: 'progress', step: state.step, totalSteps, epoch };
      yield {
        type: 'metrics',
        step: state.step,
        values: { ...values, learning_rate: config.learningRate, epoch },
      };
      if (config.checkpointEvery > 0 && state.step % config.checkpointEvery === 0 && state.step < totalSteps)
        yield { type: 'checkpoint', step: state.step, path: await save(checkpointName(state.step)) };
      await new Promise<void>((resolve) => setImmediate(resolve)); // let an abort (or IPC) get through
    }
    yield { type: 'model', path: await save('model'), arch: { ...arch, lineage } };
  } finally {
    policy.dispose();
    adam.dispose();
  }
}

function checkOptions(config: DpoConfig, inputs: DpoTrainerInputs): void {
  const { lossType } = config;
  if (config.labelSmoothing > 0 && !['sigmoid', 'robust', 'simpo'].includes(lossType))
    throw new Error(
      `Label smoothing applies to the sigmoid, robust and simpo losses, not "${lossType}"; set it to 0`,
    );
  const unpaired = inputs.kind === 'unpaired' || inputs.kind === 'rendered-unpaired';
  if (unpaired && lossType !== 'kto')
    throw new Error(
      `Unpaired examples (a completion labelled desirable or not) train only with the kto loss, not "${lossType}"`,
    );
  if (lossType !== 'kto') return;
  if (config.batchSize < 2) throw new Error(KTO_BATCH_ERROR);
  if (inputs.kind === 'seed-dpo')
    throw new Error(
      'KTO trains on (prompt, completion) examples; the built-in seed-dpo data has no prompts. Use text pairs or unpaired examples',
    );
  if (inputs.kind === 'rendered')
    throw new Error('KTO takes rendered unpaired examples, not rendered pairs (see tasks/dpo.ts)');
}

/** The policy and the reference: fresh, from a base model, or from a checkpoint (`resumeFrom`). */
async function startFrom(config: DpoConfig, inputs: DpoTrainerInputs): Promise<Start> {
  const base = inputs.kind === 'rendered' || inputs.kind === 'rendered-unpaired' ? inputs.base : null;
  if (config.resumeFrom) {
    const resumed = await loadCheckpoint(config.resumeFrom);
    const policy = resumed.model;
    try {
      const { record } = resumed;
      if (record.trainer !== 'dpo')
        throw new Error(`${config.resumeFrom} is a ${record.trainer} checkpoint; it cannot resume a DPO run`);
      const arch = { ...record.arch };
      // The reference is the run's initial policy: its base model, or fresh weights from its seed.
      const initial = base?.path ?? record.lineage.parentPath;
      if (initial) {
        const initialArch = gptConfigOf((await readModelRecord(initial)).arch);
        if (JSON.stringify(initialArch) !== JSON.stringify(gptConfigOf(arch)))
          throw new Error(
            `${config.resumeFrom} has another shape than the base model ${initial}; resume with the run's own base model`,
          );
      }
      const seed = record.state.seed;
      const reference = initial
        ? async () => (await loadModel(initial, false)).model
        : async () => GPT.init(gptConfigOf(arch), seed, false);
      return { policy, arch, lineage: record.lineage, resumed, reference };
    } catch (err) {
      policy.dispose();
      throw err;
    }
  }
  if (base) {
    const loaded = await loadModel(base.path);
    const policy = loaded.model;
    const lineage = { parentPath: base.path, parentId: base.id };
    return { policy, arch: { ...loaded.record.arch }, lineage, reference: async () => policy.clone(false) };
  }
  const preset: ModelPreset = config.model ?? (inputs.kind === 'seed-dpo' ? 'seed-tiny' : 'byte-tiny');
  const tokenizer = inputs.kind === 'seed-dpo' ? 'seed-dpo' : 'byte';
  const policy = GPT.init(PRESETS[preset], config.seed);
  return {
    policy,
    arch: { preset, tokenizer, ...PRESETS[preset] },
    lineage: { parentPath: null, parentId: null },
    reference: async () => policy.clone(false), // before the first step: the initial policy
  };
}

/** Settings that change what a resumed run computes, listed when they differ from the checkpoint's. */
function changedSettings(saved: Record<string, unknown>, config: DpoConfig): string[] {
  const keys = ['lossType', 'beta', 'learningRate', 'batchSize', 'epochs', 'seed', 'maxLength'] as const;
  return keys
    .filter((k) => saved[k] !== undefined && saved[k] !== config[k])
    .map((k) => `${k} (was ${String(saved[k])}, now ${String(config[k])})`);
}

function prepare(
  config: DpoConfig,
  inputs: DpoTrainerInputs,
  arch: ArchRecord,
  seed: number,
): { data: Data; notes: string[] } {
  const { maxLength, batchSize } = config;
  // Inputs are the sequence minus its last token, so a sequence of context + 1 tokens fits.
  const limit = Math.min(maxLength, arch.contextLength + 1);
  const pairs = (tokens: PreferenceTokens) => ({
    data: { kind: 'pairs', tokens } as Data,
    notes: tokens.notes,
  });
  const unpaired = (tokens: UnpairedTokens, notes: string[] = []) => ({
    data: { kind: 'unpaired', tokens } as Data,
    notes: [...notes, ...tokens.notes],
  });
  switch (inputs.kind) {
    case 'seed-dpo':
      return pairs(seedDpoData(seed));
    case 'text': {
      if (config.lossType !== 'kto') return pairs(tokenizeTextPairs(inputs.pairs, maxLength));
      const { items, note } = unpairedFromPairs(inputs.pairs);
      return unpaired(tokenizeTextUnpaired(items, maxLength, batchSize, seed), [note]);
    }
    case 'unpaired':
      return unpaired(tokenizeTextUnpaired(inputs.items, maxLength, batchSize, seed));
    case 'rendered':
      return pairs(tokenizeRenderedPairs(inputs.pairs, limit, inputs.pad ?? 0));
    case 'rendered-unpaired':
      return unpaired(tokenizeUnpaired(inputs.examples, limit, inputs.pad ?? 0));
  }
}

function checkCompatible(arch: ArchRecord, inputs: DpoTrainerInputs, data: Data): void {
  const name = arch.preset ?? 'the base model';
  const { maxId, T } = data.tokens;
  if ((inputs.kind === 'text' || inputs.kind === 'unpaired') && arch.vocabSize < BYTE_VOCAB_SIZE)
    throw new Error(
      `Model "${name}" has a vocabulary of ${arch.vocabSize} tokens, but text needs the byte tokenizer's ` +
        `${BYTE_VOCAB_SIZE}; use the "byte-tiny" model for text`,
    );
  if (maxId >= arch.vocabSize)
    throw new Error(
      `Model "${name}" has a vocabulary of ${arch.vocabSize} tokens, but the data uses token id ${maxId}`,
    );
  if (T > arch.contextLength)
    throw new Error(
      `Sequences of ${T + 1} tokens do not fit model "${name}" (context ${arch.contextLength}); ` +
        `set Max length to at most ${arch.contextLength + 1}`,
    );
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
function referenceLogProbs(model: GPT, data: Data, batchSize: number, average: boolean): Float32Array[] {
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
 * One Adam step on the loss `f` builds inside the gradient tape, which also returns statistics to read.
 * One read-back: [loss, grad_norm, ...stats]. A non-finite loss leaves the weights alone.
 */
function optimizerStep(
  policy: GPT,
  adam: Adam,
  lr: number,
  f: () => { loss: tf.Scalar; stats: tf.Tensor[] },
): Float32Array {
  let stats: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = f();
    stats = tf.keep(tf.stack(out.stats));
    return out.loss;
  }, policy.trainableVariables());
  try {
    const packed = tf.tidy(() => tf.concat([tf.stack([value, globalNorm(Object.values(grads))]), stats!]));
    const numbers = packed.dataSync() as Float32Array;
    packed.dispose();
    if (Number.isFinite(numbers[0])) {
      const names = new Map([...policy.weights].map(([name, w]) => [w.name, name]));
      adam.apply(Object.fromEntries(Object.entries(grads).map(([k, g]) => [names.get(k) ?? k, g])), lr);
    }
    return numbers;
  } finally {
    value.dispose();
    tf.dispose(grads);
    stats?.dispose();
  }
}

/** One step of a paired loss on the pairs at `indices`; returns the step's metrics (batch means). */
function pairedStep(
  policy: GPT,
  adam: Adam,
  data: PreferenceTokens,
  ref: Float32Array[] | null,
  indices: number[],
  config: DpoConfig,
): Record<string, number> {
  const { lossType, beta, labelSmoothing, gamma } = config;
  const b = indices.length;
  const batch = rowBatch([data.chosen, data.rejected], data.T, indices); // [2b, T] each: chosen, then rejected
  const refChosen = ref ? tf.tensor1d(indices.map((i) => ref[0]![i]!)) : null; // [b]
  const refRejected = ref ? tf.tensor1d(indices.map((i) => ref[1]![i]!)) : null; // [b]
  const names: string[] = [...METRICS, ...(lossType === 'orpo' ? ORPO_METRICS : [])];
  try {
    const numbers = optimizerStep(policy, adam, config.learningRate, () => {
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
      ]; // 6 (+3 for ORPO)
      return { loss: tf.mean(out.losses) as tf.Scalar, stats };
    });
    return Object.fromEntries(names.map((name, i) => [name, numbers[i]!]));
  } finally {
    tf.dispose([batch.inputs, batch.targets, batch.mask]);
    if (refChosen) refChosen.dispose();
    if (refRejected) refRejected.dispose();
  }
}

/**
 * One KTO step on the examples at `indices` (desirable ones first, as the loss wants); `ref` holds the
 * reference log-probs of the examples and of their KL pairs. Metrics are TRL KTOTrainer's batch means.
 */
function ktoStep(
  policy: GPT,
  adam: Adam,
  data: UnpairedTokens,
  ref: Float32Array[],
  indices: number[],
  config: DpoConfig,
): Record<string, number> {
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
    const numbers = optimizerStep(policy, adam, config.learningRate, () => {
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
    const values: Record<string, number> = { loss: loss!, grad_norm: gradNorm!, kl: kl! };
    if (nd > 0)
      Object.assign(values, { 'rewards/chosen': rewardsChosen! / nd, 'logps/chosen': logpsChosen! / nd });
    if (nu > 0)
      Object.assign(values, {
        'rewards/rejected': rewardsRejected! / nu,
        'logps/rejected': logpsRejected! / nu,
      });
    if (nd > 0 && nu > 0) values['rewards/margins'] = rewardsChosen! / nd - rewardsRejected! / nu;
    return values;
  } finally {
    tf.dispose([batch.inputs, batch.targets, batch.mask, klBatch.inputs, klBatch.targets, klBatch.mask]);
    tf.dispose([...refs, policyKl]);
  }
}
