// KTO (Ethayarajh et al. 2024; losses/preference.ts ktoLoss, trainers/dpo-steps.ts ktoStep) on a batch
// of b unpaired examples in rows 0..b−1 and their KL pairs (each prompt with another example's
// completion) in rows b..2b−1, summed log-probs (`mask`; `row_scale` 1). With r = π − ref per example
// (`ref` [R] holds the examples' and the KL pairs' reference log-probs) and the reference point
// z0 = max(0, mean(π_KL − ref_KL)) taken without gradient (TRL computes the KL logits under no_grad,
// detaches and clamps), the batch mean of w_d σ(β (z0 − r)) for a desirable example and
// w_u σ(β (r − z0)) for an undesirable one, chosen per row by the 0/1 input `desirable` [b] so that one
// graph serves every mix of labels. The KL rows are frozen rows (types.ts): their forward pass takes
// no gradient and the backward pass covers the examples only, as tfjs's forward-only KL pass. Metrics:
// `kl` (z0) and sums over each side of the rewards β r and log-probs, which the trainer divides by
// its counts (a side absent from the batch reports nothing rather than NaN).
import { sequenceLogProbs } from './paired';
import type { HeadDef } from './types';

export type KtoHeadSpec = {
  kind: 'kto';
  beta: number;
  /** w_d and w_u (TRL `desirable_weight`, `undesirable_weight`). */
  desirableWeight: number;
  undesirableWeight: number;
};

export const KTO_STATS = [
  'kl',
  'sum/rewards/chosen',
  'sum/rewards/rejected',
  'sum/logps/chosen',
  'sum/logps/rejected',
] as const;

export const ktoHead: HeadDef<KtoHeadSpec> = {
  stats: () => KTO_STATS,
  frozenRows: (_spec, rows) => rows / 2,
  build(ctx, head) {
    const { g, rows: R } = ctx;
    const { seq, b } = sequenceLogProbs(ctx);
    const ref = ctx.input('ref', [R]);
    const desirable = ctx.input('desirable', [b]); // 1: desirable, 0: undesirable
    const undesirable = g.plain('Sub', [g.scalar(1), desirable], [b]);
    const policy = g.slice(seq, 0, 0, b); // [b]
    const policyKl = g.stopGradient(g.slice(seq, 0, b, R)); // [b], no gradient
    const refKl = g.plain('Slice', [ref, g.int64s([b]), g.int64s([R]), g.int64s([0])], [b]);
    const z0 = g.plain(
      'Relu',
      [g.plain('ReduceMean', [g.plain('Sub', [policyKl, refKl], [b])], [], { keepdims: { int: 0 } })],
      [],
    );
    const r = g.sub(policy, g.slice(ref, 0, 0, b)); // [b]
    const good = g.scale(g.sigmoid(g.scale(g.sub(z0, r), head.beta)), head.desirableWeight); // [b]
    const bad = g.scale(g.sigmoid(g.scale(g.sub(r, z0), head.beta)), head.undesirableWeight); // [b]
    const perRow = g.add(g.mul(good, desirable), g.mul(bad, undesirable)); // [b]
    const sumOver = (v: typeof r, side: typeof r) =>
      g.plain('ReduceSum', [g.plain('Mul', [v, side], [b])], [], { keepdims: { int: 0 } });
    const rewards = g.plain('Mul', [r, g.scalar(head.beta)], [b]);
    return {
      loss: g.mean(perRow, [0]),
      stats: [
        z0,
        sumOver(rewards, desirable),
        sumOver(rewards, undesirable),
        sumOver(policy, desirable),
        sumOver(policy, undesirable),
      ],
    };
  },
};
