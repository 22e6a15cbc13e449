// The lab's own bench workloads (ppo-lab, eval-lab, gen-lab) at a tiny size: each runs on both engines
// through the lab's real code (a PPO iteration's pieces, the evaluation task, the generation bench),
// and reports finite, positive figures with the parts of a PPO iteration adding up to its time, the
// evaluation's item count, and no tensors left behind. Speed is not asserted: it is what bench measures.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { benchCli } from '../../../src/main/engine/bench/cli';
import { labResultHeader, labResultRow } from '../../../src/main/engine/bench/lab-format';
import {
  LAB_WORKLOAD_NAMES,
  runLabBench,
  type LabBenchResult,
} from '../../../src/main/engine/bench/lab-workloads';

beforeAll(async () => {
  await selectBackend('wasm');
});

const positive = (x: number | undefined) => {
  expect(Number.isFinite(x)).toBe(true);
  expect(x).toBeGreaterThan(0);
};

describe('lab bench workloads', () => {
  it('measure a PPO iteration, an evaluation and generation on tfjs and onnxruntime', async () => {
    const before = tf.memory().numTensors;
    const seen: LabBenchResult[] = [];
    const all = await runLabBench(
      {
        preset: 'byte-tiny',
        runs: 1,
        warmup: 1,
        onnxThreads: 1,
        sizes: {
          ppoPrompts: 2,
          ppoNewTokens: 2,
          ppoEpochs: 2,
          evalSets: ['arithmetic'],
          evalNewTokens: 2,
          genRows: 2,
          genPromptLen: 4,
          genNewTokens: 2,
        },
      },
      (r) => seen.push(r),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(all).toEqual(seen);
    expect(seen.map((r) => `${r.workload} ${r.impl}`)).toEqual([
      expect.stringMatching(/^ppo-lab train tfjs [\d.]+ wasm, infer onnxruntime cpu ×1$/),
      'ppo-lab train onnxruntime cpu ×1, infer onnxruntime cpu ×1',
      expect.stringMatching(/^eval-lab tfjs [\d.]+ wasm$/),
      'eval-lab onnxruntime cpu ×1',
      expect.stringMatching(/^gen-lab tfjs [\d.]+ wasm$/),
      'gen-lab onnxruntime cpu ×1',
      'gen-lab onnxruntime cpu ×1 + kv',
    ]);
    for (const r of seen) {
      expect(LAB_WORKLOAD_NAMES).toContain(r.workload);
      expect(r.type).toBe('result');
      expect(r.torch).toBeNull();
      expect(r.runs).toHaveLength(1);
      for (const x of [r.rate, ...r.runs, r.vsTfjs, r.params, r.threads, r.peakRssMB, r.tokensPerSec])
        positive(x);
      expect(labResultRow(r).startsWith(r.workload)).toBe(true);
    }
    // The first row of each workload is tfjs: the ratios are to it.
    for (const w of LAB_WORKLOAD_NAMES) expect(seen.find((r) => r.workload === w)!.vsTfjs).toBe(1);

    for (const r of seen.filter((x) => x.workload === 'ppo-lab')) {
      expect(r.unit).toBe('iterations/s');
      positive(r.secondsPerIteration);
      expect(Object.keys(r.parts!)).toEqual(['rollouts', 'reward', 'targets', 'update']);
      for (const v of Object.values(r.parts!)) expect(v).toBeGreaterThanOrEqual(0);
      positive(r.parts!['update']);
      const sum = Object.values(r.parts!).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - r.secondsPerIteration!)).toBeLessThan(0.01); // each part rounded to 1 ms
      expect(r.params).toBeGreaterThan(seen.find((x) => x.workload === 'eval-lab')!.params); // + the value head
    }
    for (const r of seen.filter((x) => x.workload === 'eval-lab')) {
      expect(r.unit).toBe('items/s');
      expect(r.items).toBe(10); // the tiny world's arithmetic set
    }
    for (const r of seen.filter((x) => x.workload === 'gen-lab')) expect(r.unit).toBe('tokens/s');
    expect(labResultHeader()).toContain('vs tfjs');
  });

  it('names the lab workloads on a bad --workload', async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await benchCli(['--workload', 'ppo'], () => {})).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors[0]).toContain('unknown workload "ppo"');
    expect(errors[0]).toContain('ppo-lab, eval-lab, gen-lab');
  });
});
