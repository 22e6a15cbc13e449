// What the language-model trainers (pretrain, SFT) share: the config fields, the learning-rate
// schedule (linear warm-up, cosine decay), gradient clipping by global norm, an Adam(W) whose state
// can be saved and restored, the masked next-token loss, and one optimizer step with gradient
// accumulation, and the training loop both trainers run (`runLm`, at the end).
// Pretraining is the special case of SFT in which every target is scored.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { selectBackend } from '../backend';
import {
  checkpointName,
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
import { GPT, type GPTConfig, type NamedArray } from '../model/gpt';
import { MODEL_PRESETS, type ModelPresetName } from '../model/presets';
import { mulberry32, permutation } from '../random';
import type { TrainContext, TrainEvent } from '../types';

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
};
export const LmTrainConfig = z.object(lmTrainFields);
export type LmTrainConfig = z.infer<typeof LmTrainConfig>;

// ── Schedule ────────────────────────────────────────────────────────────────────────────────
export interface LrSchedule {
  learningRate: number;
  warmupSteps: number;
  totalSteps: number;
  minLrRatio: number;
}

/**
 * The learning rate of optimizer step `step` (1-based): linear warm-up lr·step/warmupSteps up to the
 * peak at step = warmupSteps, then cosine decay lr·(r + (1 − r)·½(1 + cos(π·p))) with
 * p = (step − warmupSteps)/(totalSteps − warmupSteps), reaching lr·r on the last step.
 */
export function learningRateAt(step: number, s: LrSchedule): number {
  if (s.warmupSteps > 0 && step <= s.warmupSteps) return (s.learningRate * step) / s.warmupSteps;
  const span = s.totalSteps - s.warmupSteps;
  const p = span <= 0 ? 1 : Math.min(1, Math.max(0, (step - s.warmupSteps) / span));
  const r = s.minLrRatio;
  return s.learningRate * (r + (1 - r) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

// ── Clipping ────────────────────────────────────────────────────────────────────────────────
/** √(Σ‖g‖²) over every gradient, as a scalar tensor the caller owns. */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/** The factor that brings a gradient of global norm `norm` down to `maxNorm` (1 when it is below, or when maxNorm is 0). */
export function clipScale(norm: number, maxNorm: number): number {
  return maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

/** Gradients scaled so their global norm is at most `maxNorm` (PyTorch's clip_grad_norm_), plus the norm before. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  const n = globalNorm(grads);
  const norm = n.dataSync()[0]!;
  n.dispose();
  const scale = clipScale(norm, maxNorm);
  return { grads: grads.map((g) => tf.mul(g, scale)), norm };
}

// ── Adam(W) ─────────────────────────────────────────────────────────────────────────────────
/**
 * Adam with decoupled weight decay (Loshchilov & Hutter 2019), PyTorch's update: m ← β1 m + (1−β1) g,
 * v ← β2 v + (1−β2) g², w ← w − lr·(wd·w + m̂/(√v̂ + ε)) with bias-corrected m̂, v̂; weight decay only on
 * weights of rank ≥ 2. Own code rather than tf.train.adam so the learning rate can change every step
 * and the moments can be saved and restored exactly. The moments are variables made up front, so the
 * tensor count does not change after construction.
 */
export class Adam {
  /** Steps taken (the bias-correction exponent). */
  t = 0;
  private readonly m: Map<string, tf.Variable>;
  private readonly v: Map<string, tf.Variable>;

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly opts: { beta1: number; beta2: number; epsilon: number; weightDecay: number },
  ) {
    this.m = new Map();
    this.v = new Map();
    for (const [name, w] of params) {
      if (!w.trainable) continue;
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(w), false)),
      ); // variable copies its initial value
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(w), false)),
      );
    }
  }

  /** One update with gradients by variable name (missing names are left alone), each multiplied by `scale`. */
  apply(grads: Record<string, tf.Tensor>, lr: number, scale = 1): void {
    const { beta1, beta2, epsilon, weightDecay } = this.opts;
    this.t++;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (const [name, m] of this.m) {
      const g0 = grads[name];
      const w = this.params.get(name);
      const v = this.v.get(name);
      if (!g0 || !w || !v) continue;
      tf.tidy(() => {
        const g = scale === 1 ? g0 : tf.mul(g0, scale);
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), epsilon));
        const decayed = weightDecay > 0 && w.rank >= 2 ? tf.mul(w, 1 - lr * weightDecay) : w;
        m.assign(m1);
        v.assign(v1);
        w.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    }
  }

  /** The moments as named arrays (`m.<weight>`, `v.<weight>`); `t` travels in the checkpoint's JSON. */
  async state(): Promise<NamedArray[]> {
    const out: NamedArray[] = [];
    for (const [prefix, map] of [['m.', this.m] as const, ['v.', this.v] as const])
      for (const [name, x] of map)
        out.push({ name: prefix + name, shape: x.shape.slice(), data: (await x.data()) as Float32Array });
    return out;
  }

  load(arrays: readonly NamedArray[], t: number): void {
    const byName = new Map(arrays.map((a) => [a.name, a]));
    for (const [prefix, map] of [['m.', this.m] as const, ['v.', this.v] as const])
      for (const [name, x] of map) {
        const a = byName.get(prefix + name);
        if (!a || a.shape.join() !== x.shape.join())
          throw new Error(`optimizer state: "${prefix + name}" is missing or has the wrong shape`);
        tf.tidy(() => x.assign(tf.tensor(a.data, a.shape, 'float32')));
      }
    this.t = t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

// ── Loss ────────────────────────────────────────────────────────────────────────────────────
/**
 * Σᵢ wᵢ · (−log softmax(logitsᵢ)[targetᵢ]): logits [N, V], targets [N] int32, weights [N] float32
 * (mask / number of scored tokens gives the masked mean). A position with weight 0 contributes
 * nothing, whatever its target. The gradient is written out, (softmax − onehot)·w, rather than
 * taped through max/exp/log: one fused expression instead of ~8 [N, V] backward kernels.
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const V = logits.shape[1];
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(targets, V), 'float32'); // [N, V] (see oneHotFloat in gpt.ts)
    const w = tf.reshape(weights, [-1, 1]); // [N, 1]
    const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
      const shifted = tf.sub(x, tf.max(x, -1, true)); // [N, V], ≤ 0
      const e = tf.exp(shifted); // [N, V]
      const z = tf.sum(e, -1, true); // [N, 1]
      const nll = tf.sub(tf.log(z), tf.sum(tf.mul(shifted, oneHot), -1, true)); // [N, 1]
      save([tf.div(e, z), oneHot, w]); // softmax [N, V]; saved tensors outlive this tidy
      return {
        value: tf.sum(tf.mul(nll, w)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [probs, hot, weight] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          return tf.mul(tf.sub(probs, hot), tf.mul(weight, dy)); // [N, V]
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
    return f(logits) as tf.Scalar;
  });
}

/** Rows of a language-model dataset: `ids` and a 0/1 `mask` of the same length; mask[j] = 1 scores ids[j] as a target. */
export interface LmRow {
  ids: number[];
  mask: number[];
}

/** Rows → model inputs [b, T], targets [b, T], weights [b, T]; shorter rows padded on the right with id 0, weight 0. */
export interface LmBatch {
  inputs: tf.Tensor2D;
  targets: tf.Tensor1D;
  mask: tf.Tensor1D;
  /** Scored targets and input tokens (padding excluded). */
  scored: number;
  tokens: number;
}

export function lmBatch(rows: readonly LmRow[]): LmBatch {
  const T = Math.max(...rows.map((r) => r.ids.length - 1));
  const b = rows.length;
  const inputs = new Int32Array(b * T);
  const targets = new Int32Array(b * T);
  const mask = new Float32Array(b * T);
  let scored = 0;
  let tokens = 0;
  rows.forEach((r, i) => {
    for (let j = 0; j + 1 < r.ids.length; j++) {
      inputs[i * T + j] = r.ids[j]!;
      targets[i * T + j] = r.ids[j + 1]!;
      const m = r.mask[j + 1]! > 0 ? 1 : 0;
      mask[i * T + j] = m;
      scored += m;
    }
    tokens += r.ids.length - 1;
  });
  return {
    inputs: tf.tensor2d(inputs, [b, T], 'int32'),
    targets: tf.tensor1d(targets, 'int32'),
    mask: tf.tensor1d(mask, 'float32'),
    scored,
    tokens,
  };
}

export interface StepResult {
  /** Mean loss over the scored targets of the whole (accumulated) batch. */
  loss: number;
  /** Fraction of scored targets that were the argmax (only when asked for). */
  accuracy: number;
  gradNorm: number;
  scored: number;
  tokens: number;
  /** False when the loss or gradient was not finite: the weights were left unchanged. */
  applied: boolean;
}

/**
 * One optimizer step over `micro` (lists of rows, one forward/backward each): gradients summed with
 * the loss normalised by the scored tokens of the whole step, clipped by global norm, then Adam.
 * One read-back per step. Leaves the weights alone when the loss or the norm is not finite.
 */
export function lmStep(
  model: GPT,
  adam: Adam,
  micro: readonly (readonly LmRow[])[],
  lr: number,
  maxGradNorm: number,
  withAccuracy: boolean,
): StepResult {
  const batches = micro.map(lmBatch);
  const scored = batches.reduce((a, b) => a + b.scored, 0);
  const tokens = batches.reduce((a, b) => a + b.tokens, 0);
  const vars = model.trainableVariables();
  const names = new Map([...model.weights].map(([name, w]) => [w.name, name]));
  let grads: Record<string, tf.Tensor> = {};
  const parts: tf.Tensor[] = [];
  try {
    for (const batch of batches) {
      let correct: tf.Tensor | undefined;
      const { value, grads: g } = tf.variableGrads(() => {
        const logits = model.forward(batch.inputs); // [b, T, V]
        const flat = tf.reshape(logits, [-1, logits.shape[2]]) as tf.Tensor2D; // [N, V]
        if (withAccuracy)
          correct = tf.keep(
            tf.sum(tf.mul(tf.cast(tf.equal(tf.argMax(flat, -1), batch.targets), 'float32'), batch.mask)),
          );
        return weightedCrossEntropy(flat, batch.targets, tf.div(batch.mask, Math.max(1, scored)));
      }, vars);
      parts.push(value);
      if (correct) parts.push(correct);
      const next: Record<string, tf.Tensor> = {};
      for (const [varName, t] of Object.entries(g)) {
        const key = names.get(varName) ?? varName;
        const prev = grads[key];
        next[key] = prev ? tf.add(prev, t) : t;
        if (prev) {
          prev.dispose();
          t.dispose();
        }
      }
      grads = next;
    }
    const stats = tf.tidy(() => {
      const k = withAccuracy ? 2 : 1;
      const loss = tf.addN(parts.filter((_, i) => i % k === 0));
      const acc = withAccuracy ? tf.addN(parts.filter((_, i) => i % k === 1)) : tf.scalar(0);
      return tf.stack([loss, acc, globalNorm(Object.values(grads))]);
    });
    const [loss, correct, gradNorm] = stats.dataSync() as Float32Array;
    stats.dispose();
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) adam.apply(grads, lr, clipScale(gradNorm!, maxGradNorm));
    return {
      loss: loss!,
      accuracy: correct! / Math.max(1, scored),
      gradNorm: gradNorm!,
      scored,
      tokens,
      applied,
    };
  } finally {
    tf.dispose(parts);
    tf.dispose(Object.values(grads));
    for (const b of batches) tf.dispose([b.inputs, b.targets, b.mask]);
  }
}

/** Mean loss over the scored targets of `rows`, no gradients, `batchSize` rows at a time. */
export function evaluateLoss(model: GPT, rows: readonly LmRow[], batchSize: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = lmBatch(rows.slice(i, i + batchSize));
    const s = tf.tidy(() => {
      const logits = model.forward(batch.inputs);
      return weightedCrossEntropy(tf.reshape(logits, [-1, logits.shape[2]]), batch.targets, batch.mask);
    });
    sum += s.dataSync()[0]!;
    count += batch.scored;
    tf.dispose([s, batch.inputs, batch.targets, batch.mask]);
  }
  return sum / Math.max(1, count);
}

/** The order in which epoch `epoch` visits `n` rows: a permutation seeded by (seed, epoch) alone. */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  return permutation(n, mulberry32(((seed ^ 0x9e3779b9) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0));
}

// ── The loop ────────────────────────────────────────────────────────────────────────────────
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
  yield { type: 'backend', backend };
  await mkdir(ctx.outDir, { recursive: true });

  let model: GPT;
  let arch: ArchRecord;
  let lineage: Lineage;
  let resumed: LoadedCheckpoint | undefined;
  if (config.resumeFrom) {
    resumed = await loadCheckpoint(config.resumeFrom);
    if (resumed.record.trainer !== spec.trainer) {
      resumed.model.dispose();
      throw new Error(
        `${config.resumeFrom} is a ${resumed.record.trainer} checkpoint; it cannot resume a ${spec.trainer} run`,
      );
    }
    ({ model } = resumed);
    ({ arch, lineage } = resumed.record);
    const changed = ['batchSize', 'gradientAccumulationSteps', 'seed', 'learningRate', 'maxSteps', 'epochs']
      .filter((k) => resumed!.record.config[k] !== undefined && resumed!.record.config[k] !== config[k])
      .map((k) => `${k} (was ${String(resumed!.record.config[k])}, now ${String(config[k])})`);
    yield { type: 'log', message: `Resuming from step ${resumed.record.state.step} of ${config.resumeFrom}` };
    if (changed.length > 0)
      yield { type: 'log', message: `Resumed with changed settings: ${changed.join(', ')}` };
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
    let savedStep = state.step;
    let savedPath = resumed ? config.resumeFrom! : '';
    const record = (): ModelRecord => ({ arch, trainer: spec.trainer, step: state.step, config, lineage });
    const goodSince = () => (savedPath ? `; the weights of step ${savedStep} are kept in ${savedPath}` : '');
    const checkpoint = async () => {
      if (!weightsFinite(model))
        throw new Error(
          `${spec.trainer}: the weights became non-finite by step ${state.step}${goodSince()}. ` +
            `Try a smaller learning rate (now ${config.learningRate})`,
        );
      const file = path.join(ctx.outDir, checkpointName(state.step) + '.safetensors');
      savedPath = await saveCheckpoint(file, model, await adam.state(), { ...record(), state: { ...state } });
      savedStep = state.step;
      return savedPath;
    };
    const validate = () => {
      const loss = evaluateLoss(model, data.val, batchSize);
      return { 'val/loss': loss, 'val/perplexity': Math.exp(loss) };
    };

    let order = epochOrder(n, state.seed, state.epoch);
    let lastVal = -1;
    while (state.step < totalSteps) {
      if (state.index >= n) {
        state.epoch++;
        state.index = 0;
        order = epochOrder(n, state.seed, state.epoch);
      }
      if (ctx.signal.aborted) {
        if (state.step > savedStep) yield { type: 'checkpoint', step: state.step, path: await checkpoint() };
        return;
      }
      const rows = order.slice(state.index, state.index + rowsPerStep).map((i) => data.train[i]!);
      const micro = Array.from({ length: Math.ceil(rows.length / batchSize) }, (_, j) =>
        rows.slice(j * batchSize, (j + 1) * batchSize),
      );
      const lr = learningRateAt(state.step + 1, schedule);
      const t0 = performance.now();
      const r = lmStep(model, adam, micro, lr, config.maxGradNorm, spec.withAccuracy);
      const seconds = (performance.now() - t0) / 1000;
      if (!r.applied)
        // The weights that gave this loss are suspect: no checkpoint of them; the last good one stays.
        throw new Error(
          `${spec.trainer} loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${state.step + 1}${goodSince()}. ` +
            `Try a smaller learning rate (now ${config.learningRate}) or gradient clipping (maxGradNorm, now ${config.maxGradNorm})`,
        );
      state.step++;
      state.index += rows.length;
      state.numTokens += r.tokens;
      const epoch = state.epoch + state.index / n;
      yield { type: 'progress', step: state.step, totalSteps, epoch };
      const values = { ...spec.metrics(r, { lr, seconds, numTokens: state.numTokens }), epoch };
      if (data.val.length > 0 && spec.evalEvery > 0 && state.step % spec.evalEvery === 0) {
        Object.assign(values, validate());
        lastVal = state.step;
      }
      yield { type: 'metrics', step: state.step, values };
      if (config.checkpointEvery > 0 && state.step % config.checkpointEvery === 0 && state.step < totalSteps)
        yield { type: 'checkpoint', step: state.step, path: await checkpoint() };
      await new Promise<void>((resolve) => setImmediate(resolve)); // let an abort (or IPC) get through
    }
    if (data.val.length > 0 && lastVal !== state.step)
      yield { type: 'metrics', step: state.step, values: validate() };
    if (!weightsFinite(model))
      throw new Error(`${spec.trainer}: the weights became non-finite by step ${state.step}${goodSince()}`);
    const file = await saveModel(path.join(ctx.outDir, 'model.safetensors'), model, record());
    yield { type: 'model', path: file, arch: { ...arch, lineage } };
  } finally {
    model.dispose();
    adam.dispose();
  }
}

/** True when every weight is finite (Σ w·0 is NaN as soon as one is ±∞ or NaN). */
export function weightsFinite(model: GPT): boolean {
  const probe = tf.tidy(() => tf.addN(model.trainableVariables().map((w) => tf.sum(tf.mul(w, 0)))));
  const ok = Number.isFinite(probe.dataSync()[0]);
  probe.dispose();
  return ok;
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
