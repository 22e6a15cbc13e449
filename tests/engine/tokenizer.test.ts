// The byte tokenizer: lossless on every well-formed string, and plain text never yields a special token.
import { describe, expect, it } from 'vitest';
import {
  BOS,
  BYTE_VOCAB_SIZE,
  EOS,
  SPECIAL_TOKENS,
  decode,
  encode,
  specialId,
} from '../../src/main/engine/tokenizer/byte';

const TRICKY = [
  '',
  'hello, world',
  'emoji 👋🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷',
  'combining: e\u0301 vs \u00e9, Zalgo Z\u0351\u0352\u0353',
  'CJK 日本語 中文 한국어',
  'NUL \u0000 in the middle, and \u0001\u007f control bytes',
  'RTL שלום مرحبا',
  'newlines\r\n\ttabs',
  'text that looks special: <|eos|> <|bos|> <|pad|>',
  '\uFEFF leading BOM kept',
  'astral 𝕏 and replacement char \uFFFD',
];

describe('byte tokenizer', () => {
  it.each(TRICKY)('round-trips %j', (s) => {
    const ids = encode(s);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 256)).toBe(true);
    expect(decode(ids)).toBe(s);
  });

  it('never produces special tokens from plain text', () => {
    const ids = encode(SPECIAL_TOKENS.join(' '));
    expect(ids.some((id) => id >= 256)).toBe(false);
    expect(ids).toHaveLength(new TextEncoder().encode(SPECIAL_TOKENS.join(' ')).length);
  });

  it('decodes special ids to their names and counts them in the vocabulary', () => {
    expect(BYTE_VOCAB_SIZE).toBe(256 + SPECIAL_TOKENS.length);
    expect(decode([BOS, ...encode('hi'), EOS])).toBe('<|bos|>hi<|eos|>');
    expect(specialId('<|assistant|>')).toBe(260);
    expect(() => decode([BYTE_VOCAB_SIZE])).toThrow(/outside the vocabulary/);
  });

  it('documents the one lossy case: a lone surrogate is not UTF-8 and becomes U+FFFD', () => {
    expect(decode(encode('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('decodes a byte sequence cut mid-character to U+FFFD rather than throwing', () => {
    const ids = encode('é').slice(0, 1);
    expect(decode(ids)).toBe('\uFFFD');
  });
});
