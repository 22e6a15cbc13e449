// The lab GPT (model/gpt.ts) as onnx-train graphs: the forward pass written with graph.ts's
// differentiable ops, computing what GPT.forward computes (token + learned position embeddings,
// pre-LayerNorm blocks with ε = 1e-5, scores · 1/√hd + a −1e9 causal mask, GELU (tanh form), tied
// head h @ wteᵀ), then a loss head, its backward pass, the gradient's global norm, clipping and the
// Adam(W) update of trainers/common.ts — one graph per batch shape whose inputs are the weights, Adam's
// moments, the step's scalars and the batch, and whose outputs are the loss, metrics and the updated
// weights and moments. Also a forward-only scoring graph (per-sequence log-probs).
import type { GPTConfig } from '../model/gpt';
import { Graph, type Val } from './graph';
import { headOf, type HeadSpec } from './heads';

export type { HeadSpec } from './heads';
export { statNames } from './heads';

const LN_EPS = 1e-5;
const MASK_VALUE = -1e9;

/** A weight's name and shape, in the model's order. */
export interface ParamSpec {
  name: string;
  shape: number[];
}

export interface TrainGraphSpec {
  config: GPTConfig;
  params: readonly ParamSpec[];
  /** Rows per step (for dpo: 2 × pairs) and tokens per row (≤ contextLength). */
  rows: number;
  seqLen: number;
  head: HeadSpec;
  adam: { beta1: number; beta2: number; epsilon: number };
  /** Also output the raw (unclipped) gradient, packed as the weights, as `grads` (tests). */
  emitGrads?: boolean;
  /** How the embedding's gradient is formed. Default 'scatter'. */
  embeddingGrad?: 'scatter' | 'onehot';
}

/** A float input a head asked for, fed from the batch. */
export interface FloatInput {
  name: string;
  dims: number[];
}

/** Where each weight sits in the packed vectors: offset and length, in `params` order. */
export function packing(params: readonly ParamSpec[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const p of params) {
    offsets.push(total);
    total += p.shape.reduce((a, b) => a * b, 1);
  }
  return { offsets, total };
}

/**
 * The GPT forward to the final hidden states [R, T, D] from weights `w` and ids [R, T], and the tied
 * output head that turns them into logits [R, T, V] — built on first use, so that a head which reads
 * only the hidden states (a reward model's score) has no vocabulary-wide product in its graph.
 */
function gptForward(
  g: Graph,
  c: GPTConfig,
  w: Map<string, Val>,
  ids: Val,
  embeddingGrad: 'scatter' | 'onehot',
): { logits: () => Val; hidden: Val } {
  const { dModel: D, nLayers, nHeads: H, contextLength: C } = c;
  const [R, T] = ids.shape as [number, number];
  const hd = D / H;
  const W = (name: string) => {
    const v = w.get(name);
    if (!v) throw new Error(`onnx-train: weight "${name}" is missing`);
    return v;
  };
  const linear = (x: Val, name: string) => g.add(g.matmul(x, W(name + '.weight')), W(name + '.bias'));
  const ln = (x: Val, name: string) => g.layerNorm(x, W(name + '.weight'), W(name + '.bias'), LN_EPS);

  const tok = g.gather(W('wte'), ids, embeddingGrad); // [R, T, D]
  const pos = T === C ? W('wpe') : g.slice(W('wpe'), 0, 0, T); // [T, D]
  let x = g.add(tok, pos); // [R, T, D]
  const maskData = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskData[i * T + j] = MASK_VALUE;
  const mask = g.floats(maskData, [T, T]);
  for (let i = 0; i < nLayers; i++) {
    const p = `h.${i}.`;
    const a = ln(x, p + 'ln_1'); // [R, T, D]
    // Heads as a batch of R·H: [R, T, D] → [R, H, T, hd] → [R·H, T, hd]. Three dims, not four, so that
    // onnxruntime cannot merge a gradient's last-axes transpose with the head split's transpose into one
    // more copy; it folds it into the MatMul instead (the backward has 4 transposes per block, not 7).
    const split = (t: Val) =>
      g.reshape(g.transpose(g.reshape(t, [R, T, H, hd]), [0, 2, 1, 3]), [R * H, T, hd]);
    const q = split(linear(a, p + 'attn.q'));
    const k = split(linear(a, p + 'attn.k'));
    const v = split(linear(a, p + 'attn.v'));
    const scores = g.add(g.scale(g.matmulNT(q, k), 1 / Math.sqrt(hd)), mask); // [R·H, T, T]
    const y = g.reshape(g.matmul(g.softmax(scores), v), [R, H, T, hd]);
    const merged = g.reshape(g.transpose(y, [0, 2, 1, 3]), [R, T, D]);
    x = g.add(x, linear(merged, p + 'attn.proj'));
    const f = linear(ln(x, p + 'ln_2'), p + 'mlp.fc'); // [R, T, dFF]
    x = g.add(x, linear(g.gelu(f), p + 'mlp.proj'));
  }
  const hidden = ln(x, 'ln_f'); // [R, T, D]
  let logits: Val | undefined;
  return { logits: () => (logits ??= g.matmul(hidden, g.transpose(W('wte'), [1, 0]))), hidden }; // [R, T, V]
}

/**
 * gptForward over every row, the last `frozen` rows from the weights without gradient (a separate
 * forward whose ops are not differentiated), joined again: the loss may read them, the backward pass
 * skips them.
 */
function forwardWithFrozenRows(
  g: Graph,
  c: GPTConfig,
  w: Map<string, Val>,
  ids: Val,
  embeddingGrad: 'scatter' | 'onehot',
  frozen: number,
): { logits: () => Val; hidden: Val } {
  const [R, T] = ids.shape as [number, number];
  if (frozen <= 0 || frozen >= R) return gptForward(g, c, w, ids, embeddingGrad);
  const rows = (from: number, to: number) =>
    g.plain('Slice', [ids, g.int64s([from]), g.int64s([to]), g.int64s([0])], [to - from, T], {}, 'int64');
  const still = new Map([...w].map(([name, v]) => [name, g.stopGradient(v)]));
  const live = gptForward(g, c, w, rows(0, R - frozen), embeddingGrad);
  const rest = gptForward(g, c, still, rows(R - frozen, R), embeddingGrad);
  let logits: Val | undefined;
  return {
    logits: () => (logits ??= g.concat([live.logits(), rest.logits()], 0)),
    hidden: g.concat([live.hidden, rest.hidden], 0),
  };
}

/**
 * The training step graph. The weights and Adam's moments travel packed, each weight's values in
 * `params` order (see `packing`), so the optimizer is a dozen nodes over one vector and a step passes 3
 * arrays each way. Inputs: `params`, `adam_m`, `adam_v` [P]; scalars `lr`, `c1` = 1 − β1ᵗ,
 * `c2` = 1 − β2ᵗ, `decay` = 1 − lr·weightDecay (applied to weights of rank ≥ 2), `max_norm`
 * (0 = no clipping); `ids`, `targets` int64 [R, T]; the head's float inputs (`floatInputs`: sft
 * `weights` [R, T]; dpo `mask` [R, T], `row_scale` [R], `ref` [R]; …). Outputs: `loss`, `grad_norm`
 * (before clipping), `stats` (the head's metrics, heads/index.ts statNames),
 * `new_params`, `new_m`, `new_v` [P] (plus `grads` [P] with emitGrads).
 */
export function buildTrainGraph(spec: TrainGraphSpec): { bytes: Uint8Array; floatInputs: FloatInput[] } {
  const { config: c, rows: R, seqLen: T, head, adam } = spec;
  if (T > c.contextLength)
    throw new Error(`onnx-train: ${T} tokens exceed the context length ${c.contextLength}`);
  const g = new Graph();
  const { offsets, total: P } = packing(spec.params);
  const flat = g.input('params', [P]);
  const m = g.input('adam_m', [P]);
  const v = g.input('adam_v', [P]);
  const w = new Map<string, Val>();
  spec.params.forEach((p, i) => w.set(p.name, g.param(flat, offsets[i]!, p.shape)));
  const lr = g.input('lr', []);
  const c1 = g.input('c1', []);
  const c2 = g.input('c2', []);
  const decay = g.input('decay', []);
  const maxNorm = g.input('max_norm', []);
  const ids = g.input('ids', [R, T], 'int64');
  const targets = g.input('targets', [R, T], 'int64');

  const { logits, hidden } = forwardWithFrozenRows(
    g,
    c,
    w,
    ids,
    spec.embeddingGrad ?? 'scatter',
    headOf(head).frozenRows?.(head, R) ?? 0,
  );
  const floatInputs: FloatInput[] = [];
  const { loss, stats } = headOf(head).build(
    {
      g,
      config: c,
      rows: R,
      seqLen: T,
      ids,
      targets,
      get logits() {
        return logits();
      },
      hidden,
      weight: (name) => {
        const v = w.get(name);
        if (!v) throw new Error(`onnx-train: the ${head.kind} head needs the trained weight "${name}"`);
        return v;
      },
      input: (name, shape) => {
        floatInputs.push({ name, dims: shape.slice() });
        return g.input(name, shape);
      },
    },
    head,
  );

  const params = spec.params.map((p) => w.get(p.name)!);
  const grads = g.grad(loss, params);
  const grad = g.plain(
    'Concat',
    grads.map((gr) => g.plain('Reshape', [gr, g.int64s([-1])], [gr.shape.reduce((a, b) => a * b, 1)])),
    [P],
    { axis: { int: 0 } },
  );
  // Global norm before clipping, and the clip factor (trainers/common.ts clipScale).
  const norm = g.plain('Sqrt', [g.plain('ReduceSumSquare', [grad], [], { keepdims: { int: 0 } })], []);
  const over = g.plain(
    'And',
    [
      g.plain('Greater', [maxNorm, g.scalar(0)], [], {}, 'bool'),
      g.plain('Greater', [norm, maxNorm], [], {}, 'bool'),
    ],
    [],
    {},
    'bool',
  );
  const clip = g.plain(
    'Where',
    [over, g.plain('Div', [maxNorm, g.plain('Add', [norm, g.scalar(1e-6)], [])], []), g.scalar(1)],
    [],
  );
  // Adam(W) on the packed vectors, as trainers/common.ts Adam.apply, with the step's scalars folded so
  // that each [P] pass does one thing (14 passes, from 19): m' = β1·m + (1−β1)·k·g and v' = β2·v + (1−β2)·k²·g²
  // for the clip factor k; w' = w·f − (lr/c1)·m' / (√v'/√c2 + ε), f = 1 + (decay − 1)·[rank ≥ 2].
  const { beta1, beta2, epsilon } = adam;
  const s = (op: string, ...ins: Val[]) => g.plain(op, ins, []);
  const vec = (op: string, a: Val, b: Val) => g.plain(op, [a, b], [P]);
  const m1 = vec(
    'Add',
    vec('Mul', m, g.scalar(beta1)),
    vec('Mul', grad, s('Mul', clip, g.scalar(1 - beta1))),
  );
  const gScaled = vec('Mul', grad, s('Mul', s('Mul', clip, clip), g.scalar(1 - beta2)));
  const v1 = vec('Add', vec('Mul', v, g.scalar(beta2)), vec('Mul', gScaled, grad));
  const denom = g.scaleShift(g.plain('Sqrt', [v1], [P]), s('Reciprocal', s('Sqrt', c2)), epsilon);
  const update = vec('Mul', vec('Div', m1, denom), s('Div', lr, c1));
  // Decay factor per value: `decay` on weights of rank ≥ 2, 1 elsewhere.
  const matrix = new Float32Array(P);
  spec.params.forEach((p, i) => {
    if (p.shape.length >= 2) matrix.fill(1, offsets[i]!, offsets[i]! + p.shape.reduce((a, b) => a * b, 1));
  });
  const factor = g.scaleShift(g.floats(matrix, [P]), s('Sub', decay, g.scalar(1)), 1);
  g.output(vec('Sub', vec('Mul', flat, factor), update), 'new_params');
  g.output(m1, 'new_m');
  g.output(v1, 'new_v');
  if (spec.emitGrads) g.output(grad, 'grads');
  g.output(loss, 'loss');
  g.output(norm, 'grad_norm');
  const packed = g.plain(
    'Concat',
    stats.map((s) => g.plain('Reshape', [s, g.int64s([1])], [1])),
    [stats.length],
    { axis: { int: 0 } },
  );
  g.output(packed, 'stats');
  return {
    bytes: g.encode('gpt_train_step', { gpt_config: JSON.stringify(c), head: JSON.stringify(head) }),
    floatInputs,
  };
}

/**
 * Forward only, on the packed weights of a training step (`params` [P], as buildTrainGraph): each
 * position's log p(target) at `temperature` (logits / temperature) as `logp` [R, T], and with
 * `valueHead` that scalar head's value at every position as `values` [R, T] (PPO's old log-probs and
 * values, from the trainer's current weights without a copy to tfjs). Inputs: `params`, `ids`,
 * `targets` int64 [R, T].
 */
export function buildEvalGraph(spec: {
  config: GPTConfig;
  params: readonly ParamSpec[];
  rows: number;
  seqLen: number;
  temperature: number;
  valueHead?: string;
}): Uint8Array {
  const { config: c, rows: R, seqLen: T, temperature } = spec;
  const g = new Graph();
  const { offsets, total: P } = packing(spec.params);
  const flat = g.input('params', [P]);
  const w = new Map<string, Val>();
  spec.params.forEach((p, i) => w.set(p.name, g.param(flat, offsets[i]!, p.shape)));
  const ids = g.input('ids', [R, T], 'int64');
  const targets = g.input('targets', [R, T], 'int64');
  const { logits, hidden } = gptForward(g, c, w, ids, 'scatter');
  const scaled = temperature === 1 ? logits() : g.scale(logits(), 1 / temperature);
  g.output(g.tokenLogProbs(scaled, targets), 'logp');
  if (spec.valueHead) {
    const head = (suffix: string) => {
      const v = w.get(`${spec.valueHead}.${suffix}`);
      if (!v) throw new Error(`onnx-train: no weight "${spec.valueHead}.${suffix}" for the value head`);
      return v;
    };
    const D = c.dModel;
    const flatHidden = g.reshape(hidden, [R * T, D]);
    g.output(g.reshape(g.add(g.matmul(flatHidden, head('weight')), head('bias')), [R, T]), 'values');
  }
  return g.encode('gpt_eval', { gpt_config: JSON.stringify(c) });
}

/**
 * Forward only: per-row Σ mask · log p(target) · row_scale as `seq` [R], and its plain sum `total`.
 * Inputs: the weights (own names), `ids`, `targets` int64 [R, T], `mask` [R, T], `row_scale` [R].
 */
export function buildScoreGraph(
  c: GPTConfig,
  params: readonly ParamSpec[],
  R: number,
  T: number,
): Uint8Array {
  const g = new Graph();
  const w = new Map<string, Val>();
  for (const p of params) w.set(p.name, g.input(p.name, p.shape));
  const ids = g.input('ids', [R, T], 'int64');
  const targets = g.input('targets', [R, T], 'int64');
  const mask = g.input('mask', [R, T]);
  const rowScale = g.input('row_scale', [R]);
  const lp = g.tokenLogProbs(gptForward(g, c, w, ids, 'scatter').logits(), targets); // [R, T]
  const sums = g.reduceSum(g.mul(lp, mask), [1]); // [R]
  g.output(g.mul(sums, rowScale), 'seq');
  g.output(g.reduceSum(sums, [0]), 'total');
  return g.encode('gpt_score', { gpt_config: JSON.stringify(c) });
}
