// `lab bench`: the benchmark from the command line. Flags:
//   --workload NAME (repeatable or comma-separated; default all)   --backend wasm|cpu|tensorflow (same; default wasm)
//   --runs N (5)  --steps N (10)  --warmup N (3)  --compare-torch  --json  --profile
// Human output is an aligned table, then the ratios ours/torch; --json prints one JSON line per result
// and a final {"type":"ratios",...} line. --profile prints where one step's time goes instead.
import { benchOnnx } from '../onnx/bench';
import { parseArgs } from 'node:util';
import { selectBackend } from '../backend';
import { formatProfile, profileStep } from './profile';
import { formatOnnxProfile, profileOnnxStep } from '../onnx-train/profile';
import { defaultThreads } from '../onnx-train/engine';
import { resultHeader, resultRow, ratioTable } from './format';
import { labResultHeader, labResultRow } from './lab-format';
import {
  isLabWorkloadName,
  LAB_WORKLOAD_NAMES,
  NO_TORCH_NOTE,
  runLabBench,
  type LabWorkloadName,
} from './lab-workloads';
import { runBench, type BenchBackend, type BenchEngine } from './run';
import { isWorkloadName, WORKLOAD_NAMES, WORKLOADS, type WorkloadName } from './workloads';

export const BENCH_USAGE = `usage: lab bench [--workload NAME]... [--backend wasm|cpu|tensorflow]... [--runs N] [--steps N]
                 [--warmup N] [--compare-torch] [--json] [--profile] [--onnx]
                 [--engine tfjs|onnx]... [--threads N]
workloads: ${WORKLOAD_NAMES.join(', ')}, and the lab's own ${LAB_WORKLOAD_NAMES.join(', ')} (default all); backend default wasm
lab workloads (no PyTorch reference): onnxruntime against tfjs on lab-small, ppo-lab per training engine, eval-lab
          per inference engine (--engine; default both), gen-lab = greedy generation (as --onnx's, both engines);
          --runs default 3, --warmup 1 for them
--engine: training engines to measure (default tfjs); onnx = the onnxruntime training step, --threads
          intra-op threads for it (default: the cores not busy, from the load average); with --profile, the onnx step's kernel time by operator
--onnx: inference on onnxruntime against tfjs (lab-small forward and scoring seq/s, greedy generation tok/s)`;

const BACKENDS: readonly BenchBackend[] = ['wasm', 'cpu', 'tensorflow'];

class UsageError extends Error {}

function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function positiveInt(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${flag} must be a whole number ≥ 1 (got "${v}")`);
  return n;
}

/** Runs `lab bench` with these arguments (after the word `bench`); resolves to the exit code. */
export async function benchCli(args: string[], out: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        workload: { type: 'string', multiple: true },
        backend: { type: 'string', multiple: true },
        runs: { type: 'string' },
        steps: { type: 'string' },
        warmup: { type: 'string' },
        'compare-torch': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        onnx: { type: 'boolean', default: false },
        engine: { type: 'string', multiple: true },
        threads: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${BENCH_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    out(BENCH_USAGE);
    return 0;
  }
  let workloads: WorkloadName[];
  let labWorkloads: LabWorkloadName[];
  let backends: BenchBackend[];
  let runs: number, steps: number, warmup: number;
  let engines: BenchEngine[];
  let onnxThreads: number | undefined;
  try {
    const w = list(parsed.workload);
    const bad = w.find((n) => !isWorkloadName(n) && !isLabWorkloadName(n));
    if (bad)
      throw new UsageError(
        `unknown workload "${bad}"; known: ${[...WORKLOAD_NAMES, ...LAB_WORKLOAD_NAMES].join(', ')}`,
      );
    workloads = w.filter(isWorkloadName);
    labWorkloads = w.filter(isLabWorkloadName);
    const b = list(parsed.backend);
    const badB = b.find((n) => !(BACKENDS as readonly string[]).includes(n));
    if (badB) throw new UsageError(`unknown backend "${badB}"; use ${BACKENDS.join(', ')}`);
    backends = b as BenchBackend[];
    const e = list(parsed.engine);
    const badE = e.find((n) => n !== 'tfjs' && n !== 'onnx');
    if (badE) throw new UsageError(`unknown engine "${badE}"; use tfjs, onnx`);
    engines = e as BenchEngine[];
    onnxThreads = parsed.threads === undefined ? undefined : positiveInt('threads', parsed.threads, 1);
    runs = positiveInt('runs', parsed.runs, 5);
    steps = positiveInt('steps', parsed.steps, 10);
    warmup = positiveInt('warmup', parsed.warmup, 3);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${BENCH_USAGE}`);
    return 2;
  }

  if (parsed.onnx) {
    await selectBackend('wasm');
    for (const r of await benchOnnx({ runs: Math.min(parsed.runs ? Number(parsed.runs) : 5, 5) })) {
      out(
        parsed.json
          ? JSON.stringify({ type: 'onnx', ...r })
          : `${r.task.padEnd(9)} ${r.impl.padEnd(28)} ${r.rate.toFixed(1).padStart(9)} ${r.unit}  ${r.vsTfjs.toFixed(2)}× tfjs`,
      );
    }
    return 0;
  }

  if (parsed.profile && labWorkloads.length && !workloads.length) {
    console.error(`--profile covers the training workloads only (${WORKLOAD_NAMES.join(', ')})`);
    return 2;
  }
  if (parsed.profile && engines.includes('onnx')) {
    await selectBackend('wasm'); // the initial weights come from the tfjs model
    for (const name of workloads.length ? workloads : WORKLOAD_NAMES) {
      if (WORKLOADS[name].step === 'score') continue;
      const p = await profileOnnxStep(WORKLOADS[name], onnxThreads ?? defaultThreads(), Math.min(steps, 3));
      out(parsed.json ? JSON.stringify({ type: 'profile', ...p }) : formatOnnxProfile(p) + '\n');
    }
    if (!engines.includes('tfjs')) return 0;
  }
  if (parsed.profile) {
    for (const backend of backends.length ? backends : (['wasm'] as BenchBackend[])) {
      const info = await selectBackend(backend);
      if (info.name !== backend) {
        console.error(`backend ${backend} is not available here (${info.reason})`);
        return 1;
      }
      for (const name of workloads.length ? workloads : WORKLOAD_NAMES) {
        const p = await profileStep(WORKLOADS[name], Math.min(steps, 3));
        out(parsed.json ? JSON.stringify({ type: 'profile', ...p }) : formatProfile(p) + '\n');
      }
    }
    return 0;
  }

  const json = parsed.json;
  const everything = workloads.length + labWorkloads.length === 0;
  let summary: Awaited<ReturnType<typeof runBench>> = { type: 'ratios', results: [], ratios: [], notes: [] };
  if (!json && (everything || workloads.length)) out(resultHeader());
  try {
    if (everything || workloads.length)
      summary = await runBench(
        {
          workloads,
          backends,
          engines,
          onnxThreads,
          runs,
          steps,
          warmup,
          compareTorch: parsed['compare-torch'],
        },
        (r) => out(json ? JSON.stringify(r) : resultRow(r)),
      );
    if (everything || labWorkloads.length) {
      if (!json) out(`${everything || workloads.length ? '\n' : ''}${labResultHeader()}`);
      await selectBackend(backends[0] ?? 'wasm');
      await runLabBench(
        {
          workloads: labWorkloads,
          engines,
          onnxThreads,
          runs: parsed.runs === undefined ? 3 : runs,
          warmup: parsed.warmup === undefined ? 1 : warmup,
        },
        (r) => out(json ? JSON.stringify(r) : labResultRow(r)),
      );
      summary.notes.push(NO_TORCH_NOTE);
    }
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  if (json) {
    const { results: _results, ...rest } = summary;
    out(JSON.stringify(rest));
  } else {
    if (summary.ratios.length) out('\n' + ratioTable(summary.ratios));
    for (const n of summary.notes) out(`note: ${n}`);
  }
  return 0;
}
