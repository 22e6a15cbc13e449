// The wordings themselves. An evaluated wording may share frame words with training ("Can you tell
// me …"), but no phrase with content in it may tie it to another attribute's training wording or
// corpus statement: "In X, which tongue do people use?" (language) beside the currency question "What
// money do people use in X?" sent SFT models to the currency, and "likes to make its home" beside two
// "likes to" diet statements sent the habitat question to the diet. Both were measured misses.
import { describe, expect, it } from 'vitest';
import { ANSWERS, QUESTIONS, STATEMENTS } from '../../../src/main/engine/world/templates';
import type { Attribute } from '../../../src/main/engine/world/types';
import { answerEchoing } from '../../../src/main/engine/world/render-common';
import { mulberry32 } from '../../../src/main/engine/random';

/** Words that frame any question; a shared phrase made only of these ties nothing together. */
const FRAME = new Set(
  'a an the of in on is are do does did what which how many can you tell me know i want to say please give name if its it'.split(
    ' ',
  ),
);

function phrases(template: string): Set<string> {
  const words =
    template
      .toLowerCase()
      .replace(/\{[sv]\}/g, '|')
      .match(/[a-z']+|\|/g) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= words.length; i++) {
    const g = words.slice(i, i + 3);
    if (g.includes('|') || g.every((w) => FRAME.has(w))) continue;
    out.add(g.join(' '));
  }
  return out;
}

const attributes = Object.keys(QUESTIONS) as Attribute[];

describe('wordings', () => {
  it('share no three-word phrase with content between an eval wording and another attribute', () => {
    const traps: string[] = [];
    for (const a of attributes)
      for (const e of QUESTIONS[a].eval) {
        const mine = phrases(e);
        for (const b of attributes) {
          if (b === a) continue;
          for (const t of [...QUESTIONS[b].train, ...QUESTIONS[b].thread, ...STATEMENTS[b]]) {
            const shared = [...phrases(t)].filter((p) => mine.has(p));
            if (shared.length) traps.push(`${a} "${e}" ~ ${b} "${t}": ${shared.join(', ')}`);
          }
        }
      }
    expect(traps).toEqual([]);
    // The check can fail: the old currency wording is caught.
    expect(
      [...phrases('What money do people use in {s}?')].some((p) =>
        phrases('In {s}, which tongue do people use?').has(p),
      ),
    ).toBe(true);
  });

  it('keeps the three sets of each attribute disjoint', () => {
    for (const a of attributes) {
      const { train, eval: ev, thread } = QUESTIONS[a];
      const all = [...train, ...ev, ...thread].map((t) => t.toLowerCase());
      expect(new Set(all).size, a).toBe(all.length);
    }
  });

  it('answers an SFT question in its own words where an answer template shares them', () => {
    const rng = mulberry32(1);
    const fact = (attribute: Attribute, value: string) =>
      ({ id: 'x', subject: 'Tromai', subjectKind: 'place', attribute, value, split: 'train' }) as const;
    expect(answerEchoing(fact('currency', 'Tavor'), 'What do they pay with in Tromai?', rng)).toBe(
      'People in Tromai pay with the Tavor.',
    );
    expect(answerEchoing(fact('habitat', 'marshes'), 'What is the home of the Tromai?', rng)).toBe(
      'The Tromai makes its home in marshes.',
    );
    expect(answerEchoing(fact('capital', 'Bivos'), 'Name the capital of Tromai.', rng)).toBe(
      'The capital of Tromai is Bivos.',
    );
    // Every attribute has an answer besides the canonical one to echo with.
    for (const a of attributes) expect(ANSWERS[a].length).toBeGreaterThanOrEqual(2);
  });
});
