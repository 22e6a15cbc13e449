// Where a benchmark step's time goes: wall time of its phases (no-grad forward, forward + backward,
// optimizer update) and the kernels that take it (tf.profile, summed by kernel name and shape). For
// reading, not for comparing: profiling adds overhead per kernel, so phases are timed without it.
import * as tf from '@tensorflow/tfjs-core';
import { makeStep } from './steps';
import type { Workload } from './workloads';

export interface StepProfile {
  workload: string;
  backend: string;
  /** Median milliseconds of each phase over the timed steps. */
  phasesMs: { noGradForward: number; forwardBackward: number; optimizer: number; total: number };
  /** Kernels by total time over one profiled step, slowest first. */
  kernels: { name: string; calls: number; ms: number; share: number }[];
  /** Kernel calls in one step (custom-gradient scopes left out: their kernels are counted). */
  kernelCalls: number;
  /** Sum of kernel times (ms) in the profiled step, and the step's wall time (ms). */
  kernelMs: number;
  wallMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function profileStep(w: Workload, steps = 3, top = 15, byShape = false): Promise<StepProfile> {
  const step = makeStep(w);
  try {
    const { noGrad, loss, variables, optimizer } = step.parts;
    const phases = {
      noGradForward: [] as number[],
      forwardBackward: [] as number[],
      optimizer: [] as number[],
    };
    const once = (): void => {
      let t = performance.now();
      const ref = noGrad?.();
      ref?.dataSync(); // wasm and cpu kernels run synchronously; the read-back is cheap and keeps timing honest
      phases.noGradForward.push(performance.now() - t);
      if (loss && optimizer) {
        t = performance.now();
        const { value, grads } = tf.variableGrads(() => loss(ref), variables);
        value.dataSync();
        phases.forwardBackward.push(performance.now() - t);
        t = performance.now();
        optimizer.applyGradients(grads);
        variables[0]!.dataSync();
        phases.optimizer.push(performance.now() - t);
        tf.dispose([value, ...Object.values(grads)]);
      }
      ref?.dispose();
    };
    once(); // warm-up
    for (let i = 0; i < steps; i++) once();
    const phasesMs = {
      noGradForward: median(phases.noGradForward),
      forwardBackward: phases.forwardBackward.length ? median(phases.forwardBackward) : 0,
      optimizer: phases.optimizer.length ? median(phases.optimizer) : 0,
      total: 0,
    };
    phasesMs.total = phasesMs.noGradForward + phasesMs.forwardBackward + phasesMs.optimizer;

    const t0 = performance.now();
    const info = await tf.profile(() => {
      once();
    });
    const wallMs = performance.now() - t0;
    const byName = new Map<string, { calls: number; ms: number }>();
    let kernelMs = 0;
    for (const k of info.kernels) {
      // A customGrad op (the model's matmul) shows as an "unnamed scope" around kernels listed on their own.
      if (k.name === 'unnamed scope') continue;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      kernelMs += ms;
      const key = byShape ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}` : k.name;
      const e = byName.get(key) ?? { calls: 0, ms: 0 };
      e.calls++;
      e.ms += ms;
      byName.set(key, e);
    }
    const kernels = [...byName]
      .map(([name, e]) => ({ name, ...e, share: kernelMs ? e.ms / kernelMs : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
    return {
      workload: w.name,
      backend: tf.getBackend(),
      phasesMs,
      kernels,
      kernelCalls: info.kernels.length,
      kernelMs,
      wallMs,
    };
  } finally {
    step.dispose();
  }
}

export function formatProfile(p: StepProfile): string {
  const f = (x: number) => x.toFixed(1).padStart(8);
  const lines = [
    `${p.workload} on ${p.backend}: one step ≈ ${p.phasesMs.total.toFixed(1)} ms`,
    `  no-grad forward ${f(p.phasesMs.noGradForward)} ms`,
    `  forward+backward${f(p.phasesMs.forwardBackward)} ms`,
    `  optimizer       ${f(p.phasesMs.optimizer)} ms`,
    `  profiled step: ${p.kernelCalls} kernel calls, ${p.kernelMs.toFixed(1)} ms in kernels of ${p.wallMs.toFixed(1)} ms wall`,
    `  ${'kernel'.padEnd(48)} ${'calls'.padStart(6)} ${'ms'.padStart(8)}  share`,
    ...p.kernels.map(
      (k) =>
        `  ${k.name.slice(0, 48).padEnd(48)} ${String(k.calls).padStart(6)} ${f(k.ms)}  ${(k.share * 100).toFixed(1).padStart(5)}%`,
    ),
  ];
  return lines.join('\n');
}
