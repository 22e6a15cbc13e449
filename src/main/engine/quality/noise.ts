// Seeded generators of low-quality text, the four kinds web-data filters remove: keyword spam,
// repetition loops, boilerplate around a text, and word salad. Each takes a clean text (and the words
// of the clean data, for salad and spam) and a seeded Rng, so the same seed always gives the same
// noise. Used to train and test the quality scorer (scorer.ts) and to mix noisy examples into a
// world's SFT data (`mixNoisySft`). Not a model of every kind of bad data: wrong answers look clean.
import { mulberry32, permutation, type Rng } from '../random';
import { BOILERPLATE_PHRASES, words } from './features';

export const NOISE_KINDS = ['spam', 'repetition', 'boilerplate', 'salad'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(0, xs.length)]!;

const SPAM = [
  'BUY NOW!!!',
  'FREE {w} for everyone!!!',
  'Click here >>> www.{w}-deals{n}.com <<<',
  'BEST {W} PRICES $$$',
  'Limited offer: {n}% OFF!!!',
  'WIN a {w} today!!! Call {n}{n}-{n}',
  '#{w} #{w} #{w} #deal',
  'CHEAP {W} {W} {W}!!!',
];

/** Keyword spam: shouting, symbols, links; sometimes after a piece of the clean text. */
export function spam(clean: string, vocab: readonly string[], rng: Rng): string {
  const parts: string[] = [];
  const k = rng.int(2, 5);
  for (let i = 0; i < k; i++)
    parts.push(
      pick(SPAM, rng)
        .replace(/\{w\}/g, () => pick(vocab, rng))
        .replace(/\{W\}/g, () => pick(vocab, rng).toUpperCase())
        .replace(/\{n\}/g, () => String(rng.int(10, 100))),
    );
  const text = parts.join(' ');
  return rng.next() < 0.3 ? `${firstSentence(clean)} ${text}` : text;
}

/** A loop: one sentence or phrase of the text said again and again. */
export function repetition(clean: string, _vocab: readonly string[], rng: Rng): string {
  const ws = clean.split(/\s+/).filter(Boolean);
  const times = rng.int(3, 8);
  if (rng.next() < 0.5 || ws.length < 4) {
    const s = firstSentence(clean);
    return Array.from({ length: times }, () => s).join(' ');
  }
  const start = rng.int(0, Math.max(1, ws.length - 3));
  const phrase = ws.slice(start, start + rng.int(2, 5)).join(' ');
  return `${ws.slice(0, start).join(' ')} ${Array.from({ length: times }, () => phrase).join(' ')}`.trim();
}

/** The text wrapped in web boilerplate and canned filler. */
export function boilerplate(clean: string, _vocab: readonly string[], rng: Rng): string {
  const phrase = () => {
    const p = pick(BOILERPLATE_PHRASES, rng);
    return `${p[0]!.toUpperCase()}${p.slice(1)}.`;
  };
  const before = Array.from({ length: rng.int(1, 3) }, phrase).join(' ');
  const after = Array.from({ length: rng.int(1, 3) }, phrase).join(' ');
  return rng.next() < 0.5 ? `${before}\n${clean}\n${after}` : `${clean} ${after} ${before}`;
}

/** Word salad: words of the clean data drawn at random, with no grammar. */
export function salad(_clean: string, vocab: readonly string[], rng: Rng): string {
  const n = rng.int(5, 25);
  const ws = Array.from({ length: n }, () => pick(vocab, rng));
  ws[0] = ws[0]![0]!.toUpperCase() + ws[0]!.slice(1);
  return rng.next() < 0.5 ? `${ws.join(' ')}.` : ws.join(' ');
}

const MAKERS: Record<NoiseKind, (clean: string, vocab: readonly string[], rng: Rng) => string> = {
  spam,
  repetition,
  boilerplate,
  salad,
};

/** A noisy text of `kind` made from `clean`. */
export function makeNoise(kind: NoiseKind, clean: string, vocab: readonly string[], rng: Rng): string {
  return MAKERS[kind](clean, vocab, rng);
}

/** The distinct words of some texts, sorted (so the same texts give the same vocabulary). */
export function vocabulary(texts: readonly string[]): string[] {
  const set = new Set<string>();
  for (const t of texts) for (const w of words(t)) set.add(w);
  return [...set].sort();
}

function firstSentence(text: string): string {
  const m = /^.*?[.!?](\s|$)/s.exec(text);
  return (m ? m[0] : text).trim();
}

/** A pair whose response may have been replaced by noise; `noise` says which kind, when it was. */
export type MaybeNoisy<P extends { response: string }> = P & { noise?: NoiseKind };

/**
 * Mixes noise into SFT pairs: a seeded choice of round(rate · n) pairs gets its response replaced by a
 * noisy one (the four kinds in turn), tagged `noise`; the others are unchanged. Order is kept.
 */
export function mixNoisySft<P extends { prompt: string; response: string }>(
  pairs: readonly P[],
  rate: number,
  seed: number,
): MaybeNoisy<P>[] {
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1))
    throw new Error(`noise rate must be between 0 and 1 (got ${rate})`);
  const rng = mulberry32((seed ^ 0x5eed_4015) >>> 0);
  const count = Math.round(rate * pairs.length);
  const chosen = new Map(
    permutation(pairs.length, rng)
      .slice(0, count)
      .map((idx, k) => [idx, k]),
  );
  const vocab = vocabulary(pairs.map((p) => p.response));
  return pairs.map((p, i) => {
    const k = chosen.get(i);
    if (k === undefined) return { ...p };
    const kind = NOISE_KINDS[k % NOISE_KINDS.length]!;
    return { ...p, response: makeNoise(kind, p.response, vocab, rng), noise: kind };
  });
}
