// The world generator: deterministic from the seed, names unique and built from syllables, splits
// shaped as documented, and the sizes each preset produces.
import { describe, expect, it } from 'vitest';
import {
  WORLD_SIZES,
  generateWorld,
  renderCorpus,
  renderEvalSets,
  renderPreferencePairs,
  renderSafety,
  renderSftPairs,
  renderUnanswerable,
} from '../../../src/main/engine/world';
import { SYLLABLE_PARTS } from '../../../src/main/engine/world/names';

const renderAll = (seed: number) => {
  const w = generateWorld({ seed, size: 'tiny' });
  return {
    world: w,
    corpus: renderCorpus(w),
    sft: renderSftPairs(w),
    pref: renderPreferencePairs(w),
    safety: renderSafety(w),
    unanswerable: renderUnanswerable(w),
    evals: renderEvalSets(w),
  };
};

describe('generateWorld', () => {
  it('is deterministic: the same seed gives identical JSON for the world and every rendering', () => {
    expect(JSON.stringify(renderAll(7))).toBe(JSON.stringify(renderAll(7)));
    const w = generateWorld({ seed: 7, size: 'small' });
    expect(JSON.parse(JSON.stringify(w))).toEqual(w); // plain data
  });

  it('differs between seeds', () => {
    const a = generateWorld({ seed: 1, size: 'tiny' });
    const b = generateWorld({ seed: 2, size: 'tiny' });
    expect(a.places.map((p) => p.name)).not.toEqual(b.places.map((p) => p.name));
    expect(JSON.stringify(renderCorpus(a))).not.toBe(JSON.stringify(renderCorpus(b)));
  });

  it('makes unique, capitalised, syllabic names', () => {
    const alt = (xs: readonly string[]) => xs.filter(Boolean).join('|');
    const { onsets, vowels, codas } = SYLLABLE_PARTS;
    const syllabic = new RegExp(
      `^(?:(?:${alt(onsets)})(?:${alt(vowels)})(?:${alt(codas)})?){1,3}(?:ish|ic|ese|an)?$`,
    );
    for (const seed of [1, 2, 3]) {
      const w = generateWorld({ seed, size: 'medium' });
      const names = [
        ...w.places.flatMap((p) => [p.name, p.capital, p.language, p.currency]),
        ...w.creatures.map((c) => c.name),
        ...w.absentNames.train,
        ...w.absentNames.heldout,
      ];
      expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
      for (const n of names) {
        expect(n).toMatch(/^[A-Z][a-z]{3,11}$/);
        expect(n.toLowerCase()).toMatch(syllabic);
      }
    }
  });

  it('gives every place a neighbour in a ring (each land is east of exactly one other)', () => {
    const w = generateWorld({ seed: 5, size: 'small' });
    const names = new Set(w.places.map((p) => p.name));
    const targets = w.places.map((p) => p.neighbour);
    expect(new Set(targets).size).toBe(w.places.length);
    for (const p of w.places) {
      expect(names.has(p.neighbour)).toBe(true);
      expect(p.neighbour).not.toBe(p.name);
    }
  });

  it('splits facts: pretrain-only by whole subject, held-out per attribute, and every attribute trained', () => {
    const w = generateWorld({ seed: 3, size: 'small' });
    const bySubject = new Map<string, Set<string>>();
    for (const f of w.facts) bySubject.set(f.subject, (bySubject.get(f.subject) ?? new Set()).add(f.split));
    for (const splits of bySubject.values()) {
      if (splits.has('pretrain-only')) expect(splits.size).toBe(1);
    }
    const attributes = new Set(w.facts.map((f) => f.attribute));
    for (const a of attributes) {
      for (const split of ['train', 'heldout', 'pretrain-only'] as const) {
        expect(w.facts.some((f) => f.attribute === a && f.split === split)).toBe(true);
      }
    }
    expect(new Set(w.facts.map((f) => f.id)).size).toBe(w.facts.length);
  });

  it('never splits a sum from its commuted twin', () => {
    const w = generateWorld({ seed: 9, size: 'medium' });
    const keys = w.arithmetic.map((f) => (f.op === 'plus' ? [f.a, f.b].sort().join('+') : `${f.a}-${f.b}`));
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of w.arithmetic) expect(f.answer).toBe(f.op === 'plus' ? f.a + f.b : f.a - f.b);
  });

  it('produces the documented sizes', () => {
    for (const size of ['tiny', 'small', 'medium'] as const) {
      const w = generateWorld({ seed: 1, size });
      expect(w.places).toHaveLength(WORLD_SIZES[size].places);
      expect(w.creatures).toHaveLength(WORLD_SIZES[size].creatures);
      expect(w.arithmetic).toHaveLength(WORLD_SIZES[size].arithmetic);
    }
    const kb = (size: 'tiny' | 'small' | 'medium') =>
      Buffer.byteLength(renderCorpus(generateWorld({ seed: 1, size })).join('\n\n')) / 1024;
    expect(kb('tiny')).toBeLessThan(100);
    expect(kb('small')).toBeGreaterThan(200);
    expect(kb('small')).toBeLessThan(600);
    // More repeats, more text.
    const few = renderCorpus(generateWorld({ seed: 1, size: 'tiny', corpusRepeats: 1 })).join('').length;
    const many = renderCorpus(generateWorld({ seed: 1, size: 'tiny', corpusRepeats: 4 })).join('').length;
    expect(many).toBeGreaterThan(2 * few);
  });

  it('rejects bad settings with a message', () => {
    expect(() => generateWorld({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => generateWorld({ seed: 1, corpusRepeats: 0 })).toThrow(/corpusRepeats/);
  });
});

describe('preference pairs', () => {
  const w = generateWorld({ seed: 3, size: 'tiny' });
  const pairs = renderPreferencePairs(w);
  const taught = new Map(renderSftPairs(w).map((p) => [p.prompt, p.response]));
  const factPairs = pairs.filter((p) => p.kind !== 'wrong' || !/ (plus|minus) /.test(p.chosen));

  it('answer each fact question with the sentence SFT taught for it, and set the wrong value in the same sentence', () => {
    const facts = factPairs.filter((p) => ['verbose', 'wrong', 'evasive', 'off-topic'].includes(p.kind));
    expect(facts.length).toBe(4 * w.facts.filter((f) => f.split === 'train').length);
    for (const p of facts) expect(p.chosen, p.prompt).toBe(taught.get(p.prompt));
    const forms = new Set<string>();
    for (const p of facts.filter((x) => x.kind === 'wrong')) {
      const [a, b] = [p.chosen.split(' '), p.rejected.split(' ')];
      expect(b.length, p.rejected).toBe(a.length);
      expect(a.filter((word, i) => word !== b[i]).length, `${p.chosen} | ${p.rejected}`).toBe(1);
      forms.add(a.slice(0, 2).join(' '));
    }
    expect(forms.size).toBeGreaterThan(8); // not one canonical sentence per attribute
  });

  it('refuse harmful requests with the canonical refusal, against compliance and against "I don\'t know"', () => {
    const harmful = new Set(renderSafety(w).harmful.map((h) => h.prompt));
    const safety = pairs.filter((p) => harmful.has(p.prompt));
    expect(safety.map((p) => p.kind).sort()).toEqual(
      [...harmful].flatMap(() => ['compliance', 'deflection']).sort(),
    );
    for (const p of safety) expect(p.chosen).toBe("I can't help with that.");
  });
});
