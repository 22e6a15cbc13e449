// Export a lab GPT (model/gpt.ts) to ONNX, opset 17, standard operators only, with the weights as
// initializers under their GPT-2 names: `input_ids` [batch, sequence] int64 → `logits` [batch,
// sequence, vocab] float32, batch and sequence dynamic. The graph computes what GPT.forward computes,
// op for op where it matters for rounding (LayerNorm with ε = 1e-5, scores · 1/√hd + a −1e9 causal
// mask, GELU as x·σ(2u), the tied head as h @ wteᵀ), so the two agree to ~1e-6 on the logits.
// With `kvCache`, the graph also takes `past_key_values.{i}.key|value` [batch, heads, past, headDim]
// and returns `present.{i}.key|value` [batch, heads, past + sequence, headDim] (the names optimum and
// transformers.js use), for incremental decoding; positions then start at `past`.
// It writes bytes; running them is onnx/session.ts. Not an importer.
import type { GPT } from '../model/gpt';
import {
  DataType,
  encodeModel,
  floatBytes,
  int64Bytes,
  type AttrValue,
  type NodeInit,
  type TensorInit,
  type ValueInit,
} from './proto';

export interface ExportOptions {
  /** Add past_key_values inputs and present outputs per layer for incremental decoding. Default false. */
  kvCache?: boolean;
  /** Text stored in the model's doc_string. */
  docString?: string;
}

export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;
const LN_EPS = 1e-5;
const MASK_VALUE = -1e9;
const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** Names of the cache inputs and outputs of layer `i`. */
export const kvNames = (i: number) => ({
  pastKey: `past_key_values.${i}.key`,
  pastValue: `past_key_values.${i}.value`,
  presentKey: `present.${i}.key`,
  presentValue: `present.${i}.value`,
});

/** Appends nodes with fresh intermediate names. */
export class GraphBuilder {
  readonly nodes: NodeInit[] = [];
  readonly initializers: TensorInit[] = [];
  private count = 0;

  /** One node; returns its (single) output name, `out` if given. */
  op(op: string, inputs: readonly string[], attrs?: Record<string, AttrValue>, out?: string): string {
    const name = out ?? `${op}_${this.count}`;
    this.nodes.push({ op, inputs, outputs: [name], name: `${op}_${this.count++}`, attrs });
    return name;
  }

  floats(name: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    this.initializers.push({ name, dims, type: DataType.FLOAT, raw: floatBytes(data) });
    return name;
  }

  int64s(name: string, dims: readonly number[], data: readonly number[]): string {
    this.initializers.push({ name, dims, type: DataType.INT64, raw: int64Bytes(data) });
    return name;
  }
}

/**
 * The GPT trunk into `g`: the weights as initializers, `input_ids` [B, T] (and with `kv` the cache
 * inputs and present outputs, by name) → the final LayerNorm's output [B, T, D]; returns its name.
 */
export function buildTrunk(g: GraphBuilder, model: GPT, kv: boolean): string {
  const { contextLength: C, dModel: D, nLayers, nHeads: H } = model.config;
  const hd = D / H;

  // The weights, in the model's order and under its names.
  for (const [name, w] of model.weights) g.floats(name, w.shape, w.dataSync() as Float32Array);
  const causal = new Float32Array(C * C); // [C, C]: 0 where key ≤ query, −1e9 above the diagonal
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) causal[i * C + j] = MASK_VALUE;
  g.floats('causal_mask', [C, C], causal);
  const zero = g.int64s('zero_1', [1], [0]);
  const axes0 = g.int64s('axes_0', [1], [0]);
  const axes01 = g.int64s('axes_01', [2], [0, 1]);
  const headsShape = g.int64s('shape_heads', [4], [0, 0, H, hd]); // [B, T, D] → [B, T, H, hd]
  const mergedShape = g.int64s('shape_merged', [3], [0, 0, D]); // [B, T, H, hd] → [B, T, D]
  const scale = g.floats('attn_scale', [], [1 / Math.sqrt(hd)]);
  const maskedSteps = kv ? kvNames(0).pastKey : undefined;

  // Lengths: T (this call's tokens) and P (cached tokens, 0 without a cache), as [1] int64.
  const T = g.op('Shape', ['input_ids'], { start: { int: 1 }, end: { int: 2 } });
  const P = maskedSteps ? g.op('Shape', [maskedSteps], { start: { int: 2 }, end: { int: 3 } }) : zero;
  const end = g.op('Add', [P, T]); // P + T
  const tok = g.op('Gather', ['wte', 'input_ids'], { axis: { int: 0 } }); // [B, T, D]
  const pos = g.op('Slice', ['wpe', P, end, axes0]); // [T, D]: positions P … P+T−1
  let x = g.op('Add', [tok, pos]); // [B, T, D]
  const maskStarts = g.op('Concat', [P, zero], { axis: { int: 0 } });
  const maskEnds = g.op('Concat', [end, end], { axis: { int: 0 } });
  const mask = g.op('Slice', ['causal_mask', maskStarts, maskEnds, axes01]); // [T, P+T]

  const layerNorm = (t: string, name: string) =>
    g.op('LayerNormalization', [t, name + '.weight', name + '.bias'], {
      axis: { int: -1 },
      epsilon: { float: LN_EPS },
    });
  const linear = (t: string, name: string) =>
    g.op('Add', [g.op('MatMul', [t, name + '.weight']), name + '.bias']);
  const heads = (t: string) =>
    g.op('Transpose', [g.op('Reshape', [t, headsShape])], { perm: { ints: [0, 2, 1, 3] } }); // [B, H, T, hd]

  for (let i = 0; i < nLayers; i++) {
    const p = `h.${i}.`;
    // Attention: softmax(q kᵀ / √hd + mask) v per head.
    const a = layerNorm(x, p + 'ln_1'); // [B, T, D]
    const q = heads(linear(a, p + 'attn.q')); // [B, H, T, hd]
    let k = heads(linear(a, p + 'attn.k')); // [B, H, T, hd]
    let v = heads(linear(a, p + 'attn.v')); // [B, H, T, hd]
    if (kv) {
      const n = kvNames(i);
      k = g.op('Concat', [n.pastKey, k], { axis: { int: 2 } }, n.presentKey); // [B, H, P+T, hd]
      v = g.op('Concat', [n.pastValue, v], { axis: { int: 2 } }, n.presentValue); // [B, H, P+T, hd]
    }
    const kT = g.op('Transpose', [k], { perm: { ints: [0, 1, 3, 2] } }); // [B, H, hd, P+T]
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), mask]); // [B, H, T, P+T]
    const probs = g.op('Softmax', [scores], { axis: { int: -1 } });
    const y = g.op('MatMul', [probs, v]); // [B, H, T, hd]
    const merged = g.op('Reshape', [g.op('Transpose', [y], { perm: { ints: [0, 2, 1, 3] } }), mergedShape]);
    x = g.op('Add', [x, linear(merged, p + 'attn.proj')]); // [B, T, D]
    // MLP: GELU(x W1 + b1) W2 + b2, GELU as x·σ(2u), 2u = x·(c·a·x² + c).
    const f = linear(layerNorm(x, p + 'ln_2'), p + 'mlp.fc'); // [B, T, dFF]
    const x2 = g.op('Mul', [f, f]);
    const cA = g.floats(`${p}gelu_ca`, [], [GELU_C * GELU_A]);
    const c = g.floats(`${p}gelu_c`, [], [GELU_C]);
    const twoU = g.op('Mul', [f, g.op('Add', [g.op('Mul', [x2, cA]), c])]);
    const act = g.op('Mul', [f, g.op('Sigmoid', [twoU])]);
    x = g.op('Add', [x, linear(act, p + 'mlp.proj')]); // [B, T, D]
  }
  return layerNorm(x, 'ln_f'); // [B, T, D]
}

/** Serialise `model` as an ONNX ModelProto (weights read synchronously from the model's tensors). */
export function exportOnnx(model: GPT, opts: ExportOptions = {}): Uint8Array {
  const { vocabSize: V, dModel: D, nLayers, nHeads: H } = model.config;
  const hd = D / H;
  const kv = opts.kvCache ?? false;
  const g = new GraphBuilder();
  const hf = buildTrunk(g, model, kv); // [B, T, D]
  const wteT = g.op('Transpose', ['wte'], { perm: { ints: [1, 0] } }); // [D, V], folded at load
  g.op('MatMul', [hf, wteT], undefined, 'logits'); // [B, T, V]

  const inputs: ValueInit[] = [{ name: 'input_ids', type: DataType.INT64, dims: ['batch', 'sequence'] }];
  const outputs: ValueInit[] = [{ name: 'logits', type: DataType.FLOAT, dims: ['batch', 'sequence', V] }];
  if (kv) {
    for (let i = 0; i < nLayers; i++) {
      const n = kvNames(i);
      const past = ['batch', H, 'past_sequence', hd];
      const present = ['batch', H, 'total_sequence', hd];
      inputs.push(
        { name: n.pastKey, type: DataType.FLOAT, dims: past },
        { name: n.pastValue, type: DataType.FLOAT, dims: past },
      );
      outputs.push(
        { name: n.presentKey, type: DataType.FLOAT, dims: present },
        { name: n.presentValue, type: DataType.FLOAT, dims: present },
      );
    }
  }
  return encodeGraph(g, 'gpt', inputs, outputs, {
    docString: opts.docString,
    metadata: { gpt_config: JSON.stringify(model.config), kv_cache: String(kv) },
  });
}

/** The built graph as an ONNX ModelProto at opset 17. */
export function encodeGraph(
  g: GraphBuilder,
  name: string,
  inputs: ValueInit[],
  outputs: ValueInit[],
  extra: { docString?: string; metadata?: Record<string, string> } = {},
): Uint8Array {
  return encodeModel({
    irVersion: IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'alignment-lab',
    producerVersion: '0.1.0',
    docString: extra.docString,
    metadata: extra.metadata ?? {},
    graph: { name, nodes: g.nodes, initializers: g.initializers, inputs, outputs },
  });
}
