// The DPO trainer and its relatives (TRL's `loss_type`s: sigmoid, robust, hinge, ipo against a frozen
// reference; orpo and simpo without one; kto on unpaired examples against a frozen reference): trains a
// policy on preference data, yielding events: backend, progress and metrics under TRL's names each
// step, checkpoints, the final model. It knows nothing of SQLite, IPC or Electron. The config is
// `DpoConfig` in src/shared/schemas.ts (every field documented there); the losses are
// losses/preference.ts. Rendering text through a base model's tokenizer and chat template is
// tasks/dpo.ts; this file takes the rendered ids. The per-step math (reference log-probs, one paired
// or KTO step) is trainers/dpo-steps.ts.
//
// Choices worth knowing:
// - The policy starts from fresh weights (seed-dpo, byte text) or from a base model's weights (rendered
//   data); the reference is a frozen copy of the initial policy. Reference log-probs are computed once
//   for the whole dataset before training (no gradients; on onnxruntime unless `inference` says tfjs,
//   onnx/reference.ts), then the reference weights are released: the reference never changes, so
//   neither do they. ORPO and SimPO have no reference.
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
// - Paired losses take batchSize × gradientAccumulationSteps pairs per step, one forward/backward per
//   micro-batch of batchSize, one Adam step (trainers/accumulate.ts); `forward_passes` counts them. KTO
//   does not accumulate (its KL reference point is a batch estimate).
// - Training engine (`trainingEngine`, onnx-train/choose.ts): every loss has an onnx step
//   (dpo-steps.ts onnxHeadOf: onnx-train/heads/paired.ts for sigmoid / robust / hinge / ipo ± RPO,
//   reference-free.ts for orpo / simpo, kto.ts), so `auto` trains on onnxruntime when its self-check
//   passes. There a step's pairs go through one graph run (the micro-batches' loss and gradient, in
//   more memory), and a KTO step's examples and KL pairs share one forward pass, the KL rows without
//   gradient. The weights live in the OnnxTrainer and are copied into the tfjs policy for checkpoints
//   and the final model, the same files either way: a run resumes on either engine.
// - Checkpoints hold the weights, Adam's moments and the position (step, epoch, index, seed).
//   `resumeFrom` reloads them, rebuilds the reference from the ORIGINAL initial policy (the base model
//   file, or GPT.init with the run's seed), and continues where the run stopped: the metrics of a
//   resumed run are those of an uninterrupted one.
// - Cancel: `ctx.signal` is checked before every step. When aborted, the trainer writes a checkpoint
//   (if any step ran since the last one), yields that `checkpoint`, and returns without a `model` event.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DpoConfig, ModelPreset } from '../../../shared/schemas';
import {
  gptConfigOf,
  loadCheckpoint,
  loadModel,
  readModelRecord,
  saveCheckpoint,
  saveModel,
  type ArchRecord,
  type LoadedCheckpoint,
  type Lineage,
  type ModelRecord,
  type TrainerState,
} from '../checkpoint';
import { selectBackend } from '../backend';
import {
  tokenizeRenderedPairs,
  tokenizeTextPairs,
  type PreferenceTokens,
  type RenderedPair,
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
import { GPT } from '../model/gpt';
import { PRESETS } from '../model/presets';
import { BYTE_VOCAB_SIZE } from '../tokenizer/byte';
import type { DpoInputs, TrainContext, TrainEvent } from '../types';
import { Adam, PLAIN_ADAM, epochOrder } from './common';
import { computeReferenceLogProbs } from '../onnx/reference';
import { chooseTrainingEngine, copyWeightsTo, placement } from '../onnx-train/choose';
import { OnnxTrainer } from '../onnx-train/engine';
import {
  AVERAGED,
  REFERENCE_FREE,
  ktoStep,
  onnxHeadOf,
  onnxKtoStep,
  onnxPairedStep,
  pairedStep,
  type DpoData,
} from './dpo-steps';
import { Checkpoints, resumeNotes, yieldToEvents } from './loop';

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

/** Settings that change what a resumed run computes, listed when they differ from the checkpoint's. */
const RESUME_KEYS = [
  'lossType',
  'beta',
  'learningRate',
  'batchSize',
  'gradientAccumulationSteps',
  'epochs',
  'seed',
  'maxLength',
];

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
  // onnx-train has a head for every loss (dpo-steps.ts onnxHeadOf).
  const training = await chooseTrainingEngine(config.trainingEngine ?? 'auto', true);
  yield { type: 'backend', backend: { ...backend, training } };

  const start = await startFrom(config, inputs);
  const { policy, arch, lineage, resumed } = start;
  const adam = new Adam(policy.weights, PLAIN_ADAM);
  let onnx: OnnxTrainer | undefined;
  try {
    if (resumed)
      for (const message of resumeNotes(config.resumeFrom!, resumed.record, config, RESUME_KEYS))
        yield { type: 'log', message };
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
    // Paired losses: a step takes batchSize × gradientAccumulationSteps pairs (accumulate.ts).
    const batchEnd = (from: number) =>
      data.kind === 'unpaired'
        ? ktoBatchEnd(from, n, batchSize)
        : Math.min(n, from + batchSize * config.gradientAccumulationSteps);
    let stepsPerEpoch = 0;
    for (let from = 0; from < n; from = batchEnd(from)) stepsPerEpoch++;
    const totalSteps = stepsPerEpoch * epochs;

    let ref: Float32Array[] | null = null;
    if (!REFERENCE_FREE.includes(lossType)) {
      const reference = await start.reference();
      try {
        // On onnxruntime unless config.inference / LAB_INFERENCE say tfjs (onnx/reference.ts).
        const average = AVERAGED.includes(lossType);
        const r = await computeReferenceLogProbs(reference, data, batchSize, average, config.inference);
        ref = r.values;
        yield { type: 'inference', inference: r.info };
        yield { type: 'log', message: r.message };
      } finally {
        reference.dispose();
      }
    }

    const record = (): ModelRecord => ({
      arch,
      trainer: 'dpo',
      step: state.step,
      config: config as Record<string, unknown>,
      lineage,
    });
    if (training.engine === 'onnx') {
      onnx = new OnnxTrainer(gptConfigOf(arch), await policy.toArrays(), {
        adam: PLAIN_ADAM,
        head: onnxHeadOf(config),
        ...placement(training),
      });
      if (resumed) onnx.loadOptimizerState(resumed.optimizerState, state.step);
    }
    const sync = () => {
      if (onnx) copyWeightsTo(policy, onnx);
    };
    const saves = new Checkpoints(
      ctx.outDir,
      async (file) => {
        sync();
        const optimizerState = onnx ? onnx.optimizerState() : await adam.state();
        return saveCheckpoint(file, policy, optimizerState, { ...record(), state: { ...state } });
      },
      { step: state.step, path: config.resumeFrom ?? '' },
    );
    let forwardPasses = state.step * config.gradientAccumulationSteps; // on resume: as if every step was full
    let order = epochOrder(n, state.seed, state.epoch);
    while (state.epoch < epochs) {
      if (state.index >= n) {
        state.epoch++;
        state.index = 0;
        if (state.epoch < epochs) order = epochOrder(n, state.seed, state.epoch);
        continue;
      }
      if (ctx.signal.aborted) {
        yield* saves.cancelled(state.step);
        return;
      }
      const end = batchEnd(state.index);
      const indices = order.slice(state.index, end);
      forwardPasses +=
        data.kind === 'unpaired' ? 1 : Math.min(config.gradientAccumulationSteps, indices.length);
      const { values, applied } =
        data.kind === 'unpaired'
          ? onnx
            ? await onnxKtoStep(onnx, data.tokens, ref!, indices, config)
            : ktoStep(policy, adam, data.tokens, ref!, indices, config)
          : onnx
            ? await onnxPairedStep(onnx, data.tokens, ref, indices, config)
            : pairedStep(policy, adam, data.tokens, ref, indices, config);
      state.step++;
      state.index = end;
      if (!applied)
        throw new Error(
          `${lossType} loss became ${values['loss']} (gradient norm ${values['grad_norm']}) at step ${state.step} ` +
            `(epoch ${state.epoch + 1}); try a smaller learning rate (now ${config.learningRate}) or beta (now ${config.beta})`,
        );
      const epoch = state.epoch + state.index / n;
      yield { type: 'progress', step: state.step, totalSteps, epoch };
      yield {
        type: 'metrics',
        step: state.step,
        values: { ...values, learning_rate: config.learningRate, epoch, forward_passes: forwardPasses },
      };
      yield* saves.due(state.step, config.checkpointEvery, totalSteps);
      await yieldToEvents();
    }
    sync();
    const file = await saveModel(path.join(ctx.outDir, 'model.safetensors'), policy, record());
    yield { type: 'model', path: file, arch: { ...arch, lineage } };
  } finally {
    policy.dispose();
    adam.dispose();
    await onnx?.release();
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
  if (config.gradientAccumulationSteps > 1)
    throw new Error(
      "KTO's reference point (the KL term) is estimated from the whole batch, so it cannot be accumulated over micro-batches; set gradient accumulation steps to 1 and raise the batch size",
    );
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
    const resumed = await loadCheckpoint(config.resumeFrom, { trainer: 'dpo', run: 'DPO' });
    const policy = resumed.model;
    try {
      const { record } = resumed;
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

function prepare(
  config: DpoConfig,
  inputs: DpoTrainerInputs,
  arch: ArchRecord,
  seed: number,
): { data: DpoData; notes: string[] } {
  const { maxLength, batchSize } = config;
  // Inputs are the sequence minus its last token, so a sequence of context + 1 tokens fits.
  const limit = Math.min(maxLength, arch.contextLength + 1);
  const pairs = (tokens: PreferenceTokens) => ({
    data: { kind: 'pairs', tokens } as DpoData,
    notes: tokens.notes,
  });
  const unpaired = (tokens: UnpairedTokens, notes: string[] = []) => ({
    data: { kind: 'unpaired', tokens } as DpoData,
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

function checkCompatible(arch: ArchRecord, inputs: DpoTrainerInputs, data: DpoData): void {
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
