// A PPO (RLHF) run as the lab starts it: load the base model's tokenizer (or the byte tokenizer for a
// fresh `config.model`), render each prompt as a one-turn conversation with the assistant turn open
// (the way the playground and evaluation prompt a tuned model), find the template's end-of-turn, pick
// the reward source named by `config.rewardSource`, and train. The produced model keeps the base's
// tokenizer. The trainer itself is trainers/ppo.ts; the reward sources are rewards.ts.
import { baseTokenizer } from './base-tokenizer';
import type { PpoConfig } from '../../../shared/schemas';
import { promptIds } from '../eval/answers';
import { selectBackend } from '../backend';
import { rewardFromJudge, rewardFromModel, rewardFromRule, type RewardFn } from '../rewards';
import { EOS_CANDIDATES, TEMPLATES, type TemplateName } from '../tokenizer/templates';
import type { Tokenizer } from '../tokenizer/types';
import { trainPpo } from '../trainers/ppo';
import type { TrainContext, TrainEvent } from '../types';
import type { World } from '../world';

export interface PpoTaskInputs {
  /** The prompts (user messages) rollouts are sampled for. */
  prompts: string[];
  /** The policy to align: its weights file (`.safetensors`) and lab id. Without it, a fresh `config.model`. */
  base?: { path: string; id: number };
  /** The reward model's weights file (rewardSource `model`). */
  rewardModelPath?: string;
  /**
   * The sandbox world the prompts come from: its gold judge scores (rewardSource `gold`), or, with
   * another reward source, scores the same rollouts for the `gold/score` metric only.
   */
  world?: World;
}

export async function* runPpoTask(
  config: PpoConfig,
  inputs: PpoTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const prompts = inputs.prompts.filter((p) => p.trim() !== '');
  if (prompts.length === 0)
    throw new Error('There are no prompts to generate from: the dataset has no non-empty prompt');
  const baseTok = await baseTokenizer(inputs.base);
  const { tokenizer, name: tokenizerName } = baseTok;
  const end = endOfTurn(tokenizer, config.template);
  const rendered = prompts.map((text) => ({ text, ids: promptIds(tokenizer, text, config.template) }));
  // The reward model loads tensors, so the backend must be chosen first (the trainer's call is then a no-op).
  await selectBackend(config.backend);
  const reward = await rewardSource(config, inputs);
  try {
    await baseTok.copyTo(ctx.outDir);
    if (end.stopText)
      yield {
        type: 'log',
        message: `template ${config.template}: this tokenizer has no "${end.stopText}" token; a response ends when its text contains it`,
      };
    const base = inputs.base ? { base: inputs.base } : {};
    // The gold judge beside the proxy: the same function when it is the reward source.
    const gold = inputs.world
      ? { gold: config.rewardSource === 'gold' ? reward : rewardFromJudge(inputs.world) }
      : {};
    yield* trainPpo(
      config,
      { prompts: rendered, tokenizer, tokenizerName, ...end, reward, ...base, ...gold },
      ctx,
    );
  } finally {
    reward.dispose?.();
  }
}

/** The reward source `config.rewardSource` names, or an error saying which input it lacks. */
export async function rewardSource(config: PpoConfig, inputs: PpoTaskInputs): Promise<RewardFn> {
  switch (config.rewardSource) {
    case 'model':
      if (!inputs.rewardModelPath)
        throw new Error(
          "rewardSource 'model' needs a reward model (config.rewardModel): train one with a Reward model run, or pick the gold judge or a rule",
        );
      // The reward model reads each (prompt, response) through its own template, the one it was trained with.
      return rewardFromModel(inputs.rewardModelPath, undefined, config.inference);
    case 'gold':
      if (!inputs.world)
        throw new Error("rewardSource 'gold' needs the sandbox world whose gold judge scores (config.world)");
      return rewardFromJudge(inputs.world);
    case 'rule':
      return rewardFromRule(config);
  }
}

const MARKER = /<\|[^<>|\s]+\|>|<\/?s>/g;

/**
 * How a reply ends under `template`: the ids that close it (the end-of-turn marker of the assistant
 * turn when the tokenizer has it as a special token, and every end-of-sequence token it has) and,
 * when the marker is not a special token of this tokenizer (ChatML through the byte tokenizer), its
 * text, which the tokenizer spells out.
 */
export function endOfTurn(
  tokenizer: Tokenizer,
  template: TemplateName,
): { stopIds: number[]; stopText?: string } {
  const markers = TEMPLATES[template].assistant.suffix.match(MARKER) ?? [];
  const ids = new Set<number>();
  let stopText: string | undefined;
  for (const m of markers) {
    const id = tokenizer.specialId(m);
    if (id !== undefined) ids.add(id);
    else stopText ??= m;
  }
  for (const name of EOS_CANDIDATES) {
    const id = tokenizer.specialId(name);
    if (id !== undefined) ids.add(id);
  }
  return { stopIds: [...ids], ...(stopText ? { stopText } : {}) };
}
