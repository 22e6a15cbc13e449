// The benchmark: runs each workload of WORKLOADS.md on each requested tfjs backend — warm-up steps,
// then the median of several timed runs — and, when asked, the PyTorch reference on the same workload
// right after (ours, then torch, per workload, so both see the same machine load), reporting results
// with the reference's fields and the ratio ours/torch. It prints nothing itself: see cli.ts.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend';
import { defaultThreads } from '../onnx-train/engine';
import { measureOnnx } from '../onnx-train/bench-step';
import { makeStep } from './steps';
import { runTorchReference, torchUnavailable } from './torch';
import { WORKLOAD_NAMES, WORKLOADS, torchParamCount, type WorkloadName } from './workloads';

export type BenchBackend = 'wasm' | 'cpu' | 'tensorflow';
/** Training engines: tfjs (on each requested backend) and onnxruntime (onnx-train/, CPU provider). */
export type BenchEngine = 'tfjs' | 'onnx';

export interface BenchOptions {
  /** Workloads to run, in this order; default all four. */
  workloads?: WorkloadName[];
  /** tfjs backends to run each workload on; default ['wasm']. */
  backends?: BenchBackend[];
  /** Engines to run each workload on; default ['tfjs']. */
  engines?: BenchEngine[];
  /** onnxruntime intra-op threads; default the cores not busy (onnx-train/engine.ts defaultThreads). */
  onnxThreads?: number;
  /** Timed runs per workload; the reported rate is their median. Default 5 (as the reference). */
  runs?: number;
  /** Steps per timed run. Default 10 (as the reference). */
  steps?: number;
  /** Untimed steps before the runs; the first one's loss is `firstLoss`. Default 3 (as the reference). */
  warmup?: number;
  /** Also run the PyTorch reference, one thread, after each workload. Default false. */
  compareTorch?: boolean;
  /**
   * The pure-JavaScript cpu backend is ~36× slower than wasm: on it, runs, steps and warm-up are capped
   * at these. Default { runs: 1, steps: 2, warmup: 1 }: a dpo-lab step takes about a minute there.
   */
  cpuCap?: { runs: number; steps: number; warmup: number };
  /** Why a run stops early. */
  signal?: AbortSignal;
}

/** One measurement, with the reference's fields (plus where it ran and how). */
export interface BenchResult {
  type: 'result';
  workload: WorkloadName;
  /** e.g. "tfjs 4.22.0 wasm" or "torch 2.1.0 cpu". */
  impl: string;
  /** Threads the implementation computes with. */
  threads: number;
  params: number;
  /** Median over the runs. */
  stepsPerSec: number;
  tokensPerSec: number;
  /** Steps per second of each timed run, sorted. */
  runs: number[];
  /** Loss of the first warm-up step (ln 2 for DPO: policy = reference), and of the last timed step. */
  firstLoss: number;
  lastLoss: number;
  /** Steps per timed run and warm-up steps actually used (capped on the cpu backend). */
  steps: number;
  warmup: number;
  /** Peak resident memory of the process so far, MiB (ours: this whole process; torch: its own process). */
  peakRssMB: number | null;
}

export interface BenchRatio {
  workload: WorkloadName;
  impl: string;
  /** stepsPerSec ours / torch: above 1 means faster than PyTorch. */
  ratio: number;
  oursStepsPerSec: number;
  torchStepsPerSec: number;
  paramsOurs: number;
  paramsTorch: number;
  peakRssMBOurs: number | null;
  peakRssMBTorch: number | null;
}

export interface BenchSummary {
  type: 'ratios';
  results: BenchResult[];
  ratios: BenchRatio[];
  /** Why the torch comparison did not run, when asked for and impossible; notes on caps. */
  notes: string[];
}

const DEFAULT_CPU_CAP = { runs: 1, steps: 2, warmup: 1 };
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Measures one workload on the current backend (warm-up, then `runs` timed runs of `steps` steps). */
export function measure(
  name: WorkloadName,
  runs: number,
  steps: number,
  warmup: number,
  impl: string,
  signal?: AbortSignal,
): BenchResult {
  if (!(runs >= 1 && steps >= 1 && warmup >= 1))
    throw new Error(
      `bench: runs, steps and warm-up must each be at least 1 (got ${runs}, ${steps}, ${warmup})`,
    );
  const step = makeStep(WORKLOADS[name]);
  try {
    let firstLoss = NaN;
    for (let i = 0; i < warmup; i++) {
      const loss = step.run();
      if (i === 0) firstLoss = loss;
    }
    const before = tf.memory().numTensors; // after the warm-up, which creates Adam's moment variables
    const rates: number[] = [];
    let lastLoss = NaN;
    for (let r = 0; r < runs; r++) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) lastLoss = step.run();
      rates.push(steps / ((performance.now() - t0) / 1000));
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`bench: ${name} leaked ${leaked} tensors in ${runs * steps} steps`);
    const sps = median(rates);
    return {
      type: 'result',
      workload: name,
      impl,
      threads: 1, // backend.ts runs wasm on one thread; the cpu backend is single-threaded JavaScript
      params: step.params,
      stepsPerSec: round(sps, 3),
      tokensPerSec: Math.round(sps * step.tokens),
      runs: rates.sort((a, b) => a - b).map((r) => round(r, 3)),
      firstLoss: round(firstLoss, 6),
      lastLoss: round(lastLoss, 6),
      steps,
      warmup,
      peakRssMB: peakRssMB(),
    };
  } finally {
    step.dispose();
  }
}

/** Runs the benchmark, calling `onResult` with each measurement as it is made; returns all with the ratios. */
export async function runBench(
  opts: BenchOptions,
  onResult: (r: BenchResult) => void = () => {},
): Promise<BenchSummary> {
  const names = opts.workloads?.length ? opts.workloads : [...WORKLOAD_NAMES];
  const backends = opts.backends?.length ? opts.backends : (['wasm'] as BenchBackend[]);
  const runs = opts.runs ?? 5;
  const steps = opts.steps ?? 10;
  const warmup = opts.warmup ?? 3;
  const cap = opts.cpuCap ?? DEFAULT_CPU_CAP;
  const notes: string[] = [];
  const results: BenchResult[] = [];
  const ratios: BenchRatio[] = [];

  let torch = false;
  if (opts.compareTorch) {
    const why = torchUnavailable();
    if (why) notes.push(`no PyTorch comparison: ${why}`);
    else torch = true;
  }
  // Select every backend up front, so a missing one is reported once and skipped.
  const engines = opts.engines?.length ? opts.engines : (['tfjs'] as BenchEngine[]);
  const onnxThreads = opts.onnxThreads ?? defaultThreads();
  const available: { name: BenchBackend; impl: string }[] = [];
  if (!engines.includes('tfjs')) await selectBackend('wasm'); // onnx steps still make their initial weights with tfjs
  for (const b of engines.includes('tfjs') ? backends : []) {
    const info = await selectBackend(b);
    if (info.name !== b) notes.push(`backend ${b} is not available here (${info.reason}); skipped`);
    else available.push({ name: b, impl: `tfjs ${tf.version_core} ${b}` });
  }
  if (
    available.some((b) => b.name === 'cpu') &&
    (runs > cap.runs || steps > cap.steps || warmup > cap.warmup)
  )
    notes.push(
      `cpu backend capped at ${Math.min(runs, cap.runs)} runs × ${Math.min(steps, cap.steps)} steps ` +
        `after ${Math.min(warmup, cap.warmup)} warm-up (it is ~36× slower than wasm)`,
    );

  for (const name of names) {
    const ours: BenchResult[] = [];
    for (const b of available) {
      opts.signal?.throwIfAborted();
      await selectBackend(b.name);
      const capped = b.name === 'cpu';
      const r = measure(
        name,
        capped ? Math.min(runs, cap.runs) : runs,
        capped ? Math.min(steps, cap.steps) : steps,
        capped ? Math.min(warmup, cap.warmup) : warmup,
        b.impl,
        opts.signal,
      );
      const expected = torchParamCount(WORKLOADS[name].model);
      if (r.params !== expected)
        notes.push(`${name}: ${r.params} parameters here, ${expected} in the torch model of the same shape`);
      ours.push(r);
      results.push(r);
      onResult(r);
    }
    if (engines.includes('onnx')) {
      opts.signal?.throwIfAborted();
      const r: BenchResult = {
        type: 'result',
        ...(await measureOnnx(
          WORKLOADS[name],
          runs,
          steps,
          warmup,
          onnxThreads,
          `onnxruntime cpu ×${onnxThreads}`,
          opts.signal,
        )),
      };
      ours.push(r);
      results.push(r);
      onResult(r);
    }
    if (!torch) continue;
    opts.signal?.throwIfAborted();
    try {
      const t = await runTorchReference(name, runs, steps);
      const tr: BenchResult = {
        type: 'result',
        ...t.line,
        workload: name,
        steps,
        warmup: 3, // torch_reference.py always warms up with 3 steps
        peakRssMB: t.peakRssMB,
      };
      results.push(tr);
      onResult(tr);
      for (const o of ours)
        ratios.push({
          workload: name,
          impl: o.impl,
          ratio: round(o.stepsPerSec / tr.stepsPerSec, 3),
          oursStepsPerSec: o.stepsPerSec,
          torchStepsPerSec: tr.stepsPerSec,
          paramsOurs: o.params,
          paramsTorch: tr.params,
          peakRssMBOurs: o.peakRssMB,
          peakRssMBTorch: tr.peakRssMB,
        });
    } catch (err) {
      notes.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { type: 'ratios', results, ratios, notes };
}
