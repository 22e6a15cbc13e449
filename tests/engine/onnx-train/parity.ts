// How the onnx-train tests compare gradients with tfjs's: the largest difference relative to the
// gradient's scale, with a floor for gradients that are 0 in exact arithmetic and rounding noise in both
// (the key bias: softmax ignores a constant added to every score of a row).
import { expect } from 'vitest';

/** max |a − b| / max(max |b|, floor). */
export function relErr(a: Float32Array, b: Float32Array, floor: number): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / Math.max(s, floor);
}

/** 1e-3 × the largest gradient entry of any weight. */
export function floorOf(grads: Map<string, Float32Array>): number {
  let s = 0;
  for (const g of grads.values()) for (const x of g) s = Math.max(s, Math.abs(x));
  return 1e-3 * s;
}
