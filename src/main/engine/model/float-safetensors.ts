// safetensors files as real checkpoints come: F32, F16 or BF16 tensors, all read into float32 arrays.
// (The lab's own files are F32 and go through ../safetensors.ts; this reader is for imports.)
import type { NamedArray } from './gpt';

/** safetensors bytes → float32 arrays, reading F32, F16 and BF16 (real checkpoints come in all three). */
export function decodeFloatSafetensors(bytes: Uint8Array): NamedArray[] {
  if (bytes.length < 8) throw new Error('model.safetensors: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (8 + headerLen > bytes.length) throw new Error('model.safetensors: header length exceeds the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const start = 8 + headerLen;
  const out: NamedArray[] = [];
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const size = e.shape.reduce((a, b) => a * b, 1);
    const width = { F32: 4, F16: 2, BF16: 2 }[e.dtype];
    if (!width) throw new Error(`model.safetensors: "${name}" is ${e.dtype}; only F32, F16 and BF16 import`);
    const [begin, end] = e.data_offsets;
    if (end - begin !== width * size || start + end > bytes.length)
      throw new Error(`model.safetensors: "${name}" has offsets that do not match its shape`);
    const at = start + begin;
    if (e.dtype === 'F32' && LITTLE_ENDIAN) {
      out.push({ name, shape: e.shape, data: new Float32Array(bytes.slice(at, at + 4 * size).buffer) });
      continue;
    }
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      if (e.dtype === 'F32') data[i] = view.getFloat32(at + 4 * i, true);
      else if (e.dtype === 'BF16') data[i] = bf16(view.getUint16(at + 2 * i, true));
      else data[i] = f16(view.getUint16(at + 2 * i, true));
    }
    out.push({ name, shape: e.shape, data });
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const scratch = new DataView(new ArrayBuffer(4));
function bf16(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}
function f16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
