// A byte-level tokenizer: every UTF-8 byte is a token (ids 0–255), plus a few special tokens above
// 255 that mark structure (start, end, padding, chat roles). It has no merges and no vocabulary to
// learn; it is not BPE. Plain text never produces a special token: the text "<|eos|>" is 7 byte tokens.
// Round trip: decode(encode(s)) === s for every well-formed string. A lone UTF-16 surrogate is not
// encodable in UTF-8, so it comes back as U+FFFD (as with every UTF-8 encoder).

import type { Tokenizer } from './types';

export const SPECIAL_TOKENS = [
  '<|bos|>',
  '<|eos|>',
  '<|pad|>',
  '<|user|>',
  '<|assistant|>',
  '<|system|>',
] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/** 256 bytes + the special tokens. */
export const BYTE_VOCAB_SIZE = 256 + SPECIAL_TOKENS.length;

/** The id of a special token. */
export function specialId(token: SpecialToken): number {
  return 256 + SPECIAL_TOKENS.indexOf(token);
}
export const BOS = specialId('<|bos|>');
export const EOS = specialId('<|eos|>');
export const PAD = specialId('<|pad|>');

const encoder = new TextEncoder();

/** Text → byte ids (0–255). Never yields a special token. */
export function encode(text: string): number[] {
  return Array.from(encoder.encode(text));
}

/**
 * Ids → text. Special tokens are written as their names; byte runs that are not valid UTF-8 (e.g. a
 * sequence cut mid-character) decode to U+FFFD. Throws on an id outside the vocabulary.
 */
export function decode(ids: readonly number[]): string {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += decoder.decode(new Uint8Array(bytes));
    bytes = [];
  };
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= BYTE_VOCAB_SIZE)
      throw new Error(`byte tokenizer: id ${id} is outside the vocabulary (0–${BYTE_VOCAB_SIZE - 1})`);
    if (id < 256) bytes.push(id);
    else {
      flush();
      out += SPECIAL_TOKENS[id - 256];
    }
  }
  flush();
  return out;
}

/** The byte tokenizer behind the common Tokenizer interface. */
export const byteTokenizer: Tokenizer = {
  vocabSize: BYTE_VOCAB_SIZE,
  encode,
  decode,
  specialId: (name) =>
    (SPECIAL_TOKENS as readonly string[]).includes(name) ? specialId(name as SpecialToken) : undefined,
};
