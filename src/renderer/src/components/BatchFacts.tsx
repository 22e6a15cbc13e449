// The batch a training run steps on: micro-batch (one forward/backward), gradient accumulation steps,
// and the effective batch of one optimizer step (PPO: each minibatch's update is split instead).
import type { Run } from '../../../shared/schemas';

export function batchOf(
  run: Pick<Run, 'algorithm' | 'config'>,
): { micro: number; accum: number; effective: number } | null {
  const micro = run.config.batchSize;
  if (typeof micro !== 'number') return null;
  const accum =
    typeof run.config.gradientAccumulationSteps === 'number' ? run.config.gradientAccumulationSteps : 1;
  if (run.algorithm === 'ppo') {
    // PPO: batchSize rollouts per iteration, numMiniBatches updates, each in `accum` micro-batches.
    const minis = typeof run.config.numMiniBatches === 'number' ? run.config.numMiniBatches : 1;
    const perUpdate = Math.ceil(micro / minis);
    return { micro: Math.ceil(perUpdate / accum), accum, effective: perUpdate };
  }
  return { micro, accum, effective: micro * accum };
}

/** A `<div><dt/><dd/></div>` entry for the run page's facts list. */
export function BatchFacts({ run }: { run: Pick<Run, 'algorithm' | 'config'> }) {
  const b = batchOf(run);
  if (!b || run.algorithm === 'eval' || run.algorithm === 'cai') return null;
  return (
    <div>
      <dt>Batch</dt>
      <dd title="micro-batch (one forward/backward) × gradient accumulation steps = examples per optimizer step">
        {b.micro} × {b.accum} accumulation = {b.effective} effective
      </dd>
    </div>
  );
}
