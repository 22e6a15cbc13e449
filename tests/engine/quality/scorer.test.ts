import { describe, expect, it } from 'vitest';
import {
  NOISE_KINDS,
  cleanWorldTexts,
  defaultQualityModel,
  mixNoisySft,
  noisyTexts,
  qualityFeatures,
  repeatedNgrams,
  scoreText,
} from '../../../src/main/engine/quality';
import { generateWorld, renderSftPairs } from '../../../src/main/engine/world';

describe('quality features', () => {
  it('measures a table of texts by hand', () => {
    const f = qualityFeatures('The cat sat. The cat sat.');
    expect(f.uniqueWords).toBeCloseTo(3 / 6);
    expect(f.punctuation).toBeCloseTo(2 / 25);
    expect(f.upperCase).toBeCloseTo(2 / 18);
    expect(f.wordLength).toBeCloseTo(3);
    expect(f.length).toBeCloseTo(Math.log1p(6));
    expect(f.stopwords).toBeCloseTo(2 / 6);
    expect(f.boilerplate).toBe(0);
    expect(qualityFeatures('Click here. All rights reserved.').boilerplate).toBe(2);
    expect(qualityFeatures('a\nb').lineBreaks).toBeCloseTo((1 / 3) * 100);
    // a b c a b c: 4 trigrams, "a b c" repeats once.
    expect(repeatedNgrams(['a', 'b', 'c', 'a', 'b', 'c'], 3)).toBeCloseTo(1 / 4);
    expect(qualityFeatures('').length).toBe(0);
  });
});

describe('quality scorer', () => {
  // Held out: a world (seed 900) and noise seed the scorer never saw (it trains on worlds 101, 102).
  const clean = cleanWorldTexts(900);
  const noisy = noisyTexts(clean, 900);
  const model = defaultQualityModel();

  it.each(NOISE_KINDS)('separates clean held-out text from %s with accuracy ≥ 0.9', (kind) => {
    const bad = noisy.filter((t) => t.kind === kind).map((t) => t.text);
    const goodOk = clean.filter((t) => scoreText(t, model).score >= 0.5).length;
    const badOk = bad.filter((t) => scoreText(t, model).score < 0.5).length;
    // Balanced accuracy: each class weighs half.
    const accuracy = 0.5 * (goodOk / clean.length) + 0.5 * (badOk / bad.length);
    expect(bad.length).toBeGreaterThan(50);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('explains a low score by the features that pulled it down', () => {
    const looped = Array.from({ length: 6 }, () => 'The capital of Ledon is Kunre.').join(' ');
    const s = scoreText(looped, model);
    expect(s.score).toBeLessThan(0.5);
    expect(s.reasons.map((r) => r.feature)).toContain('repetition');
    const shout = scoreText('BUY NOW!!! FREE MOSS $$$ www.moss-deals42.com !!!', model);
    expect(shout.score).toBeLessThan(0.5);
    expect(shout.reasons.length).toBeGreaterThan(0);
    expect(shout.reasons[0]!.effect).toBeGreaterThan(0);
    expect(scoreText('The climate of Ledon is cold.', model).score).toBeGreaterThan(0.5);
  });

  it('is deterministic', () => {
    expect(noisyTexts(clean.slice(0, 20), 5)).toEqual(noisyTexts(clean.slice(0, 20), 5));
  });
});

describe('mixNoisySft', () => {
  const pairs = renderSftPairs(generateWorld({ seed: 3, size: 'tiny' }));

  it('replaces the chosen share of responses with tagged noise, seeded', () => {
    const mixed = mixNoisySft(pairs, 0.25, 7);
    const tagged = mixed.filter((p) => p.noise);
    expect(tagged.length).toBe(Math.round(0.25 * pairs.length));
    expect(new Set(tagged.map((p) => p.noise))).toEqual(new Set(NOISE_KINDS));
    mixed.forEach((p, i) => {
      expect(p.prompt).toBe(pairs[i]!.prompt);
      if (!p.noise) expect(p.response).toBe(pairs[i]!.response);
      else expect(p.response).not.toBe(pairs[i]!.response);
    });
    expect(mixNoisySft(pairs, 0.25, 7)).toEqual(mixed);
    expect(mixNoisySft(pairs, 0, 7).every((p) => !p.noise)).toBe(true);
    expect(() => mixNoisySft(pairs, 1.5, 7)).toThrow(/noise rate/);
  });
});
