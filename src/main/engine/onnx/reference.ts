// The DPO family's reference log-probs (trainers/dpo-steps.ts referenceLogProbs) on onnxruntime: the
// frozen reference exported once for scoring (onnx/score-export.ts), every row of each row set
// (pairs: chosen, rejected; KTO: examples, KL pairs) scored once per dataset, summed over its scored
// tokens or averaged per token. Falls back to the tfjs computation where tfjs is asked for or no
// session can be created (onnx/engine.ts), and says which ran.
import type { InferenceChoice, InferenceInfo } from '../../../shared/schemas';
import type { TokenRows } from '../data/preference-pairs';
import type { GPT } from '../model/gpt';
import { referenceLogProbs, type DpoData } from '../trainers/dpo-steps';
import { openScorer } from './engine';
import { maskedLogProbs, type OnnxScorer } from './scorer';

/** Per-row log-probs of each row set on `scorer`: summed, or averaged per scored token (none counts 1). */
export async function referenceLogProbsOnnx(
  scorer: OnnxScorer,
  data: DpoData,
  batchSize: number,
  average: boolean,
): Promise<Float32Array[]> {
  const { n, T } = data.tokens;
  const sets: TokenRows[] =
    data.kind === 'pairs'
      ? [data.tokens.chosen, data.tokens.rejected]
      : [data.tokens.examples, data.tokens.kl];
  const out: Float32Array[] = [];
  for (const rows of sets) {
    const logp = await maskedLogProbs(scorer, { n, T, ...rows }, { batchSize: 2 * batchSize });
    const per = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let count = 0;
      for (let t = i * T; t < (i + 1) * T; t++) {
        sum += logp[t]!;
        count += rows.mask[t]!;
      }
      per[i] = average ? sum / Math.max(count, 1) : sum;
    }
    out.push(per);
  }
  return out;
}

/**
 * The reference log-probs of `data` under `reference` (the caller disposes it), on onnxruntime unless
 * `inference` says tfjs or no session can be created; `info` and `message` say where they ran.
 */
export async function computeReferenceLogProbs(
  reference: GPT,
  data: DpoData,
  batchSize: number,
  average: boolean,
  inference: InferenceChoice = 'auto',
): Promise<{ values: Float32Array[]; info: InferenceInfo; message: string }> {
  const chosen = await openScorer(reference, { logprobs: true }, { inference, label: 'reference log-probs' });
  try {
    const values = chosen.session
      ? await referenceLogProbsOnnx(chosen.session, data, batchSize, average)
      : referenceLogProbs(reference, data, batchSize, average);
    return { values, info: chosen.info, message: chosen.message };
  } finally {
    await chosen.session?.release();
  }
}
