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
//     against a plain implementation. The kernels themselves live in ./kernels.ts.
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../random';
import { affine, attentionCore, causalMask, gelu, layerNorm, matmul, oneHotFloat } from './kernels';

export { matmul, oneHotFloat } from './kernels';

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

/** A named weight as plain numbers, for checkpoints. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

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
    return tf.tidy(() => this.logitsOf(this.hidden(ids)));
  }

  /**
   * Logits and the final hidden states in one pass (a value or reward head reads the latter).
   * ids: [B, T] → logits [B, T, V], hidden [B, T, D].
   */
  forwardWithHidden(ids: tf.Tensor2D): { logits: tf.Tensor3D; hidden: tf.Tensor3D } {
    return tf.tidy(() => {
      const hidden = this.hidden(ids);
      return { logits: this.logitsOf(hidden), hidden };
    });
  }

  /** The tied output head: hidden [B, T, D] → logits [B, T, V]. */
  logitsOf(hidden: tf.Tensor3D): tf.Tensor3D {
    const [B, T, D] = hidden.shape;
    const V = this.config.vocabSize;
    return tf.tidy(() => {
      const logits = matmul(tf.reshape(hidden, [B * T, D]), tf.transpose(this.w('wte'))); // [N, D] @ [D, V]
      return tf.reshape(logits, [B, T, V]) as tf.Tensor3D; // [B, T, V]
    });
  }

  /** The trunk: the final LayerNorm's output. ids: [B, T] int32 → [B, T, D]. */
  hidden(ids: tf.Tensor2D): tf.Tensor3D {
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
      return tf.reshape(h, [B, T, D]) as tf.Tensor3D; // [B, T, D]
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
