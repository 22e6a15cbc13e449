// A GPT-2-style decoder-only transformer in TensorFlow.js: token + learned position embeddings,
// pre-LayerNorm blocks (causal multi-head attention, GELU MLP), a final LayerNorm and an output
// head tied to the token embedding. It computes logits and owns its weights; it does not train,
// sample or tokenize. Written for the wasm backend's fast paths, using only kernels all three
// backends implement in forward and backward:
//   - embeddings are one-hot × matrix (gather's gradient, UnsortedSegmentSum, has no wasm kernel),
//     the one-hot made as int32 and cast (wasm's float32 OneHot is broken, see oneHotFloat);
//   - every matmul is 2-D and untransposed, in the forward and in the backward (wasm's transposed and
//     batched matmuls are ~10x slower), via `matmul` / `affine` with gradients that transpose explicitly;
//   - the per-head attention products run as depthwise convolutions (sliceMatmul), never batched matmuls;
//   - the linear layers, LayerNorm, attention and GELU have hand-written gradients (fewer kernels and
//     fewer saved copies than tfjs's op-by-op ones); tests/engine/model-reference.test.ts checks them
//     against a plain implementation.
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../random';

export interface GPTConfig {
  /** Number of distinct tokens (rows of the embedding and columns of the logits). */
  vocabSize: number;
  /** Longest input sequence: rows of the position embedding. */
  contextLength: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Number of transformer blocks. */
  nLayers: number;
  /** Attention heads per block; must divide dModel. */
  nHeads: number;
  /** Hidden width of each block's MLP (GPT-2 uses 4 × dModel). */
  dFF: number;
}

export const DEFAULT_GPT_CONFIG: GPTConfig = {
  vocabSize: 256,
  contextLength: 64,
  dModel: 64,
  nLayers: 2,
  nHeads: 4,
  dFF: 256,
};

/** Standard deviation of the weight init (GPT-2); residual projections get INIT_STD / sqrt(2 · nLayers). */
export const INIT_STD = 0.02;
const LN_EPS = 1e-5;

/** A named weight as plain numbers, for checkpoints. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Swap the last two axes: [..., M, N] → [..., N, M]. */
function swapLast(x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return transpose2d(x);
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/**
 * xᵀ for x: [M, N]. For M a multiple of 16, as the 3-D transpose [16, M/16, N] → [N, 16, M/16] (the same
 * numbers): wasm's Transpose runs that about twice as fast as the 2-D one on [2048, 128] and [2048, 512].
 */
function transpose2d(x: tf.Tensor): tf.Tensor {
  const [M, N] = x.shape as [number, number];
  if (M % 16 !== 0 || M < 64) return tf.transpose(x);
  return tf.reshape(tf.transpose(tf.reshape(x, [16, M / 16, N]), [2, 0, 1]), [N, M]);
}

/**
 * a @ b for a: [..., M, K], b: [..., K, N] of equal rank, with a gradient that uses only untransposed
 * matmuls: da = dy @ bᵀ, db = aᵀ @ dy with the transposes done by the Transpose kernel.
 */
export const matmul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const [K, N] = sb.shape.slice(-2) as [number, number];
      // 2-D with N < K (the embedding: a is the [B·T, V] one-hot): db = (dyᵀ a)ᵀ transposes less.
      const db =
        sb.rank === 2 && N < K ? transpose2d(tf.matMul(transpose2d(dy), sa)) : tf.matMul(swapLast(sa), dy);
      return [tf.matMul(dy, swapLast(sb)), db];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Σ over rows of x: [N, F] → [F], as the matmul ones[1, N] @ x (a reduction over axis 0 transposes first on wasm). */
function sumRows(x: tf.Tensor): tf.Tensor {
  const [N, F] = x.shape as [number, number];
  return tf.reshape(tf.matMul(tf.ones([1, N]), x), [F]);
}

/**
 * x: [N, in] @ w: [in, out] + b: [out] → [N, out], with `matmul`'s gradient and db = Σ_rows dy. dw is
 * xᵀ dy, or (dyᵀ x)ᵀ when out < in, so that the large transpose is of the narrower [N, ·] matrix.
 */
const affine = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor, tf.Tensor];
      const [inF, outF] = sw.shape as [number, number];
      const dw = outF < inF ? transpose2d(tf.matMul(transpose2d(dy), sx)) : tf.matMul(transpose2d(sx), dy); // [in, out]
      return [tf.matMul(dy, transpose2d(sw)), dw, sumRows(dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;

/**
 * LayerNorm over the last axis, x: [N, D], gain g and bias b: [D] → [N, D], differentiated by hand:
 * with x̂ = (x − mean) · r, r = 1/√(var + ε) and dx̂ = dy · g,
 * dx = r · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), dg = Σ_rows dy · x̂, db = Σ_rows dy.
 */
const layerNorm = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const xc = tf.sub(x, tf.mean(x, -1, true)); // [N, D]
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS)); // [N, 1]
  const xhat = tf.mul(xc, r); // [N, D]
  save([xhat, r, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sxhat, sr, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dxhat = tf.mul(dy, sg); // [N, D]
      const centred = tf.sub(dxhat, tf.mean(dxhat, -1, true));
      const dx = tf.mul(tf.sub(centred, tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), -1, true))), sr);
      return [dx, sumRows(tf.mul(dy, sxhat)), sumRows(dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  x: tf.Tensor,
  g: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;

/** The order and shapes of the weights; names follow GPT-2's. */
function weightSpecs(
  c: GPTConfig,
): { name: string; shape: number[]; init: 'normal' | 'proj' | 'zeros' | 'ones' }[] {
  const specs: { name: string; shape: number[]; init: 'normal' | 'proj' | 'zeros' | 'ones' }[] = [
    { name: 'wte', shape: [c.vocabSize, c.dModel], init: 'normal' },
    { name: 'wpe', shape: [c.contextLength, c.dModel], init: 'normal' },
  ];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `h.${i}.`;
    specs.push(
      { name: p + 'ln_1.weight', shape: [c.dModel], init: 'ones' },
      { name: p + 'ln_1.bias', shape: [c.dModel], init: 'zeros' },
    );
    for (const qkv of ['q', 'k', 'v']) {
      specs.push(
        { name: `${p}attn.${qkv}.weight`, shape: [c.dModel, c.dModel], init: 'normal' },
        { name: `${p}attn.${qkv}.bias`, shape: [c.dModel], init: 'zeros' },
      );
    }
    specs.push(
      { name: p + 'attn.proj.weight', shape: [c.dModel, c.dModel], init: 'proj' },
      { name: p + 'attn.proj.bias', shape: [c.dModel], init: 'zeros' },
      { name: p + 'ln_2.weight', shape: [c.dModel], init: 'ones' },
      { name: p + 'ln_2.bias', shape: [c.dModel], init: 'zeros' },
      { name: p + 'mlp.fc.weight', shape: [c.dModel, c.dFF], init: 'normal' },
      { name: p + 'mlp.fc.bias', shape: [c.dFF], init: 'zeros' },
      { name: p + 'mlp.proj.weight', shape: [c.dFF, c.dModel], init: 'proj' },
      { name: p + 'mlp.proj.bias', shape: [c.dModel], init: 'zeros' },
    );
  }
  specs.push(
    { name: 'ln_f.weight', shape: [c.dModel], init: 'ones' },
    { name: 'ln_f.bias', shape: [c.dModel], init: 'zeros' },
  );
  return specs;
}

export function validateConfig(c: GPTConfig): void {
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`GPT config: ${k} must be a positive whole number (got ${v})`);
  }
  if (c.dModel % c.nHeads !== 0)
    throw new Error(`GPT config: dModel (${c.dModel}) must be divisible by nHeads (${c.nHeads})`);
}

export class GPT {
  /** The weights by name. This model owns them: `dispose()` releases them. */
  readonly weights: Map<string, tf.Variable>;

  private constructor(
    readonly config: GPTConfig,
    weights: Map<string, tf.Variable>,
  ) {
    this.weights = weights;
  }

  /** Fresh weights, deterministic in `seed` on every backend. */
  static init(config: GPTConfig, seed: number, trainable = true): GPT {
    validateConfig(config);
    const rng = mulberry32(seed);
    const projStd = INIT_STD / Math.sqrt(2 * config.nLayers);
    const arrays: NamedArray[] = weightSpecs(config).map(({ name, shape, init }) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      if (init === 'ones') data.fill(1);
      else if (init !== 'zeros') {
        const std = init === 'proj' ? projStd : INIT_STD;
        for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      }
      return { name, shape, data };
    });
    return GPT.fromArrays(config, arrays, trainable);
  }

  /** A model from named arrays (a checkpoint); every expected weight must be present with its shape. */
  static fromArrays(config: GPTConfig, arrays: NamedArray[], trainable = true): GPT {
    validateConfig(config);
    const byName = new Map(arrays.map((a) => [a.name, a]));
    const weights = new Map<string, tf.Variable>();
    for (const spec of weightSpecs(config)) {
      const a = byName.get(spec.name);
      if (!a) throw new Error(`weights: "${spec.name}" is missing`);
      if (a.shape.join() !== spec.shape.join())
        throw new Error(`weights: "${spec.name}" has shape [${a.shape}], expected [${spec.shape}]`);
      const initial = tf.tensor(a.data, a.shape, 'float32');
      weights.set(spec.name, tf.variable(initial, trainable)); // copies its initial value
      initial.dispose();
    }
    return new GPT(config, weights);
  }

  /** An independent copy of the weights (e.g. the frozen DPO reference). */
  clone(trainable = false): GPT {
    const weights = new Map<string, tf.Variable>();
    for (const [name, w] of this.weights) weights.set(name, tf.variable(w, trainable));
    return new GPT(this.config, weights);
  }

  /** The weights as plain arrays, in a stable order. */
  async toArrays(): Promise<NamedArray[]> {
    const out: NamedArray[] = [];
    for (const [name, w] of this.weights)
      out.push({ name, shape: w.shape.slice(), data: (await w.data()) as Float32Array });
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.weights.values()].filter((w) => w.trainable);
  }

  dispose(): void {
    for (const w of this.weights.values()) w.dispose();
    this.weights.clear();
  }

  private w(name: string): tf.Variable {
    const w = this.weights.get(name);
    if (!w) throw new Error(`GPT: weight "${name}" is missing (was the model disposed?)`);
    return w;
  }

  /** Next-token logits. ids: [B, T] int32 with T ≤ contextLength → logits: [B, T, V]. */
  forward(ids: tf.Tensor2D): tf.Tensor3D {
    const { vocabSize: V, contextLength, dModel: D, nLayers, nHeads: H } = this.config;
    const [B, T] = ids.shape;
    if (T > contextLength)
      throw new Error(`GPT: sequence of ${T} tokens exceeds the context length ${contextLength}`);
    return tf.tidy(() => {
      const N = B * T;
      const oneHot = oneHotFloat(tf.reshape(ids, [N]), V); // [N, V]
      const tok = matmul(oneHot, this.w('wte')); // [N, D]
      const pos = tf.slice(this.w('wpe'), [0, 0], [T, D]); // [T, D]
      let x = tf.reshape(tf.add(tf.reshape(tok, [B, T, D]), pos), [N, D]); // [N, D]
      const mask = causalMask(T); // [T, T]
      for (let i = 0; i < nLayers; i++) {
        const p = `h.${i}.`;
        x = tf.add(x, this.attention(this.layerNorm(x, p + 'ln_1'), p + 'attn', B, T, H, mask)); // [N, D]
        x = tf.add(x, this.mlp(this.layerNorm(x, p + 'ln_2'), p + 'mlp')); // [N, D]
      }
      const h = this.layerNorm(x, 'ln_f'); // [N, D]
      const logits = matmul(h, tf.transpose(this.w('wte'))); // [N, D] @ [D, V] → [N, V] (tied head)
      return tf.reshape(logits, [B, T, V]) as tf.Tensor3D; // [B, T, V]
    });
  }

  /** x: [N, in] @ W: [in, out] + b → [N, out]. */
  private linear(x: tf.Tensor, name: string): tf.Tensor {
    return affine(x, this.w(name + '.weight'), this.w(name + '.bias'));
  }

  /** x: [N, D] → [N, D], normalised over D. */
  private layerNorm(x: tf.Tensor, name: string): tf.Tensor {
    return layerNorm(x, this.w(name + '.weight'), this.w(name + '.bias'));
  }

  /** Causal multi-head self-attention. x: [N = B·T, D] → [N, D]. */
  private attention(x: tf.Tensor, name: string, B: number, T: number, H: number, mask: tf.Tensor): tf.Tensor {
    const q = this.linear(x, name + '.q'); // [N, D]
    const k = this.linear(x, name + '.k'); // [N, D]
    const v = this.linear(x, name + '.v'); // [N, D]
    return this.linear(attentionCore(q, k, v, B, T, H, mask), name + '.proj'); // [N, D]
  }

  /** x: [N, D] → GELU(x W1 + b1) W2 + b2: [N, D]. */
  private mlp(x: tf.Tensor, name: string): tf.Tensor {
    return this.linear(gelu(this.linear(x, name + '.fc')), name + '.proj');
  }
}

/**
 * Per-slice matrix products for S slices in one kernel: C[s] = A[s] @ B[s]. A depthwise convolution
 * with one channel per slice computes exactly this, and wasm runs it through XNNPACK's GEMM, where a
 * batched matmul takes a naive loop (~4x slower here; per-slice 2-D matmuls lose to the JS overhead).
 * b: [K, S, N]; a: [M, K, S], or [K, M, S] when `aLayout` is 'KMS' (then A[s] is read transposed)
 * → C: [M, S, N]. Forward only: callers differentiate it by hand (attentionCore).
 */
function sliceMatmul(a: tf.Tensor, b: tf.Tensor, aLayout: 'MKS' | 'KMS'): tf.Tensor {
  const [K, S, N] = b.shape as [number, number, number];
  if (aLayout === 'MKS') {
    const M = a.shape[0]!;
    const input = tf.reshape(a, [1, M, K, S]) as tf.Tensor4D; // image M × K, S channels
    const filter = tf.reshape(b, [1, K, S, N]) as tf.Tensor4D; // 1 × K window, N outputs per channel
    return tf.reshape(tf.depthwiseConv2d(input, filter, 1, 'valid'), [M, S, N]); // [1, M, 1, S·N]
  }
  const M = a.shape[1]!;
  const input = tf.reshape(a, [1, K, M, S]) as tf.Tensor4D; // image K × M, S channels
  const filter = tf.reshape(b, [K, 1, S, N]) as tf.Tensor4D; // K × 1 window
  return tf.reshape(tf.depthwiseConv2d(input, filter, 1, 'valid'), [M, S, N]); // [1, 1, M, S·N]
}

/**
 * The core of causal attention, differentiated by hand: q, k, v: [N = B·T, D] (heads side by side)
 * → y: [N, D] with y = softmax(q kᵀ / √hd + mask) v per (sequence, head). The S = B·H slices are
 * laid out slice-last ([T, S, ·] or [·, ·, S]) for sliceMatmul; (b, h) index the slice s = b·H + h.
 */
const attentionCore = (
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  B: number,
  T: number,
  H: number,
  mask: tf.Tensor,
): tf.Tensor => {
  const D = q.shape[1]!;
  const hd = D / H;
  const S = B * H;
  const scale = 1 / Math.sqrt(hd);
  // [N, D] → [B, T, H, hd] → the layout `perm` asks for, with (B, H) merged into S.
  const toSlices = (t: tf.Tensor, perm: number[], shape: number[]) =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), perm), shape);
  const rows = (t: tf.Tensor) => toSlices(t, [1, 0, 2, 3], [T, S, hd]); // [T, S, hd]
  const cols = (t: tf.Tensor) => toSlices(t, [3, 0, 2, 1], [hd, S, T]); // [hd, S, T]: tᵀ per slice
  const byFeature = (t: tf.Tensor) => toSlices(t, [1, 3, 0, 2], [T, hd, S]); // [T, hd, S]
  // [T, S, hd] (rows of every slice) → [N, D].
  const unslice = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [T, B, D]), [1, 0, 2]), [B * T, D]);
  const mask3 = tf.reshape(mask, [T, 1, T]); // [i, 1, j]
  const f = tf.customGrad(((qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor, save: tf.GradSaveFunc) => {
    const scores = tf.add(tf.mul(sliceMatmul(byFeature(qq), cols(kk), 'MKS'), scale), mask3); // [i, S, j]
    const p = tf.softmax(scores); // [i, S, j], rows sum to 1 over the past
    const pA = tf.transpose(p, [0, 2, 1]); // [i, j, S]
    const y = sliceMatmul(pA, rows(vv), 'MKS'); // [i, S, hd]
    save([qq, kk, vv, p, pA]);
    return {
      value: unslice(y), // [N, D]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp, spA] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const dP = sliceMatmul(byFeature(dy), cols(sv), 'MKS'); // dy vᵀ: [i, S, j]
        const dv = sliceMatmul(spA, rows(dy), 'KMS'); // pᵀ dy: [j, S, hd]
        const dScores = tf.mul(tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))), scale); // [i, S, j]
        const dA = tf.transpose(dScores, [0, 2, 1]); // [i, j, S]
        const dq = sliceMatmul(dA, rows(sk), 'MKS'); // dS k: [i, S, hd]
        const dk = sliceMatmul(dA, rows(sq), 'KMS'); // dSᵀ q: [j, S, hd]
        return [unslice(dq), unslice(dk), unslice(dv)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (
    a: tf.Tensor,
    b: tf.Tensor,
    c: tf.Tensor,
  ) => tf.Tensor;
  return f(q, k, v);
};

/**
 * GELU, tanh approximation (GPT-2's): 0.5 x (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³), computed as
 * x σ(2u) (the same function: ½(1 + tanh u) = σ(2u)); wasm's Sigmoid is ~14x faster than its Tanh.
 * Differentiated by hand: d/dx = s + x s (1 − s) · 2√(2/π) (1 + 3 · 0.044715 x²), s = σ(2u).
 */
const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;
const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, GELU_C * GELU_A), GELU_C))); // σ(2u)
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sx2, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const du = tf.add(tf.mul(sx2, 3 * GELU_C * GELU_A), GELU_C); // d(2u)/dx
      const ds = tf.mul(tf.mul(ss, tf.sub(1, ss)), tf.mul(sx, du)); // x · dσ(2u)/dx
      return tf.mul(dy, tf.add(ss, ds));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * One-hot rows as float32. Made as int32 then cast: wasm's OneHot kernel ignores a float32 dtype and
 * writes integer bits (every entry reads as ~0), tfjs-backend-wasm 4.22.
 */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices, depth), 'float32');
}

/** Additive mask [T, T]: 0 where key ≤ query, -1e9 above the diagonal. */
function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}
