// A small protobuf encoder for the ONNX messages a GPT export needs (ModelProto, GraphProto, NodeProto,
// TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, AttributeProto, OperatorSetIdProto), with
// field numbers from onnx/onnx.proto (proto2). It only writes; it does not parse. Repeated scalars are
// written unpacked (one tag per value), which every proto2 and proto3 parser accepts.

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** An attribute value: number (int unless `float`), float, ints, floats, string or tensor. */
export type AttrValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string }
  | { tensor: TensorInit };

export interface NodeInit {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}

export interface TensorInit {
  name: string;
  dims: readonly number[];
  type: DataTypeCode;
  /** Little-endian bytes of the values (raw_data). */
  raw: Uint8Array;
}

/** A graph input or output: element type and dims (a string is a symbolic dim such as "batch"). */
export interface ValueInit {
  name: string;
  type: DataTypeCode;
  dims: readonly (number | string)[];
}

export interface GraphInit {
  name: string;
  nodes: readonly NodeInit[];
  initializers: readonly TensorInit[];
  inputs: readonly ValueInit[];
  outputs: readonly ValueInit[];
}

export interface ModelInit {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
  graph: GraphInit;
}

const textEncoder = new TextEncoder();

/** Builds one message as a list of byte chunks. */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(v: bigint): void {
    let n = BigInt.asUintN(64, v);
    const out: number[] = [];
    while (n >= 0x80n) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint(BigInt((field << 3) | wire));
  }

  /** int32/int64/enum field (negative values as 64-bit two's complement, as protobuf does). */
  int(field: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw new Error(`protobuf: ${v} is not a whole number`);
    this.tag(field, 0);
    this.varint(BigInt(v));
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, textEncoder.encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function tensorProto(t: TensorInit): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d); // dims
  w.int(2, t.type); // data_type
  w.string(8, t.name); // name
  w.bytes(9, t.raw); // raw_data
  return w;
}

function attributeProto(name: string, v: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if ('int' in v) w.int(3, v.int).int(20, ATTR_INT);
  else if ('float' in v) w.float(2, v.float).int(20, ATTR_FLOAT);
  else if ('ints' in v) {
    for (const i of v.ints) w.int(8, i);
    w.int(20, ATTR_INTS);
  } else if ('floats' in v) {
    for (const f of v.floats) w.float(7, f);
    w.int(20, ATTR_FLOATS);
  } else if ('string' in v) w.string(4, v.string).int(20, ATTR_STRING);
  else w.message(5, tensorProto(v.tensor)).int(20, ATTR_TENSOR);
  return w;
}

function nodeProto(n: NodeInit): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attributeProto(k, v));
  return w;
}

function valueInfoProto(v: ValueInit): Writer {
  const shape = new Writer();
  for (const d of v.dims) {
    const dim = typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d);
    shape.message(1, dim); // TensorShapeProto.dim
  }
  const tensorType = new Writer().int(1, v.type).message(2, shape); // TypeProto.Tensor
  const type = new Writer().message(1, tensorType); // TypeProto.tensor_type
  return new Writer().string(1, v.name).message(2, type);
}

function graphProto(g: GraphInit): Writer {
  const w = new Writer();
  for (const n of g.nodes) w.message(1, nodeProto(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensorProto(t));
  for (const i of g.inputs) w.message(11, valueInfoProto(i));
  for (const o of g.outputs) w.message(12, valueInfoProto(o));
  return w;
}

/** Serialise an ONNX ModelProto. */
export function encodeModel(m: ModelInit): Uint8Array {
  const w = new Writer().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, graphProto(m.graph));
  w.message(8, new Writer().string(1, '').int(2, m.opset)); // opset_import: the default domain
  for (const [key, value] of Object.entries(m.metadata ?? {}))
    w.message(14, new Writer().string(1, key).string(2, value)); // metadata_props
  return w.finish();
}

/** Little-endian bytes of float32 values. */
export function floatBytes(data: Float32Array | readonly number[]): Uint8Array {
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  const out = new Uint8Array(f.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < f.length; i++) view.setFloat32(i * 4, f[i]!, true);
  return out;
}

/** Little-endian bytes of int64 values. */
export function int64Bytes(data: readonly number[]): Uint8Array {
  const out = new Uint8Array(data.length * 8);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}
