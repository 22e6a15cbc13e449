// Where an onnxruntime training step's time goes (`npm run bench -- --profile --engine onnx`): the
// workload's train step (bench-step.ts's data; DPO with fixed reference log-probs) run with
// onnxruntime's profiler, its kernel times summed by operator over the steps after the first, with the
// step's wall time. For reading, not comparing: the profiler adds a little per kernel.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DPO_BETA, LEARNING_RATE } from '../bench/steps';
import type { Workload } from '../bench/workloads';
import { GPT } from '../model/gpt';
import { mulberry32 } from '../random';
import { OnnxTrainer } from './engine';

export interface OnnxStepProfile {
  workload: string;
  threads: number;
  /** Median wall milliseconds of a profiled step. */
  wallMs: number;
  /** Kernel milliseconds per step, summed over every node. */
  kernelMs: number;
  /** Nodes run per step. */
  nodes: number;
  /** Operators by kernel time per step, slowest first. */
  ops: { op: string; ms: number; share: number; calls: number }[];
  /** The matrix products (Gemm, MatMul, FusedMatMul): kernel ms per step, share, and their GFLOP/s. */
  matmul: { ms: number; share: number; gflops: number };
  /** Most memory onnxruntime's arena held during a step, MiB (0 without the arena). */
  arenaMB: number;
}

type Shapes = { [type: string]: number[] }[];

interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: {
    op_name?: string;
    input_type_shape?: Shapes;
    output_type_shape?: Shapes;
    mem_arena_held?: string;
  };
}

const MATMUL_OPS = new Set(['Gemm', 'MatMul', 'FusedMatMul', 'FusedGemm']);

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Floating-point operations of a matrix product from its first input A and its output Y: each of Y's
 * entries takes K multiply-adds, and A holds M·K values per M·N of Y whatever its transposition, so
 * K = N·|A| / |Y|.
 */
function matmulFlops(args: TraceEvent['args']): number {
  const a = Object.values(args?.input_type_shape?.[0] ?? {})[0];
  const y = Object.values(args?.output_type_shape?.[0] ?? {})[0];
  if (!a?.length || !y?.length) return 0;
  const k = (y[y.length - 1]! * count(a)) / count(y);
  return 2 * count(y) * k;
}

export async function profileOnnxStep(
  w: Workload,
  threads: number,
  steps = 3,
  top = 12,
): Promise<OnnxStepProfile> {
  if (w.step === 'score')
    throw new Error('profile: score-lab has no training step; profile a dpo or sft workload');
  const { contextLength: T, vocabSize: V } = w.model;
  const R = w.step === 'dpo' ? 2 * w.batch : w.batch;
  const model = GPT.init(w.model, 0);
  const arrays = await model.toArrays();
  model.dispose();
  const dir = await mkdtemp(path.join(tmpdir(), 'onnx-train-profile-'));
  const trainer = new OnnxTrainer(w.model, arrays, {
    adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
    head: w.step === 'dpo' ? { kind: 'dpo', beta: DPO_BETA, labelSmoothing: 0 } : { kind: 'sft' },
    threads,
    profilePrefix: path.join(dir, 'step'),
  });
  try {
    const rng = mulberry32(1);
    const ids = Array.from({ length: R * T }, () => rng.int(0, V));
    const targets = Array.from({ length: R * T }, () => rng.int(0, V));
    const mask = new Float32Array(R * T).fill(1);
    const batch = {
      rows: R,
      seqLen: T,
      ids,
      targets,
      weights: mask.map(() => 1 / (R * T)),
      mask,
      rowScale: new Float32Array(R).fill(1 / T),
      ref: new Float32Array(R),
    };
    const walls: number[] = [];
    for (let i = 0; i <= steps; i++) {
      const t0 = performance.now();
      await trainer.step(batch, LEARNING_RATE, 0);
      if (i > 0) walls.push(performance.now() - t0);
    }
    await trainer.endProfiling();
    const file = (await readdir(dir)).find((f) => f.endsWith('.json'));
    if (!file) throw new Error('profile: onnxruntime wrote no profile');
    const events = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as TraceEvent[];
    // Skip the first run (allocation and first-touch costs): kernels after the first model_run ends.
    const runs = events
      .filter((e) => e.cat === 'Session' && e.name === 'model_run')
      .sort((a, b) => a.ts - b.ts);
    const after = runs[0] ? runs[0].ts + runs[0].dur : 0;
    const byOp = new Map<string, { us: number; calls: number }>();
    let total = 0;
    let calls = 0;
    let matmulUs = 0;
    let flops = 0;
    let arena = 0;
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < after) continue;
      const op = e.args?.op_name ?? '?';
      const x = byOp.get(op) ?? { us: 0, calls: 0 };
      x.us += e.dur;
      x.calls++;
      byOp.set(op, x);
      total += e.dur;
      calls++;
      if (MATMUL_OPS.has(op)) {
        matmulUs += e.dur;
        flops += matmulFlops(e.args);
      }
      arena = Math.max(arena, Number(e.args?.mem_arena_held ?? 0));
    }
    const n = Math.max(1, runs.length - 1);
    walls.sort((a, b) => a - b);
    return {
      workload: w.name,
      threads,
      wallMs: walls[Math.floor(walls.length / 2)] ?? NaN,
      kernelMs: total / 1000 / n,
      nodes: Math.round(calls / n),
      ops: [...byOp]
        .sort((a, b) => b[1].us - a[1].us)
        .slice(0, top)
        .map(([op, x]) => ({
          op,
          ms: x.us / 1000 / n,
          share: x.us / Math.max(1, total),
          calls: Math.round(x.calls / n),
        })),
      matmul: {
        ms: matmulUs / 1000 / n,
        share: matmulUs / Math.max(1, total),
        gflops: flops / Math.max(1, matmulUs) / 1000,
      },
      arenaMB: Math.round(arena / 2 ** 20),
    };
  } finally {
    await trainer.release();
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatOnnxProfile(p: OnnxStepProfile): string {
  const lines = [
    `${p.workload} on onnxruntime cpu ×${p.threads}: ${p.wallMs.toFixed(1)} ms per step, ` +
      `${p.kernelMs.toFixed(1)} ms in ${p.nodes} kernels`,
    `  matrix products ${p.matmul.ms.toFixed(1)} ms (${(100 * p.matmul.share).toFixed(1)} %, ` +
      `${p.matmul.gflops.toFixed(0)} GFLOP/s), the rest ${(p.kernelMs - p.matmul.ms).toFixed(1)} ms; ` +
      `arena ${p.arenaMB} MiB`,
  ];
  for (const o of p.ops)
    lines.push(
      `  ${o.op.padEnd(22)} ${o.ms.toFixed(2).padStart(8)} ms  ${(100 * o.share).toFixed(1).padStart(5)} %  ${String(o.calls).padStart(4)} calls`,
    );
  return lines.join('\n');
}
