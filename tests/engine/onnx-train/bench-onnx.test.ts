// The benchmark's onnx engine (`npm run bench -- --engine onnx`): each workload runs its step on the
// onnxruntime training graph with the reference's fields; DPO starts at ln 2 and learns, SFT starts near
// ln V, score is forward only; the tfjs and onnx rows of the same workload start from the same loss.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { benchCli } from '../../../src/main/engine/bench/cli';
import { runBench, type BenchResult } from '../../../src/main/engine/bench/run';
import { WORKLOADS, torchParamCount } from '../../../src/main/engine/bench/workloads';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('bench --engine onnx', () => {
  it('measures dpo-seed and score-lab on onnxruntime beside tfjs', async () => {
    const seen: BenchResult[] = [];
    const summary = await runBench(
      {
        workloads: ['dpo-seed', 'score-lab'],
        engines: ['tfjs', 'onnx'],
        onnxThreads: 1,
        runs: 1,
        steps: 2,
        warmup: 1,
      },
      (r) => seen.push(r),
    );
    expect(summary.notes).toEqual([]);
    expect(seen.map((r) => `${r.workload} ${r.impl.split(' ')[0]}`)).toEqual([
      'dpo-seed tfjs',
      'dpo-seed onnxruntime',
      'score-lab tfjs',
      'score-lab onnxruntime',
    ]);
    const [tfDpo, onnxDpo, tfScore, onnxScore] = seen as [BenchResult, BenchResult, BenchResult, BenchResult];
    expect(onnxDpo).toMatchObject({ impl: 'onnxruntime cpu ×1', threads: 1, steps: 2, warmup: 1 });
    expect(onnxDpo.params).toBe(torchParamCount(WORKLOADS['dpo-seed'].model));
    expect(onnxDpo.stepsPerSec).toBeGreaterThan(0);
    expect(onnxDpo.firstLoss).toBeCloseTo(Math.LN2, 5);
    expect(onnxDpo.lastLoss).toBeLessThan(onnxDpo.firstLoss);
    expect(Math.abs(onnxDpo.lastLoss - tfDpo.lastLoss)).toBeLessThan(1e-4); // same data, same steps
    expect(onnxScore.firstLoss).toBeCloseTo(tfScore.firstLoss, 4);
    expect(onnxScore.lastLoss).toBe(onnxScore.firstLoss);
  }, 120_000);

  it('rejects an unknown engine with a usage message', async () => {
    const lines: string[] = [];
    expect(await benchCli(['--engine', 'gpu'], (l) => lines.push(l))).toBe(2);
    expect(await benchCli(['--threads', '0'], (l) => lines.push(l))).toBe(2);
  });
});
