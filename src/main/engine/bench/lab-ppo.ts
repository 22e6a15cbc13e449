// The `ppo-lab` benchmark workload: one PPO iteration as trainers/ppo.ts runs it, assembled from the
// trainer's own pieces in the trainer's order, with a clock around each part — rollouts (the policy
// exported to onnxruntime and sampled, as the lab does by default), the reward (a reward model's scores
// on onnxruntime), the targets (the frozen reference's log-probs on onnxruntime, the old log-probs and
// values on tfjs, GAE) and the update (`ppoEpochs` clipped updates on the chosen training engine, then
// the weights copied back to tfjs when that engine is onnx). What it leaves out is per run, not per
// iteration: loading, the reference's export, the metrics and checkpoints. Keep it in step with
// trainers/ppo.ts when the iteration changes there.
import { PpoConfig, type InferenceInfo } from '../../../shared/schemas';
import { loadModel } from '../checkpoint';
import { ScalarHead } from '../model/heads';
import { openScorer } from '../onnx/engine';
import { copyWeightsTo } from '../onnx-train/choose';
import { rewardFromModel } from '../rewards';
import { endOfTurn } from '../tasks/ppo';
import { Adam, PLAIN_ADAM, paramsOf } from '../trainers/common';
import { assemble, collectRollouts, fitPrompts } from '../trainers/ppo-rollouts';
import { openPpoTrainer, optimiseOn, referenceLogProbs, targetsOn } from '../trainers/ppo-update';
import type { LabFixture } from './lab-fixture';

/** Seconds of one iteration and of each of its parts. */
export interface PpoIterationTimes {
  total: number;
  rollouts: number;
  reward: number;
  targets: number;
  update: number;
  /** Response tokens sampled in the iteration. */
  responseTokens: number;
  /** Where the rollouts were sampled. */
  inference: InferenceInfo;
}

export interface PpoBench {
  /** Runs the next iteration (1, 2, … as a run would) and times it. */
  iterate(signal?: AbortSignal): Promise<PpoIterationTimes>;
  /** Trainable parameters (policy + value head). */
  params: number;
  dispose(): Promise<void>;
}

export interface PpoBenchOptions {
  /** Rollouts per iteration (prompts). */
  prompts: number;
  /** Most new tokens per rollout. */
  newTokens: number;
  /** Passes over the rollouts per iteration. */
  epochs: number;
  /** onnxruntime intra-op threads for the onnx updates. */
  threads: number;
}

/** A PPO run's state on `fx`'s policy and reward model, its updates on `engine`. */
export async function openPpoBench(
  fx: LabFixture,
  engine: 'tfjs' | 'onnx',
  opts: PpoBenchOptions,
): Promise<PpoBench> {
  const config = PpoConfig.parse({
    rewardSource: 'model',
    batchSize: opts.prompts,
    maxNewTokens: opts.newTokens,
    ppoEpochs: opts.epochs,
    trainingEngine: engine,
    samplesPerIteration: 0,
  });
  const policy = (await loadModel(fx.policyPath, true)).model;
  const reference = policy.clone(false);
  const vHead = ScalarHead.init('v_head', policy.config.dModel, config.seed);
  const params = paramsOf(policy, vHead);
  const adam = new Adam(params, PLAIN_ADAM);
  const onnx =
    engine === 'onnx'
      ? await openPpoTrainer(policy, vHead, config, PLAIN_ADAM, { threads: opts.threads })
      : undefined;
  const refScoring = await openScorer(reference, { logprobs: true }, { label: 'reference log-probs' });
  const reward = await rewardFromModel(fx.rewardPath, 'chatml');
  const raw = Array.from({ length: config.batchSize }, (_, i) => ({
    text: fx.prompts[i % fx.prompts.length]!,
    ids: fx.promptIds(i),
  }));
  const { prompts } = fitPrompts(raw, config.maxNewTokens, policy.config);
  const stops = { tokenizer: fx.tokenizer, ...endOfTurn(fx.tokenizer, config.template) };
  let iteration = 0;
  return {
    params: [...params.values()].reduce((n, v) => n + v.size, 0),
    async iterate(signal = new AbortController().signal) {
      iteration++;
      const t0 = performance.now();
      const ids = prompts.map((p) => p.ids);
      const sampled = await collectRollouts(policy, ids, stops, config, iteration, signal);
      if (!sampled.rollouts) throw new Error('ppo-lab: cancelled');
      const rollouts = sampled.rollouts;
      const t1 = performance.now();
      const scores = await reward(prompts.map((p, i) => ({ prompt: p.text, response: rollouts[i]!.text })));
      const t2 = performance.now();
      const data = assemble(
        ids,
        rollouts.map((r) => r.ids),
      );
      const refLogp = await referenceLogProbs(refScoring.session, reference, data, config);
      const { targets } = await targetsOn(
        { onnx, policy, vHead, adam, params },
        refLogp,
        data,
        scores,
        config.klCoef,
        config,
      );
      const t3 = performance.now();
      const update = await optimiseOn(
        { onnx, policy, vHead, adam, params },
        data,
        targets,
        config,
        iteration,
      );
      if ('failed' in update)
        throw new Error(`ppo-lab: the loss became ${update.failed.loss} at iteration ${iteration}`);
      if (onnx) copyWeightsTo(policy, onnx, params);
      const t4 = performance.now();
      const s = (a: number, b: number) => (b - a) / 1000;
      return {
        total: s(t0, t4),
        rollouts: s(t0, t1),
        reward: s(t1, t2),
        targets: s(t2, t3),
        update: s(t3, t4),
        responseTokens: data.responseTokens,
        inference: sampled.info,
      };
    },
    async dispose() {
      await refScoring.session?.release();
      reward.dispose?.();
      await onnx?.release();
      policy.dispose();
      reference.dispose();
      vHead.dispose();
      adam.dispose();
    },
  };
}
