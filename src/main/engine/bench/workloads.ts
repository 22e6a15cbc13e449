// The benchmark workloads of ../shared/bench/WORKLOADS.md: the same model shapes, batch sizes and
// step kinds as the PyTorch reference (torch_reference.py), so the two can be divided. Data only.
import type { GPTConfig } from '../model/gpt';

/** What one step does: a DPO update, an SFT update, or a forward-only scoring pass. */
export type StepKind = 'dpo' | 'sft' | 'score';

export interface Workload {
  /** Name shared with the reference, e.g. 'dpo-lab'. */
  name: WorkloadName;
  /** Model shape. */
  model: GPTConfig;
  /** Pairs (dpo) or sequences (sft, score) per step; every sequence is `model.contextLength` tokens. */
  batch: number;
  step: StepKind;
}

export const WORKLOAD_NAMES = ['dpo-seed', 'dpo-lab', 'sft-lab', 'score-lab'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

const lab = (): GPTConfig => ({
  vocabSize: 512,
  contextLength: 64,
  dModel: 128,
  nLayers: 4,
  nHeads: 4,
  dFF: 512,
});

export const WORKLOADS: Record<WorkloadName, Workload> = {
  'dpo-seed': {
    name: 'dpo-seed',
    model: { vocabSize: 50, contextLength: 16, dModel: 64, nLayers: 2, nHeads: 4, dFF: 256 },
    batch: 32,
    step: 'dpo',
  },
  'dpo-lab': { name: 'dpo-lab', model: lab(), batch: 16, step: 'dpo' },
  'sft-lab': { name: 'sft-lab', model: lab(), batch: 32, step: 'sft' },
  'score-lab': { name: 'score-lab', model: lab(), batch: 64, step: 'score' },
};

/** Tokens one step processes: both sequences of every pair for dpo, else batch × context. */
export function tokensPerStep(w: Workload): number {
  return (w.step === 'dpo' ? 2 : 1) * w.batch * w.model.contextLength;
}

/**
 * Parameters of the reference's torch model with this shape: embeddings, per block a
 * TransformerEncoderLayer (in_proj QKV with bias, out_proj, two LayerNorms, two MLP linears, all
 * with biases), a final LayerNorm, tied head (no parameters of its own).
 */
export function torchParamCount(c: GPTConfig): number {
  const { vocabSize: V, contextLength: T, dModel: D, dFF: F, nLayers: L } = c;
  const block = 3 * D * D + 3 * D + D * D + D + 2 * 2 * D + D * F + F + F * D + D;
  return V * D + T * D + L * block + 2 * D;
}

export function isWorkloadName(s: string): s is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(s);
}
