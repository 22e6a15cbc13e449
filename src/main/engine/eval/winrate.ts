// Win rate against a reference model: both models answer the same prompts, a judge scores both
// replies, and the model wins an item when its score is higher, ties when equal, loses when lower.
//   win rate = (wins + ½ · ties) / n
// so a model against itself scores exactly 0.5. The judge is the sandbox's gold judge, or a trained
// reward model (a proxy), so that what the proxy prefers can be set beside what is true. Pure.

export type Outcome = 'win' | 'tie' | 'loss';

export interface WinRateReport {
  n: number;
  wins: number;
  ties: number;
  losses: number;
  /** (wins + ties / 2) / n; 0.5 when there are no items (no evidence either way). */
  winRate: number;
}

/** The outcome of one item for the evaluated model; scores closer than `eps` tie. */
export function outcomeOf(modelScore: number, referenceScore: number, eps = 1e-9): Outcome {
  const d = modelScore - referenceScore;
  return Math.abs(d) <= eps ? 'tie' : d > 0 ? 'win' : 'loss';
}

export function winRate(outcomes: readonly Outcome[]): WinRateReport {
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const [wins, ties, losses] = [count('win'), count('tie'), count('loss')];
  const n = outcomes.length;
  return { n, wins, ties, losses, winRate: n === 0 ? 0.5 : (wins + ties / 2) / n };
}
