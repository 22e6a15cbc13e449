// The lab's own benchmark workloads, beside the training workloads of WORKLOADS.md (which PyTorch's
// reference also runs): nothing in PyTorch does these exactly, so they are measured per engine, tfjs
// against onnxruntime, without a reference.
// - `ppo-lab`: one PPO iteration (lab-ppo.ts) — 16 rollouts of up to 24 new tokens, a reward model's
//   scores, the targets, 4 epochs of updates — per training engine; iterations/s and seconds per part.
// - `eval-lab`: the lab's evaluation run (tasks/eval.ts: greedy replies to every held-out set of a tiny
//   sandbox world, judged, with confidence and held-out perplexity) per inference engine; items/s.
// - `gen-lab`: greedy generation, tfjs against onnxruntime with and without the KV cache; tokens/s.
//   The same measurement as `bench --onnx`'s generate rows (onnx/bench.ts), run alone.
// Each: warm-up first (eval-lab warms up on its smallest set), then the median of timed runs. On a
// fresh model of `preset` (default lab-small) and tokenizer (lab-fixture.ts). It prints nothing.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { EvalConfig, EvalSetName, type InferenceInfo } from '../../../shared/schemas';
import type { ModelPresetName } from '../model/presets';
import { benchOnnx } from '../onnx/bench';
import { defaultThreads } from '../onnx-train/engine';
import { EVAL_RESULTS_FILE, runEvalTask } from '../tasks/eval';
import { renderEvalSets } from '../world';
import { labFixture, type LabFixture } from './lab-fixture';
import { openPpoBench, type PpoIterationTimes } from './lab-ppo';

export const LAB_WORKLOAD_NAMES = ['ppo-lab', 'eval-lab', 'gen-lab'] as const;
export type LabWorkloadName = (typeof LAB_WORKLOAD_NAMES)[number];
export type LabEngine = 'tfjs' | 'onnx';

export function isLabWorkloadName(s: string): s is LabWorkloadName {
  return (LAB_WORKLOAD_NAMES as readonly string[]).includes(s);
}

/** Why these rows have no ratio to PyTorch. */
export const NO_TORCH_NOTE =
  'ppo-lab, eval-lab and gen-lab have no PyTorch reference (the reference runs only the WORKLOADS.md steps); they compare the lab’s engines, onnxruntime against tfjs';

export interface LabSizes {
  /** ppo-lab: rollouts per iteration, most new tokens each, PPO epochs. Default 16, 24, 4. */
  ppoPrompts: number;
  ppoNewTokens: number;
  ppoEpochs: number;
  /** eval-lab: the sets (default all six) and most new tokens per reply (default 32, the run's default). */
  evalSets: EvalSetName[];
  evalNewTokens: number;
  /** gen-lab: rows, prompt length and new tokens. Default 16, 8, 56 (as bench --onnx). */
  genRows: number;
  genPromptLen: number;
  genNewTokens: number;
}

export const DEFAULT_LAB_SIZES: LabSizes = {
  ppoPrompts: 16,
  ppoNewTokens: 24,
  ppoEpochs: 4,
  evalSets: [...EvalSetName.options],
  evalNewTokens: 32,
  genRows: 16,
  genPromptLen: 8,
  genNewTokens: 56,
};

export interface LabBenchOptions {
  /** Default all three, in LAB_WORKLOAD_NAMES order. */
  workloads?: LabWorkloadName[];
  /** ppo-lab: training engines; eval-lab: inference engines. Default both. gen-lab always runs both. */
  engines?: LabEngine[];
  /** Model shape. Default 'lab-small'. */
  preset?: ModelPresetName;
  /** Timed runs (median reported) and warm-up runs. Default 3 and 1. */
  runs?: number;
  warmup?: number;
  /** onnxruntime intra-op threads: the PPO updates' (default: defaultThreads) and gen-lab's (default 1). */
  onnxThreads?: number;
  sizes?: Partial<LabSizes>;
  signal?: AbortSignal;
}

export interface LabBenchResult {
  type: 'result';
  workload: LabWorkloadName;
  /** e.g. "train onnxruntime cpu ×2, infer onnxruntime cpu ×1" or "tfjs 4.22.0 wasm". */
  impl: string;
  /** Threads of the engine measured (tfjs: 1). */
  threads: number;
  params: number;
  unit: 'iterations/s' | 'items/s' | 'tokens/s';
  /** Median over the runs, in `unit`. */
  rate: number;
  /** Each timed run's rate, sorted. */
  runs: number[];
  /** rate / the tfjs row's rate of the same workload. */
  vsTfjs: number;
  /** ppo-lab: median seconds of an iteration and of each part (rollouts, reward, targets, update). */
  secondsPerIteration?: number;
  parts?: Record<string, number>;
  /** eval-lab: items per run; eval-lab and gen-lab: generated tokens per second (median run's). */
  items?: number;
  tokensPerSec?: number;
  warmup: number;
  peakRssMB: number;
  /** No PyTorch reference exists for these workloads. */
  torch: null;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const sig = (x: number) => Number(x.toPrecision(4));
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const onnxName = (threads: number) => `onnxruntime cpu ×${threads}`;
const describe = (i: InferenceInfo) =>
  i.engine === 'onnx' ? `onnxruntime ${i.provider ?? 'cpu'} ×${i.threads ?? 1}` : tfjsName();
const tfjsName = () => `tfjs ${tf.version_core} ${tf.getBackend()}`;

type Row = Omit<LabBenchResult, 'vsTfjs'>;

/** Runs the lab workloads, calling `onResult` with each row as it is measured. */
export async function runLabBench(
  opts: LabBenchOptions,
  onResult: (r: LabBenchResult) => void = () => {},
): Promise<LabBenchResult[]> {
  const names = opts.workloads?.length ? opts.workloads : [...LAB_WORKLOAD_NAMES];
  const engines = opts.engines?.length ? opts.engines : (['tfjs', 'onnx'] as LabEngine[]);
  const runs = opts.runs ?? 3;
  const warmup = opts.warmup ?? 1;
  if (!(runs >= 1 && warmup >= 1))
    throw new Error(`bench: runs and warm-up must each be at least 1 (got ${runs}, ${warmup})`);
  const sizes = { ...DEFAULT_LAB_SIZES, ...opts.sizes };
  const all: LabBenchResult[] = [];
  const fx = await labFixture(opts.preset ?? 'lab-small');
  try {
    for (const name of names) {
      const rows: Row[] = [];
      const emit = (r: Row) => {
        // tfjs rows come first; a row without one (--engine onnx) is compared with nothing: ratio 1 to itself.
        const base = rows.find((x) => x.impl.startsWith('tfjs') || x.impl.startsWith('train tfjs')) ?? r;
        rows.push(r);
        const out = { ...r, vsTfjs: round(r.rate / base.rate, 3) };
        all.push(out);
        onResult(out);
      };
      opts.signal?.throwIfAborted();
      if (name === 'ppo-lab')
        for (const e of engines)
          emit(await ppoRow(fx, e, runs, warmup, sizes, opts.onnxThreads, opts.signal));
      else if (name === 'eval-lab')
        for (const e of engines) emit(await evalRow(fx, e, runs, warmup, sizes, opts.signal));
      else for (const r of await genRows(fx, runs, warmup, sizes, opts.onnxThreads ?? 1)) emit(r);
    }
  } finally {
    await fx.dispose();
  }
  return all;
}

async function ppoRow(
  fx: LabFixture,
  engine: LabEngine,
  runs: number,
  warmup: number,
  sizes: LabSizes,
  threads: number | undefined,
  signal?: AbortSignal,
): Promise<Row> {
  const t = threads ?? defaultThreads();
  const ppo = await openPpoBench(fx, engine, {
    prompts: sizes.ppoPrompts,
    newTokens: sizes.ppoNewTokens,
    epochs: sizes.ppoEpochs,
    threads: t,
  });
  try {
    for (let i = 0; i < warmup; i++) await ppo.iterate(signal);
    const times: PpoIterationTimes[] = [];
    for (let i = 0; i < runs; i++) times.push(await ppo.iterate(signal));
    const parts = Object.fromEntries(
      (['rollouts', 'reward', 'targets', 'update'] as const).map((k) => [
        k,
        round(median(times.map((x) => x[k])), 3),
      ]),
    );
    const total = median(times.map((x) => x.total));
    return {
      type: 'result',
      workload: 'ppo-lab',
      impl: `train ${engine === 'onnx' ? onnxName(t) : tfjsName()}, infer ${describe(times[0]!.inference)}`,
      threads: engine === 'onnx' ? t : 1,
      params: ppo.params,
      unit: 'iterations/s',
      rate: sig(1 / total),
      runs: times.map((x) => sig(1 / x.total)).sort((a, b) => a - b),
      secondsPerIteration: round(total, 3),
      parts,
      tokensPerSec: Math.round(median(times.map((x) => x.responseTokens / x.total))),
      warmup,
      peakRssMB: peakRssMB(),
      torch: null,
    };
  } finally {
    await ppo.dispose();
  }
}

async function evalRow(
  fx: LabFixture,
  engine: LabEngine,
  runs: number,
  warmup: number,
  sizes: LabSizes,
  signal?: AbortSignal,
): Promise<Row> {
  const sets = renderEvalSets(fx.world);
  const items = sizes.evalSets.reduce((n, s) => n + sets[s].length, 0);
  const smallest = [...sizes.evalSets].sort((a, b) => sets[a].length - sets[b].length)[0]!;
  const outDir = join(fx.policyPath, '..', `eval-${engine}`);
  await mkdir(outDir, { recursive: true });
  let info: InferenceInfo | undefined;
  const once = async (setNames: EvalSetName[]) => {
    const config = EvalConfig.parse({
      model: 1,
      world: 1,
      sets: setNames,
      template: 'chatml',
      maxNewTokens: sizes.evalNewTokens,
      inference: engine,
    });
    const t0 = performance.now();
    const ctx = { signal: signal ?? new AbortController().signal, outDir };
    for await (const e of runEvalTask(config, { modelPath: fx.policyPath, world: fx.world }, ctx))
      if (e.type === 'inference') info = e.inference;
    const seconds = (performance.now() - t0) / 1000;
    const replies = JSON.parse(await readFile(join(outDir, EVAL_RESULTS_FILE), 'utf8')) as Record<
      string,
      { items: { tokens?: number }[] }
    >;
    const tokens = Object.values(replies).reduce(
      (n, r) => n + r.items.reduce((m, it) => m + (it.tokens ?? 0), 0),
      0,
    );
    return { seconds, tokens };
  };
  for (let i = 0; i < warmup; i++) await once([smallest]);
  const timed: { seconds: number; tokens: number }[] = [];
  for (let i = 0; i < runs; i++) timed.push(await once(sizes.evalSets));
  const rates = timed.map((x) => items / x.seconds);
  return {
    type: 'result',
    workload: 'eval-lab',
    impl: info ? describe(info) : engine,
    threads: info?.threads ?? 1,
    params: fx.params,
    unit: 'items/s',
    rate: sig(median(rates)),
    runs: rates.map(sig).sort((a, b) => a - b),
    items,
    tokensPerSec: Math.round(median(timed.map((x) => x.tokens / x.seconds))),
    warmup,
    peakRssMB: peakRssMB(),
    torch: null,
  };
}

async function genRows(
  fx: LabFixture,
  runs: number,
  warmup: number,
  sizes: LabSizes,
  threads: number,
): Promise<Row[]> {
  const rows = await benchOnnx({
    preset: fx.preset,
    tasks: ['generate'],
    threads: [threads],
    genBatch: sizes.genRows,
    promptLen: sizes.genPromptLen,
    newTokens: sizes.genNewTokens,
    runs,
    warmup,
  });
  return rows.map((r) => ({
    type: 'result',
    workload: 'gen-lab',
    impl: r.impl.startsWith('tfjs') ? tfjsName() : r.impl,
    threads: r.impl.startsWith('tfjs') ? 1 : threads,
    params: fx.params,
    unit: 'tokens/s',
    rate: sig(r.rate),
    runs: (r.runs ?? [r.rate]).map(sig),
    tokensPerSec: Math.round(r.rate),
    warmup,
    peakRssMB: peakRssMB(),
    torch: null,
  }));
}
