// The pretraining trainer: next-token prediction on a corpus, every token scored. The corpus is a
// stream of token ids, or documents tokenized with a given Tokenizer and joined with an end-of-text
// token after each; the stream is cut into windows of contextLength + 1 tokens (stride contextLength,
// so every token is a target exactly once), visited in a seeded shuffled order each epoch. Yields the
// same events as the DPO trainer; the loop and checkpoints are in ./lm-run, schedule, clipping and Adam
// in ./common.
// It is not a data loader for corpora larger than memory.
//
// Choices worth knowing:
// - The last window of the stream may be shorter (at least 2 tokens); it is padded, never dropped.
// - Validation (`valFraction` > 0) holds out the last windows of the stream, a contiguous slice, so
//   no validation token is ever trained on; `val/loss` every `evalEvery` steps and at the end.
// - Metrics: `loss`, `perplexity` = exp(loss), `tokens_per_sec` (input tokens of the step / its wall
//   time), `num_tokens` (input tokens trained on so far), `learning_rate`, `grad_norm` (before clipping).
import { z } from 'zod';
import type { GPTConfig } from '../model/gpt';
import type { Tokenizer } from '../tokenizer/types';
import type { TrainContext, TrainEvent } from '../types';
import type { LmRow } from './common';
import { lmTrainFields, runLm } from './lm-run';

/** Pretraining config (the lead will move it to src/shared/schemas.ts). Defaults in the schema. */
export const PretrainConfig = z.object({
  ...lmTrainFields,
  /** Model shape; 'lab-small' (vocabulary 1024) by default. */
  model: lmTrainFields.model.default('lab-small'),
  /** Peak learning rate: tiny models train well at 1e-3 (nanoGPT's character-level setting). */
  learningRate: lmTrainFields.learningRate.default(1e-3),
  /** Linear warm-up steps. */
  warmupSteps: lmTrainFields.warmupSteps.default(20),
  /** AdamW weight decay on matrices (nanoGPT uses 0.1). */
  weightDecay: lmTrainFields.weightDecay.default(0.1),
  /** Fraction of the windows (taken from the end of the stream) held out for `val/loss`; 0 = none. */
  valFraction: z.number().min(0).max(0.5).default(0),
  /** Steps between validation passes (0 = only at the end). */
  evalEvery: z.number().int().min(0).default(50),
  /** Name of the token appended after each document; by default the first of <|eos|>, <|endoftext|>, </s> the tokenizer has. */
  eosToken: z.string().optional(),
});
export type PretrainConfig = z.infer<typeof PretrainConfig>;
export type PretrainConfigInput = z.input<typeof PretrainConfig>;

export type PretrainInputs =
  /** A ready token stream (documents already joined). */
  | { kind: 'ids'; ids: ArrayLike<number> }
  /** Documents to tokenize; each is followed by the end-of-text token. */
  | { kind: 'documents'; documents: readonly string[]; tokenizer: Tokenizer };

export async function* trainPretrain(
  config: PretrainConfig,
  inputs: PretrainInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  yield* runLm(
    {
      trainer: 'pretrain',
      config,
      defaultModel: 'lab-small',
      prepare: (arch) => pretrainRows(config, inputs, arch),
      withAccuracy: false,
      evalEvery: config.evalEvery,
      metrics: (r, at) => ({
        loss: r.loss,
        perplexity: Math.exp(r.loss),
        tokens_per_sec: r.tokens / Math.max(at.seconds, 1e-9),
        num_tokens: at.numTokens,
        learning_rate: at.lr,
        grad_norm: r.gradNorm,
      }),
    },
    ctx,
  );
}

/** The corpus as one token stream. */
export function corpusTokens(inputs: PretrainInputs, eosToken?: string): { ids: number[]; note: string } {
  if (inputs.kind === 'ids') {
    const ids = Array.from(inputs.ids);
    return { ids, note: `Corpus: ${ids.length} tokens` };
  }
  const { tokenizer, documents } = inputs;
  const names = eosToken ? [eosToken] : ['<|eos|>', '<|endoftext|>', '</s>'];
  const eos = names.map((n) => tokenizer.specialId(n)).find((id) => id !== undefined);
  if (eos === undefined)
    throw new Error(`The tokenizer has no end-of-text token (looked for ${names.join(', ')}); set eosToken`);
  const ids: number[] = [];
  for (const doc of documents) {
    for (const id of tokenizer.encode(doc)) ids.push(id);
    ids.push(eos);
  }
  return { ids, note: `Corpus: ${documents.length} documents, ${ids.length} tokens` };
}

/** Windows of contextLength + 1 tokens, stride contextLength; the last `valFraction` of them held out. */
export function pretrainRows(
  config: Pick<PretrainConfig, 'valFraction' | 'eosToken'>,
  inputs: PretrainInputs,
  arch: GPTConfig,
): { train: LmRow[]; val: LmRow[]; notes: string[] } {
  const { ids, note } = corpusTokens(inputs, config.eosToken);
  const T = arch.contextLength;
  const windows: LmRow[] = [];
  for (let start = 0; start + 1 < ids.length; start += T) {
    const w = ids.slice(start, start + T + 1);
    windows.push({ ids: w, mask: w.map(() => 1) });
  }
  const nVal =
    config.valFraction > 0 && windows.length >= 2
      ? Math.min(windows.length - 1, Math.max(1, Math.round(windows.length * config.valFraction)))
      : 0;
  const train = windows.slice(0, windows.length - nVal);
  const val = windows.slice(windows.length - nVal);
  const held = nVal > 0 ? ` (the last ${nVal} held out for validation)` : '';
  return { train, val, notes: [`${note} → ${windows.length} windows of up to ${T + 1} tokens${held}`] };
}
