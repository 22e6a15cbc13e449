// What a loss head of the onnx training step sees and gives back. gpt-graph.ts builds the GPT forward
// (logits and the final hidden states) from the packed weights, hands them to the head named by the
// spec's `kind` (heads/index.ts), and differentiates the head's loss with respect to every trained
// weight — the GPT's and any the head reads by name (a scalar head's `score.weight`, …).
import type { GPTConfig } from '../../model/gpt';
import type { Graph, Val } from '../graph';

export interface HeadContext {
  g: Graph;
  config: GPTConfig;
  /** Rows and tokens per row of the step's batch. */
  rows: number;
  seqLen: number;
  /** Token ids and next-token targets, int64 [R, T]. */
  ids: Val;
  targets: Val;
  /**
   * The GPT's logits [R, T, V] (the tied output head, added to the graph when first read: a head that
   * needs only the hidden states should not read it) and final (post-LayerNorm) hidden states [R, T, D].
   */
  readonly logits: Val;
  hidden: Val;
  /** A trained weight by name (the trainer's arrays beyond the GPT's, e.g. `score.weight`). */
  weight(name: string): Val;
  /**
   * A float input of the step, fed from the batch (engine.ts OnnxBatch: `weights`, `mask`, `row_scale`,
   * `ref` from their fields, any other name from `floats`).
   */
  input(name: string, shape: readonly number[]): Val;
}

export interface HeadOutput {
  /** The scalar that is differentiated and minimised. */
  loss: Val;
  /** Scalars reported per step, in the order of the head's `stats`. */
  stats: Val[];
}

export interface HeadDef<S> {
  /** Names of the metrics in `HeadOutput.stats` for a spec. */
  stats(spec: S): readonly string[];
  build(ctx: HeadContext, spec: S): HeadOutput;
  /**
   * How many rows at the end of a batch of `rows` the loss reads without a gradient (KTO's KL rows):
   * their forward pass is built apart, from the weights with no gradient, so that the backward pass
   * covers only the other rows. Default 0.
   */
  frozenRows?(spec: S, rows: number): number;
}

/** Untracked mean over every element (a metric). */
export function meanOf(g: Graph, v: Val): Val {
  return g.plain('ReduceMean', [v], [], { keepdims: { int: 0 } });
}
