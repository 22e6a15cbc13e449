// The safetensors file format (Hugging Face), float32 only: an 8-byte little-endian header length, a
// JSON header mapping each tensor name to {dtype, shape, data_offsets} (plus optional string
// `__metadata__`), then the raw little-endian data. Readable by the `safetensors` Python package.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write';
import type { NamedArray } from './model/gpt';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Tensors (+ string metadata) → file bytes. Names must be unique. */
export function encodeSafetensors(
  tensors: readonly NamedArray[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name in header) throw new Error(`safetensors: duplicate tensor name "${t.name}"`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length)
      throw new Error(`safetensors: "${t.name}" has ${t.data.length} values but shape [${t.shape}]`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // pad so the data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    else t.data.forEach((v, i) => view.setFloat32(pos + 4 * i, v, true));
    pos += t.data.byteLength;
  }
  return out;
}

/** File bytes → tensors (in header order) and metadata. Throws a clear error on a malformed file. */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: NamedArray[];
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) throw new Error('safetensors: file is shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (8 + headerLen > bytes.length)
    throw new Error(`safetensors: header length ${headerLen} exceeds the file size`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<
      string,
      unknown
    >;
  } catch (err) {
    throw new Error(`safetensors: header is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const dataStart = 8 + headerLen;
  const metadata = (header['__metadata__'] ?? {}) as Record<string, string>;
  const tensors: NamedArray[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as HeaderEntry;
    if (e.dtype !== 'F32')
      throw new Error(`safetensors: "${name}" has dtype ${e.dtype}; only F32 is supported`);
    const [begin, end] = e.data_offsets;
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== 4 * size || dataStart + end > bytes.length)
      throw new Error(
        `safetensors: "${name}" has data_offsets [${begin}, ${end}] that do not match shape [${e.shape}] or the file`,
      );
    const data = new Float32Array(size);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    else for (let i = 0; i < size; i++) data[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    tensors.push({ name, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** Write atomically (temporary file, fsync, rename). */
export async function writeSafetensors(
  file: string,
  tensors: readonly NamedArray[],
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

export async function readSafetensors(
  file: string,
): Promise<{ tensors: NamedArray[]; metadata: Record<string, string> }> {
  return decodeSafetensors(new Uint8Array(await readFile(file)));
}
