// The DPO tutorial's synthetic preference data: 200 pairs of 16-token sequences over a vocabulary of
// 50, where the chosen sequence uses only tokens 0–24 and the rejected one only tokens 25–49. A policy
// that learns "prefer low tokens" wins every pair; there is no prompt and no text.
import { mulberry32 } from '../random';
import { rowsFromSequences, type PreferenceTokens } from './preference-pairs';

export const SEED_DPO = { pairs: 200, vocabSize: 50, length: 16 } as const;

/** Seeded: the same seed gives the same pairs. Every token after the first is scored. */
export function seedDpoData(seed: number): PreferenceTokens {
  const rng = mulberry32(seed ^ 0x5eed);
  const half = SEED_DPO.vocabSize / 2;
  const chosen: number[][] = [];
  const rejected: number[][] = [];
  for (let i = 0; i < SEED_DPO.pairs; i++) {
    chosen.push(Array.from({ length: SEED_DPO.length }, () => rng.int(0, half)));
    rejected.push(Array.from({ length: SEED_DPO.length }, () => rng.int(half, SEED_DPO.vocabSize)));
  }
  return {
    n: SEED_DPO.pairs,
    T: SEED_DPO.length - 1,
    maxId: SEED_DPO.vocabSize - 1,
    chosen: rowsFromSequences(chosen),
    rejected: rowsFromSequences(rejected),
    notes: [],
  };
}
