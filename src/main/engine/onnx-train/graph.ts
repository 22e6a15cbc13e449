// A small ONNX graph builder with reverse-mode differentiation: every op it offers emits its forward
// nodes and records how to emit its gradient as more ONNX nodes, so a training step (forward, backward,
// optimizer) is generated into one ordinary graph of standard opset-17 operators. Shapes are static
// (a training graph is built per batch shape), which keeps broadcasting gradients simple: a broadcast
// input's gradient is the output gradient summed over the broadcast axes. Composite ops (LayerNorm,
// GELU, per-token log-probs) carry hand-written gradients that use fewer nodes than their parts would.
// It writes graphs; running them is onnx-train/engine.ts.
import {
  DataType,
  encodeModel,
  floatBytes,
  int64Bytes,
  type AttrValue,
  type DataTypeCode,
  type NodeInit,
  type TensorInit,
  type ValueInit,
} from '../onnx/proto';

export type ElemType = 'float' | 'int64' | 'bool';

/** A value of the graph: its name, static shape and element type. */
export interface Val {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: ElemType;
}

const TYPE_CODE: Record<Exclude<ElemType, 'bool'>, DataTypeCode> = {
  float: DataType.FLOAT,
  int64: DataType.INT64,
};

/** How a recorded op passes gradients back: output gradients (null: none reached it) → input gradients. */
type Backward = (gys: readonly (Val | null)[], need: readonly boolean[]) => (Val | null)[];

export const ONNX_OPSET = 17;
/** scaleShift's BatchNormalization ε: a power of two, so that (1 − ε) + ε is exactly 1 in float32. */
const BN_EPS = 2 ** -16;
const IR_VERSION = 8;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** NumPy broadcasting of two static shapes. */
function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`graph: shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

export class Graph {
  readonly nodes: NodeInit[] = [];
  readonly initializers: TensorInit[] = [];
  readonly inputs: ValueInit[] = [];
  readonly outputs: ValueInit[] = [];
  private count = 0;
  private readonly tape: { ins: Val[]; outs: Val[]; back: Backward }[] = [];
  /** Values that depend on a differentiated input. */
  private readonly tracked = new Set<string>();
  private readonly consts = new Map<string, Val>();

  // ── Values ────────────────────────────────────────────────────────────────────────────────
  /** A graph input; `differentiable` ones can be asked for gradients. */
  input(name: string, shape: readonly number[], type: ElemType = 'float', differentiable = false): Val {
    if (type === 'bool') throw new Error('graph: bool inputs are not supported');
    this.inputs.push({ name, type: TYPE_CODE[type], dims: shape });
    if (differentiable) this.tracked.add(name);
    return { name, shape, type };
  }

  /** Makes `v` a graph output under `name` (an Identity node when the names differ). */
  output(v: Val, name = v.name): void {
    if (v.type === 'bool') throw new Error('graph: bool outputs are not supported');
    const out = name === v.name ? v.name : this.raw('Identity', [v.name], {}, [name])[0]!;
    this.outputs.push({ name: out, type: TYPE_CODE[v.type], dims: v.shape });
  }

  /** A float constant (cached by value and shape). */
  floats(values: readonly number[] | Float32Array, shape: readonly number[] = []): Val {
    const key = `f${shape.join('x')}:${values.length <= 8 ? Array.from(values).join(',') : `#${this.count}`}`;
    const hit = this.consts.get(key);
    if (hit) return hit;
    const name = `const_${this.count++}`;
    this.initializers.push({ name, dims: shape, type: DataType.FLOAT, raw: floatBytes(values) });
    const v: Val = { name, shape, type: 'float' };
    this.consts.set(key, v);
    return v;
  }

  scalar(x: number): Val {
    return this.floats([x], []);
  }

  /** An int64 constant (cached by value and shape). */
  int64s(values: readonly number[], shape: readonly number[] = [values.length]): Val {
    const key = `i${shape.join('x')}:${values.join(',')}`;
    const hit = this.consts.get(key);
    if (hit) return hit;
    const name = `const_${this.count++}`;
    this.initializers.push({ name, dims: shape, type: DataType.INT64, raw: int64Bytes(values) });
    const v: Val = { name, shape, type: 'int64' };
    this.consts.set(key, v);
    return v;
  }

  /** A float constant of `shape` with every entry `x` (cached). */
  filled(x: number, shape: readonly number[]): Val {
    const key = `fill${shape.join('x')}:${x}`;
    const hit = this.consts.get(key);
    if (hit) return hit;
    const v = this.floats(new Float32Array(size(shape)).fill(x), shape);
    this.consts.set(key, v);
    return v;
  }

  /** One node with fresh output names (or `outs`); returns the output names. */
  raw(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, AttrValue> = {},
    outs?: readonly string[],
    nOut = 1,
  ): string[] {
    const id = this.count++;
    const outputs: string[] = outs
      ? [...outs]
      : Array.from({ length: nOut }, (_, i) => `${op}_${id}${i ? `_${i}` : ''}`);
    this.nodes.push({ op, inputs, outputs, name: `${op}_${id}`, attrs });
    return outputs;
  }

  /** A node whose single output has this shape and type. */
  private node(
    op: string,
    ins: readonly Val[],
    shape: readonly number[],
    attrs: Record<string, AttrValue> = {},
    type: ElemType = 'float',
  ): Val {
    return {
      name: this.raw(
        op,
        ins.map((v) => v.name),
        attrs,
      )[0]!,
      shape,
      type,
    };
  }

  /**
   * A view of the untracked `flat` [n] (a slice reshaped to `shape`) that gradients are taken with
   * respect to: packed weights unpacked into differentiable parameters.
   */
  param(flat: Val, offset: number, shape: readonly number[]): Val {
    const n = size(shape);
    const sliced = this.node(
      'Slice',
      [flat, this.int64s([offset]), this.int64s([offset + n]), this.int64s([0])],
      [n],
    );
    const v = this.reshapePlain(sliced, shape);
    this.tracked.add(v.name);
    return v;
  }

  isTracked(v: Val): boolean {
    return this.tracked.has(v.name);
  }

  /** Records `back` for outputs `outs` of inputs `ins` when any input is tracked. */
  private record(ins: Val[], outs: Val[], back: Backward): void {
    if (!ins.some((v) => this.tracked.has(v.name))) return;
    for (const o of outs) this.tracked.add(o.name);
    this.tape.push({ ins, outs, back });
  }

  // ── Untracked helpers (no gradient) ───────────────────────────────────────────────────────────
  /** A node that is never differentiated (metrics, masks). */
  plain(
    op: string,
    ins: readonly Val[],
    shape: readonly number[],
    attrs: Record<string, AttrValue> = {},
    type: ElemType = 'float',
  ): Val {
    return this.node(op, ins, shape, attrs, type);
  }

  cast(v: Val, to: ElemType): Val {
    const code = to === 'float' ? DataType.FLOAT : to === 'int64' ? DataType.INT64 : 9;
    return this.node('Cast', [v], v.shape, { to: { int: code } }, to);
  }

  /** Σ over `axes` (keepdims) of `v` reshaped to `shape`: the gradient of a broadcast to v.shape. */
  unbroadcast(gy: Val, shape: readonly number[]): Val {
    if (same(gy.shape, shape)) return gy;
    const r = gy.shape.length;
    const axes: number[] = [];
    for (let i = 0; i < r; i++) {
      const s = shape[shape.length - r + i] ?? 1;
      if (s === 1 && gy.shape[i] !== 1) axes.push(i);
    }
    let out = gy;
    if (axes.length) {
      const kept = gy.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      out = this.node('ReduceSum', [gy, this.int64s(axes)], kept, { keepdims: { int: 1 } });
    }
    return same(out.shape, shape) ? out : this.reshapePlain(out, shape);
  }

  /**
   * x · scale + shift in one pass, untracked, with x viewed as `rows` rows ([1, rows, rest]) and
   * `scale`, `shift` float [rows] values (numbers: one row, the same for every entry). It is
   * BatchNormalization in inference mode with mean 0 and variance + ε = 1 exactly (ε = 2⁻¹⁶, above
   * cuDNN's minimum, and variance 1 − 2⁻¹⁶, both exact in float32), which computes exactly this map; on
   * onnxruntime's CPU provider it ran as fast as one Mul and ~3× faster than a Mul and an Add
   * broadcasting per-row values ([N, 1]), so gradients use it for their affine steps.
   */
  scaleShift(x: Val, scale: Val | number, shift: Val | number, rows = 1): Val {
    const n = size(x.shape);
    if (n % rows) throw new Error(`graph: ${rows} rows do not divide [${x.shape}]`);
    const per = (v: Val | number) => {
      if (typeof v === 'number') {
        if (rows !== 1) throw new Error('graph: a number scale or shift is for one row');
        return this.floats([v], [1]);
      }
      if (size(v.shape) !== rows)
        throw new Error(`graph: ${rows} rows need [${rows}] values, got [${v.shape}]`);
      return this.view(v, [rows]);
    };
    const x3 = this.view(x, [1, rows, n / rows]);
    const y = this.node(
      'BatchNormalization',
      [x3, per(scale), per(shift), this.filled(0, [rows]), this.filled(1 - BN_EPS, [rows])],
      x3.shape,
      { epsilon: { float: BN_EPS } },
    );
    return this.view(y, x.shape);
  }

  private reshapePlain(v: Val, shape: readonly number[]): Val {
    return this.node('Reshape', [v, this.int64s(shape)], shape);
  }

  /** `v` with `shape` (a Reshape unless it has it already). */
  private view(v: Val, shape: readonly number[]): Val {
    return same(v.shape, shape) ? v : this.reshapePlain(v, shape);
  }

  // ── Differentiable ops ────────────────────────────────────────────────────────────────────────
  add(a: Val, b: Val): Val {
    const y = this.node('Add', [a, b], broadcast(a.shape, b.shape));
    this.record([a, b], [y], ([gy], need) => [
      need[0] ? this.unbroadcast(gy!, a.shape) : null,
      need[1] ? this.unbroadcast(gy!, b.shape) : null,
    ]);
    return y;
  }

  sub(a: Val, b: Val): Val {
    const y = this.node('Sub', [a, b], broadcast(a.shape, b.shape));
    this.record([a, b], [y], ([gy], need) => [
      need[0] ? this.unbroadcast(gy!, a.shape) : null,
      need[1] ? this.unbroadcast(this.node('Neg', [gy!], gy!.shape), b.shape) : null,
    ]);
    return y;
  }

  mul(a: Val, b: Val): Val {
    const y = this.node('Mul', [a, b], broadcast(a.shape, b.shape));
    this.record([a, b], [y], ([gy], need) => [
      need[0] ? this.unbroadcast(this.node('Mul', [gy!, b], y.shape), a.shape) : null,
      need[1] ? this.unbroadcast(this.node('Mul', [gy!, a], y.shape), b.shape) : null,
    ]);
    return y;
  }

  /** a · c for a number c. */
  scale(a: Val, c: number): Val {
    const k = this.scalar(c);
    const y = this.node('Mul', [a, k], a.shape);
    this.record([a], [y], ([gy]) => [this.node('Mul', [gy!, k], a.shape)]);
    return y;
  }

  neg(a: Val): Val {
    const y = this.node('Neg', [a], a.shape);
    this.record([a], [y], ([gy]) => [this.node('Neg', [gy!], a.shape)]);
    return y;
  }

  reshape(a: Val, shape: readonly number[]): Val {
    if (size(shape) !== size(a.shape)) throw new Error(`graph: cannot reshape [${a.shape}] to [${shape}]`);
    const y = this.reshapePlain(a, shape);
    this.record([a], [y], ([gy]) => [this.reshapePlain(gy!, a.shape)]);
    return y;
  }

  transpose(a: Val, perm: readonly number[]): Val {
    const y = this.node(
      'Transpose',
      [a],
      perm.map((p) => a.shape[p]!),
      { perm: { ints: perm } },
    );
    const inv = perm.map((_, i) => perm.indexOf(i));
    this.record([a], [y], ([gy]) => [this.node('Transpose', [gy!], a.shape, { perm: { ints: inv } })]);
    return y;
  }

  /** Swap the last two axes (untracked helper for gradients). */
  private swapLast(v: Val): Val {
    const r = v.shape.length;
    const perm = v.shape.map((_, i) => i);
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return this.node(
      'Transpose',
      [v],
      perm.map((p) => v.shape[p]!),
      { perm: { ints: perm } },
    );
  }

  /**
   * a @ b. Either b is a 2-D matrix [K, M] applied to a: [..., K], or both have the same rank ≥ 3 and
   * equal leading dims. A 2-D weight's gradient is one Gemm over the flattened rows: aᵀ dy.
   */
  matmul(a: Val, b: Val): Val {
    const ra = a.shape.length;
    const rb = b.shape.length;
    const K = a.shape[ra - 1]!;
    if (b.shape[rb - 2] !== K) throw new Error(`graph: matmul [${a.shape}] @ [${b.shape}]`);
    let shape: number[];
    if (rb === 2) shape = [...a.shape.slice(0, -1), b.shape[1]!];
    else if (ra === rb && same(a.shape.slice(0, -2), b.shape.slice(0, -2)))
      shape = [...a.shape.slice(0, -1), b.shape[rb - 1]!];
    else throw new Error(`graph: matmul of [${a.shape}] and [${b.shape}] is not supported`);
    const y = this.node('MatMul', [a, b], shape);
    this.record([a, b], [y], ([gy], need) => {
      let ga: Val | null = null;
      let gb: Val | null = null;
      if (rb === 2) {
        // Gemm with a transposed operand measured faster here than MatMul of a Transpose (FusedMatMul).
        const M = b.shape[1]!;
        const N = size(shape) / M;
        if (need[0]) {
          const flat = this.node('Gemm', [this.reshapePlain(gy!, [N, M]), b], [N, K], { transB: { int: 1 } });
          ga = this.reshapePlain(flat, a.shape);
        }
        if (need[1]) {
          const a2 = ra === 2 ? a : this.reshapePlain(a, [N, K]);
          const g2 = ra === 2 ? gy! : this.reshapePlain(gy!, [N, M]);
          gb = this.node('Gemm', [a2, g2], b.shape, { transA: { int: 1 } });
        }
      } else {
        if (need[0]) ga = this.node('MatMul', [gy!, this.swapLast(b)], a.shape);
        if (need[1]) gb = this.node('MatMul', [this.swapLast(a), gy!], b.shape);
      }
      return [ga, gb];
    });
    return y;
  }

  /**
   * a @ bᵀ for a [..., M, K] and b [..., N, K] of the same rank ≥ 3 and leading dims (attention scores
   * q·kᵀ). Forward and gradients (da = dy @ b, db = dyᵀ @ a) transpose only last axes of their operands,
   * which onnxruntime folds into its MatMul kernel (FusedMatMul) instead of copying; written as a matmul
   * by a transposed b, the gradient of b would come out transposed and need a copy back.
   */
  matmulNT(a: Val, b: Val): Val {
    const r = a.shape.length;
    if (r < 3 || b.shape.length !== r || !same(a.shape.slice(0, -2), b.shape.slice(0, -2)))
      throw new Error(`graph: matmulNT of [${a.shape}] and [${b.shape}] is not supported`);
    if (a.shape[r - 1] !== b.shape[r - 1]) throw new Error(`graph: matmulNT [${a.shape}] @ [${b.shape}]ᵀ`);
    const shape = [...a.shape.slice(0, -1), b.shape[r - 2]!];
    const y = this.node('MatMul', [a, this.swapLast(b)], shape);
    this.record([a, b], [y], ([gy], need) => [
      need[0] ? this.node('MatMul', [gy!, b], a.shape) : null,
      need[1] ? this.node('MatMul', [this.swapLast(gy!), a], b.shape) : null,
    ]);
    return y;
  }

  /** Softmax over the last axis; dx = s · (dy − Σ dy·s), the row's subtraction as one scaleShift. */
  softmax(a: Val): Val {
    const y = this.node('Softmax', [a], a.shape, { axis: { int: -1 } });
    this.record([a], [y], ([gy]) => {
      const rows = size(a.shape) / a.shape[a.shape.length - 1]!;
      const dot = this.node(
        'ReduceSum',
        [this.node('Mul', [gy!, y], a.shape), this.int64s([-1])],
        a.shape.slice(0, -1),
        { keepdims: { int: 0 } },
      );
      const centred = this.scaleShift(gy!, this.filled(1, [rows]), this.node('Neg', [dot], dot.shape), rows);
      return [this.node('Mul', [y, centred], a.shape)];
    });
    return y;
  }

  /** softplus(a) = log(1 + eˣ); d/dx = σ(x). */
  softplus(a: Val): Val {
    const y = this.node('Softplus', [a], a.shape);
    this.record([a], [y], ([gy]) => [this.node('Mul', [gy!, this.node('Sigmoid', [a], a.shape)], a.shape)]);
    return y;
  }

  /** max(a, 0); the gradient passes where a > 0. */
  relu(a: Val): Val {
    const y = this.node('Relu', [a], a.shape);
    this.record([a], [y], ([gy]) => {
      const on = this.cast(this.node('Greater', [a, this.scalar(0)], a.shape, {}, 'bool'), 'float');
      return [this.node('Mul', [gy!, on], a.shape)];
    });
    return y;
  }

  /** eˣ; d/dx = eˣ. */
  exp(a: Val): Val {
    const y = this.node('Exp', [a], a.shape);
    this.record([a], [y], ([gy]) => [this.node('Mul', [gy!, y], a.shape)]);
    return y;
  }

  /** ln x; d/dx = 1/x. */
  log(a: Val): Val {
    const y = this.node('Log', [a], a.shape);
    this.record([a], [y], ([gy]) => [this.node('Div', [gy!, a], a.shape)]);
    return y;
  }

  /** σ(x); d/dx = σ(x)(1 − σ(x)). */
  sigmoid(a: Val): Val {
    const y = this.node('Sigmoid', [a], a.shape);
    this.record([a], [y], ([gy]) => {
      const d = this.node('Mul', [y, this.node('Sub', [this.scalar(1), y], a.shape)], a.shape);
      return [this.node('Mul', [gy!, d], a.shape)];
    });
    return y;
  }

  /** log σ(x) = −softplus(−x), stable for any x. */
  logSigmoid(a: Val): Val {
    return this.neg(this.softplus(this.neg(a)));
  }

  /** Elementwise max; the gradient goes to a where a ≥ b, else to b (tfjs's Maximum). */
  maximum(a: Val, b: Val): Val {
    return this.pick('Max', 'GreaterOrEqual', a, b);
  }

  /** Elementwise min; the gradient goes to a where a ≤ b, else to b (tfjs's Minimum). */
  minimum(a: Val, b: Val): Val {
    return this.pick('Min', 'LessOrEqual', a, b);
  }

  private pick(op: 'Max' | 'Min', cmp: 'GreaterOrEqual' | 'LessOrEqual', a: Val, b: Val): Val {
    const shape = broadcast(a.shape, b.shape);
    const y = this.node(op, [a, b], shape);
    this.record([a, b], [y], ([gy], need) => {
      const toA = this.cast(this.node(cmp, [a, b], shape, {}, 'bool'), 'float');
      return [
        need[0] ? this.unbroadcast(this.node('Mul', [gy!, toA], shape), a.shape) : null,
        need[1]
          ? this.unbroadcast(
              this.node('Mul', [gy!, this.node('Sub', [this.scalar(1), toA], shape)], shape),
              b.shape,
            )
          : null,
      ];
    });
    return y;
  }

  /** x clipped to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (tfjs's clipByValue). */
  clip(a: Val, lo: number, hi: number): Val {
    const y = this.node('Clip', [a, this.scalar(lo), this.scalar(hi)], a.shape);
    this.record([a], [y], ([gy]) => {
      const inside = this.node(
        'And',
        [
          this.node('GreaterOrEqual', [a, this.scalar(lo)], a.shape, {}, 'bool'),
          this.node('LessOrEqual', [a, this.scalar(hi)], a.shape, {}, 'bool'),
        ],
        a.shape,
        {},
        'bool',
      );
      return [this.node('Mul', [gy!, this.cast(inside, 'float')], a.shape)];
    });
    return y;
  }

  /** The same values with no gradient through them (torch's detach, tf.stopGradient). */
  stopGradient(a: Val): Val {
    return this.node('Identity', [a], a.shape, {}, a.type);
  }

  /** Σ over `axes`; keepdims as asked. */
  reduceSum(a: Val, axes: readonly number[], keepdims = false): Val {
    const norm = axes.map((x) => (x < 0 ? x + a.shape.length : x));
    const kept = a.shape.map((d, i) => (norm.includes(i) ? 1 : d));
    const shape = keepdims ? kept : a.shape.filter((_, i) => !norm.includes(i));
    const y = this.node('ReduceSum', [a, this.int64s(norm)], shape, { keepdims: { int: keepdims ? 1 : 0 } });
    this.record([a], [y], ([gy]) => {
      const g = keepdims ? gy! : this.reshapePlain(gy!, kept);
      return [this.node('Expand', [g, this.int64s(a.shape)], a.shape)];
    });
    return y;
  }

  mean(a: Val, axes: readonly number[], keepdims = false): Val {
    const n = axes.reduce((p, x) => p * a.shape[x < 0 ? x + a.shape.length : x]!, 1);
    return this.scale(this.reduceSum(a, axes, keepdims), 1 / n);
  }

  /** The values joined along `axis`; each tracked input's gradient is its slice of the output's. */
  concat(vals: readonly Val[], axis: number): Val {
    const shape = vals[0]!.shape.slice();
    shape[axis] = vals.reduce((n, v) => n + v.shape[axis]!, 0);
    const y = this.node('Concat', vals, shape, { axis: { int: axis } }, vals[0]!.type);
    this.record([...vals], [y], ([gy], need) => {
      let at = 0;
      return vals.map((v, k) => {
        const from = at;
        at += v.shape[axis]!;
        if (!need[k]) return null;
        const part = v.shape.slice();
        return this.node('Slice', [gy!, this.int64s([from]), this.int64s([at]), this.int64s([axis])], part);
      });
    });
    return y;
  }

  /** a[start:end] along `axis`; the gradient is the output gradient padded with zeros. */
  slice(a: Val, axis: number, start: number, end: number): Val {
    const shape = a.shape.slice();
    shape[axis] = end - start;
    const y = this.node('Slice', [a, this.int64s([start]), this.int64s([end]), this.int64s([axis])], shape);
    this.record([a], [y], ([gy]) => {
      const r = a.shape.length;
      const pads = new Array<number>(2 * r).fill(0);
      pads[axis] = start;
      pads[r + axis] = a.shape[axis]! - end;
      return [this.node('Pad', [gy!, this.int64s(pads)], a.shape)];
    });
    return y;
  }

  /**
   * Rows of `table` [R, D] at `ids` (int64, any shape) → [...ids, D]. The table's gradient: ScatterND
   * with reduction 'add' of the output gradient rows into zeros, or with `oneHot` a one-hot [N, R]
   * matrix product (ohᵀ dy).
   */
  gather(table: Val, ids: Val, gradVia: 'scatter' | 'onehot' = 'scatter'): Val {
    const [R, D] = table.shape as [number, number];
    const y = this.node('Gather', [table, ids], [...ids.shape, D], { axis: { int: 0 } });
    this.record([table], [y], ([gy]) => {
      const N = size(ids.shape);
      const dy = this.reshapePlain(gy!, [N, D]);
      if (gradVia === 'onehot') {
        const hot = this.oneHot(this.reshapePlain(ids, [N]), R); // [N, R]
        return [this.node('Gemm', [hot, dy], [R, D], { transA: { int: 1 } })];
      }
      const zeros = this.floats(new Float32Array(R * D), [R, D]);
      const idx = this.reshapePlain(ids, [N, 1]);
      return [this.node('ScatterND', [zeros, idx, dy], [R, D], { reduction: { string: 'add' } })];
    });
    return y;
  }

  /** One-hot float rows of int64 `ids` [...]: [..., depth]. */
  oneHot(ids: Val, depth: number): Val {
    const range = this.int64s(
      Array.from({ length: depth }, (_, i) => i),
      [depth],
    );
    const col = this.node('Unsqueeze', [ids, this.int64s([-1])], [...ids.shape, 1], {}, 'int64');
    const eq = this.node('Equal', [col, range], [...ids.shape, depth], {}, 'bool');
    return this.cast(eq, 'float');
  }

  /**
   * LayerNormalization over the last axis (ε as given) with gain g and bias b. Gradient as model/kernels.ts:
   * dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dg = Σ dy·x̂, db = Σ dy, with dx̂ = dy·g, from the op's
   * saved mean μ and inverse standard deviation r. Per-row affine steps are scaleShift passes: x̂ =
   * x·r − μ·r, and dx = r·dx̂ + (−r·mean(dx̂·x̂))·x̂ − r·mean(dx̂), where dx̂·x̂ = (dy·x̂)·g reuses the
   * product dg sums. (A MatMul by g for that mean ran ~15× slower than the Mul and ReduceMean.)
   */
  layerNorm(x: Val, g: Val, b: Val, eps: number): Val {
    const stat = [...x.shape.slice(0, -1), 1];
    const [yName, meanName, rName] = this.raw(
      'LayerNormalization',
      [x.name, g.name, b.name],
      { axis: { int: -1 }, epsilon: { float: eps } },
      undefined,
      3,
    );
    const y: Val = { name: yName!, shape: x.shape, type: 'float' };
    const mean: Val = { name: meanName!, shape: stat, type: 'float' };
    const r: Val = { name: rName!, shape: stat, type: 'float' };
    this.record([x, g, b], [y], ([gy], need) => {
      const D = x.shape[x.shape.length - 1]!;
      const N = size(x.shape) / D;
      const row = (v: Val) => this.view(v, [N]);
      const rowMul = (a: Val, c: Val) => this.node('Mul', [a, c], [N]);
      const neg = (a: Val) => this.node('Neg', [a], a.shape);
      const rv = row(r);
      const xhat = this.scaleShift(x, rv, neg(rowMul(row(mean), rv)), N);
      const dyXhat = this.node('Mul', [gy!, xhat], x.shape);
      let dx: Val | null = null;
      if (need[0]) {
        const dxhat = this.node('Mul', [gy!, g], x.shape);
        const m1 = this.node('ReduceMean', [dxhat], x.shape.slice(0, -1), {
          axes: { ints: [-1] },
          keepdims: { int: 0 },
        });
        const m2 = this.node('ReduceMean', [this.node('Mul', [dyXhat, g], x.shape)], x.shape.slice(0, -1), {
          axes: { ints: [-1] },
          keepdims: { int: 0 },
        }); // mean(dx̂·x̂)
        const part = this.scaleShift(xhat, neg(rowMul(rv, row(m2))), neg(rowMul(rv, row(m1))), N);
        dx = this.node('Add', [this.scaleShift(dxhat, rv, this.filled(0, [N]), N), part], x.shape);
      }
      const dg = need[1] ? this.unbroadcast(dyXhat, g.shape) : null;
      const db = need[2] ? this.unbroadcast(gy!, b.shape) : null;
      return [dx, dg, db];
    });
    return y;
  }

  /**
   * GELU (tanh form, model/kernels.ts): y = ½x·(1 + tanh(√(2/π)·(x + a·x³))) = x·σ(2u), a = 0.044715.
   * The forward is written exactly as onnxruntime's FastGeluFusion matches it (Pow, Mul, Add, Mul, Tanh,
   * Add, Mul, Mul), so it runs as one fused kernel; the gradient recomputes s = σ(2u) from x and reads y:
   * d/dx = s + x·s·(1 − s)·(3·c·a·x² + c) = s + (y − y·s)·(3·c·a·x² + c), c = 2√(2/π), its polynomials
   * one scaleShift pass each (10 passes, and only x and y are kept for it).
   */
  gelu(x: Val): Val {
    const A = 0.044715;
    const K = Math.sqrt(2 / Math.PI);
    const C = 2 * K;
    const cube = this.node('Pow', [x, this.scalar(3)], x.shape);
    const inner = this.node('Add', [x, this.node('Mul', [cube, this.scalar(A)], x.shape)], x.shape);
    const th = this.node('Tanh', [this.node('Mul', [inner, this.scalar(K)], x.shape)], x.shape);
    const half = this.node('Mul', [x, this.scalar(0.5)], x.shape);
    const y = this.node('Mul', [half, this.node('Add', [th, this.scalar(1)], x.shape)], x.shape);
    this.record([x], [y], ([gy]) => {
      const x2 = this.node('Mul', [x, x], x.shape);
      const s = this.node(
        'Sigmoid',
        [this.node('Mul', [x, this.scaleShift(x2, C * A, C)], x.shape)],
        x.shape,
      );
      const du = this.scaleShift(x2, 3 * C * A, C);
      const ys = this.node('Mul', [y, s], x.shape);
      const ds = this.node('Mul', [this.node('Sub', [y, ys], x.shape), du], x.shape);
      return [this.node('Mul', [gy!, this.node('Add', [ds, s], x.shape)], x.shape)];
    });
    return y;
  }

  /**
   * log p(target) per position: logits [..., V], targets int64 [...] → [...], as LogSoftmax picked at the
   * target; d/dlogits = dy · (onehot − softmax), formed as −dy·softmax with dy added at each target by
   * ScatterElements (no one-hot [..., V] is made).
   */
  tokenLogProbs(logits: Val, targets: Val): Val {
    const lsm = this.node('LogSoftmax', [logits], logits.shape, { axis: { int: -1 } });
    const idx = this.node('Unsqueeze', [targets, this.int64s([-1])], [...targets.shape, 1], {}, 'int64');
    const picked = this.node('GatherElements', [lsm, idx], [...targets.shape, 1], { axis: { int: -1 } });
    const y = this.reshapePlain(picked, targets.shape);
    this.record([logits], [y], ([gy]) => {
      const g = this.node('Unsqueeze', [gy!, this.int64s([-1])], [...targets.shape, 1]);
      const p = this.node('Exp', [lsm], logits.shape);
      const negP = this.node('Mul', [p, this.node('Neg', [g], g.shape)], logits.shape);
      return [
        this.node('ScatterElements', [negP, idx, g], logits.shape, {
          axis: { int: -1 },
          reduction: { string: 'add' },
        }),
      ];
    });
    return y;
  }

  // ── Backward ─────────────────────────────────────────────────────────────────────────────────
  /**
   * Gradients of the scalar `loss` with respect to `wrt` (tracked inputs): emits the backward pass and
   * returns one gradient per entry (zeros for an input the loss does not reach).
   */
  grad(loss: Val, wrt: readonly Val[]): Val[] {
    if (size(loss.shape) !== 1) throw new Error('graph: grad needs a scalar loss');
    const acc = new Map<string, Val[]>();
    acc.set(loss.name, [this.floats([1], loss.shape)]);
    const total = (v: Val): Val | null => {
      const parts = acc.get(v.name);
      if (!parts?.length) return null;
      if (parts.length === 1) return parts[0]!;
      const s = this.node('Sum', parts, v.shape);
      acc.set(v.name, [s]);
      return s;
    };
    for (let i = this.tape.length - 1; i >= 0; i--) {
      const { ins, outs, back } = this.tape[i]!;
      const gys = outs.map(total);
      if (gys.every((g) => g === null)) continue;
      const need = ins.map((v) => this.tracked.has(v.name));
      const gxs = back(gys, need);
      ins.forEach((v, k) => {
        const g = gxs[k];
        if (!need[k] || !g) return;
        const list = acc.get(v.name) ?? [];
        list.push(g);
        acc.set(v.name, list);
      });
    }
    return wrt.map((w) => total(w) ?? this.floats(new Float32Array(size(w.shape)), w.shape));
  }

  // ── Serialise ────────────────────────────────────────────────────────────────────────────────
  encode(name: string, metadata: Record<string, string> = {}): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      opset: ONNX_OPSET,
      producerName: 'alignment-lab',
      producerVersion: '0.1.0',
      metadata,
      graph: {
        name,
        nodes: this.nodes,
        initializers: this.initializers,
        inputs: this.inputs,
        outputs: this.outputs,
      },
    });
  }
}
