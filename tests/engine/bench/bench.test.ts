// The benchmark's own smoke test: every workload runs (1 run × 2 steps), reports the reference's fields,
// has the torch model's parameter count, finite losses, a DPO first loss of ln 2 (the policy starts equal
// to its frozen reference), and leaves no tensors behind. Speed is not asserted: it is what bench measures.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { benchCli } from '../../../src/main/engine/bench/cli';
import { resultHeader, resultRow, ratioTable } from '../../../src/main/engine/bench/format';
import { runBench, type BenchResult } from '../../../src/main/engine/bench/run';
import { projectRoot, torchReferencePath } from '../../../src/main/engine/bench/torch';
import {
  WORKLOAD_NAMES,
  WORKLOADS,
  tokensPerStep,
  torchParamCount,
} from '../../../src/main/engine/bench/workloads';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('bench', () => {
  it('counts parameters as torch does for the reference model (values from torch_reference.py)', () => {
    expect(torchParamCount(WORKLOADS['dpo-seed'].model)).toBe(104320);
    expect(torchParamCount(WORKLOADS['dpo-lab'].model)).toBe(867072);
    expect(tokensPerStep(WORKLOADS['dpo-lab'])).toBe(2 * 16 * 64);
    expect(tokensPerStep(WORKLOADS['score-lab'])).toBe(64 * 64);
  });

  it('runs every workload: fields, params, finite losses, DPO starts at ln 2, no leaked tensors', async () => {
    const before = tf.memory().numTensors;
    const seen: BenchResult[] = [];
    const summary = await runBench({ runs: 1, steps: 2, warmup: 1 }, (r) => seen.push(r));
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.type).toBe('ratios');
    expect(summary.notes).toEqual([]);
    expect(seen.map((r) => r.workload)).toEqual([...WORKLOAD_NAMES]);
    for (const r of seen) {
      const w = WORKLOADS[r.workload];
      expect(r).toMatchObject({ type: 'result', threads: 1, steps: 2, warmup: 1 });
      expect(r.impl).toMatch(/^tfjs \S+ wasm$/);
      expect(r.params).toBe(torchParamCount(w.model));
      expect(r.runs).toHaveLength(1);
      expect(r.stepsPerSec).toBeGreaterThan(0);
      expect(r.stepsPerSec).toBe(r.runs[0]);
      // tokensPerSec comes from the unrounded rate, stepsPerSec is rounded to 3 decimals.
      expect(Math.abs(r.tokensPerSec - r.stepsPerSec * tokensPerStep(w))).toBeLessThan(
        tokensPerStep(w) * 1e-3,
      );
      expect(Number.isFinite(r.firstLoss) && Number.isFinite(r.lastLoss)).toBe(true);
      expect(r.peakRssMB).toBeGreaterThan(0);
      if (w.step === 'dpo') {
        expect(r.firstLoss).toBeCloseTo(Math.LN2, 4);
        expect(r.lastLoss).toBeLessThan(r.firstLoss); // two Adam steps on fixed pairs
      }
      // Random ids over V tokens: the untrained model's next-token loss is about ln V.
      if (w.step === 'sft') expect(r.firstLoss).toBeCloseTo(Math.log(w.model.vocabSize), 0);
      if (w.step === 'score') {
        expect(r.firstLoss).toBeCloseTo(-Math.log(w.model.vocabSize), 0);
        expect(r.lastLoss).toBe(r.firstLoss); // forward only: nothing changes
      }
    }
    // The table prints every result on one aligned row.
    const header = resultHeader();
    for (const line of seen.map(resultRow)) expect(line).toHaveLength(header.length);
  }, 60_000);

  it('formats the ratio table', () => {
    const table = ratioTable([
      {
        workload: 'dpo-lab',
        impl: 'tfjs 4.22.0 wasm',
        ratio: 0.5,
        oursStepsPerSec: 1,
        torchStepsPerSec: 2,
        paramsOurs: 867072,
        paramsTorch: 867072,
        peakRssMBOurs: 300,
        peakRssMBTorch: null,
      },
    ]).split('\n');
    expect(table).toHaveLength(2);
    expect(table[1]).toContain('0.500');
    expect(table[1]).toContain('300 MB / —');
  });

  it('finds the torch reference beside the project, not at a fixed path', () => {
    expect(existsSync(path.join(projectRoot(), 'package.json'))).toBe(true);
    expect(torchReferencePath()).toBe(path.resolve(projectRoot(), '../shared/bench/torch_reference.py'));
  });

  it('rejects bad flags with a usage message and exit code 2', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const origError = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await benchCli(['--workload', 'nope'], (l) => lines.push(l))).toBe(2);
      expect(await benchCli(['--runs', '0'], (l) => lines.push(l))).toBe(2);
      expect(await benchCli(['--backend', 'gpu'], (l) => lines.push(l))).toBe(2);
    } finally {
      console.error = origError;
    }
    expect(errors[0]).toContain('unknown workload "nope"');
    expect(errors[1]).toContain('--runs must be a whole number');
    expect(errors[2]).toContain('unknown backend "gpu"');
    expect(lines).toEqual([]);
  });

  it('prints JSON lines and a final ratios line', async () => {
    const lines: string[] = [];
    expect(
      await benchCli(['--workload', 'dpo-seed', '--runs', '1', '--steps', '1', '--json'], (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; workload?: string });
    expect(parsed.map((p) => p.type)).toEqual(['result', 'ratios']);
    expect(parsed[0]!.workload).toBe('dpo-seed');
  });
});
