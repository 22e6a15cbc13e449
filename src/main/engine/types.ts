// What a trainer yields and what it is given. A trainer is an async generator of these events; it
// knows nothing of SQLite, IPC or Electron (see CONVENTIONS.md, "From TRL").
import type { BackendInfo, InferenceInfo } from '../../shared/schemas';

export type TrainEvent =
  /** The compute backend the run is on, and why; first event of every run. */
  | { type: 'backend'; backend: BackendInfo }
  /** Where the run's inference (generation, reference or reward scoring) runs, and why; when it is chosen. */
  | { type: 'inference'; inference: InferenceInfo }
  /** After each optimizer step. */
  | { type: 'progress'; step: number; totalSteps: number; epoch: number }
  /** Metric values at a step, under TRL's names (`loss`, `rewards/chosen`, …). */
  | { type: 'metrics'; step: number; values: Record<string, number> }
  /** A checkpoint written atomically (temporary name, fsync, rename) before this event. */
  | { type: 'checkpoint'; step: number; path: string }
  /** The trained weights, written atomically, with their architecture record. */
  | { type: 'model'; path: string; arch: Record<string, unknown> }
  /** Something the user should know that is not an error (e.g. "12 pairs truncated to 64 tokens"). */
  | { type: 'log'; message: string }
  /**
   * Items a user reads one by one (see RunSample in shared/schemas.ts): PPO rollouts (`rollout`), CAI
   * pairs (`cai-pair`), evaluation answers. `step` is the iteration they belong to.
   */
  | { type: 'samples'; step: number; kind: string; items: Record<string, unknown>[] };

export interface TrainContext {
  /** Checked between steps; when aborted the trainer stops cleanly and returns. */
  signal: AbortSignal;
  /** Folder the run owns: checkpoints and the final model go here. */
  outDir: string;
}

export interface PreferencePairText {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** One unpaired example for KTO: a completion of a prompt, judged desirable (`label: true`) or not. */
export interface UnpairedExampleText {
  prompt: string;
  completion: string;
  label: boolean;
}

/**
 * What a DPO run trains on: the tutorial's synthetic token pairs, text pairs (through the byte
 * tokenizer, or a base model's tokenizer and template), or unpaired examples (KTO only).
 */
export type DpoInputs =
  | { kind: 'seed-dpo' }
  | { kind: 'text'; pairs: PreferencePairText[] }
  | { kind: 'unpaired'; items: UnpairedExampleText[] };
