// The reward model's Bradley-Terry loss (losses/reward.ts) on the shared trunk: a scalar head
// (model/heads.ts ScalarHead, `<prefix>.weight` [D, 1] and `<prefix>.bias` [1]) read at each row's last
// non-padding token, rows laid out as 0..b−1 chosen and b..2b−1 rejected (trainers/reward-steps.ts).
// Per pair: softplus(−(r_c − r_r − m)) + c·(r_c + r_r)², and the loss is the batch mean. Inputs: `last`
// [R, T], one 1 per row at the token the reward is read at (a one-hot pick, as ScalarHead.atLast);
// `margin` [b], each pair's margin (zeros when the run uses none). The pick comes first (a batched
// [1, T] @ [T, D] per row), so the head is one [R, D] @ [D, 1] product: the same value as reading the
// head at every position and summing with the one-hot. Metrics are TRL's, as losses/reward.ts.
import type { HeadDef } from './types';
import { meanOf } from './types';

export type RewardHeadSpec = {
  kind: 'reward';
  /** The scalar head's weight prefix (reward-score.ts REWARD_HEAD: `score`). */
  prefix: string;
  /** c of the centring term c·(r_c + r_r)² (TRL center_rewards_coefficient; 0 = off). */
  centerCoefficient: number;
};

/** The step's metrics, in losses/reward.ts's (and trainers/reward-steps.ts's) names. */
export const REWARD_STATS = ['accuracy', 'margin', 'mean_reward', 'min_reward', 'max_reward'] as const;

export const rewardHead: HeadDef<RewardHeadSpec> = {
  stats: () => REWARD_STATS,
  build({ g, rows: R, seqLen: T, config, hidden, weight, input }, spec) {
    const b = R / 2;
    if (!Number.isInteger(b)) throw new Error('onnx-train: a reward batch needs an even number of rows');
    const D = config.dModel;
    const last = input('last', [R, T]);
    const margin = input('margin', [b]);
    const atLast = g.reshape(g.matmul(g.reshape(last, [R, 1, T]), hidden), [R, D]); // [R, D]
    const w = weight(`${spec.prefix}.weight`); // [D, 1]
    const bias = weight(`${spec.prefix}.bias`); // [1]
    const rewards = g.add(g.reshape(g.matmul(atLast, w), [R]), bias); // [R]
    const chosen = g.slice(rewards, 0, 0, b);
    const rejected = g.slice(rewards, 0, b, R);
    const diff = g.sub(chosen, rejected); // [b]
    let perPair = g.softplus(g.neg(g.sub(diff, margin))); // −log σ(r_c − r_r − m)
    if (spec.centerCoefficient > 0) {
      const sum = g.add(chosen, rejected);
      perPair = g.add(perPair, g.scale(g.mul(sum, sum), spec.centerCoefficient));
    }
    const reduce = (op: 'ReduceMin' | 'ReduceMax') => g.plain(op, [rewards], [], { keepdims: { int: 0 } }); // opset 17: no axes = every axis
    const wins = g.cast(g.plain('Greater', [chosen, rejected], [b], {}, 'bool'), 'float');
    return {
      loss: g.mean(perPair, [0]),
      stats: [meanOf(g, wins), meanOf(g, diff), meanOf(g, rewards), reduce('ReduceMin'), reduce('ReduceMax')],
    };
  },
};
