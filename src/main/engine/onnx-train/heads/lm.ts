// The masked next-token head (pretraining and SFT): loss = −Σ weights · log p(target), where the batch's
// `weights` [R, T] are mask / scored tokens, so the loss is the mean over scored tokens. Metric: how many
// scored positions the argmax got right (`correct`; the trainer divides by its count).
import type { HeadDef } from './types';

export type LmHeadSpec = { kind: 'sft' };

export const lmHead: HeadDef<LmHeadSpec> = {
  stats: () => ['correct'],
  build({ g, rows: R, seqLen: T, logits, targets, input }) {
    const weights = input('weights', [R, T]);
    const lp = g.tokenLogProbs(logits, targets); // [R, T]
    const loss = g.neg(g.reduceSum(g.mul(lp, weights), [0, 1])); // []
    const argmax = g.plain('ArgMax', [logits], [R, T], { axis: { int: -1 }, keepdims: { int: 0 } }, 'int64');
    const hit = g.cast(g.plain('Equal', [argmax, targets], [R, T], {}, 'bool'), 'float');
    const scored = g.cast(g.plain('Greater', [weights, g.scalar(0)], [R, T], {}, 'bool'), 'float');
    const correct = g.plain('ReduceSum', [g.plain('Mul', [hit, scored], [R, T]), g.int64s([0, 1])], [], {
      keepdims: { int: 0 },
    });
    return { loss, stats: [correct] };
  },
};
