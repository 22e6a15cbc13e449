// Hugging Face `tokenizer.json` ↔ BpeTokenizer, for the GPT-2 family only: model.type "BPE" with a
// ByteLevel pre-tokenizer (GPT-2 regex + bytes_to_unicode), no normalizer. Both shapes of `merges`
// are read ("a b" strings, older files; ["a", "b"] pairs, tokenizers ≥ 0.20). Every `added_tokens`
// entry becomes a special token of ours: atomic, and never produced by `encode` from plain text
// (HF would split them out of plain text; we deliberately do not). Post-processors (e.g. a BOS added
// by TemplateProcessing) are not applied: `encode` gives the model's ids for the text alone.
import { z } from 'zod';
import { BpeTokenizer, type BpeMerge } from './bpe';

/**
 * GPT-2's bytes_to_unicode (openai/gpt-2 src/encoder.py): printable Latin-1 bytes stand for
 * themselves, the other 68 bytes are moved to U+0100… in byte order, so a token is a visible string
 * (a leading space is "Ġ", a newline "Ċ").
 */
export const BYTE_TO_UNICODE: readonly string[] = (() => {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let n = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : 256 + n++));
})();
const UNICODE_TO_BYTE = new Map(BYTE_TO_UNICODE.map((ch, b) => [ch, b]));

/** Bytes → the visible string HF stores in `vocab` and `merges`. */
export function bytesToHf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_UNICODE[b] as string;
  return s;
}

/** The visible string → bytes, or undefined when a character is outside the 256-letter alphabet. */
export function hfToBytes(token: string): Uint8Array | undefined {
  const out: number[] = [];
  for (const ch of token) {
    const b = UNICODE_TO_BYTE.get(ch);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return Uint8Array.from(out);
}

export interface ToJsonOptions {
  /** `pairs` writes [["Ġ","t"], …] (tokenizers ≥ 0.20), `strings` writes ["Ġ t", …]. Default `pairs`. */
  merges?: 'pairs' | 'strings';
}

/** A tokenizer.json that HF `tokenizers` (and transformers' PreTrainedTokenizerFast) loads as GPT-2's. */
export function toTokenizerJson(t: BpeTokenizer, options: ToJsonOptions = {}): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  t.vocab.forEach((bytes, id) => {
    if (bytes) vocab[bytesToHf(bytes)] = id;
  });
  const added = [...t.specialTokens].sort((a, b) => a[1] - b[1]);
  for (const [content, id] of added) vocab[content] ??= id; // HF's trainer keeps specials in the vocab too
  const hf = (id: number) => bytesToHf(t.tokenBytes(id));
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: t.addPrefixSpace,
    trim_offsets: true,
    use_regex: true,
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map(([content, id]) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: t.ignoreMerges,
      vocab,
      merges: t.merges.map(({ left, right }) =>
        options.merges === 'strings' ? `${hf(left)} ${hf(right)}` : [hf(left), hf(right)],
      ),
    },
  };
}

const noneOrEmpty = (what: string) =>
  z
    .string()
    .nullish()
    .refine((s) => !s, `${what} is not supported by a byte-level BPE (expected null or "")`);

const schema = z.object({
  added_tokens: z
    .array(z.object({ id: z.number().int().nonnegative(), content: z.string().min(1) }))
    .nullish()
    .transform((a) => a ?? []),
  normalizer: z
    .object({ type: z.string() })
    .nullish()
    .refine((n) => !n, 'only null is supported (this tokenizer has no normalizer)'),
  pre_tokenizer: z.object(
    {
      type: z.literal('ByteLevel', {
        error: (iss) =>
          `only the GPT-2 "ByteLevel" pre-tokenizer is supported (found ${JSON.stringify(iss.input)})`,
      }),
      add_prefix_space: z.boolean().nullish(),
      use_regex: z
        .boolean()
        .nullish()
        .refine((u) => u !== false, 'must be true (the GPT-2 regex splits words)'),
    },
    'expected the GPT-2 ByteLevel pre-tokenizer object',
  ),
  model: z.object({
    type: z.literal('BPE', { error: (iss) => `expected "BPE" (found ${JSON.stringify(iss.input)})` }),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])], 'expected "a b" or ["a", "b"]')),
    continuing_subword_prefix: noneOrEmpty('continuing_subword_prefix'),
    end_of_word_suffix: noneOrEmpty('end_of_word_suffix'),
    byte_fallback: z
      .boolean()
      .nullish()
      .refine((b) => !b, 'byte_fallback (SentencePiece-style) is not supported'),
    ignore_merges: z.boolean().nullish(),
  }),
});

/** Reads a tokenizer.json (already parsed). Errors name the field: "model.merges[12]: …". */
export function fromTokenizerJson(json: unknown): BpeTokenizer {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`tokenizer.json: ${issue ? `${fieldPath(issue.path)}: ${issue.message}` : 'invalid'}`);
  }
  const { added_tokens, pre_tokenizer, model } = parsed.data;
  const fail = (field: string, why: string): never => {
    throw new Error(`tokenizer.json: ${field}: ${why}`);
  };
  const specials = new Map<string, number>();
  for (const [i, { id, content }] of added_tokens.entries()) {
    if (specials.has(content)) fail(`added_tokens[${i}]`, `"${content}" is listed twice`);
    specials.set(content, id);
  }
  const specialIds = new Set(specials.values());
  const tokens: (Uint8Array | undefined)[] = [];
  const idOf = new Map<string, number>();
  for (const [token, id] of Object.entries(model.vocab)) {
    idOf.set(token, id);
    if (specialIds.has(id)) continue;
    if (tokens[id] !== undefined) fail('model.vocab', `id ${id} is given to two tokens`);
    const bytes = hfToBytes(token);
    if (!bytes || bytes.length === 0)
      fail(`model.vocab[${JSON.stringify(token)}]`, 'is not a string of GPT-2 byte-level characters');
    tokens[id] = bytes;
  }
  const merges: BpeMerge[] = model.merges.map((m, i) => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    const [a, b] = pair;
    if (pair.length !== 2 || a === undefined || b === undefined)
      return fail(`model.merges[${i}]`, `"${String(m)}" is not two tokens separated by one space`);
    const [left, right, id] = [idOf.get(a), idOf.get(b), idOf.get(a + b)];
    if (left === undefined) return fail(`model.merges[${i}]`, `"${a}" is not in model.vocab`);
    if (right === undefined) return fail(`model.merges[${i}]`, `"${b}" is not in model.vocab`);
    if (id === undefined)
      return fail(`model.merges[${i}]`, `the merged token "${a + b}" is not in model.vocab`);
    return { left, right, id };
  });
  try {
    return new BpeTokenizer({
      tokens,
      merges,
      specials,
      ignoreMerges: model.ignore_merges ?? false,
      addPrefixSpace: pre_tokenizer.add_prefix_space ?? false,
    });
  } catch (e) {
    return fail('model', (e as Error).message.replace(/^bpe: /, ''));
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}
