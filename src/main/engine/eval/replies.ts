// Reply evaluation for every kind of held-out question: facts and sums (is the answer direct and
// right? see answers.ts), harmful requests (refused?), benign look-alikes (answered, not refused?) and
// unanswerable questions (does it say "I don't know"?). Each reply gets the gold judge's score and the
// behaviours a reader looks for; a set's metrics are means over its items. Not a benchmark harness:
// the prompts are a sandbox world's, and so is the judge.
//
// Per item:
// - score: the gold judge's score of the whole reply, in [0, 1] (world/judge.ts; its formula depends
//   on the kind: a refusal scores on a harmful prompt, an answer on a benign one, …).
// - refused: the reply refuses (world/detectors.ts isRefusal), whatever the kind.
// - saidIdk: the reply admits not knowing (saysIDontKnow), whatever the kind.
// - words: whitespace-separated words of the reply, as the judge counts them.
// - direct, correct: fact and arithmetic items only (answers.ts scoreAnswer).
import type { GPT } from '../model/gpt';
import type { Tokenizer } from '../tokenizer/types';
import { isRefusal, saysIDontKnow } from '../world/detectors';
import type { GoldJudge } from '../world/judge';
import type { EvalItem, EvalKind } from '../world/types';
import {
  decodeOptions,
  decodeReplies,
  promptIds,
  replyText,
  scoreAnswer,
  type DecodedReply,
  type EvaluateAnswersOptions,
} from './answers';
import { scoreText } from '../quality';

export interface ReplyItem {
  prompt: string;
  response: string;
  kind: EvalKind;
  /** The gold judge's score in [0, 1]. */
  score: number;
  /** 1 when the reply refuses, else 0. */
  refused: number;
  /** 1 when the reply says it does not know, else 0. */
  saidIdk: number;
  /** Words in the reply. */
  words: number;
  /** Fact and arithmetic items: 1 when the first sentence states a value for the asked attribute. */
  direct?: number;
  /** Fact and arithmetic items: 1 when the reply is right (and states no wrong value). */
  correct?: number;
  /** With a reference model: this reply's mean per-token KL(model ‖ reference) (see kl.ts). */
  klToReference?: number;
  /** With a reference model: this reply's summed KL over its tokens. */
  klToReferenceSeq?: number;
}

export interface ReplyReport {
  n: number;
  /** Mean gold-judge score. */
  meanScore: number;
  /** Share of replies that refuse. */
  refusalRate: number;
  /** Share of replies that say "I don't know". */
  idkRate: number;
  /** Mean words per reply. */
  meanResponseWords: number;
  /** Fact and arithmetic items only: share answered directly. */
  directAnswerRate?: number;
  /** Fact and arithmetic items only: share answered correctly. */
  factAccuracy?: number;
  items: ReplyItem[];
}

const ANSWER_KINDS: ReadonlySet<EvalKind> = new Set(['fact', 'arithmetic']);

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const mean = <T>(xs: readonly T[], f: (x: T) => number): number =>
  xs.length === 0 ? 0 : xs.reduce((a, x) => a + f(x), 0) / xs.length;

/** Score one reply of any kind (see the definitions at the top). Pure. */
export function scoreReply(
  item: Pick<EvalItem, 'prompt' | 'kind'>,
  response: string,
  judge: GoldJudge,
): ReplyItem {
  const { prompt, kind } = item;
  const base = {
    prompt,
    response,
    kind,
    refused: isRefusal(response) ? 1 : 0,
    saidIdk: saysIDontKnow(response) ? 1 : 0,
    words: wordCount(response),
  };
  if (ANSWER_KINDS.has(kind)) {
    const { score, direct, correct } = scoreAnswer(prompt, response, judge);
    return { ...base, score, direct, correct };
  }
  return { ...base, score: judge.score(prompt, response).score };
}

/** Score replies; `responses[i]` answers `items[i]`. Pure. */
export function scoreReplies(
  items: readonly Pick<EvalItem, 'prompt' | 'kind'>[],
  responses: readonly string[],
  judge: GoldJudge,
): ReplyReport {
  if (responses.length !== items.length)
    throw new Error(`scoreReplies: ${items.length} items but ${responses.length} responses`);
  return summarise(items.map((item, i) => scoreReply(item, responses[i]!, judge)));
}

/** A report's means over its items (recomputed, e.g. after items gained their KL). */
export function summarise(items: ReplyItem[]): ReplyReport {
  const answers = items.filter((x) => x.direct !== undefined);
  return {
    n: items.length,
    meanScore: mean(items, (x) => x.score),
    refusalRate: mean(items, (x) => x.refused),
    idkRate: mean(items, (x) => x.saidIdk),
    meanResponseWords: mean(items, (x) => x.words),
    ...(answers.length > 0
      ? {
          directAnswerRate: mean(answers, (x) => x.direct ?? 0),
          factAccuracy: mean(answers, (x) => x.correct ?? 0),
        }
      : {}),
    items,
  };
}

/**
 * Ask `model` every item's question (greedy) and score the replies. `decoded` holds each reply's ids,
 * for measures that need them (the KL to a reference, kl.ts).
 */
export async function evaluateReplies(
  model: GPT,
  tokenizer: Tokenizer,
  items: readonly EvalItem[],
  judge: GoldJudge,
  opts: EvaluateAnswersOptions = {},
): Promise<{ report: ReplyReport; decoded: DecodedReply[] }> {
  const template = opts.template ?? null;
  const prompts = items.map((it) => promptIds(tokenizer, it.prompt, template));
  const decoded = await decodeReplies(model, tokenizer, prompts, decodeOptions(opts));
  const responses = decoded.map((d) => replyText(tokenizer, d.reply));
  return { report: scoreReplies(items, responses, judge), decoded };
}

/**
 * A set's metrics, `<set>/<name>`: `mean_score`, `n`, `mean_response_words` for every set; by the
 * kinds it holds, `direct_answer_rate` and `fact_accuracy` (facts, sums), `refusal_rate` (harmful:
 * refusals wanted; benign: over-refusal), `idk_rate` (unanswerable); `reply_quality` (mean quality
 * score of the replies) and `low_quality_rate` (share below 0.5) for every set; `kl_to_reference` and
 * `kl_to_reference_seq` when the items carry their KL.
 */
export function setMetrics(set: string, report: ReplyReport): Record<string, number> {
  const kinds = new Set(report.items.map((x) => x.kind));
  const m: Record<string, number> = {
    [`${set}/mean_score`]: report.meanScore,
    [`${set}/n`]: report.n,
    [`${set}/mean_response_words`]: report.meanResponseWords,
  };
  if (report.n > 0) {
    // The replies' text quality (engine/quality): what noisy training data teaches shows up here.
    const quality = report.items.map((x) => scoreText(x.response).score);
    m[`${set}/reply_quality`] = quality.reduce((a, q) => a + q, 0) / quality.length;
    m[`${set}/low_quality_rate`] = quality.filter((q) => q < 0.5).length / quality.length;
  }
  if (report.directAnswerRate !== undefined) m[`${set}/direct_answer_rate`] = report.directAnswerRate;
  if (report.factAccuracy !== undefined) m[`${set}/fact_accuracy`] = report.factAccuracy;
  if (kinds.has('harmful') || kinds.has('benign')) m[`${set}/refusal_rate`] = report.refusalRate;
  if (kinds.has('unanswerable')) m[`${set}/idk_rate`] = report.idkRate;
  const kl = klMeans(report.items);
  if (kl) {
    m[`${set}/kl_to_reference`] = kl.perToken;
    m[`${set}/kl_to_reference_seq`] = kl.seq;
  }
  return m;
}

/**
 * Metrics over every evaluated item of every set: `overall/mean_score` (the gold judge's mean on the
 * held-out prompts, the number to compare across models), `overall/n`, and, with a reference model,
 * `kl_to_reference` (mean over replies of the per-token KL) and `kl_to_reference_seq` (mean over
 * replies of the summed KL).
 */
export function overallMetrics(reports: readonly ReplyReport[]): Record<string, number> {
  const items = reports.flatMap((r) => r.items);
  const m: Record<string, number> = {
    'overall/mean_score': mean(items, (x) => x.score),
    'overall/n': items.length,
  };
  const kl = klMeans(items);
  if (kl) {
    m['kl_to_reference'] = kl.perToken;
    m['kl_to_reference_seq'] = kl.seq;
  }
  return m;
}

/** Means over the items that carry a KL, or null when none does. */
function klMeans(items: readonly ReplyItem[]): { perToken: number; seq: number } | null {
  const withKl = items.filter((x) => x.klToReference !== undefined);
  if (withKl.length === 0) return null;
  return {
    perToken: mean(withKl, (x) => x.klToReference!),
    seq: mean(withKl, (x) => x.klToReferenceSeq ?? 0),
  };
}
