// Training on onnxruntime: the weights and Adam's moments live here as Float32Arrays, and each step
// runs one generated graph (onnx-train/gpt-graph.ts) on onnxruntime-node's CPU provider (MLAS,
// multi-threaded) that returns the loss, metrics and the updated weights and moments. One session per
// batch shape, made on first use. A step whose loss or gradient norm is not finite keeps the old weights
// (as trainers/common.ts adamStep does). Weights and moments read and load as the tfjs model's and
// Adam's named arrays, so checkpoints stay the same safetensors files.
import type * as ortTypes from 'onnxruntime-node';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import type { GPTConfig, NamedArray } from '../model/gpt';
import {
  buildEvalGraph,
  buildScoreGraph,
  buildTrainGraph,
  packing,
  statNames,
  type FloatInput,
  type HeadSpec,
  type ParamSpec,
} from './gpt-graph';

type Ort = typeof ortTypes;

let ortModule: Ort | undefined;
function ort(): Ort {
  ortModule ??= createRequire(import.meta.url)('onnxruntime-node') as Ort;
  return ortModule;
}

export interface OnnxTrainerOptions {
  /** Intra-op threads; default: the machine's cores. */
  threads?: number;
  /** Default 'cpu'; 'cuda' only where the CUDA provider is installed (choose.ts decides). */
  provider?: TrainingProvider;
  adam: { beta1: number; beta2: number; epsilon: number; weightDecay: number };
  head: HeadSpec;
  /** Output raw gradients too (tests). */
  emitGrads?: boolean;
  embeddingGrad?: 'scatter' | 'onehot';
  /** Record onnxruntime's per-kernel profile into files starting with this path (see profile.ts). */
  profilePrefix?: string;
}

/** One step's batch: rows of equal length T (pad on the right with weight/mask 0). */
export interface OnnxBatch {
  rows: number;
  seqLen: number;
  /** [rows · T] token ids and next-token targets. */
  ids: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** sft: loss weight per position (mask / scored tokens). */
  weights?: Float32Array;
  /** dpo: 0/1 mask [rows · T], per-row scale [rows], reference log-probs [rows]. */
  mask?: Float32Array;
  rowScale?: Float32Array;
  ref?: Float32Array;
  /** Any other float input a head asks for (heads/types.ts HeadContext.input), by name. */
  floats?: Record<string, Float32Array>;
}

/** The batch's array for a head's float input: the named fields, else `floats`. */
function floatFeed(batch: OnnxBatch, name: string): Float32Array | undefined {
  switch (name) {
    case 'weights':
      return batch.weights;
    case 'mask':
      return batch.mask;
    case 'row_scale':
      return batch.rowScale;
    case 'ref':
      return batch.ref;
    default:
      return batch.floats?.[name];
  }
}

export interface OnnxStepResult {
  loss: number;
  gradNorm: number;
  /** By the head's metric names (heads/index.ts statNames). */
  stats: Record<string, number>;
  applied: boolean;
  /** Raw gradients by weight name, with emitGrads. */
  grads?: Map<string, Float32Array>;
}

/**
 * Intra-op threads to use by default: the cores not already busy (cores − the 1-minute load average,
 * rounded down; at least 1). Measured here (2 cores shared with other work): at load 2–3 a dpo-lab
 * step ran at 4.3 steps/s on 1 thread and 3.9 on 2 (the second thread waits for a core); at load 0.5,
 * sft-lab ran 1.7× faster on 2 threads than on 1.
 */
export function defaultThreads(): number {
  const cores = Math.max(1, availableParallelism());
  const busy = Math.floor(loadavg()[0] ?? 0);
  return Math.min(cores, Math.max(1, cores - busy));
}

/** Where a training step runs: onnxruntime's CPU provider, or CUDA (with the CPU for any node it lacks). */
export type TrainingProvider = 'cpu' | 'cuda';

async function openSession(
  bytes: Uint8Array,
  threads: number,
  profilePrefix?: string,
  provider: TrainingProvider = 'cpu',
): Promise<ortTypes.InferenceSession> {
  return ort().InferenceSession.create(bytes, {
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
    executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    // The arena, without a memory pattern. Without the arena every large intermediate was a fresh
    // allocation that the kernel had to fault in page by page: an sft-lab step (1 thread) spent 15–30 ms
    // of its ~200 in the kernel (system time), ~8 % of its CPU time; with the arena ~0. The arena alone
    // did not raise a dpo-lab bench process's peak (420–425 MB with or without it; its train graph's
    // arena holds 127 MiB), the memory pattern as well did (~560 MB).
    enableCpuMemArena: true,
    enableMemPattern: false,
    // No busy-waiting between kernels. On an idle machine 2 spinning threads ran an sft-lab step 1.7×
    // faster than one thread, but as soon as another process wanted a core they fell to 0.3–0.6× of
    // it; sleeping threads degrade gently (defaultThreads gives several only for idle cores).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

function int64Tensor(values: ArrayLike<number>, dims: number[]): ortTypes.Tensor {
  const a = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]!);
  return new (ort().Tensor)('int64', a, dims);
}

const f32 = (data: Float32Array, dims: readonly number[]) =>
  new (ort().Tensor)('float32', data, dims as number[]);
const scalar = (x: number) => f32(Float32Array.of(x), []);

export class OnnxTrainer {
  /** Steps taken (Adam's bias-correction exponent). */
  t = 0;
  readonly params: ParamSpec[];
  readonly threads: number;
  private readonly offsets: number[];
  /** Weights and Adam's moments, packed in `params` order (gpt-graph.ts packing). */
  private weights: Float32Array;
  private m: Float32Array;
  private v: Float32Array;
  private readonly sessions = new Map<
    string,
    Promise<{ session: ortTypes.InferenceSession; floatInputs: FloatInput[] }>
  >();
  private readonly evalSessions = new Map<string, Promise<ortTypes.InferenceSession>>();

  constructor(
    readonly config: GPTConfig,
    arrays: readonly NamedArray[],
    private readonly opts: OnnxTrainerOptions,
  ) {
    this.threads = opts.threads ?? defaultThreads();
    this.params = arrays.map((a) => ({ name: a.name, shape: a.shape.slice() }));
    const { offsets, total } = packing(this.params);
    this.offsets = offsets;
    this.weights = new Float32Array(total);
    arrays.forEach((a, i) => this.weights.set(a.data, offsets[i]));
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
  }

  /** Number of trained values. */
  get size(): number {
    return this.weights.length;
  }

  private session(
    rows: number,
    seqLen: number,
  ): Promise<{ session: ortTypes.InferenceSession; floatInputs: FloatInput[] }> {
    const key = `${rows}x${seqLen}`;
    let s = this.sessions.get(key);
    if (!s) {
      const { beta1, beta2, epsilon } = this.opts.adam;
      const { bytes, floatInputs } = buildTrainGraph({
        config: this.config,
        params: this.params,
        rows,
        seqLen,
        head: this.opts.head,
        adam: { beta1, beta2, epsilon },
        emitGrads: this.opts.emitGrads,
        embeddingGrad: this.opts.embeddingGrad,
      });
      s = openSession(bytes, this.threads, this.opts.profilePrefix, this.opts.provider).then((session) => ({
        session,
        floatInputs,
      }));
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Ends profiling on every session (their profile files are then complete). */
  async endProfiling(): Promise<void> {
    for (const s of this.sessions.values()) (await s).session.endProfiling();
  }

  /** Builds (and caches) the session for this batch shape ahead of the first step. */
  async prepare(rows: number, seqLen: number): Promise<void> {
    await this.session(rows, seqLen);
  }

  /** One Adam step at learning rate `lr`, the gradient clipped to `maxGradNorm` (0 = no clipping). */
  async step(batch: OnnxBatch, lr: number, maxGradNorm: number): Promise<OnnxStepResult> {
    const { rows: R, seqLen: T } = batch;
    const { session, floatInputs } = await this.session(R, T);
    const { beta1, beta2, weightDecay } = this.opts.adam;
    const t = this.t + 1;
    const P = this.weights.length;
    const feeds: Record<string, ortTypes.Tensor> = {
      params: f32(this.weights, [P]),
      adam_m: f32(this.m, [P]),
      adam_v: f32(this.v, [P]),
      lr: scalar(lr),
      c1: scalar(1 - beta1 ** t),
      c2: scalar(1 - beta2 ** t),
      decay: scalar(1 - lr * weightDecay),
      max_norm: scalar(maxGradNorm),
      ids: int64Tensor(batch.ids, [R, T]),
      targets: int64Tensor(batch.targets, [R, T]),
    };
    for (const { name, dims } of floatInputs) {
      const x = floatFeed(batch, name);
      const n = dims.reduce((a, b) => a * b, 1);
      if (!x || x.length !== n)
        throw new Error(
          `onnx-train: the ${this.opts.head.kind} step needs \`${name}\` of ${n} values [${dims}]` +
            (x ? `, got ${x.length}` : ''),
        );
      feeds[name] = f32(x, dims);
    }
    const out = await session.run(feeds);
    const read = (name: string) => out[name]!.data as Float32Array;
    const loss = read('loss')[0]!;
    const gradNorm = read('grad_norm')[0]!;
    const statValues = read('stats');
    const stats = Object.fromEntries(statNames(this.opts.head).map((n, i) => [n, statValues[i]!]));
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      this.t = t;
      this.weights = read('new_params');
      this.m = read('new_m');
      this.v = read('new_v');
    }
    const grads = this.opts.emitGrads ? this.unpack(read('grads')) : undefined;
    return { loss, gradNorm, stats, applied, grads };
  }

  /**
   * Forward only on the current weights: each position's log p(target) at `temperature` [rows · T] and,
   * with `valueHead`, that scalar head's values [rows · T] (buildEvalGraph). One session per shape.
   */
  async evaluate(
    batch: { rows: number; seqLen: number; ids: ArrayLike<number>; targets: ArrayLike<number> },
    opts: { temperature: number; valueHead?: string },
  ): Promise<{ logp: Float32Array; values?: Float32Array }> {
    const { rows: R, seqLen: T } = batch;
    const key = `eval:${R}x${T}:${opts.temperature}:${opts.valueHead ?? ''}`;
    let s = this.evalSessions.get(key);
    if (!s) {
      const bytes = buildEvalGraph({ config: this.config, params: this.params, rows: R, seqLen: T, ...opts });
      s = openSession(bytes, this.threads, undefined, this.opts.provider);
      this.evalSessions.set(key, s);
    }
    const out = await (
      await s
    ).run({
      params: f32(this.weights, [this.weights.length]),
      ids: int64Tensor(batch.ids, [R, T]),
      targets: int64Tensor(batch.targets, [R, T]),
    });
    const values = out['values']?.data as Float32Array | undefined;
    return { logp: out['logp']!.data as Float32Array, ...(values ? { values } : {}) };
  }

  /** Views of a packed vector by weight name. */
  private unpack(flat: Float32Array): Map<string, Float32Array> {
    return new Map(
      this.params.map((p, i) => {
        const at = this.offsets[i]!;
        return [p.name, flat.subarray(at, at + p.shape.reduce((a, b) => a * b, 1))];
      }),
    );
  }

  /** The weights as named arrays (copies), in the model's order. */
  toArrays(): NamedArray[] {
    const views = this.unpack(this.weights);
    return this.params.map((p) => ({
      name: p.name,
      shape: p.shape.slice(),
      data: Float32Array.from(views.get(p.name)!),
    }));
  }

  /** Adam's moments as trainers/common.ts Adam.state() names them (`m.<weight>`, `v.<weight>`). */
  optimizerState(): NamedArray[] {
    const out: NamedArray[] = [];
    for (const [prefix, flat] of [['m.', this.m] as const, ['v.', this.v] as const]) {
      const views = this.unpack(flat);
      for (const p of this.params)
        out.push({
          name: prefix + p.name,
          shape: p.shape.slice(),
          data: Float32Array.from(views.get(p.name)!),
        });
    }
    return out;
  }

  /** Restores Adam's moments and step count (a checkpoint's). */
  loadOptimizerState(arrays: readonly NamedArray[], t: number): void {
    const byName = new Map(arrays.map((a) => [a.name, a]));
    const m = new Float32Array(this.m.length);
    const v = new Float32Array(this.v.length);
    for (const [prefix, flat] of [['m.', m] as const, ['v.', v] as const])
      this.params.forEach((p, i) => {
        const a = byName.get(prefix + p.name);
        if (!a || a.shape.join() !== p.shape.join())
          throw new Error(`optimizer state: "${prefix + p.name}" is missing or has the wrong shape`);
        flat.set(a.data, this.offsets[i]);
      });
    this.m = m;
    this.v = v;
    this.t = t;
  }

  /** True when every weight is finite. */
  weightsFinite(): boolean {
    for (let i = 0; i < this.weights.length; i++) if (!Number.isFinite(this.weights[i]!)) return false;
    return true;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    const evals = [...this.evalSessions.values()];
    this.sessions.clear();
    this.evalSessions.clear();
    for (const s of all) await (await s).session.release();
    for (const s of evals) await (await s).release();
  }
}

/** Forward-only per-sequence log-probs on onnxruntime, weights given per call (a frozen reference, scoring). */
export class OnnxScorer {
  private readonly sessions = new Map<string, Promise<ortTypes.InferenceSession>>();
  private readonly params: ParamSpec[];
  private readonly feedsOfWeights: Record<string, ortTypes.Tensor>;

  constructor(
    readonly config: GPTConfig,
    arrays: readonly NamedArray[],
    readonly threads = defaultThreads(),
  ) {
    this.params = arrays.map((a) => ({ name: a.name, shape: a.shape.slice() }));
    this.feedsOfWeights = Object.fromEntries(
      arrays.map((a) => [a.name, f32(Float32Array.from(a.data), a.shape)]),
    );
  }

  private session(R: number, T: number) {
    const key = `${R}x${T}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = openSession(buildScoreGraph(this.config, this.params, R, T), this.threads);
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Per-row Σ mask · log p(target) · rowScale ([rows]) and the plain total over every row. */
  async score(batch: {
    rows: number;
    seqLen: number;
    ids: ArrayLike<number>;
    targets: ArrayLike<number>;
    mask: Float32Array;
    rowScale: Float32Array;
  }): Promise<{ seq: Float32Array; total: number }> {
    const { rows: R, seqLen: T } = batch;
    const session = await this.session(R, T);
    const out = await session.run({
      ...this.feedsOfWeights,
      ids: int64Tensor(batch.ids, [R, T]),
      targets: int64Tensor(batch.targets, [R, T]),
      mask: f32(batch.mask, [R, T]),
      row_scale: f32(batch.rowScale, [R]),
    });
    return { seq: out['seq']!.data as Float32Array, total: (out['total']!.data as Float32Array)[0]! };
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }
}
