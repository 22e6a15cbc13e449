// The bookkeeping every trainer's loop repeats, in one place: its checkpoints (where they go, the last
// good one that an error names, one on cancel, one every N steps), the log lines of a resume, and the
// pause between steps that lets an abort (or IPC) through. It knows nothing of what is trained: each
// trainer says how to write its checkpoint (weights, heads, Adam's moments, its state).
import path from 'node:path';
import { checkpointName, type CheckpointRecord } from '../checkpoint';
import type { TrainEvent } from '../types';

/** A run's checkpoints, `checkpoint-NNNNNN.*` in its folder, and the last one written. */
export class Checkpoints {
  /** The step and weights' path of the last checkpoint written (or resumed from); '' before any. */
  savedStep: number;
  savedPath: string;

  constructor(
    private readonly outDir: string,
    /** Writes the checkpoint `file` (a path without extension) and returns its weights' path. */
    private readonly write: (file: string) => Promise<string>,
    from: { step: number; path: string },
  ) {
    this.savedStep = from.step;
    this.savedPath = from.path;
  }

  /** For an error: `; the weights of step 2 are kept in …`, or '' when nothing was saved yet. */
  kept(unit = 'step'): string {
    return this.savedPath ? `; the weights of ${unit} ${this.savedStep} are kept in ${this.savedPath}` : '';
  }

  async save(step: number): Promise<TrainEvent> {
    this.savedPath = await this.write(path.join(this.outDir, checkpointName(step)));
    this.savedStep = step;
    return { type: 'checkpoint', step, path: this.savedPath };
  }

  /** On cancel: a checkpoint of the steps taken since the last one, if any. */
  async *cancelled(step: number): AsyncGenerator<TrainEvent> {
    if (step > this.savedStep) yield await this.save(step);
  }

  /** Every `every` steps (0 = never), but not at the last step, `total`: the final model saves that one. */
  async *due(step: number, every: number, total: number): AsyncGenerator<TrainEvent> {
    if (every > 0 && step % every === 0 && step < total) yield await this.save(step);
  }
}

/** The log lines of a resumed run: where from, and which of the settings `keys` the config changed. */
export function resumeNotes(
  file: string,
  record: CheckpointRecord,
  config: object,
  keys: readonly string[],
): string[] {
  const saved = record.config;
  const now = config as Record<string, unknown>;
  const changed = keys
    .filter((k) => saved[k] !== undefined && saved[k] !== now[k])
    .map((k) => `${k} (was ${String(saved[k])}, now ${String(now[k])})`);
  return [
    `Resuming from step ${record.state.step} of ${file}`,
    ...(changed.length > 0 ? [`Resumed with changed settings: ${changed.join(', ')}`] : []),
  ];
}

/** Between steps: let an abort (or IPC) get through. */
export function yieldToEvents(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
