// The paired preference losses without a reference (losses/preference.ts referenceFreeLoss), on pairs
// laid out as the paired head's (rows 0..b−1 chosen, b..2b−1 rejected) with per-token AVERAGE log-probs
// a (`row_scale` = 1 / count). Rewards are β · a, as TRL reports them.
// - orpo (Hong et al. 2024): logOdds(a) = a − log(1 − e^min(a, −1e-6)) (1 − eˣ as oneMinusExp),
//   o = logOdds(a_c) − logOdds(a_r); per pair nll + λ softplus(−o) with nll_i = −a_c,i · n_i / mean(n)
//   (the chosen tokens' NLL, token-weighted over the batch as TRL's cross-entropy); metrics also
//   `log_odds_ratio` (mean log σ(o)), `log_odds_chosen` (mean o) and `nll_loss`.
// - simpo (Meng et al. 2024): z = β (a_c − a_r) − γ, per pair (1 − ε) softplus(−z) + ε softplus(z).
import type { Graph, Val } from '../graph';
import { PAIRED_STATS, pairedStats, sequenceLogProbs } from './paired';
import { meanOf, type HeadDef } from './types';

/** ORPO; `beta` is λ, the weight of the odds-ratio term (TRL ORPOConfig `beta`). */
export type OrpoHeadSpec = { kind: 'orpo'; beta: number };

/** SimPO: temperature β, target margin γ, label smoothing ε. */
export type SimpoHeadSpec = { kind: 'simpo'; beta: number; gamma: number; labelSmoothing: number };

/**
 * 1 − eˣ for x ≤ 0 (−expm1(x), which ONNX lacks), accurate near 0 where 1 − Exp(x) would lose the
 * digits (at x = −1e-6, float32's Exp leaves ~6 % error): the Taylor series −x(1 + x/2 + x²/6 + x³/24)
 * for x > −0.01 (truncation ~x⁵/120), 1 − eˣ below, blended by an untracked 0/1 mask so the gradient
 * comes from the branch in use.
 */
export function oneMinusExp(g: Graph, x: Val): Val {
  const poly = g.add(g.mul(x, g.add(g.scale(x, 1 / 24), g.scalar(1 / 6))), g.scalar(0.5));
  const series = g.neg(g.mul(x, g.add(g.mul(x, poly), g.scalar(1))));
  const direct = g.sub(g.scalar(1), g.exp(x));
  const far = g.cast(g.plain('Less', [x, g.scalar(-0.01)], x.shape, {}, 'bool'), 'float');
  const near = g.plain('Sub', [g.scalar(1), far], x.shape);
  return g.add(g.mul(direct, far), g.mul(series, near));
}

export const ORPO_STATS = [...PAIRED_STATS, 'log_odds_ratio', 'log_odds_chosen', 'nll_loss'] as const;

export const orpoHead: HeadDef<OrpoHeadSpec> = {
  stats: () => ORPO_STATS,
  build(ctx, head) {
    const { g, rows: R } = ctx;
    const { seq, counts, b } = sequenceLogProbs(ctx);
    const pc = g.slice(seq, 0, 0, b); // [b]
    const pr = g.slice(seq, 0, b, R); // [b]
    // log(p / (1 − p)) of an average log-prob; 1 − e^a with a ≤ −1e-6 stays above 0.
    const logOdds = (a: Val) => g.sub(a, g.log(oneMinusExp(g, g.minimum(a, g.scalar(-1e-6)))));
    const ratio = g.sub(logOdds(pc), logOdds(pr)); // [b]
    // nll_i = −a_c,i · n_i · b / max(Σ n, 1)
    const chosenCounts = g.plain('Slice', [counts, g.int64s([0]), g.int64s([b]), g.int64s([0])], [b]);
    const tokens = g.plain(
      'Max',
      [g.plain('ReduceSum', [chosenCounts], [], { keepdims: { int: 0 } }), g.scalar(1)],
      [],
    );
    const weight = g.plain('Div', [g.plain('Mul', [chosenCounts, g.scalar(-b)], [b]), tokens], [b]);
    const nll = g.mul(pc, weight); // [b]
    const perPair = g.add(nll, g.scale(g.softplus(g.neg(ratio)), head.beta)); // [b]
    const logSigmoid = g.plain('Neg', [g.plain('Softplus', [g.plain('Neg', [ratio], [b])], [b])], [b]);
    const stats = [
      ...pairedStats(g, head.beta, pc, pr, pc, pr),
      meanOf(g, logSigmoid),
      meanOf(g, ratio),
      meanOf(g, nll),
    ];
    return { loss: g.mean(perPair, [0]), stats };
  },
};

export const simpoHead: HeadDef<SimpoHeadSpec> = {
  stats: () => PAIRED_STATS,
  build(ctx, head) {
    const { g, rows: R } = ctx;
    const { seq, b } = sequenceLogProbs(ctx);
    const pc = g.slice(seq, 0, 0, b); // [b]
    const pr = g.slice(seq, 0, b, R); // [b]
    const z = g.add(g.scale(g.sub(pc, pr), head.beta), g.scalar(-head.gamma)); // [b]
    const eps = head.labelSmoothing;
    let perPair = g.softplus(g.neg(z));
    if (eps > 0) perPair = g.add(g.scale(perPair, 1 - eps), g.scale(g.softplus(z), eps));
    return { loss: g.mean(perPair, [0]), stats: pairedStats(g, head.beta, pc, pr, pc, pr) };
  },
};
