// The text features a feature-based reward model reads from a (prompt, response) pair: how long the
// response is (alone and against the prompt), how much of the question it takes up, how many new words
// it brings, and every quality feature of the response (engine/quality) with the quality score itself.
// Pure and cheap. What they cannot see: whether a fact is right, or whether a refusal was called for.
import { QUALITY_FEATURES, featureVector, qualityFeatures, scoreText, words } from '../quality';

/** The feature names, in vector order. */
export const PAIR_FEATURES: readonly string[] = [
  'response_length',
  'length_ratio',
  'question_overlap',
  'new_word_share',
  ...QUALITY_FEATURES.map((f) => `quality/${f.key}`),
  'quality/score',
];

/** Words that carry a question's topic: longer than two letters, not a question word. */
const QUESTION_WORDS = new Set(['what', 'which', 'who', 'how', 'where', 'when', 'why', 'the', 'and', 'does']);
const contentWords = (text: string): string[] =>
  words(text).filter((w) => w.length > 2 && !QUESTION_WORDS.has(w));

/** The features of one (prompt, response), in PAIR_FEATURES order. */
export function pairFeatures(prompt: string, response: string): number[] {
  const pw = words(prompt).length;
  const rw = words(response).length;
  const asked = new Set(contentWords(prompt));
  const said = contentWords(response);
  const saidSet = new Set(said);
  const overlap = asked.size === 0 ? 0 : [...asked].filter((w) => saidSet.has(w)).length / asked.size;
  const fresh = said.length === 0 ? 0 : said.filter((w) => !asked.has(w)).length / said.length;
  return [
    Math.log1p(rw),
    Math.log((rw + 1) / (pw + 1)),
    overlap,
    fresh,
    ...featureVector(qualityFeatures(response)),
    scoreText(response).score,
  ];
}
