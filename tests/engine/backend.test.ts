// The backend module picks a backend that really computes, and says why.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';

describe('selectBackend', () => {
  it('falls back past the missing tfjs-node and names the reason', async () => {
    const info = await selectBackend('auto');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
    if (info.name !== 'tensorflow' && !process.env['LAB_BACKEND']) expect(info.reason).toMatch(/tfjs-node/);
    expect(await selectBackend('auto')).toEqual(info);
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(y).toBe(11);
  });

  it('honours an explicit choice and switches back', async () => {
    const cpu = await selectBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const again = await selectBackend('auto');
    expect(tf.getBackend()).toBe(again.name);
  });
});
