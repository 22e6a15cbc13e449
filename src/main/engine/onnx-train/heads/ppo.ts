// PPO's clipped update (losses/ppo.ts, as trainers/ppo-update.ts ppoUpdate combines it) on the shared
// trunk: the policy's log-probs of the taken tokens at the sampling temperature (logits / temperature),
// ρ = exp((log π − log π_old)·mask), the clipped surrogate max(−A·ρ, −A·clip(ρ, 1 ± ε)), and the value
// head (a ScalarHead, `<valueHead>.weight` [D, 1] and `.bias` [1], read at every position) with the
// clipped value loss ½·max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²); every mean is over the
// response tokens (Σ mask·x / max(Σ mask, 1)), and loss = policy + vfCoef · value. Inputs [R, T]: `mask`
// (0/1), `old_logp`, `old_values`, `adv` (whitened advantages), `returns`. Rows and positions with
// mask 0 (padding) change nothing. The gradient follows tfjs's at ties and clip edges (graph.ts).
import type { Val } from '../graph';
import type { HeadDef } from './types';

export type PpoHeadSpec = {
  kind: 'ppo';
  temperature: number;
  clipRange: number;
  clipRangeValue: number;
  vfCoef: number;
  /** The value head's weight prefix (trainers/ppo.ts: `v_head`). */
  valueHead: string;
};

/** The update's statistics, in trainers/ppo-update.ts's order. */
export const PPO_STATS = [
  'loss/policy',
  'loss/value',
  'policy/clipfrac',
  'val/clipfrac',
  'policy/approxkl',
  'val/ratio',
] as const;

export const ppoHead: HeadDef<PpoHeadSpec> = {
  stats: () => PPO_STATS,
  build({ g, rows: R, seqLen: T, config, logits, hidden, targets, weight, input }, spec) {
    const mask = input('mask', [R, T]);
    const oldLogp = input('old_logp', [R, T]);
    const oldValues = input('old_values', [R, T]);
    const adv = input('adv', [R, T]);
    const returns = input('returns', [R, T]);
    // 1 / max(Σ mask, 1): the masked means' denominator, a constant of the step.
    const count = g.plain('ReduceSum', [mask, g.int64s([0, 1])], [], { keepdims: { int: 0 } });
    const inv = g.plain('Reciprocal', [g.plain('Max', [count, g.scalar(1)], [])], []);
    const maskedMean = (x: Val) => g.mul(g.reduceSum(g.mul(x, mask), [0, 1]), inv);
    const plainMean = (x: Val) =>
      g.plain(
        'Mul',
        [
          g.plain('ReduceSum', [g.plain('Mul', [x, mask], [R, T]), g.int64s([0, 1])], [], {
            keepdims: { int: 0 },
          }),
          inv,
        ],
        [],
      );
    const greater = (a: Val, b: Val) => g.cast(g.plain('Greater', [a, b], [R, T], {}, 'bool'), 'float');

    // Policy: the clipped surrogate.
    const scaled = spec.temperature === 1 ? logits : g.scale(logits, 1 / spec.temperature);
    const logp = g.tokenLogProbs(scaled, targets); // [R, T]
    const diff = g.mul(g.sub(logp, oldLogp), mask); // 0 off the mask
    const ratio = g.exp(diff);
    const a = g.plain('Neg', [adv], [R, T]);
    const unclipped = g.mul(a, ratio);
    const clipped = g.mul(a, g.clip(ratio, 1 - spec.clipRange, 1 + spec.clipRange));
    const pgLoss = maskedMean(g.maximum(unclipped, clipped));

    // Value: the clipped squared error of the value head's read of every position.
    const D = config.dModel;
    const w = weight(`${spec.valueHead}.weight`); // [D, 1]
    const b = weight(`${spec.valueHead}.bias`); // [1]
    const values = g.reshape(g.add(g.matmul(g.reshape(hidden, [R * T, D]), w), b), [R, T]);
    const vClipped = g.add(
      oldValues,
      g.clip(g.sub(values, oldValues), -spec.clipRangeValue, spec.clipRangeValue),
    );
    const d1 = g.sub(values, returns);
    const d2 = g.sub(vClipped, returns);
    const e1 = g.mul(d1, d1);
    const e2 = g.mul(d2, d2);
    const vfLoss = g.scale(maskedMean(g.maximum(e1, e2)), 0.5);

    const loss = g.add(pgLoss, g.scale(vfLoss, spec.vfCoef));
    const d = g.plain('Mul', [diff, diff], [R, T]);
    const stats = [
      pgLoss,
      vfLoss,
      plainMean(greater(clipped, unclipped)),
      plainMean(greater(e2, e1)),
      g.plain('Mul', [plainMean(d), g.scalar(0.5)], []),
      plainMean(ratio),
    ];
    return { loss, stats };
  },
};
