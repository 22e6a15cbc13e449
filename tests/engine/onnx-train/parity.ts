// How the onnx-train tests compare runs and gradients with tfjs's. Gradients: the largest difference relative to the
// gradient's scale, with a floor for gradients that are 0 in exact arithmetic and rounding noise in both
// (the key bias: softmax ignores a constant added to every score of a row).
import { expect } from 'vitest';
import type { TrainEvent } from '../../../src/main/engine/types';
import type { TrainingEngineInfo } from '../../../src/shared/schemas';

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

/** The training engine a run recorded (its `backend` event). */
export function trainingOf(events: readonly TrainEvent[]): TrainingEngineInfo | undefined {
  const e = events.find((x) => x.type === 'backend');
  if (e?.type !== 'backend') throw new Error('no backend event');
  return e.backend.training;
}

/** Two runs that asked for onnx and for tfjs: both ended without error, each on the engine it asked for. */
export function expectRequestedEngines(
  onnx: { error?: unknown; events: readonly TrainEvent[] },
  tfjs: { error?: unknown; events: readonly TrainEvent[] },
): void {
  expect(onnx.error).toBeUndefined();
  expect(tfjs.error).toBeUndefined();
  expect(trainingOf(onnx.events)).toMatchObject({
    engine: 'onnx',
    reason: expect.stringContaining('requested'),
  });
  expect(trainingOf(tfjs.events)).toEqual({ engine: 'tfjs', threads: null, reason: 'requested' });
}
