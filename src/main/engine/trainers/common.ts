// What the trainers share: the learning-rate schedule (linear warm-up, cosine decay), gradient clipping
// by global norm, an Adam(W) whose state can be saved and restored, one Adam step on a loss a trainer
// builds (`adamStep`, the preference and RL trainers'), the masked next-token loss and one step of it
// with gradient accumulation (`lmStep`, pretraining's and SFT's), the data order of an epoch, and a
// check that no weight has become non-finite. The LM trainers' config and loop are lm-run.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { GPT, NamedArray } from '../model/gpt';
import type { ScalarHead } from '../model/heads';
import { mulberry32, permutation } from '../random';

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

/** What Adam trains: the GPT's weights by name, then each head's `<prefix>.weight` and `<prefix>.bias`. */
export function paramsOf(model: GPT, ...heads: readonly ScalarHead[]): Map<string, tf.Variable> {
  const params = new Map(model.weights);
  for (const h of heads) params.set(`${h.prefix}.weight`, h.weight).set(`${h.prefix}.bias`, h.bias);
  return params;
}

/** Adam as the preference and RL trainers use it (TRL's defaults): β1 0.9, β2 0.999, ε 1e-8, no weight decay. */
export const PLAIN_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 } as const;

/**
 * One Adam step on a loss built inside the gradient tape: `f` returns the loss and the statistics to
 * read back with it. Gradients are taken for the trainable variables of `params` (Adam's names →
 * variables), scaled to a global norm of at most `maxGradNorm` (0 = no clipping) and applied only
 * when the loss and the norm are finite. One read-back: `numbers` = [loss, grad_norm, ...stats].
 */
export function adamStep(
  adam: Adam,
  params: Map<string, tf.Variable>,
  lr: number,
  maxGradNorm: number,
  f: () => { loss: tf.Scalar; stats: tf.Tensor[] },
): { numbers: Float32Array; applied: boolean } {
  let stats: tf.Tensor | undefined;
  let taped: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  try {
    taped = tf.variableGrads(
      () => {
        const out = f();
        stats = tf.keep(tf.stack(out.stats));
        return out.loss;
      },
      [...params.values()].filter((v) => v.trainable),
    );
    const { value, grads } = taped;
    const packed = tf.tidy(() => tf.concat([tf.stack([value, globalNorm(Object.values(grads))]), stats!]));
    const numbers = packed.dataSync() as Float32Array;
    packed.dispose();
    const [loss, gradNorm] = numbers;
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      const names = new Map([...params].map(([name, v]) => [v.name, name]));
      const byName = Object.fromEntries(Object.entries(grads).map(([k, g]) => [names.get(k) ?? k, g]));
      adam.apply(byName, lr, clipScale(gradNorm!, maxGradNorm));
    }
    return { numbers, applied };
  } finally {
    if (taped) tf.dispose([taped.value, ...Object.values(taped.grads)]);
    stats?.dispose();
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

/** An LM batch as plain arrays, row-major [b, T] (what lmBatch makes tensors of; the onnx engine feeds them as they are). */
export interface LmArrays {
  b: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the target is scored (the row's mask at the target's position), else 0. */
  mask: Float32Array;
  scored: number;
  tokens: number;
}

/** Rows → inputs, next-token targets and the 0/1 mask; rows shorter than `padTo` (or the longest row) padded with id 0, mask 0. */
export function lmArrays(rows: readonly LmRow[], padTo = 0): LmArrays {
  const T = Math.max(padTo, ...rows.map((r) => r.ids.length - 1));
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
  return { b, T, inputs, targets, mask, scored, tokens };
}

export function lmBatch(rows: readonly LmRow[]): LmBatch {
  const { b, T, inputs, targets, mask, scored, tokens } = lmArrays(rows);
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

// ── Data order, finite weights ─────────────────────────────────────────────────────────────────
/** The order in which epoch `epoch` visits `n` rows: a permutation seeded by (seed, epoch) alone. */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  return permutation(n, mulberry32(((seed ^ 0x9e3779b9) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0));
}

/** True when every weight of `model` and of `heads` is finite (Σ w·0 is NaN as soon as one is ±∞ or NaN). */
export function weightsFinite(model: GPT, ...heads: readonly ScalarHead[]): boolean {
  const weights = [...model.trainableVariables(), ...heads.flatMap((h) => [h.weight, h.bias])];
  const probe = tf.tidy(() => tf.addN(weights.map((w) => tf.sum(tf.mul(w, 0)))));
  const ok = Number.isFinite(probe.dataSync()[0]);
  probe.dispose();
  return ok;
}
