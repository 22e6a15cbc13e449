// The measures an evaluation run adds to the gold judge's per-set scores (replies.ts), for the
// alignment-tax view: each reply's length in tokens and the model's confidence in it; a win rate
// against a reference model's replies to the same prompts (gold judge, and optionally a reward model
// as a proxy judge); calibration over the fact and arithmetic answers; perplexity on held-out text.
// Every number keeps its items: the items go to `eval-results.json` with the replies, the rest
// (reliability bins, held-out texts) to `eval-suite.json` (see tasks/eval.ts).
import type { InferenceChoice } from '../../../shared/schemas';
import { loadModel } from '../checkpoint';
import type { GPT } from '../model/gpt';
import { openInference } from '../onnx/engine';
import type { RewardScorer } from '../reward-score';
import type { TemplateName } from '../tokenizer/templates';
import { loadTokenizer } from '../tokenizer/load';
import type { GoldJudge } from '../world/judge';
import type { EvalItem } from '../world/types';
import { decodeOptions, decodeReplies, promptIds, replyText, type DecodedReply } from './answers';
import { calibrate, meanTokenProbability, type CalibrationReport } from './calibration';
import { continuationLogProbs, type PerplexityReport } from './perplexity';
import type { ReplyItem } from './replies';
import { outcomeOf, winRate, type Outcome, type WinRateReport } from './winrate';

/** A reply item with the suite's measures. */
export type SuiteItem = ReplyItem & {
  /** Tokens the model generated (the end token not counted). */
  tokens?: number;
  /** exp(mean log p) of the reply's tokens under the model (calibration.ts); absent for an empty reply. */
  confidence?: number;
  /** With a win-rate reference: its reply to the same prompt, the gold judge's score of it, the outcome. */
  referenceResponse?: string;
  referenceScore?: number;
  outcome?: Outcome;
  /** With a reward model as judge: both replies' rewards and the outcome by them. */
  rewardScore?: number;
  referenceRewardScore?: number;
  rewardOutcome?: Outcome;
};

/** What `eval-suite.json` holds: the suite's results that are not per reply. */
export interface SuiteResults {
  calibration?: CalibrationReport;
  winRate?: { against: string; template: string; gold: WinRateReport; rewardModel?: WinRateReport };
  heldoutText?: PerplexityReport;
}

export const EVAL_SUITE_FILE = 'eval-suite.json';

/** Each item with its reply's length in tokens and the model's confidence in the reply. */
export function withConfidence(
  model: GPT,
  decoded: readonly DecodedReply[],
  items: readonly ReplyItem[],
): SuiteItem[] {
  const lps = continuationLogProbs(
    model,
    decoded.map((d) => ({ context: d.prompt, continuation: d.reply })),
  );
  return items.map((item, i) => {
    const confidence = meanTokenProbability(lps[i]!);
    return { ...item, tokens: decoded[i]!.reply.length, ...(confidence === null ? {} : { confidence }) };
  });
}

/** Another model answering the same prompts, greedily, through its own template. */
export interface ReplyingModel {
  readonly path: string;
  replies(
    items: readonly EvalItem[],
    opts: { maxNewTokens: number; signal?: AbortSignal },
  ): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function openReplyingModel(
  path: string,
  template: TemplateName | null,
  choice: InferenceChoice = 'auto',
): Promise<ReplyingModel> {
  const { model, record } = await loadModel(path, false);
  const inference = await openInference(model, { inference: choice }).catch((err: unknown) => {
    model.dispose();
    throw err;
  });
  const tokenizer = await loadTokenizer(record.arch.tokenizer, path).catch(async (err: unknown) => {
    await inference.session?.release();
    model.dispose();
    throw err;
  });
  return {
    path,
    async replies(items, opts) {
      const prompts = items.map((it) => promptIds(tokenizer, it.prompt, template));
      const decoded = await decodeReplies(
        model,
        tokenizer,
        prompts,
        decodeOptions({
          maxNewTokens: opts.maxNewTokens,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(inference.session ? { session: inference.session } : {}),
        }),
      );
      return decoded.map((d) => replyText(tokenizer, d.reply));
    },
    async dispose() {
      await inference.session?.release();
      model.dispose();
    },
  };
}

/** Each item judged against the reference's reply to its prompt: by the gold judge, and by `rm` if given. */
export async function judgeAgainst(
  items: readonly SuiteItem[],
  referenceReplies: readonly string[],
  judge: GoldJudge,
  rm?: RewardScorer,
): Promise<SuiteItem[]> {
  if (referenceReplies.length !== items.length)
    throw new Error(`win rate: ${items.length} items but ${referenceReplies.length} reference replies`);
  const gold = items.map((it, i) => {
    const referenceScore = judge.score(it.prompt, referenceReplies[i]!).score;
    return {
      ...it,
      referenceResponse: referenceReplies[i]!,
      referenceScore,
      outcome: outcomeOf(it.score, referenceScore),
    };
  });
  if (!rm) return gold;
  const mine = await rm.score(items.map((it) => ({ prompt: it.prompt, response: it.response })));
  const theirs = await rm.score(
    items.map((it, i) => ({ prompt: it.prompt, response: referenceReplies[i]! })),
  );
  return gold.map((it, i) => ({
    ...it,
    rewardScore: mine[i]!,
    referenceRewardScore: theirs[i]!,
    // The same text gets the same reward; ties are exact.
    rewardOutcome: outcomeOf(mine[i]!, theirs[i]!, 0),
  }));
}

const ANSWER_KINDS = new Set(['fact', 'arithmetic']);
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, x) => a + x, 0) / xs.length);

/**
 * How often the reward model sides with the gold judge: over the items where the gold judge prefers
 * one of the two replies (the model's or the reference's), the share where the reward model prefers
 * the same one. 1 is a faithful proxy, 0.5 a coin. For a model trained against this reward model (PPO),
 * below 0.5 is over-optimisation: where its reply differs from the reference's, it was chosen because
 * the proxy likes it and the gold judge does not. Null without such items (a model against itself ties
 * everywhere).
 */
export function rewardModelAgreement(items: readonly SuiteItem[]): { agreement: number; n: number } | null {
  const decided = items.filter((x) => x.rewardOutcome && x.outcome && x.outcome !== 'tie');
  if (decided.length === 0) return null;
  const agree = decided.filter((x) => x.rewardOutcome === x.outcome).length;
  return { agreement: agree / decided.length, n: decided.length };
}

/**
 * A set's suite metrics: `<set>/win_rate`, `<set>/win_rate_reward_model`, `<set>/rm_gold_agreement`
 * (rewardModelAgreement), `<set>/mean_response_tokens`.
 */
export function suiteSetMetrics(set: string, items: readonly SuiteItem[]): Record<string, number> {
  const m: Record<string, number> = {};
  const tokens = items.flatMap((x) => (x.tokens === undefined ? [] : [x.tokens]));
  if (tokens.length) m[`${set}/mean_response_tokens`] = mean(tokens);
  const outcomes = items.flatMap((x) => (x.outcome ? [x.outcome] : []));
  if (outcomes.length) m[`${set}/win_rate`] = winRate(outcomes).winRate;
  const rm = items.flatMap((x) => (x.rewardOutcome ? [x.rewardOutcome] : []));
  if (rm.length) m[`${set}/win_rate_reward_model`] = winRate(rm).winRate;
  const agreement = rewardModelAgreement(items);
  if (agreement) m[`${set}/rm_gold_agreement`] = agreement.agreement;
  return m;
}

/**
 * Metrics over every set's items, and what `eval-suite.json` keeps:
 * - `overall/fact_accuracy`, `overall/direct_answer_rate` over the fact and arithmetic items;
 * - `overall/mean_response_words`, `overall/mean_response_tokens` (style);
 * - `calibration/ece`, `calibration/mean_confidence`, `calibration/accuracy`, `calibration/n` over the
 *   fact and arithmetic items that have a confidence;
 * - `win_rate/gold` (and `win_rate/reward_model`, `win_rate/rm_gold_agreement` with its
 *   `win_rate/rm_gold_agreement_n`) over the items judged against a reference;
 * - `heldout_text/perplexity`, `heldout_text/nll_per_token`, `heldout_text/tokens` from `perplexity`.
 */
export function suiteMetrics(
  items: readonly SuiteItem[],
  perplexity?: PerplexityReport,
  reference?: { against: string; template: string },
): { values: Record<string, number>; results: SuiteResults } {
  const values: Record<string, number> = {};
  const results: SuiteResults = {};
  const answers = items.filter((x) => ANSWER_KINDS.has(x.kind));
  if (answers.length) {
    values['overall/fact_accuracy'] = mean(answers.map((x) => x.correct ?? 0));
    values['overall/direct_answer_rate'] = mean(answers.map((x) => x.direct ?? 0));
  }
  values['overall/mean_response_words'] = mean(items.map((x) => x.words));
  const tokens = items.flatMap((x) => (x.tokens === undefined ? [] : [x.tokens]));
  if (tokens.length) values['overall/mean_response_tokens'] = mean(tokens);
  const confident = answers.filter((x) => x.confidence !== undefined);
  if (confident.length) {
    const c = calibrate(confident.map((x) => ({ confidence: x.confidence!, correct: x.correct ?? 0 })));
    results.calibration = c;
    Object.assign(values, {
      'calibration/ece': c.ece,
      'calibration/mean_confidence': c.meanConfidence,
      'calibration/accuracy': c.accuracy,
      'calibration/n': c.n,
    });
  }
  const outcomes = items.flatMap((x) => (x.outcome ? [x.outcome] : []));
  if (outcomes.length && reference) {
    const gold = winRate(outcomes);
    const rmOutcomes = items.flatMap((x) => (x.rewardOutcome ? [x.rewardOutcome] : []));
    const rewardModel = rmOutcomes.length ? winRate(rmOutcomes) : undefined;
    results.winRate = { ...reference, gold, ...(rewardModel ? { rewardModel } : {}) };
    values['win_rate/gold'] = gold.winRate;
    values['win_rate/n'] = gold.n;
    if (rewardModel) values['win_rate/reward_model'] = rewardModel.winRate;
    const agreement = rewardModelAgreement(items);
    if (agreement) {
      values['win_rate/rm_gold_agreement'] = agreement.agreement;
      values['win_rate/rm_gold_agreement_n'] = agreement.n;
    }
  }
  if (perplexity) {
    results.heldoutText = perplexity;
    Object.assign(values, {
      'heldout_text/perplexity': perplexity.perplexity,
      'heldout_text/nll_per_token': perplexity.nllPerToken,
      'heldout_text/tokens': perplexity.tokens,
      'heldout_text/n': perplexity.n,
    });
  }
  return { values, results };
}
