// The paired preference losses against a reference (losses/preference.ts), on pairs laid out as rows
// 0..b−1 chosen and b..2b−1 rejected. Each sequence's log-prob is Σ mask · log p(target) times its
// `row_scale` (1 for sums, 1/count for means); with h = (πc − rc) − (πr − rr) and reference log-probs
// `ref` [R], the batch mean of: sigmoid (1 − ε) softplus(−βh) + ε softplus(βh) (DPO, default); robust
// ((1 − ε) softplus(−βh) − ε softplus(βh)) / (1 − 2ε); hinge relu(1 − βh); ipo (h − 1/(2β))².
import type { Graph, Val } from '../graph';
import { meanOf, type HeadContext, type HeadDef } from './types';

export type PairedHeadSpec = {
  kind: 'dpo';
  beta: number;
  labelSmoothing: number;
  loss?: 'sigmoid' | 'robust' | 'hinge' | 'ipo';
};

export const PAIRED_STATS = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
] as const;

/** Per-sequence scaled log-probs [R] of the batch (`mask`, `row_scale` inputs) and b = R / 2. */
export function sequenceLogProbs({ g, rows: R, seqLen: T, logits, targets, input }: HeadContext): {
  seq: Val;
  b: number;
} {
  const b = R / 2;
  if (!Number.isInteger(b)) throw new Error('onnx-train: a paired batch needs an even number of rows');
  const lp = g.tokenLogProbs(logits, targets); // [R, T]
  const mask = input('mask', [R, T]);
  const rowScale = input('row_scale', [R]);
  return { seq: g.mul(g.reduceSum(g.mul(lp, mask), [1]), rowScale), b };
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

export const pairedHead: HeadDef<PairedHeadSpec> = {
  stats: () => PAIRED_STATS,
  build(ctx, head) {
    const { g, rows: R } = ctx;
    const { seq, b } = sequenceLogProbs(ctx);
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
    return { loss: g.mean(perPair, [0]), stats: pairedStats(g, head.beta, dc, dr, pc, pr) };
  },
};
