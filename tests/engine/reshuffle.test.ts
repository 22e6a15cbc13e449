// The reshuffled pretraining stream: whole passes over the corpus, each in its own order, long enough.
import { describe, expect, it } from 'vitest';
import { reshuffledStream } from '../../src/main/engine/tasks/pretrain';
import { byteTokenizer, EOS } from '../../src/main/engine/tokenizer/byte';

describe('reshuffledStream', () => {
  it('repeats every document once per pass, in a fresh seeded order, until enough tokens', () => {
    const docs = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const ids = reshuffledStream(docs, byteTokenizer, 1, 40);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    const passes: string[] = [];
    for (let i = 0; i < ids.length; i += 16)
      passes.push(byteTokenizer.decode(ids.slice(i, i + 16).filter((t) => t !== EOS)));
    for (const p of passes) expect([...p].sort().join('')).toBe('abcdefgh');
    expect(new Set(passes).size).toBeGreaterThan(1);
    expect(reshuffledStream(docs, byteTokenizer, 1, 40)).toEqual(ids);
    expect(reshuffledStream(docs, byteTokenizer, 2, 40)).not.toEqual(ids);
  });
});
