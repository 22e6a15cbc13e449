// Inference speed of the ONNX export against the tfjs forward, on the same model and shapes: forward
// throughput (sequences/s) for a score-lab batch, scoring (sequences/s: per-token log-probs of given
// targets, what reference scoring for DPO and PPO computes, from the scoring export), and greedy
// generation (tokens/s) with and without the KV cache, each the median of timed runs after a warm-up. tfjs runs on whatever backend is
// active (the caller selects it); onnxruntime on its CPU provider with each requested thread count.
// It measures and returns rows; printing is the caller's.
import * as tf from '@tensorflow/tfjs-core';
import { generate } from '../generate';
import { tokenLogProbsOf } from '../logprobs';
import { GPT } from '../model/gpt';
import { MODEL_PRESETS, type ModelPresetName } from '../model/presets';
import { mulberry32 } from '../random';
import { greedyDecode } from './decode';
import { exportOnnx } from './export';
import { exportScoring } from './score-export';
import { createScorer } from './scorer';
import { createSession } from './session';

export interface OnnxBenchOptions {
  /** Model shape (random weights, seed 0). Default 'lab-small'. */
  preset?: ModelPresetName;
  /** Forward batch and length. Default 64 × 64 (score-lab). */
  batch?: number;
  seqLen?: number;
  /** Generation: rows, prompt length and new tokens. Default 16 rows, 8 + 56 tokens. */
  genBatch?: number;
  promptLen?: number;
  newTokens?: number;
  /** onnxruntime CPU thread counts to try. Default [1, 2]. */
  threads?: number[];
  /** Timed runs (median reported) and untimed warm-up runs. Default 5 and 1. */
  runs?: number;
  warmup?: number;
  /** What to measure. Default all three (bench `--workload gen-lab` asks for 'generate' only). */
  tasks?: readonly OnnxBenchRow['task'][];
}

export interface OnnxBenchRow {
  /** 'forward' and 'score' (sequences/s) or 'generate' (tokens/s). */
  task: 'forward' | 'score' | 'generate';
  /** e.g. "tfjs wasm", "onnxruntime cpu ×2", "onnxruntime cpu ×1 + kv". */
  impl: string;
  rate: number;
  unit: 'seq/s' | 'tok/s';
  /** rate / the tfjs row of the same task. */
  vsTfjs: number;
  /** Each timed run's rate, sorted (generate rows). */
  runs?: number[];
}

async function medianRate(
  work: number,
  runs: number,
  warmup: number,
  fn: () => Promise<unknown>,
  into: number[] = [],
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    rates.push(work / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  into.push(...rates);
  return rates[Math.floor(rates.length / 2)]!;
}

export async function benchOnnx(opts: OnnxBenchOptions = {}): Promise<OnnxBenchRow[]> {
  const cfg = MODEL_PRESETS[opts.preset ?? 'lab-small'];
  const B = opts.batch ?? 64;
  const T = Math.min(opts.seqLen ?? 64, cfg.contextLength);
  const gB = opts.genBatch ?? 16;
  const promptLen = opts.promptLen ?? 8;
  const newTokens = opts.newTokens ?? 56;
  const runs = opts.runs ?? 5;
  const warmup = opts.warmup ?? 1;
  const tasks = new Set(opts.tasks ?? ['forward', 'score', 'generate']);
  const rng = mulberry32(1);
  const ids = Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(0, cfg.vocabSize)));
  const prompts = Array.from({ length: gB }, () =>
    Array.from({ length: promptLen }, () => rng.int(0, cfg.vocabSize)),
  );
  const model = GPT.init(cfg, 0, false);
  const rows: Omit<OnnxBenchRow, 'vsTfjs'>[] = [];
  try {
    const tfName = `tfjs ${tf.getBackend()}`;
    if (tasks.has('forward')) {
      const x = tf.tensor2d(ids, [B, T], 'int32');
      const tfForward = await medianRate(B, runs, warmup, async () => {
        const y = model.forward(x);
        await y.data();
        y.dispose();
      });
      x.dispose();
      rows.push({ task: 'forward', impl: tfName, rate: tfForward, unit: 'seq/s' });
    }
    const flatIds = Int32Array.from(ids.flat());
    const targets = Int32Array.from(flatIds, (_, i) => flatIds[(i + 1) % flatIds.length]!);
    if (tasks.has('score')) {
      const y = tf.tensor2d(targets, [B, T], 'int32');
      const tfScore = await medianRate(B, runs, warmup, async () => {
        const lp = tf.tidy(() =>
          tokenLogProbsOf(model.forward(tf.tensor2d(flatIds, [B, T], 'int32')), y, cfg.vocabSize),
        );
        await lp.data();
        lp.dispose();
      });
      y.dispose();
      rows.push({ task: 'score', impl: tfName, rate: tfScore, unit: 'seq/s' });
    }
    if (tasks.has('generate')) {
      const tfRuns: number[] = [];
      const tfGen = await medianRate(
        gB * newTokens,
        Math.min(runs, 3),
        warmup,
        () => generate(model, prompts, { maxNewTokens: newTokens, temperature: 0 }),
        tfRuns,
      );
      rows.push({ task: 'generate', impl: tfName, rate: tfGen, unit: 'tok/s', runs: tfRuns });
    }

    const plainBytes = exportOnnx(model);
    const kvBytes = exportOnnx(model, { kvCache: true });
    const scoreBytes = exportScoring(model);
    const decode = { maxNewTokens: newTokens, contextLength: cfg.contextLength };
    for (const threads of opts.threads ?? [1, 2]) {
      const name = `onnxruntime cpu ×${threads}`;
      const plain = await createSession(plainBytes, { threads, provider: 'cpu' });
      const kv = await createSession(kvBytes, { threads, provider: 'cpu' });
      const scorer = await createScorer(scoreBytes, { threads, provider: 'cpu' });
      try {
        if (tasks.has('forward'))
          rows.push({
            task: 'forward',
            impl: name,
            rate: await medianRate(B, runs, warmup, () => plain.run(ids)),
            unit: 'seq/s',
          });
        if (tasks.has('score'))
          rows.push({
            task: 'score',
            impl: name,
            rate: await medianRate(B, runs, warmup, () =>
              scorer.score({ n: B, T, inputs: flatIds, targets }, { batchSize: B }),
            ),
            unit: 'seq/s',
          });
        if (!tasks.has('generate')) continue;
        for (const [session, impl] of [
          [plain, name],
          [kv, `${name} + kv`],
        ] as const) {
          const into: number[] = [];
          const rate = await medianRate(
            gB * newTokens,
            runs,
            warmup,
            () => greedyDecode(session, prompts, decode),
            into,
          );
          rows.push({ task: 'generate', impl, rate, unit: 'tok/s', runs: into });
        }
      } finally {
        await plain.release();
        await kv.release();
        await scorer.release();
      }
    }
  } finally {
    model.dispose();
  }
  const base = (task: OnnxBenchRow['task']) =>
    rows.find((r) => r.task === task && r.impl.startsWith('tfjs'))!.rate;
  return rows.map((r) => ({ ...r, vsTfjs: r.rate / base(r.task) }));
}
