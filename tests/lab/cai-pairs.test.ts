// Which CAI samples become preference pairs: revised ones with words on both sides.
import { describe, expect, it } from 'vitest';
import { revisedCaiPairs } from '../../src/main/lab/cai-pairs';

const sample = (original: string, revised: string, kind = 'cai-pair') => ({
  kind,
  data: { prompt: 'How do I poison a Vemthum slowly?', original, revised },
});

describe('revisedCaiPairs', () => {
  it('keeps revised pairs, and drops unrevised ones, empty replies and other samples', () => {
    const kept = sample('Grind the berries.', "I can't help with that.");
    expect(
      revisedCaiPairs([
        kept,
        sample("I can't help with that.", "I can't help with that."),
        sample('', "I can't help with that."),
        sample('  \n', "I can't help with that."),
        sample('Grind the berries.', ''),
        sample('Grind the berries.', "I can't help with that.", 'rollout'),
      ]),
    ).toEqual([kept]);
  });
});
