// Calibration: does a model's confidence in its answers match how often they are right? Each item
// carries a confidence in [0, 1] (here: the mean per-token probability the model gave its own greedy
// reply, `replyConfidence`) and a correctness in {0, 1} (the gold judge's `correct`). The items are
// put in equal-width confidence bins; the reliability diagram plots each bin's accuracy against its
// mean confidence (a calibrated model lies on the diagonal), and the expected calibration error is
//   ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|
// (Guo et al. 2017, "On Calibration of Modern Neural Networks"). Pure; no model here.

export interface CalibrationItem {
  /** The model's confidence in its answer, in [0, 1]. */
  confidence: number;
  /** 1 when the answer is right, else 0. */
  correct: number;
}

export interface CalibrationBin {
  /** The bin covers [lo, hi) (the last one [lo, 1]). */
  lo: number;
  hi: number;
  n: number;
  /** Mean confidence of the bin's items (null for an empty bin). */
  confidence: number | null;
  /** Share of the bin's items that are right (null for an empty bin). */
  accuracy: number | null;
}

export interface CalibrationReport {
  n: number;
  /** Expected calibration error, in [0, 1]; 0 when there are no items. */
  ece: number;
  meanConfidence: number;
  accuracy: number;
  bins: CalibrationBin[];
}

/** Bin index of a confidence among `bins` equal-width bins; 1 goes in the last one. */
export function binOf(confidence: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
}

/** The reliability diagram and ECE of `items` over `bins` equal-width bins (default 10). */
export function calibrate(items: readonly CalibrationItem[], bins = 10): CalibrationReport {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`calibration: bins must be ≥ 1, got ${bins}`);
  const sums = Array.from({ length: bins }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const [i, it] of items.entries()) {
    if (!(it.confidence >= 0 && it.confidence <= 1))
      throw new Error(`calibration: item ${i + 1} has confidence ${it.confidence}, outside [0, 1]`);
    const s = sums[binOf(it.confidence, bins)]!;
    s.n += 1;
    s.conf += it.confidence;
    s.right += it.correct;
  }
  const N = items.length;
  let ece = 0;
  const out = sums.map((s, b): CalibrationBin => {
    const confidence = s.n === 0 ? null : s.conf / s.n;
    const accuracy = s.n === 0 ? null : s.right / s.n;
    if (s.n > 0) ece += (s.n / N) * Math.abs(accuracy! - confidence!);
    return { lo: b / bins, hi: (b + 1) / bins, n: s.n, confidence, accuracy };
  });
  const mean = (f: (x: CalibrationItem) => number) => (N === 0 ? 0 : items.reduce((a, x) => a + f(x), 0) / N);
  return {
    n: N,
    ece,
    meanConfidence: mean((x) => x.confidence),
    accuracy: mean((x) => x.correct),
    bins: out,
  };
}

/**
 * A reply's confidence from the log-probabilities of its tokens: exp(mean log p), the geometric mean
 * of the token probabilities (the sequence probability normalised by length). An empty reply has none.
 */
export function meanTokenProbability(tokenLogProbs: readonly number[]): number | null {
  if (tokenLogProbs.length === 0) return null;
  return Math.exp(tokenLogProbs.reduce((a, x) => a + x, 0) / tokenLogProbs.length);
}
