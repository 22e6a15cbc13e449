// The supervised fine-tuning (SFT) trainer: next-token loss on rendered chat examples, scored on the
// assistant tokens only. Examples arrive rendered (the chat-template module does that) as token ids
// and a 0/1 mask of the same length: mask[j] = 1 means ids[j] is an assistant token to be predicted.
// Yields the same events as the DPO trainer; the loop and checkpoints are in ./lm-run, schedule,
// clipping and Adam in ./common. It does not render templates or tokenize.
//
// Choices worth knowing:
// - Without packing, an example longer than `maxLength` (default: contextLength + 1, the longest a
//   model can read) keeps its start and is cut; the cut is counted in a `log` event. An example with
//   no assistant token left is skipped, also counted. Batches are padded on the right (unscored).
// - With `packing`, examples are concatenated (masks kept) into windows of contextLength + 1 tokens
//   with stride contextLength, so nothing is cut and nothing is padded; as in TRL's packing, a window
//   may attend across the boundary between two examples.
// - The loss is the mean over the scored tokens of the whole optimizer step (all accumulated passes).
// - Metrics: `loss`, `mean_token_accuracy` (scored tokens whose argmax is the target), `num_tokens`
//   (input tokens trained on so far), `learning_rate`, `grad_norm` (before clipping).
import { z } from 'zod';
import type { GPTConfig } from '../model/gpt';
import type { TrainContext, TrainEvent } from '../types';
import type { LmRow } from './common';
import { lmTrainFields, runLm } from './lm-run';

/** SFT config (the lead will move it to src/shared/schemas.ts). Defaults in the schema. */
export const SftConfig = z.object({
  ...lmTrainFields,
  /** Model shape when not starting from a saved model (`initFrom`, the usual case). */
  model: lmTrainFields.model.default('lab-small'),
  /** Peak learning rate. */
  learningRate: lmTrainFields.learningRate.default(3e-4),
  /** Sequences per pass. */
  batchSize: lmTrainFields.batchSize.default(8),
  /** Passes over the examples. */
  epochs: lmTrainFields.epochs.default(3),
  /** Concatenate examples into full windows instead of padding each one. */
  packing: z.boolean().default(false),
  /** Longest example in tokens without packing; longer ones keep their start. Default contextLength + 1. */
  maxLength: z.number().int().min(2).optional(),
  /** Steps between validation passes over `inputs.val` (0 = only at the end). */
  evalEvery: z.number().int().min(0).default(50),
});
export type SftConfig = z.infer<typeof SftConfig>;
export type SftConfigInput = z.input<typeof SftConfig>;

/** One rendered example: token ids and a same-length 0/1 mask (1 = assistant token, scored). */
export interface SftExample {
  ids: number[];
  mask: number[];
}

export interface SftInputs {
  examples: readonly SftExample[];
  /** Held-out examples for `val/loss`. */
  val?: readonly SftExample[];
}

export async function* trainSft(
  config: SftConfig,
  inputs: SftInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  yield* runLm(
    {
      trainer: 'sft',
      config,
      defaultModel: 'lab-small',
      prepare: (arch) => {
        const train = sftRows(config, inputs.examples, arch);
        const val = inputs.val?.length ? sftRows(config, inputs.val, arch, 'validation ') : undefined;
        return { train: train.rows, val: val?.rows ?? [], notes: [...train.notes, ...(val?.notes ?? [])] };
      },
      withAccuracy: true,
      evalEvery: config.evalEvery,
      metrics: (r, at) => ({
        loss: r.loss,
        mean_token_accuracy: r.accuracy,
        num_tokens: at.numTokens,
        learning_rate: at.lr,
        grad_norm: r.gradNorm,
      }),
    },
    ctx,
  );
}

/** Examples → training rows (cut or packed), with notes on what was cut or skipped. */
export function sftRows(
  config: Pick<SftConfig, 'packing' | 'maxLength'>,
  examples: readonly SftExample[],
  arch: GPTConfig,
  label = '',
): { rows: LmRow[]; notes: string[] } {
  const window = arch.contextLength + 1;
  const limit = Math.min(config.maxLength ?? window, window);
  const notes: string[] = [];
  examples.forEach((ex, i) => {
    if (ex.ids.length !== ex.mask.length)
      throw new Error(
        `${label}example ${i + 1}: ids has ${ex.ids.length} tokens but mask has ${ex.mask.length}`,
      );
  });
  const M = examples.length;
  if (config.packing) {
    const ids: number[] = [];
    const mask: number[] = [];
    for (const ex of examples) {
      ids.push(...ex.ids);
      mask.push(...ex.mask);
    }
    const rows: LmRow[] = [];
    for (let start = 0; start + 1 < ids.length; start += window - 1) {
      const row = { ids: ids.slice(start, start + window), mask: mask.slice(start, start + window) };
      if (row.mask.slice(1).some((m) => m > 0)) rows.push(row);
    }
    notes.push(
      `Packed ${M} ${label}examples (${ids.length} tokens) into ${rows.length} windows of ${window} tokens`,
    );
    return { rows, notes };
  }
  let cut = 0;
  let empty = 0;
  const rows: LmRow[] = [];
  for (const ex of examples) {
    let row: LmRow = ex;
    if (ex.ids.length > limit) {
      cut++;
      row = { ids: ex.ids.slice(0, limit), mask: ex.mask.slice(0, limit) };
    }
    if (row.ids.length < 2 || !row.mask.slice(1).some((m) => m > 0)) empty++;
    else rows.push(row);
  }
  if (cut > 0)
    notes.push(
      `${cut} of ${M} ${label}examples longer than ${limit} tokens were cut at ${limit} (their start kept)`,
    );
  if (empty > 0)
    notes.push(
      `${empty} of ${M} ${label}examples had no assistant tokens left to learn from and were skipped`,
    );
  return { rows, notes };
}
