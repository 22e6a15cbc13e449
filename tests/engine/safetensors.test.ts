// safetensors: byte layout per the spec and a lossless round trip through a real file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
} from '../../src/main/engine/safetensors';

const tensors = [
  { name: 'a', shape: [2, 3], data: new Float32Array([1, -2, 3.5, Number.MIN_VALUE, -0, 1e30]) },
  { name: 'b.bias', shape: [1], data: new Float32Array([Math.PI]) },
  { name: 'scalar', shape: [], data: new Float32Array([7]) },
];

describe('safetensors', () => {
  it('lays out header length, JSON header and data as the format says', () => {
    const bytes = encodeSafetensors(tensors, { step: '3' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({ step: '3' });
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header['b.bias'].data_offsets).toEqual([24, 28]);
    expect(bytes.length).toBe(8 + n + 32);
    expect(new DataView(bytes.buffer).getFloat32(8 + n + 4, true)).toBe(-2);
  });

  it('round-trips through a file written atomically', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'st-'));
    try {
      const file = path.join(dir, 'w.safetensors');
      await writeSafetensors(file, tensors, { arch: '{"x":1}' });
      const back = await readSafetensors(file);
      expect(back.metadata).toEqual({ arch: '{"x":1}' });
      expect(back.tensors.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual(
        tensors.map((t) => [t.name, t.shape, Array.from(t.data)]),
      );
      expect(Object.is(back.tensors[0]!.data[4], -0)).toBe(true);
      expect((await readFile(file)).length).toBe(encodeSafetensors(tensors, { arch: '{"x":1}' }).length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects malformed input with a reason', () => {
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(/shorter/);
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/data_offsets/);
    expect(() => encodeSafetensors([{ name: 'x', shape: [2], data: new Float32Array(3) }])).toThrow(
      /3 values but shape \[2\]/,
    );
  });
});
