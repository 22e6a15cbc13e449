// Byte-level BPE: lossless on every string, specials atomic but never from plain text, training
// deterministic and fast, merges applied as minbpe does.
import { describe, expect, it } from 'vitest';
import { BpeTokenizer, DEFAULT_SPECIALS, GPT2_PATTERN } from '../../../src/main/engine/tokenizer/bpe';
import { TRICKY, englishCorpus } from './corpus';

const corpus = englishCorpus(200_000) + TRICKY.join('\n');
const tok = BpeTokenizer.train(corpus, { vocabSize: 1024 });

describe('BpeTokenizer', () => {
  it('reaches the requested vocabulary size, specials after the merges', () => {
    expect(tok.vocabSize).toBe(1024);
    expect(tok.merges).toHaveLength(1024 - 256 - DEFAULT_SPECIALS.length);
    DEFAULT_SPECIALS.forEach((name, i) =>
      expect(tok.specialId(name)).toBe(1024 - DEFAULT_SPECIALS.length + i),
    );
    expect(tok.specialId('<|eos|>')).toBeUndefined();
  });

  it.each(TRICKY.map((s) => [s.length > 60 ? s.slice(0, 60) + '…' : s, s]))('round-trips %j', (_, s) => {
    const ids = tok.encode(s);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize)).toBe(true);
    expect(tok.decode(ids)).toBe(s);
  });

  it('never produces a special token from plain text', () => {
    const text = DEFAULT_SPECIALS.join(' ') + DEFAULT_SPECIALS.join('');
    const specialIds = new Set(tok.specialTokens.values());
    const ids = tok.encode(text);
    expect(ids.some((id) => specialIds.has(id))).toBe(false);
    expect(tok.decode(ids)).toBe(text);
  });

  it('keeps special tokens atomic where they are allowed', () => {
    const eos = tok.specialId('<|endoftext|>') as number;
    const [start, end] = [tok.specialId('<|im_start|>') as number, tok.specialId('<|im_end|>') as number];
    const ids = tok.encodeWithSpecials('<|im_start|>user\nhi<|im_end|><|endoftext|>');
    expect(ids).toEqual([start, ...tok.encode('user\nhi'), end, eos]);
    expect(tok.decode(ids)).toBe('<|im_start|>user\nhi<|im_end|><|endoftext|>');
    // Only the named ones: the rest stays text.
    const some = tok.encodeWithSpecials('<|im_end|><|endoftext|>', ['<|endoftext|>']);
    expect(some).toEqual([...tok.encode('<|im_end|>'), eos]);
  });

  it('is deterministic', () => {
    const again = BpeTokenizer.train(corpus, { vocabSize: 1024 });
    expect(again.merges).toEqual(tok.merges);
  });

  it('compresses English-like text to more than 2 bytes per token', () => {
    const text = englishCorpus(50_000, 7); // unseen sentences, same language
    const ratio = new TextEncoder().encode(text).length / tok.encode(text).length;
    expect(ratio).toBeGreaterThan(2);
  });

  it('learns the most frequent pair first and applies merges by rank', () => {
    const t = BpeTokenizer.train('aaabdaaabac', { vocabSize: 259, specialTokens: [], minFrequency: 1 });
    // minbpe's Wikipedia example: aa → Z (256), then ab → Y (257), then ZY → X (258); one word.
    const a = 97;
    const b = 98;
    expect(t.merges).toEqual([
      { left: a, right: a, id: 256 },
      { left: a, right: b, id: 257 },
      { left: 256, right: 257, id: 258 },
    ]);
    expect(t.encode('aaabdaaabac')).toEqual([258, 100, 258, 97, 99]);
    expect(t.decode([258])).toBe('aaab');
  });

  it('stops early when pairs get rarer than minFrequency', () => {
    const t = BpeTokenizer.train('ab ab ab cd', { vocabSize: 1000, specialTokens: ['<|x|>'] });
    expect(t.merges.map((m) => t.decode([m.id]))).toEqual(['ab', ' ab']);
    expect(t.vocabSize).toBe(256 + 2 + 1);
    expect(t.specialId('<|x|>')).toBe(258);
  });

  it('trains on documents without learning merges across them or through special tokens', () => {
    const t = BpeTokenizer.train(['xy<|endoftext|>xy', 'xy'], {
      vocabSize: 300,
      specialTokens: ['<|endoftext|>'],
    });
    expect(t.merges.map((m) => t.decode([m.id]))).toEqual(['xy']);
  });

  it('rejects an impossible vocabulary size and ids outside the vocabulary', () => {
    expect(() => BpeTokenizer.train('abc', { vocabSize: 100 })).toThrow(/vocabSize/);
    expect(() => tok.decode([tok.vocabSize])).toThrow(/outside the vocabulary/);
  });

  it('trains a megabyte to 1024 ids in a few seconds, and encodes it quickly', () => {
    const big = englishCorpus(1_000_000, 3);
    let t0 = performance.now();
    const t = BpeTokenizer.train(big, { vocabSize: 1024 });
    const trainMs = performance.now() - t0;
    t0 = performance.now();
    const ids = t.encode(big);
    const encodeMs = performance.now() - t0;
    console.log(`bpe: 1 MB → 1024 ids in ${trainMs.toFixed(0)} ms; encoded in ${encodeMs.toFixed(0)} ms`);
    expect(t.vocabSize).toBe(1024);
    expect(trainMs).toBeLessThan(5000);
    expect(encodeMs).toBeLessThan(3000);
    expect(t.decode(ids)).toBe(big);
  });

  it('splits words with the GPT-2 pattern, whitespace as HF (Oniguruma) defines it', () => {
    const split = (s: string) => s.match(GPT2_PATTERN);
    expect(split("Hello world's  2024 tests!!\n\n  ok")).toEqual([
      'Hello',
      ' world',
      "'s",
      ' ',
      ' 2024',
      ' tests',
      '!!',
      '\n\n ',
      ' ok',
    ]);
    expect(split('\x85\x85a')).toEqual(['\x85', '\x85', 'a']); // NEL is whitespace
    expect(split('a\uFEFF\uFEFF')).toEqual(['a', '\uFEFF\uFEFF']); // BOM is not
    expect(split('a\u3000b')).toEqual(['a', '\u3000', 'b']);
  });

  it('documents the one lossy case: a lone surrogate becomes U+FFFD', () => {
    expect(tok.decode(tok.encode('a\uD800b'))).toBe('a\uFFFDb');
  });
});
