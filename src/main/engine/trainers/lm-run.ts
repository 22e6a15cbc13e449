// What the language-model trainers (pretrain, SFT) share beyond common.ts: their config fields and the
// training loop both run (`runLm`). Pretraining is the special case of SFT in which every target is
// scored; each trainer says how to make its rows and which metrics to report.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { selectBackend } from '../backend';
import {
  gptConfigOf,
  loadCheckpoint,
  loadModel,
  saveCheckpoint,
  saveModel,
  type ArchRecord,
  type Lineage,
  type LoadedCheckpoint,
  type ModelRecord,
  type TrainerState,
} from '../checkpoint';
import { GPT, type GPTConfig } from '../model/gpt';
import { MODEL_PRESETS, type ModelPresetName } from '../model/presets';
import { TrainingEngineChoice } from '../../../shared/schemas';
import { lmRowsBatch, paddedLength } from '../onnx-train/batches';
import { chooseTrainingEngine, copyWeightsTo, placement } from '../onnx-train/choose';
import { OnnxTrainer } from '../onnx-train/engine';
import type { TrainContext, TrainEvent } from '../types';
import {
  Adam,
  epochOrder,
  evaluateLoss,
  learningRateAt,
  lmStep,
  weightsFinite,
  type LmRow,
  type StepResult,
} from './common';
import { Checkpoints, resumeNotes, yieldToEvents } from './loop';

// ── Config fields both trainers take ─────────────────────────────────────────────────────────
const num = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .refine((v) => Number.isFinite(v) && v >= min && v <= max, `${label} must be between ${min} and ${max}`);
const int = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max}`);

/** Fields of PretrainConfig and SftConfig; each trainer sets its own defaults where they differ. */
export const lmTrainFields = {
  /** Model shape by preset name; ignored when `initFrom` or `resumeFrom` gives the weights. */
  model: z
    .string()
    .refine(
      (m) => Object.hasOwn(MODEL_PRESETS, m),
      `Model must be one of ${Object.keys(MODEL_PRESETS).join(', ')}`,
    )
    .optional(),
  /** Start from this saved model (`.safetensors` with its JSON beside it) instead of fresh weights. */
  initFrom: z.string().optional(),
  /** The lab's id of the parent model, recorded in the lineage (the lab knows ids; the engine does not). */
  parentId: z.number().int().positive().optional(),
  /** Continue a stopped run from this checkpoint (`checkpoint-NNNNNN.safetensors`). */
  resumeFrom: z.string().optional(),
  /** Tokenizer name recorded in the model's architecture record (e.g. 'byte', or a BPE's id). */
  tokenizer: z.string().default('byte'),
  /** Peak learning rate (after warm-up). */
  learningRate: num('Learning rate', 1e-8, 1).default(1e-3),
  /** Steps of linear warm-up from 0 to `learningRate`. */
  warmupSteps: int('Warm-up steps', 0, 1_000_000).default(0),
  /** Cosine decay ends at learningRate × minLrRatio on the last step (1 = constant after warm-up). */
  minLrRatio: num('Minimum LR ratio', 0, 1).default(0.1),
  /** Clip the gradient's global L2 norm to this before the step (0 = no clipping). */
  maxGradNorm: num('Max gradient norm', 0, 1e6).default(1.0),
  /** Decoupled weight decay (AdamW) on weights of rank ≥ 2 (matrices, embeddings included); never on biases or LayerNorm gains. */
  weightDecay: num('Weight decay', 0, 10).default(0),
  /** Adam's β1, β2 and ε (Kingma & Ba 2015). */
  adamBeta1: num('Adam beta1', 0, 0.999999).default(0.9),
  adamBeta2: num('Adam beta2', 0, 0.999999).default(0.999),
  adamEpsilon: num('Adam epsilon', 0, 1).default(1e-8),
  /** Sequences per forward/backward pass. */
  batchSize: int('Batch size', 1, 4096).default(16),
  /** Passes accumulated into one optimizer step: the effective batch is batchSize × this. */
  gradientAccumulationSteps: int('Gradient accumulation steps', 1, 1024).default(1),
  /** Passes over the data. */
  epochs: int('Epochs', 1, 100_000).default(1),
  /** Stop after this many optimizer steps, cycling epochs as needed (0 = `epochs` decides). */
  maxSteps: int('Max steps', 0, 10_000_000).default(0),
  /** Seeds weight init and the data order. */
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
  /** Steps between checkpoints (0 = only on cancel and at the end). */
  checkpointEvery: int('Checkpoint every', 0, 1_000_000).default(0),
  /** Compute backend: `auto` picks tensorflow → wasm → cpu, the first that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Training engine: `auto` trains on onnxruntime when its self-check passes, else tfjs (onnx-train/choose.ts). */
  trainingEngine: TrainingEngineChoice.default('auto'),
};
export const LmTrainConfig = z.object(lmTrainFields);
export type LmTrainConfig = z.infer<typeof LmTrainConfig>;

// ── The loop ────────────────────────────────────────────────────────────────────────────────
/** Settings that change a resumed LM run's course, listed when they differ from the checkpoint's. */
const LM_RESUME_KEYS = [
  'batchSize',
  'gradientAccumulationSteps',
  'seed',
  'learningRate',
  'maxSteps',
  'epochs',
];

export interface LmRunSpec {
  trainer: 'pretrain' | 'sft';
  /** The resolved config, stored whole in every checkpoint and model record. */
  config: LmTrainConfig & Record<string, unknown>;
  /** Preset used when the config names none and nothing is loaded. */
  defaultModel: ModelPresetName;
  /** The rows to train (and validate) on, made once the model's shape is known. */
  prepare(arch: GPTConfig): { train: LmRow[]; val: LmRow[]; notes: string[] };
  /** Compute mean_token_accuracy (an argmax over the logits). */
  withAccuracy: boolean;
  /** Steps between validation passes when there are validation rows (0 = only at the end). */
  evalEvery: number;
  /** The metrics of one step, under TRL's names. */
  metrics(r: StepResult, at: { lr: number; seconds: number; numTokens: number }): Record<string, number>;
}

/**
 * Train `spec` to the end, yielding events exactly as the DPO trainer does: backend, logs, then
 * progress + metrics per step, checkpoints, and the final model. Cancel: checked before every step;
 * the work since the last checkpoint is saved as a checkpoint and the generator returns. A non-finite
 * loss (or gradient) stops the run with an error naming the last good checkpoint, and writes none of
 * the weights that produced it; no checkpoint or model is ever written with a non-finite weight.
 */
export async function* runLm(spec: LmRunSpec, ctx: TrainContext): AsyncGenerator<TrainEvent> {
  const { config } = spec;
  const backend = await selectBackend(config.backend);
  const training = await chooseTrainingEngine(config.trainingEngine ?? 'auto', true);
  yield { type: 'backend', backend: { ...backend, training } };
  await mkdir(ctx.outDir, { recursive: true });

  let model: GPT;
  let arch: ArchRecord;
  let lineage: Lineage;
  let resumed: LoadedCheckpoint | undefined;
  if (config.resumeFrom) {
    resumed = await loadCheckpoint(config.resumeFrom, { trainer: spec.trainer, run: spec.trainer });
    ({ model } = resumed);
    ({ arch, lineage } = resumed.record);
    for (const message of resumeNotes(config.resumeFrom, resumed.record, config, LM_RESUME_KEYS))
      yield { type: 'log', message };
  } else if (config.initFrom) {
    const loaded = await loadModel(config.initFrom);
    model = loaded.model;
    arch = { ...loaded.record.arch };
    lineage = { parentPath: config.initFrom, parentId: config.parentId ?? null };
  } else {
    const preset = (config.model ?? spec.defaultModel) as ModelPresetName;
    model = GPT.init(MODEL_PRESETS[preset], config.seed);
    arch = { preset, tokenizer: config.tokenizer, ...MODEL_PRESETS[preset] };
    lineage = { parentPath: null, parentId: config.parentId ?? null };
  }
  const adam = new Adam(model.weights, {
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
    epsilon: config.adamEpsilon,
    weightDecay: config.weightDecay,
  });
  let onnx: OnnxTrainer | undefined;
  try {
    const gpt = gptConfigOf(arch);
    const data = spec.prepare(gpt);
    for (const message of data.notes) yield { type: 'log', message };
    checkRows(data.train.concat(data.val), gpt, arch.preset);
    const n = data.train.length;
    if (n === 0) throw new Error('There is nothing to train on: the dataset has no usable rows');

    const { batchSize, gradientAccumulationSteps: accum, seed } = config;
    const rowsPerStep = batchSize * accum;
    const stepsPerEpoch = Math.ceil(n / rowsPerStep);
    const totalSteps = config.maxSteps > 0 ? config.maxSteps : stepsPerEpoch * config.epochs;
    const schedule = { ...config, totalSteps };
    const state: TrainerState = resumed
      ? { ...resumed.record.state }
      : { step: 0, epoch: 0, index: 0, numTokens: 0, seed };
    if (resumed) adam.load(resumed.optimizerState, resumed.record.state.step);
    if (training.engine === 'onnx') {
      // The steps run on onnxruntime; the tfjs model gets the weights back before validation and saves.
      onnx = new OnnxTrainer(gpt, await model.toArrays(), {
        adam: {
          beta1: config.adamBeta1,
          beta2: config.adamBeta2,
          epsilon: config.adamEpsilon,
          weightDecay: config.weightDecay,
        },
        head: { kind: 'sft' },
        ...placement(training),
      });
      if (resumed) onnx.loadOptimizerState(resumed.optimizerState, resumed.record.state.step);
    }
    const sync = () => {
      if (onnx) copyWeightsTo(model, onnx);
    };
    const record = (): ModelRecord => ({ arch, trainer: spec.trainer, step: state.step, config, lineage });
    const saves: Checkpoints = new Checkpoints(
      ctx.outDir,
      async (file) => {
        sync();
        if (!weightsFinite(model))
          throw new Error(
            `${spec.trainer}: the weights became non-finite by step ${state.step}${saves.kept()}. ` +
              `Try a smaller learning rate (now ${config.learningRate})`,
          );
        const optimizerState = onnx ? onnx.optimizerState() : await adam.state();
        return saveCheckpoint(file, model, optimizerState, { ...record(), state: { ...state } });
      },
      { step: state.step, path: resumed ? config.resumeFrom! : '' },
    );
    const validate = () => {
      sync();
      const loss = evaluateLoss(model, data.val, batchSize);
      return { 'val/loss': loss, 'val/perplexity': Math.exp(loss) };
    };

    let order = epochOrder(n, state.seed, state.epoch);
    let lastVal = -1;
    let forwardPasses = state.step * accum; // one per micro-batch; on resume, as if every step was full
    while (state.step < totalSteps) {
      if (state.index >= n) {
        state.epoch++;
        state.index = 0;
        order = epochOrder(n, state.seed, state.epoch);
      }
      if (ctx.signal.aborted) {
        yield* saves.cancelled(state.step);
        return;
      }
      const rows = order.slice(state.index, state.index + rowsPerStep).map((i) => data.train[i]!);
      const micro = Array.from({ length: Math.ceil(rows.length / batchSize) }, (_, j) =>
        rows.slice(j * batchSize, (j + 1) * batchSize),
      );
      const lr = learningRateAt(state.step + 1, schedule);
      const t0 = performance.now();
      const r = onnx
        ? await onnxLmStep(onnx, rows, gpt.contextLength, lr, config.maxGradNorm)
        : lmStep(model, adam, micro, lr, config.maxGradNorm, spec.withAccuracy);
      const seconds = (performance.now() - t0) / 1000;
      if (!r.applied)
        // The weights that gave this loss are suspect: no checkpoint of them; the last good one stays.
        throw new Error(
          `${spec.trainer} loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${state.step + 1}${saves.kept()}. ` +
            `Try a smaller learning rate (now ${config.learningRate}) or gradient clipping (maxGradNorm, now ${config.maxGradNorm})`,
        );
      state.step++;
      state.index += rows.length;
      state.numTokens += r.tokens;
      const epoch = state.epoch + state.index / n;
      yield { type: 'progress', step: state.step, totalSteps, epoch };
      forwardPasses += onnx ? 1 : micro.length; // onnxruntime takes the step's rows in one pass
      const values = {
        ...spec.metrics(r, { lr, seconds, numTokens: state.numTokens }),
        epoch,
        forward_passes: forwardPasses,
      };
      if (data.val.length > 0 && spec.evalEvery > 0 && state.step % spec.evalEvery === 0) {
        Object.assign(values, validate());
        lastVal = state.step;
      }
      yield { type: 'metrics', step: state.step, values };
      yield* saves.due(state.step, config.checkpointEvery, totalSteps);
      await yieldToEvents();
    }
    if (data.val.length > 0 && lastVal !== state.step)
      yield { type: 'metrics', step: state.step, values: validate() };
    sync();
    if (!weightsFinite(model))
      throw new Error(`${spec.trainer}: the weights became non-finite by step ${state.step}${saves.kept()}`);
    const file = await saveModel(path.join(ctx.outDir, 'model.safetensors'), model, record());
    yield { type: 'model', path: file, arch: { ...arch, lineage } };
  } finally {
    model.dispose();
    adam.dispose();
    await onnx?.release();
  }
}

/**
 * One optimizer step on onnxruntime over every row of the step at once (the accumulated micro-batches
 * in one batch: the same sum of gradients, normalised by the step's scored tokens), padded to a multiple
 * of 16 tokens so few batch shapes (one graph each) occur.
 */
async function onnxLmStep(
  onnx: OnnxTrainer,
  rows: readonly LmRow[],
  contextLength: number,
  lr: number,
  maxGradNorm: number,
): Promise<StepResult> {
  const longest = Math.max(...rows.map((r) => r.ids.length - 1));
  const batch = lmRowsBatch(rows, paddedLength(longest, 16, contextLength));
  const out = await onnx.step(batch, lr, maxGradNorm);
  return {
    loss: out.loss,
    accuracy: out.stats['correct']! / Math.max(1, batch.scored),
    gradNorm: out.gradNorm,
    scored: batch.scored,
    tokens: batch.tokens,
    applied: out.applied,
  };
}

function checkRows(rows: readonly LmRow[], arch: GPTConfig, preset?: string): void {
  const name = preset ? `Model "${preset}"` : 'The model';
  let maxId = -1;
  let longest = 0;
  for (const r of rows) {
    for (const id of r.ids) if (id > maxId) maxId = id;
    longest = Math.max(longest, r.ids.length);
  }
  if (maxId >= arch.vocabSize)
    throw new Error(
      `${name} has a vocabulary of ${arch.vocabSize} tokens, but the data uses token id ${maxId}; ` +
        `pick a model whose vocabulary matches the tokenizer`,
    );
  if (longest > arch.contextLength + 1)
    throw new Error(`Rows of ${longest} tokens do not fit ${name} (context ${arch.contextLength})`);
}
