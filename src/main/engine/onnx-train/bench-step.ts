// The benchmark workloads (bench/workloads.ts) on the onnxruntime training engine: the same step as
// bench/steps.ts and torch_reference.py — random ids made once, Adam lr 1e-4 (ε 1e-8), sequence log-prob
// = mean of the next-token log-probs, DPO with the frozen reference evaluated every step without
// gradients (a forward-only graph), SFT on the second half of each row, score = forward only.
import { GPT } from '../model/gpt';
import { mulberry32 } from '../random';
import { DPO_BETA, LEARNING_RATE } from '../bench/steps';
import type { BenchResult } from '../bench/run';
import { tokensPerStep, type Workload } from '../bench/workloads';
import { OnnxScorer, OnnxTrainer } from './engine';

export interface OnnxBenchStep {
  run(): Promise<number>;
  tokens: number;
  params: number;
  threads: number;
  dispose(): Promise<void>;
}

/** Next-token inputs of full T-token rows (position t predicts t + 1; the last has mask 0), mask from `from`. */
function nextTokenRows(R: number, T: number, V: number, seed: number, from = 0) {
  const rng = mulberry32(seed);
  const ids = new Int32Array(R * T);
  const targets = new Int32Array(R * T);
  const mask = new Float32Array(R * T);
  for (let r = 0; r < R; r++) {
    const row = Array.from({ length: T }, () => rng.int(0, V));
    for (let t = 0; t < T; t++) {
      ids[r * T + t] = row[t]!;
      if (t < T - 1) {
        targets[r * T + t] = row[t + 1]!;
        if (t >= from) mask[r * T + t] = 1;
      }
    }
  }
  return { ids, targets, mask };
}

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** Builds the step of workload `w` on onnxruntime's CPU provider; deterministic in `seed`. */
export async function makeOnnxStep(w: Workload, threads: number, seed = 0): Promise<OnnxBenchStep> {
  const { contextLength: T, vocabSize: V } = w.model;
  const init = GPT.init(w.model, seed); // the same initial weights as the tfjs step
  const arrays = await init.toArrays();
  init.dispose();
  const params = arrays.reduce((n, a) => n + a.data.length, 0);
  const tokens = tokensPerStep(w);
  const b = w.batch;

  if (w.step === 'score') {
    const x = nextTokenRows(b, T, V, seed + 1);
    const scorer = new OnnxScorer(w.model, arrays, threads);
    const count = x.mask.reduce((a, m) => a + m, 0);
    const rowScale = new Float32Array(b).fill(1);
    return {
      run: async () => (await scorer.score({ rows: b, seqLen: T, ...x, rowScale })).total / count,
      tokens,
      params,
      threads,
      dispose: () => scorer.release(),
    };
  }
  if (w.step === 'sft') {
    const x = nextTokenRows(b, T, V, seed + 1, Math.floor(T / 2));
    const scored = x.mask.reduce((a, m) => a + m, 0);
    const weights = x.mask.map((m) => m / scored);
    const trainer = new OnnxTrainer(w.model, arrays, { adam: ADAM, head: { kind: 'sft' }, threads });
    return {
      run: async () =>
        (
          await trainer.step(
            { rows: b, seqLen: T, ids: x.ids, targets: x.targets, weights },
            LEARNING_RATE,
            0,
          )
        ).loss,
      tokens,
      params,
      threads,
      dispose: () => trainer.release(),
    };
  }
  // dpo: rows 0..b−1 chosen, b..2b−1 rejected; the reference is the initial policy, scored every step.
  const R = 2 * b;
  const x = nextTokenRows(R, T, V, seed + 1);
  const rowScale = new Float32Array(R).fill(1 / (T - 1)); // mean over the T − 1 scored tokens
  const reference = new OnnxScorer(w.model, arrays, threads);
  const trainer = new OnnxTrainer(w.model, arrays, {
    adam: ADAM,
    head: { kind: 'dpo', beta: DPO_BETA, labelSmoothing: 0 },
    threads,
  });
  return {
    run: async () => {
      const { seq: ref } = await reference.score({ rows: R, seqLen: T, ...x, rowScale });
      const out = await trainer.step({ rows: R, seqLen: T, ...x, rowScale, ref }, LEARNING_RATE, 0);
      return out.loss;
    },
    tokens,
    params,
    threads,
    dispose: async () => {
      await reference.release();
      await trainer.release();
    },
  };
}

/** What bench/run.ts reports per measurement (its BenchResult without the `type` tag). */
export type OnnxMeasurement = Omit<BenchResult, 'type'>;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Measures workload `w` on onnxruntime: warm-up steps (the first builds the sessions), then `runs` timed runs of `steps`. */
export async function measureOnnx(
  w: Workload,
  runs: number,
  steps: number,
  warmup: number,
  threads: number,
  impl: string,
  signal?: AbortSignal,
): Promise<OnnxMeasurement> {
  const step = await makeOnnxStep(w, threads);
  try {
    let firstLoss = NaN;
    for (let i = 0; i < warmup; i++) {
      const loss = await step.run();
      if (i === 0) firstLoss = loss;
    }
    const rates: number[] = [];
    let lastLoss = NaN;
    for (let r = 0; r < runs; r++) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) lastLoss = await step.run();
      rates.push(steps / ((performance.now() - t0) / 1000));
    }
    rates.sort((a, b) => a - b);
    const m = Math.floor(rates.length / 2);
    const sps = rates.length % 2 ? rates[m]! : (rates[m - 1]! + rates[m]!) / 2;
    return {
      workload: w.name,
      impl,
      threads,
      params: step.params,
      stepsPerSec: round(sps, 3),
      tokensPerSec: Math.round(sps * step.tokens),
      runs: rates.map((r) => round(r, 3)),
      firstLoss: round(firstLoss, 6),
      lastLoss: round(lastLoss, 6),
      steps,
      warmup,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await step.dispose();
  }
}
