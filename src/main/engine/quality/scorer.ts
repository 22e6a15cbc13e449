// The quality scorer: a tiny MLP (D → 8 tanh → 1, a logistic output) over the features of features.ts, trained on clean sandbox
// text (a world's corpus, SFT pairs, preference pairs and safety data) against noise made from it
// (noise.ts), and an explanation of each score by occlusion: which features, set to a clean text's
// typical value, would raise it most. Pure; trained deterministically in a few milliseconds on first
// use (`defaultQualityModel`), so there are no weights to ship or keep in step with the features.
// What it is not: a judge of truth or helpfulness (a wrong answer written cleanly scores high).
import { mulberry32, type Rng } from '../random';
import { generateWorld, renderCorpus, renderPreferencePairs, renderSafety, renderSftPairs } from '../world';
import { QUALITY_FEATURES, featureVector, qualityFeatures, type QualityFeature } from './features';
import { NOISE_KINDS, makeNoise, vocabulary, type NoiseKind } from './noise';

export interface QualityModel {
  /** Per feature (QUALITY_FEATURES order): training mean and standard deviation, for standardising. */
  mean: number[];
  std: number[];
  /** The MLP on the standardised features z: P(clean) = σ(w2 · tanh(W1 z + b1) + b2). W1: [H][D]. */
  w1: number[][];
  b1: number[];
  w2: number[];
  b2: number;
  /** Per feature: the median over the clean training texts (raw units), the "typical" value. */
  typical: number[];
}

/** Why a score is low: a feature whose clean-typical value would raise the score by `effect`. */
export interface QualityReason {
  feature: QualityFeature;
  label: string;
  value: number;
  typical: number;
  /** Log-odds of clean with this feature at its typical value, minus the text's: > 0 pulled it down. */
  effect: number;
}

export interface QualityScore {
  /** Estimated probability that the text is clean, in [0, 1]. */
  score: number;
  /** The features that pulled the score down, largest effect first (at most three, ≥ 0.25 log-odds). */
  reasons: QualityReason[];
}

/** Clean texts of one sandbox world: corpus documents, prompts and responses of every rendered set. */
export function cleanWorldTexts(seed: number): string[] {
  const world = generateWorld({ seed, size: 'tiny' });
  const safety = renderSafety(world);
  const out = new Set<string>(renderCorpus(world));
  for (const p of renderSftPairs(world)) out.add(p.prompt).add(p.response);
  for (const p of renderPreferencePairs(world)) out.add(p.chosen).add(p.rejected);
  for (const h of safety.harmful) out.add(h.refusal);
  for (const b of safety.benign) out.add(b.prompt).add(b.response);
  return [...out];
}

/** One noisy text per clean text, the kinds in turn, seeded. */
export function noisyTexts(clean: readonly string[], seed: number): { text: string; kind: NoiseKind }[] {
  const rng: Rng = mulberry32((seed ^ 0x0bad_5eed) >>> 0);
  const vocab = vocabulary(clean);
  return clean.map((c, i) => {
    const kind = NOISE_KINDS[i % NOISE_KINDS.length]!;
    return { text: makeNoise(kind, c, vocab, rng), kind };
  });
}

/** Hidden units of the scorer's MLP: enough for two-sided features (too little punctuation is salad,
 * too much is spam), few enough to train in milliseconds. */
const HIDDEN = 8;

/**
 * Fits the model by full-batch Adam on the class-balanced mean logistic loss (+ a small L2 penalty)
 * from a seeded initialisation: deterministic for the same texts.
 */
export function trainQualityModel(
  clean: readonly string[],
  noisy: readonly string[],
  opts: { iterations?: number; seed?: number } = {},
): QualityModel {
  if (clean.length === 0 || noisy.length === 0) throw new Error('quality model: needs clean and noisy texts');
  const xs = [...clean, ...noisy].map((t) => featureVector(qualityFeatures(t)));
  const ys = [...clean.map(() => 1), ...noisy.map(() => 0)];
  const d = QUALITY_FEATURES.length;
  const n = xs.length;
  const mean = Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + x[j]!, 0) / n);
  const std = Array.from({ length: d }, (_, j) => {
    const v = xs.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / n;
    return Math.sqrt(v) || 1;
  });
  const zs = xs.map((x) => x.map((v, j) => (v - mean[j]!) / std[j]!));
  // Each class weighs half, whatever the counts.
  const weightOf = ys.map((y) => 0.5 / (y === 1 ? clean.length : noisy.length));
  const rng = mulberry32(opts.seed ?? 1);
  // Parameters in one flat array: W1 [H·D], b1 [H], w2 [H], b2 [1]; Adam on it.
  const P = HIDDEN * d + HIDDEN + HIDDEN + 1;
  const p = new Float64Array(P);
  for (let i = 0; i < HIDDEN * d; i++) p[i] = rng.normal() / Math.sqrt(d);
  for (let h = 0; h < HIDDEN; h++) p[HIDDEN * d + HIDDEN + h] = rng.normal() / Math.sqrt(HIDDEN);
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const g = new Float64Array(P);
  const hid = new Float64Array(HIDDEN);
  const [lr, b1, b2, eps, l2] = [0.05, 0.9, 0.999, 1e-8, 1e-4];
  const oB1 = HIDDEN * d;
  const oW2 = oB1 + HIDDEN;
  const oB2 = oW2 + HIDDEN;
  for (let it = 1; it <= (opts.iterations ?? 100); it++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const z = zs[i]!;
      let s = p[oB2]!;
      for (let h = 0; h < HIDDEN; h++) {
        let a = p[oB1 + h]!;
        for (let j = 0; j < d; j++) a += p[h * d + j]! * z[j]!;
        hid[h] = Math.tanh(a);
        s += p[oW2 + h]! * hid[h]!;
      }
      const err = (sigmoid(s) - ys[i]!) * weightOf[i]!; // dLoss/ds
      g[oB2]! += err;
      for (let h = 0; h < HIDDEN; h++) {
        g[oW2 + h]! += err * hid[h]!;
        const da = err * p[oW2 + h]! * (1 - hid[h]! * hid[h]!);
        g[oB1 + h]! += da;
        for (let j = 0; j < d; j++) g[h * d + j]! += da * z[j]!;
      }
    }
    for (let k = 0; k < P; k++) {
      const gk = g[k]! + l2 * p[k]!;
      m1[k] = b1 * m1[k]! + (1 - b1) * gk;
      m2[k] = b2 * m2[k]! + (1 - b2) * gk * gk;
      p[k]! -= (lr * (m1[k]! / (1 - b1 ** it))) / (Math.sqrt(m2[k]! / (1 - b2 ** it)) + eps);
    }
  }
  const typical = Array.from({ length: d }, (_, j) => median(clean.map((_, i) => xs[i]![j]!)));
  return {
    mean,
    std,
    w1: Array.from({ length: HIDDEN }, (_, h) => Array.from(p.subarray(h * d, (h + 1) * d))),
    b1: Array.from(p.subarray(oB1, oB1 + HIDDEN)),
    w2: Array.from(p.subarray(oW2, oW2 + HIDDEN)),
    b2: p[oB2]!,
    typical,
  };
}

let cached: QualityModel | null = null;

/** The lab's scorer: trained once per process on a tiny sandbox world (seed 101) and noise made from it. */
export function defaultQualityModel(): QualityModel {
  if (!cached) {
    const clean = cleanWorldTexts(101);
    cached = trainQualityModel(
      clean,
      noisyTexts(clean, 101).map((t) => t.text),
    );
  }
  return cached;
}

/** P(clean) of a feature vector (raw units). */
export function scoreVector(m: QualityModel, x: readonly number[]): number {
  return sigmoid(logitVector(m, x));
}

/** log-odds of clean, the MLP's output before the sigmoid. */
export function logitVector(m: QualityModel, x: readonly number[]): number {
  let s = m.b2;
  m.w1.forEach((row, h) => {
    let a = m.b1[h]!;
    for (let j = 0; j < x.length; j++) a += row[j]! * ((x[j]! - m.mean[j]!) / m.std[j]!);
    s += m.w2[h]! * Math.tanh(a);
  });
  return s;
}

/** A text's score and, when some features pulled it down, why. */
export function scoreText(text: string, m: QualityModel = defaultQualityModel()): QualityScore {
  const x = featureVector(qualityFeatures(text));
  const logit = logitVector(m, x);
  const score = sigmoid(logit);
  const reasons: QualityReason[] = [];
  QUALITY_FEATURES.forEach((f, j) => {
    const typical = m.typical[j]!;
    // In log-odds, so that a feature still counts when others have already pushed the score to ~0.
    const effect =
      logitVector(
        m,
        x.map((v, k) => (k === j ? typical : v)),
      ) - logit;
    if (effect >= 0.25) reasons.push({ feature: f.key, label: f.label, value: x[j]!, typical, effect });
  });
  reasons.sort((a, b) => b.effect - a.effect);
  return { score, reasons: reasons.slice(0, 3) };
}

function sigmoid(s: number): number {
  return 1 / (1 + Math.exp(-s));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
