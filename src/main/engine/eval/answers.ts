// Answer evaluation: ask a model the questions of an evaluation set (greedy decoding), and score each
// reply with the world's gold judge for two things: does it answer in the requested form (directly),
// and is the answer right. It is how the lab shows what SFT changes: a base model continues a
// question with forum chatter, an SFT model states the value. It is not a general benchmark harness.
//
// Definitions (per item; the rates are means over the items):
// - direct: the reply's first sentence (up to the first `.`, `?`, `!` or line break) states a value
//   for the asked attribute — the right one, a wrong one or an invented one — and is not a question.
//   Read with the judge on that first sentence alone: its `direct` part (the right value within the
//   first 12 words, no discussion opener, not a question) or its `wrongValue` part (another value of
//   the attribute); or, for the attributes whose values are names (capital, language, currency,
//   neighbour), the sentence is one of the world's statements of that attribute about the asked
//   subject (templates.ts STATEMENTS) with a name in the value's place that is not the subject's own
//   ("The currency of Tromai is the Tavor." answers in the requested form, wrongly). A statement of
//   another attribute ("People in Bakvol pay with the Mortam." to a question about the language), a
//   refusal, "I don't know" or a discussion reply ("Why do you want to know?") is not direct.
// - correct: the judge's `correct` part on the whole reply: the right value is stated and no wrong
//   value of the same attribute is (for legs: no other number).
// - score: the judge's score of the whole reply (see world/judge.ts).
//
// Prompting: `template: null` is a base model used as a base model: the raw question, after the
// end-of-text token that opens every pretraining document, continued as plain text. With a template,
// the question is the user turn of `renderPrompt` and the reply is the assistant turn.
// Decoding: greedy, batched; rows are padded on the right and each row reads the logits at its own
// last position, so (the model being causal) a row's tokens never depend on the padding or on the
// other rows. A row stops at an end-of-text or end-of-turn token, at a blank line, or after
// `maxNewTokens`. On tfjs there is no KV cache: each step reruns the model over the sequences. Given
// an onnxruntime session (`session`, a KV-cache export; see onnx/engine.ts openInference), the replies
// are decoded on it instead (onnx/replies.ts), with the same stops and the same greedy choice.
// `decodeReplies` returns the ids behind each reply (and whether it ended on an end token), for
// measures that read the model's own tokens again (eval/kl.ts); other kinds of questions (harmful,
// benign, unanswerable) are scored in eval/replies.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../model/gpt';
import { onnxGreedyReplyIds } from '../onnx/replies';
import type { OnnxSession } from '../onnx/session';
import { renderPrompt, type TemplateName } from '../tokenizer/templates';
import type { Tokenizer } from '../tokenizer/types';
import type { GoldJudge } from '../world/judge';
import { escapeRegExp } from '../world/render-common';
import { STATEMENTS } from '../world/templates';
import type { Attribute, EvalItem } from '../world/types';

export interface AnswerItem {
  prompt: string;
  response: string;
  /** 1 when the reply is right (and states no wrong value), else 0. */
  correct: number;
  /** 1 when the reply's first sentence states a value for the asked attribute, else 0. */
  direct: number;
  /** The gold judge's score in [0, 1]. */
  score: number;
}

export interface AnswerReport {
  /** Share of items answered directly (in the requested form). */
  directAnswerRate: number;
  /** Share of items answered correctly. */
  factAccuracy: number;
  /** Mean gold-judge score. */
  meanScore: number;
  n: number;
  items: AnswerItem[];
}

export interface EvaluateAnswersOptions {
  /** Chat template for an instruction-tuned model; null = the raw question as plain text (a base model). */
  template?: TemplateName | null;
  /** Most tokens generated per reply. Default 32. */
  maxNewTokens?: number;
  /** Rows decoded together. Default 64. */
  batchSize?: number;
  signal?: AbortSignal;
  /** Decode on this onnxruntime KV-cache session (an export of `model`) instead of the tfjs forward. */
  session?: OnnxSession;
}

const END_TOKENS = ['<|endoftext|>', '<|eos|>', '</s>', '<|im_end|>'];
const BLANK_LINE = '\n\n';

/** The first sentence of a reply: up to the first `.`, `?`, `!` or line break (kept), leading space dropped. */
export function firstSentence(response: string): string {
  const t = response.trim();
  return t.match(/^[^.?!\n]*[.?!]?/)?.[0] ?? '';
}

/** Attributes whose values are names: a statement of them with any name in the value's place is an answer. */
const NAMED: readonly Attribute[] = ['capital', 'language', 'currency', 'neighbour'];

/**
 * True when `sentence` is one of the world's statements of the fact's attribute about its subject, with
 * a capitalised name other than the subject in the value's place (see the header).
 */
function statesNamedValue(factId: string | undefined, sentence: string): boolean {
  const [, subject, attribute] = factId?.split(':') ?? [];
  if (!subject || !NAMED.includes(attribute as Attribute)) return false;
  const t = sentence.trim();
  return STATEMENTS[attribute as Attribute].some((frame) => {
    const re = new RegExp(
      `^${escapeRegExp(frame).replace('\\{s\\}', escapeRegExp(subject)).replace('\\{v\\}', '([A-Z][a-z]+)')}$`,
    );
    const value = re.exec(t)?.[1];
    return value !== undefined && value !== subject;
  });
}

/** Score one reply to a fact or arithmetic question: `direct`, `correct` and the judge's score. Pure. */
export function scoreAnswer(prompt: string, response: string, judge: GoldJudge): AnswerItem {
  const whole = judge.score(prompt, response);
  const first = firstSentence(response);
  const head = judge.score(prompt, first);
  const statesValue =
    head.parts['direct'] === 1 ||
    head.parts['wrongValue'] === 1 ||
    (head.kind === 'fact' && statesNamedValue(head.factId, first));
  const direct = statesValue && !first.trim().endsWith('?') ? 1 : 0;
  return { prompt, response, correct: whole.parts['correct'] ?? 0, direct, score: whole.score };
}

/** Score hand-written or generated replies; `responses[i]` answers `items[i]`. Pure. */
export function scoreAnswers(
  items: readonly Pick<EvalItem, 'prompt'>[],
  responses: readonly string[],
  judge: GoldJudge,
): AnswerReport {
  if (responses.length !== items.length)
    throw new Error(`scoreAnswers: ${items.length} items but ${responses.length} responses`);
  const scored = items.map(({ prompt }, i) => scoreAnswer(prompt, responses[i]!, judge));
  const n = scored.length;
  const mean = (f: (x: AnswerItem) => number) => (n === 0 ? 0 : scored.reduce((a, x) => a + f(x), 0) / n);
  return {
    directAnswerRate: mean((x) => x.direct),
    factAccuracy: mean((x) => x.correct),
    meanScore: mean((x) => x.score),
    n,
    items: scored,
  };
}

/** The prompt ids for one question: plain (after end-of-text) for a base model, or through a chat template. */
export function promptIds(tokenizer: Tokenizer, question: string, template: TemplateName | null): number[] {
  if (template) return renderPrompt(tokenizer, template, [{ role: 'user', content: question }]).ids;
  const eos = ['<|endoftext|>', '<|eos|>', '</s>']
    .map((n) => tokenizer.specialId(n))
    .find((id) => id !== undefined);
  return [...(eos === undefined ? [] : [eos]), ...tokenizer.encode(question)];
}

/** One greedy reply as ids: what the model chose at each decoding step. */
export interface DecodedReply {
  /** The prompt's ids. */
  prompt: number[];
  /** The generated ids: the end token excluded, the token that opened a blank line included. */
  reply: number[];
  /** True when the reply stopped on an end token (choosing it was one more decoding step). */
  ended: boolean;
}

export interface DecodeOptions {
  maxNewTokens: number;
  batchSize: number;
  signal?: AbortSignal;
  /** Decode on this onnxruntime KV-cache session (an export of the model) instead of the tfjs forward. */
  session?: OnnxSession;
}

/** Greedy reply ids for `prompts`, on the session when given, else on tfjs; see the header for the stops. */
export async function decodeReplies(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: readonly (readonly number[])[],
  opts: DecodeOptions,
): Promise<DecodedReply[]> {
  const stop = new Set(END_TOKENS.map((n) => tokenizer.specialId(n)).filter((id) => id !== undefined));
  return opts.session
    ? onnxDecode(opts.session, model, tokenizer, prompts, stop, opts)
    : greedyDecode(model, tokenizer, prompts, stop, opts);
}

async function onnxDecode(
  session: OnnxSession,
  model: Pick<GPT, 'config'>,
  tokenizer: Tokenizer,
  prompts: readonly (readonly number[])[],
  stop: ReadonlySet<number>,
  opts: { maxNewTokens: number; batchSize: number; signal?: AbortSignal },
): Promise<DecodedReply[]> {
  const outs = await onnxGreedyReplyIds(session, tokenizer, prompts, {
    maxNewTokens: opts.maxNewTokens,
    batchSize: opts.batchSize,
    ...(opts.signal ? { signal: opts.signal } : {}),
    contextLength: model.config.contextLength,
    stopIds: stop,
    stopText: BLANK_LINE,
  });
  // A row stops on an end token, a blank line or the length limit (or an abort), so one that is
  // short of the limit without a blank line ended on an end token.
  const aborted = opts.signal?.aborted ?? false;
  return outs.map((reply, i) => ({
    prompt: [...prompts[i]!],
    reply,
    ended: !aborted && reply.length < opts.maxNewTokens && !tokenizer.decode(reply).includes(BLANK_LINE),
  }));
}

async function greedyDecode(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: readonly (readonly number[])[],
  stop: ReadonlySet<number>,
  opts: { maxNewTokens: number; batchSize: number; signal?: AbortSignal },
): Promise<DecodedReply[]> {
  const { contextLength: C, vocabSize: V } = model.config;
  // A model may have more ids than its tokenizer (lab-small has 1024); only the tokenizer's can be chosen.
  const usable = Math.min(V, tokenizer.vocabSize);
  const rows = prompts.map((p) => ({ seq: [...p], out: [] as number[], done: false, ended: false }));
  for (let start = 0; start < rows.length; start += opts.batchSize) {
    const chunk = rows.slice(start, start + opts.batchSize);
    for (let step = 0; step < opts.maxNewTokens; step++) {
      const active = chunk.filter((r) => !r.done);
      if (active.length === 0 || opts.signal?.aborted) break;
      const windows = active.map((r) => r.seq.slice(-C));
      const T = Math.max(...windows.map((w) => w.length));
      const flat = new Int32Array(active.length * T);
      windows.forEach((w, i) => flat.set(w, i * T));
      const lastPos = windows.map((w, i) => i * T + w.length - 1);
      const picked = tf.tidy(() => {
        const logits = model.forward(tf.tensor2d(flat, [active.length, T], 'int32')); // [b, T, V]
        const rowsAt = tf.gather(tf.reshape(logits, [-1, V]), tf.tensor1d(lastPos, 'int32')); // [b, V]
        return tf.argMax(usable < V ? tf.slice(rowsAt, [0, 0], [-1, usable]) : rowsAt, -1); // [b]
      });
      const ids = picked.dataSync();
      picked.dispose();
      active.forEach((r, i) => {
        const id = ids[i]!;
        if (stop.has(id)) {
          r.done = r.ended = true;
          return;
        }
        r.seq.push(id);
        r.out.push(id);
        if (tokenizer.decode(r.out).includes(BLANK_LINE)) r.done = true;
      });
      await new Promise<void>((res) => setImmediate(res)); // let an abort through
    }
  }
  return rows.map((r, i) => ({ prompt: [...prompts[i]!], reply: r.out, ended: r.ended }));
}

/** Greedy replies to `prompts` (id lists) on tfjs, batched with right padding; see the header for the stops. */
export async function greedyReplies(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: readonly (readonly number[])[],
  opts: { maxNewTokens: number; batchSize: number; signal?: AbortSignal },
): Promise<string[]> {
  const decoded = await decodeReplies(model, tokenizer, prompts, opts);
  return decoded.map((d) => replyText(tokenizer, d.reply));
}

/** A reply's text: its ids decoded, cut before a blank line. */
export function replyText(tokenizer: Tokenizer, ids: readonly number[]): string {
  const text = tokenizer.decode(ids);
  const cut = text.indexOf(BLANK_LINE);
  return cut >= 0 ? text.slice(0, cut) : text;
}

/** `greedyReplies` decoded on an onnxruntime KV-cache session exported from `model`. */
export async function greedyRepliesOnnx(
  session: OnnxSession,
  model: Pick<GPT, 'config'>,
  tokenizer: Tokenizer,
  prompts: readonly (readonly number[])[],
  opts: { maxNewTokens: number; batchSize: number; signal?: AbortSignal },
): Promise<string[]> {
  const stop = new Set(END_TOKENS.map((n) => tokenizer.specialId(n)).filter((id) => id !== undefined));
  const decoded = await onnxDecode(session, model, tokenizer, prompts, stop, opts);
  return decoded.map((d) => replyText(tokenizer, d.reply));
}

/** Ask `model` every item's question and score the replies (see the definitions at the top). */
export async function evaluateAnswers(
  model: GPT,
  tokenizer: Tokenizer,
  items: readonly EvalItem[],
  judge: GoldJudge,
  opts: EvaluateAnswersOptions = {},
): Promise<AnswerReport> {
  const template = opts.template ?? null;
  const prompts = items.map((it) => promptIds(tokenizer, it.prompt, template));
  const decoded = await decodeReplies(model, tokenizer, prompts, decodeOptions(opts));
  return scoreAnswers(
    items,
    decoded.map((d) => replyText(tokenizer, d.reply)),
    judge,
  );
}

/** The decoding options of an evaluation, with their defaults. */
export function decodeOptions(opts: EvaluateAnswersOptions): DecodeOptions {
  return {
    maxNewTokens: opts.maxNewTokens ?? 32,
    batchSize: opts.batchSize ?? 64,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.session ? { session: opts.session } : {}),
  };
}
