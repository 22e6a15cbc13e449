// Unpaired examples for KTO (Ethayarajh et al. 2024; TRL KTOTrainer): each a (prompt, completion)
// judged desirable or not, as token rows for a causal LM, together with its KL pair, the same prompt
// with another example's completion, whose log-probs estimate KL(π_θ ‖ π_ref). Also: preference pairs
// turned into unpaired examples, and the batching rule KTO needs (no batch of one). Plain arrays only;
// tensors are made per batch (rowBatch in preference-pairs.ts).
//
// The KL pairs are fixed once per run, as TRL fixes them (KTOTrainer `_get_kl_dataset`): the examples,
// in a seeded shuffled order, are cut into groups of the batch size, and within a group example j
// borrows the completion of example j − 1 (`ktoMismatchedIndices`). The training batches are shuffled
// again every epoch, so a batch's KL pairs come from its examples' groups, not from the batch itself;
// what they estimate, KL over mismatched (prompt, completion) pairs, is the same. Being fixed, their
// reference log-probs are computed once before training, like the examples'.
import { ktoMismatchedIndices } from '../losses/preference';
import { mulberry32, permutation } from '../random';
import { PAD } from '../tokenizer/byte';
import type { PreferencePairText, UnpairedExampleText } from '../types';
import {
  byteSequence,
  clipSequence,
  fillRows,
  maxIdOf,
  rowLength,
  type RenderedSequence,
  type TokenRows,
} from './preference-pairs';

/** An example rendered to ids, with its KL pair rendered the same way. */
export interface RenderedUnpaired {
  sequence: RenderedSequence;
  /** This example's prompt with its KL partner's completion. */
  kl: RenderedSequence;
  desirable: boolean;
}

export interface UnpairedTokens {
  /** Number of examples. */
  n: number;
  /** Row length (inputs and targets) of both row sets. */
  T: number;
  /** Largest token id used, to check against a model's vocabulary. */
  maxId: number;
  /** The examples: [n, T] each. */
  examples: TokenRows;
  /** Their KL pairs, row i for example i: [n, T] each. */
  kl: TokenRows;
  /** desirable[i]: example i is desirable (TRL label True). */
  desirable: boolean[];
  /** Things the user should hear about (cut sequences, examples left without a completion). */
  notes: string[];
}

export const KTO_BATCH_ERROR =
  "KTO needs a batch size of at least 2: the KL term compares each completion with another prompt's";

/** Preference pairs → unpaired examples (chosen → desirable, rejected → undesirable), with the log line. */
export function unpairedFromPairs(pairs: readonly PreferencePairText[]): {
  items: UnpairedExampleText[];
  note: string;
} {
  const items = pairs.flatMap((p) => [
    { prompt: p.prompt, completion: p.chosen, label: true },
    { prompt: p.prompt, completion: p.rejected, label: false },
  ]);
  const note = `KTO trains on unpaired examples: ${plural(pairs.length, 'pair')} became ${plural(items.length, 'example')}`;
  return { items, note };
}

/**
 * Where the batch that starts at `start` (of `n`) ends, for KTO: `batchSize` examples, except that a
 * last batch of one joins the batch before it (a batch of one has no other completion for its KL pair).
 */
export function ktoBatchEnd(start: number, n: number, batchSize: number): number {
  const end = Math.min(n, start + batchSize);
  return n - end === 1 ? n : end;
}

/** The example whose completion each example's KL pair borrows (see the file's head), fixed by `seed`. */
export function klPartners(n: number, batchSize: number, seed: number): number[] {
  if (batchSize < 2) throw new Error(KTO_BATCH_ERROR);
  if (n < 2)
    throw new Error(
      `KTO needs at least 2 examples (got ${n}): the KL term pairs each prompt with another example's completion`,
    );
  const order = permutation(n, mulberry32((seed ^ 0x6b746f) >>> 0));
  const partner = new Array<number>(n);
  for (let start = 0; start < n;) {
    const end = ktoBatchEnd(start, n, batchSize);
    const group = order.slice(start, end);
    ktoMismatchedIndices(group.length).forEach((m, j) => (partner[group[j]!] = group[m]!));
    start = end;
  }
  return partner;
}

/**
 * Unpaired text examples → rendered examples and KL pairs through `render` (a chat template, or bytes
 * by default: `<|bos|> prompt completion <|eos|>`, scoring the completion and the EOS).
 */
export function renderUnpaired(
  items: readonly UnpairedExampleText[],
  partners: readonly number[],
  render: (prompt: string, completion: string) => RenderedSequence = byteSequence,
): RenderedUnpaired[] {
  if (items.length === 0) throw new Error('No examples to train on');
  items.forEach((item, i) => {
    if (typeof item.prompt !== 'string') throw new Error(`example ${i + 1}: \`prompt\` must be text`);
    if (typeof item.completion !== 'string' || item.completion.length === 0)
      throw new Error(`example ${i + 1}: the completion is empty`);
    if (typeof item.label !== 'boolean')
      throw new Error(`example ${i + 1}: \`label\` must be true (desirable) or false (undesirable)`);
  });
  return items.map((item, i) => ({
    sequence: render(item.prompt, item.completion),
    kl: render(item.prompt, items[partners[i]!]!.completion),
    desirable: item.label,
  }));
}

/**
 * Rendered examples → token rows, cut to `maxLength` tokens (their start kept; cuts counted in
 * `notes`) and padded with `pad` to one length shared by the examples and the KL pairs.
 */
export function tokenizeUnpaired(
  examples: readonly RenderedUnpaired[],
  maxLength: number,
  pad = 0,
): UnpairedTokens {
  if (examples.length === 0) throw new Error('No examples to train on');
  const seqs = examples.map((e) => clipSequence(e.sequence, maxLength));
  const kl = examples.map((e) => clipSequence(e.kl, maxLength));
  const all = [...seqs, ...kl];
  const T = rowLength(all);
  const n = examples.length;
  const cut = seqs.filter((s) => s.truncated).length;
  const empty = seqs.filter((s) => !s.scored).length;
  const klCut = kl.filter((s) => s.truncated).length;
  const notes: string[] = [];
  if (cut > 0) notes.push(`${cut} of ${n} examples were longer than ${maxLength} tokens and were cut to fit`);
  if (empty > 0)
    notes.push(
      `${empty} of ${n} examples had no completion tokens left after cutting; they do not affect training`,
    );
  if (klCut > 0)
    notes.push(
      `${klCut} of ${n} KL pairs (a prompt with another example's completion) were longer than ${maxLength} tokens and were cut to fit`,
    );
  return {
    n,
    T,
    maxId: maxIdOf(all, pad),
    examples: fillRows(seqs, T, pad),
    kl: fillRows(kl, T, pad),
    desirable: examples.map((e) => e.desirable),
    notes,
  };
}

/** Unpaired text through the byte tokenizer, KL pairs fixed by (batchSize, seed): see `klPartners`. */
export function tokenizeTextUnpaired(
  items: readonly UnpairedExampleText[],
  maxLength: number,
  batchSize: number,
  seed: number,
): UnpairedTokens {
  if (items.length === 0) throw new Error('No examples to train on');
  return tokenizeUnpaired(renderUnpaired(items, klPartners(items.length, batchSize, seed)), maxLength, PAD);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
