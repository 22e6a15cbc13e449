// Text-quality features: a few numbers per text that tell clean prose from spam, repetition,
// boilerplate and word salad (the heuristics of web-data filters such as Gopher's and C4's rules).
// Pure and cheap (one pass over the words); the classifier that weighs them is scorer.ts. Not here:
// any judgement of whether a text is true or helpful — only whether it looks like written language.

/** A feature's name, what a user reads, and its value for one text. */
export const QUALITY_FEATURES = [
  { key: 'length', label: 'length (log words)' },
  { key: 'uniqueWords', label: 'unique-word ratio' },
  { key: 'punctuation', label: 'punctuation density' },
  { key: 'symbols', label: 'shouting symbols (! $ # …)' },
  { key: 'upperCase', label: 'upper-case ratio' },
  { key: 'wordLength', label: 'mean word length' },
  { key: 'repetition', label: 'repeated phrases' },
  { key: 'boilerplate', label: 'boilerplate phrases' },
  { key: 'lineBreaks', label: 'line-break density' },
  { key: 'stopwords', label: 'function-word ratio' },
] as const;
export type QualityFeature = (typeof QUALITY_FEATURES)[number]['key'];
export type QualityFeatures = Record<QualityFeature, number>;

/**
 * Phrases of web boilerplate and canned filler: navigation, legal footers, calls to action, chatbot
 * disclaimers. Matched case-insensitively as substrings.
 */
export const BOILERPLATE_PHRASES: readonly string[] = [
  'click here',
  'subscribe',
  'all rights reserved',
  'terms and conditions',
  'terms of service',
  'privacy policy',
  'cookie',
  'read more',
  'sign up',
  'newsletter',
  'as an ai language model',
  'i hope this helps',
  'thanks for reading',
  'like and share',
  'follow us',
  'copyright',
  'skip to content',
  'back to top',
  'leave a comment',
  'powered by',
  'buy now',
  'limited offer',
];

/** Function words: frequent in any written sentence, rare in word salad and keyword spam. */
const STOPWORDS = new Set(
  (
    'a an the of in on at to from by for with and or but is are was were be been it its this that ' +
    'these those there here what which who whom how why when where do does did not no yes i you he ' +
    'she we they me him her us them my your our their has have had will would can could may might ' +
    'as if so than then about into over under after before up down out off only all any some each ' +
    'every other such just very more most also still again should must shall one two your his ' +
    'an am being because while until'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}']+/gu;
const PUNCT = /[!"#$%&()*+,\-./:;<=>?@[\]^_`{|}~]/g;
/** What shouting and advertising add: exclamation marks, currency, hashes, at signs, arrows. */
const SYMBOLS = /[!$#@%*<>|^~]/g;

/** The lower-cased words of a text. */
export function words(text: string): string[] {
  return (text.match(WORD) ?? []).map((w) => w.toLowerCase());
}

/** The features of one text (an empty text has length 0 and neutral ratios). */
export function qualityFeatures(text: string): QualityFeatures {
  const ws = words(text);
  const n = ws.length;
  const chars = Math.max(1, text.length);
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const upper = text.match(/\p{Lu}/gu)?.length ?? 0;
  const lower = text.toLowerCase();
  let boiler = 0;
  for (const p of BOILERPLATE_PHRASES) if (lower.includes(p)) boiler++;
  return {
    length: Math.log1p(n),
    uniqueWords: n === 0 ? 1 : new Set(ws).size / n,
    punctuation: (text.match(PUNCT)?.length ?? 0) / chars,
    symbols: ((text.match(SYMBOLS)?.length ?? 0) / chars) * 10,
    upperCase: letters === 0 ? 0 : upper / letters,
    wordLength: n === 0 ? 0 : ws.reduce((s, w) => s + w.length, 0) / n,
    repetition: repeatedNgrams(ws, 3),
    boilerplate: Math.min(3, boiler),
    lineBreaks: ((text.match(/\n/g)?.length ?? 0) / chars) * 100,
    stopwords: n === 0 ? 0 : ws.filter((w) => STOPWORDS.has(w)).length / n,
  };
}

/** Share of the word n-grams that repeat an earlier one: 0 for none, toward 1 for a loop. */
export function repeatedNgrams(ws: readonly string[], n: number): number {
  const total = ws.length - n + 1;
  if (total <= 1) return 0;
  const seen = new Set<string>();
  let repeats = 0;
  for (let i = 0; i < total; i++) {
    const g = ws.slice(i, i + n).join(' ');
    if (seen.has(g)) repeats++;
    else seen.add(g);
  }
  return repeats / total;
}

/** The features as a vector, in QUALITY_FEATURES order. */
export function featureVector(f: QualityFeatures): number[] {
  return QUALITY_FEATURES.map((q) => f[q.key]);
}
