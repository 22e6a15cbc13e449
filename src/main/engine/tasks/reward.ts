// A reward-model run as the lab starts it: render each text pair as two one-turn conversations (the
// prompt as the user's message, each response as the assistant's) through the chat template, with the
// base model's tokenizer or, without a base model, the byte tokenizer on fresh weights; then train
// (trainers/reward.ts). Each sequence ends at the assistant's end-of-turn token, where the reward is
// read; reward-score.ts renders the same way when the model is used. The produced model keeps the
// base's tokenizer (copied into the run's folder). `rewardKind: 'features'` trains feature-reward/ instead.
import { baseTokenizer } from './base-tokenizer';
import type { RewardConfig } from '../../../shared/schemas';
import { renderForReward } from '../reward-score';
import { trainReward, type RewardPairIds } from '../trainers/reward';
import { trainFeatureReward } from '../feature-reward/train';
import { isFeatureRewardPath } from '../feature-reward/model';
import type { TrainContext, TrainEvent } from '../types';

export interface RewardTaskInputs {
  kind: 'text';
  /** Preference pairs; `margin` (how much better the chosen is) is used when `config.useMargin`. */
  pairs: { prompt: string; chosen: string; rejected: string; margin?: number; flipped?: boolean }[];
  /** The base model's weights file (`.safetensors`) and lab id: the trunk starts from it. */
  base?: { path: string; id: number };
}

export async function* runRewardTask(
  config: RewardConfig,
  inputs: RewardTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  if (config.rewardKind === 'features') {
    // A feature-based reward model reads text features, not tokens: no base model, template or tokenizer.
    if (inputs.base)
      yield { type: 'log', message: 'A feature-based reward model does not use the base model' };
    yield* trainFeatureReward(config, inputs.pairs, ctx);
    return;
  }
  if (inputs.base && isFeatureRewardPath(inputs.base.path))
    throw new Error(
      'baseModel: a feature-based reward model has no trunk to start a transformer from; pick a language model',
    );
  const base = await baseTokenizer(inputs.base);
  const { tokenizer, name: tokenizerName } = base;
  const warnings = new Set<string>();
  const render = (prompt: string, response: string) => {
    const r = renderForReward(tokenizer, config.template, prompt, response);
    r.warnings.forEach((w) => warnings.add(w));
    return r.ids;
  };
  const pairs: RewardPairIds[] = inputs.pairs.map((p, i) => {
    if (p.chosen.length === 0 || p.rejected.length === 0)
      throw new Error(`pair ${i + 1}: a response is empty`);
    return {
      chosen: render(p.prompt, p.chosen),
      rejected: render(p.prompt, p.rejected),
      ...(p.margin !== undefined ? { margin: p.margin } : {}),
      ...(p.flipped !== undefined ? { flipped: p.flipped } : {}),
    };
  });
  for (const w of warnings) yield { type: 'log', message: `template ${config.template}: ${w}` };
  await base.copyTo(ctx.outDir);
  const pad = tokenizer.specialId('<|pad|>') ?? tokenizer.specialId('<|endoftext|>') ?? 0;
  yield* trainReward(
    config,
    { pairs, tokenizer: tokenizerName, pad, ...(inputs.base ? { base: inputs.base } : {}) },
    ctx,
  );
}
