// Shared by the trainer tests: the byte tokenizer behind the Tokenizer interface, temp folders, and a
// runner that collects a trainer's events.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TrainContext, TrainEvent } from '../../../src/main/engine/types';
export { byteTokenizer } from '../../../src/main/engine/tokenizer/byte';

const dirs: string[] = [];
export async function tempDir(prefix = 'trainer-test-'): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
export async function removeTempDirs(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

/** Run a trainer to the end (or its error), collecting events; `onEvent` sees each as it comes. */
export async function collect(
  gen: (ctx: TrainContext) => AsyncGenerator<TrainEvent>,
  opts: { signal?: AbortSignal; onEvent?: (e: TrainEvent) => void; outDir?: string } = {},
): Promise<{ events: TrainEvent[]; dir: string; error?: Error }> {
  const dir = opts.outDir ?? (await tempDir());
  const events: TrainEvent[] = [];
  try {
    for await (const e of gen({ signal: opts.signal ?? new AbortController().signal, outDir: dir })) {
      events.push(e);
      opts.onEvent?.(e);
    }
  } catch (err) {
    return { events, dir, error: err as Error };
  }
  return { events, dir };
}

/** A step's training metrics (validation-only events left out); names every trainer test reads. */
export type StepMetrics = Record<string, number> & {
  step: number;
  loss: number;
  learning_rate: number;
  grad_norm: number;
  num_tokens: number;
  perplexity: number;
  mean_token_accuracy: number;
};
export const metricsOf = (events: TrainEvent[]): StepMetrics[] =>
  events.flatMap((e) =>
    e.type === 'metrics' && 'loss' in e.values ? [{ ...e.values, step: e.step } as StepMetrics] : [],
  );
