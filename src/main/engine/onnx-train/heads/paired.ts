// The paired preference losses against a reference (losses/preference.ts), on pairs laid out as rows
// 0..b−1 chosen and b..2b−1 rejected. Each sequence's log-prob is Σ mask · log p(target) times its
// `row_scale` (1 for sums, 1/count for means); with h = (πc − rc) − (πr − rr) and reference log-probs
// `ref` [R], the batch mean of: sigmoid (1 − ε) softplus(−βh) + ε softplus(βh) (DPO, default); robust
// ((1 − ε) softplus(−βh) − ε softplus(βh)) / (1 − 2ε); hinge relu(1 − βh); ipo (h − 1/(2β))². With
// `rpoAlpha` > 0 (RPO, trainers/dpo-steps.ts pairedStep) the loss adds α × the chosen tokens' mean
// NLL, −Σ chosen log-probs / chosen tokens, reported as `nll_loss`.
import type { Graph, Val } from '../graph';
import { meanOf, type HeadContext, type HeadDef } from './types';

export type PairedHeadSpec = {
  kind: 'dpo';
  beta: number;
  labelSmoothing: number;
  loss?: 'sigmoid' | 'robust' | 'hinge' | 'ipo';
  /** RPO's α (TRL `rpo_alpha`); 0 or absent: off. */
  rpoAlpha?: number;
};

export const PAIRED_STATS = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
] as const;

/**
 * Per-sequence scaled log-probs `seq` [R] of the batch (`mask`, `row_scale` inputs), the unscaled sums
 * `sums` [R], each row's scored-token count `counts` [R] (untracked), and b = R / 2.
 */
export function sequenceLogProbs({ g, rows: R, seqLen: T, logits, targets, input }: HeadContext): {
  seq: Val;
  sums: Val;
  counts: Val;
  b: number;
} {
  const b = R / 2;
  if (!Number.isInteger(b)) throw new Error('onnx-train: a paired batch needs an even number of rows');
  const lp = g.tokenLogProbs(logits, targets); // [R, T]
  const mask = input('mask', [R, T]);
  const rowScale = input('row_scale', [R]);
  const sums = g.reduceSum(g.mul(lp, mask), [1]); // [R]
  const counts = g.plain('ReduceSum', [mask, g.int64s([1])], [R], { keepdims: { int: 0 } }); // [R]
  return { seq: g.mul(sums, rowScale), sums, counts, b };
}

/** TRL's reward metrics of β-scaled log-ratios dc, dr [b] and the policy's log-probs pc, pr [b]. */
export function pairedStats(g: Graph, beta: number, dc: Val, dr: Val, pc: Val, pr: Val): Val[] {
  const b = dc.shape[0]!;
  const chosenR = g.plain('Mul', [dc, g.scalar(beta)], [b]);
  const rejectedR = g.plain('Mul', [dr, g.scalar(beta)], [b]);
  const margins = g.plain('Sub', [chosenR, rejectedR], [b]);
  const acc = g.cast(g.plain('Greater', [margins, g.scalar(0)], [b], {}, 'bool'), 'float');
  return [chosenR, rejectedR, margins, acc, pc, pr].map((v) => meanOf(g, v));
}

/**
 * The chosen responses' NLL per token over the whole batch (RPO's and ORPO's SFT term, token-weighted
 * as TRL's cross-entropy): −Σ `chosenSums` / max(Σ chosen tokens, 1), a scalar.
 */
export function chosenNll(g: Graph, chosenSums: Val, chosenCounts: Val): Val {
  const tokens = g.plain(
    'Max',
    [g.plain('ReduceSum', [chosenCounts], [], { keepdims: { int: 0 } }), g.scalar(1)],
    [],
  );
  const inverse = g.plain('Div', [g.scalar(-1), tokens], []);
  return g.mul(g.reduceSum(chosenSums, [0]), inverse); // []
}

export const pairedHead: HeadDef<PairedHeadSpec> = {
  stats: (spec) => ((spec.rpoAlpha ?? 0) > 0 ? [...PAIRED_STATS, 'nll_loss'] : PAIRED_STATS),
  build(ctx, head) {
    const { g, rows: R } = ctx;
    const { seq, sums, counts, b } = sequenceLogProbs(ctx);
    const ref = ctx.input('ref', [R]);
    const pc = g.slice(seq, 0, 0, b);
    const pr = g.slice(seq, 0, b, R);
    const dc = g.sub(pc, g.slice(ref, 0, 0, b));
    const dr = g.sub(pr, g.slice(ref, 0, b, R));
    const h = g.sub(dc, dr); // [b]
    const eps = head.labelSmoothing;
    const type = head.loss ?? 'sigmoid';
    let perPair: Val;
    if (type === 'hinge') perPair = g.relu(g.add(g.scale(h, -head.beta), g.scalar(1)));
    else if (type === 'ipo') {
      const d = g.add(h, g.scalar(-1 / (2 * head.beta)));
      perPair = g.mul(d, d);
    } else {
      perPair = g.scale(g.softplus(g.scale(h, -head.beta)), 1 - eps);
      if (eps > 0) {
        const other = g.scale(g.softplus(g.scale(h, head.beta)), eps);
        perPair =
          type === 'robust' ? g.scale(g.sub(perPair, other), 1 / (1 - 2 * eps)) : g.add(perPair, other);
      }
    }
    let loss = g.mean(perPair, [0]);
    const stats = pairedStats(g, head.beta, dc, dr, pc, pr);
    const alpha = head.rpoAlpha ?? 0;
    if (alpha > 0) {
      const chosenCounts = g.plain('Slice', [counts, g.int64s([0]), g.int64s([b]), g.int64s([0])], [b]);
      const nll = chosenNll(g, g.slice(sums, 0, 0, b), chosenCounts);
      loss = g.add(loss, g.scale(nll, alpha));
      stats.push(nll);
    }
    return { loss, stats };
  },
};
