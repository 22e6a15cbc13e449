// Where a PPO rollout's score comes from: a trained reward model, the sandbox world's gold judge, or a
// simple rule (length, keywords). Each is a `RewardFn`: (prompt, response) items → one score each, in
// order. The response is the reply's text without its end-of-turn marker. They do not choose a
// compute backend (the trainer has) and hold nothing but the reward model's weights (`dispose`).
import type { InferenceChoice, InferenceInfo } from '../../shared/schemas';
import { openRewardScorer } from './reward-score';
import type { TemplateName } from './tokenizer/templates';
import { createGoldJudge, type World } from './world';

export interface RewardItem {
  prompt: string;
  response: string;
}

export interface RewardFn {
  (items: readonly RewardItem[]): Promise<number[]>;
  /** Release what the source holds (a reward model's weights); a no-op for the others. */
  dispose?: () => void;
  /** Where a reward model scores (onnxruntime's provider, or tfjs and why); absent for the others. */
  inference?: InferenceInfo;
}

/**
 * A trained reward model (trunk + `score` head) reading each item through `template` (default: its
 * own), scored where `inference` says (onnxruntime by default, see onnx/engine.ts).
 */
export async function rewardFromModel(
  path: string,
  template?: TemplateName,
  inference: InferenceChoice = 'auto',
): Promise<RewardFn> {
  const scorer = await openRewardScorer(path, { ...(template ? { template } : {}), inference });
  const fn: RewardFn = (items) => scorer.score(items);
  fn.dispose = () => scorer.dispose();
  fn.inference = scorer.inference;
  return fn;
}

/** The gold judge's score in [0, 1] (see world/judge.ts); 0 for a prompt it cannot read. */
export function rewardFromJudge(world: World): RewardFn {
  const judge = createGoldJudge(world);
  return (items) => Promise.resolve(items.map((it) => judge.score(it.prompt, it.response).score));
}

export interface RuleConfig {
  rule: 'length' | 'keyword';
  /** `length`: the word count that earns the full score. */
  ruleTargetLength: number;
  /** `keyword`: comma-separated keywords. */
  ruleKeywords: string;
}

/** Whitespace-separated words. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The keywords of a comma-separated list: trimmed, lower-cased, empty ones dropped, each once. */
export function parseKeywords(list: string): string[] {
  return [
    ...new Set(
      list
        .split(',')
        .map((k) => k.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/**
 * A rule, scored in [0, 1]: `length` is min(words, target) / target; `keyword` is the share of the
 * keywords that occur in the response (case-insensitive, anywhere in the text).
 */
export function rewardFromRule(config: RuleConfig): RewardFn {
  if (config.rule === 'length') {
    const target = config.ruleTargetLength;
    if (!(Number.isInteger(target) && target >= 1))
      throw new Error(`the length rule needs a target length of at least 1 word (got ${target})`);
    return (items) => Promise.resolve(items.map((it) => Math.min(wordCount(it.response), target) / target));
  }
  const keywords = parseKeywords(config.ruleKeywords);
  if (keywords.length === 0)
    throw new Error('the keyword rule needs at least one keyword (config.ruleKeywords, comma-separated)');
  return (items) =>
    Promise.resolve(
      items.map((it) => {
        const text = it.response.toLowerCase();
        return keywords.filter((k) => text.includes(k)).length / keywords.length;
      }),
    );
}
