// Token log-probabilities under a model, with teacher forcing, and what the evaluation reads from
// them: the perplexity of held-out text (capability: how well the model still predicts its world) and
// the confidence of a model in its own replies (for calibration.ts).
//
// For a row of ids split into a context and a continuation, `continuationLogProbs` returns
// log p(continuation[j] | context, continuation[<j]) for every j, each read where the model would
// read it (the last C tokens of the prefix; see kl.ts stepLogProbs, which this builds on).
//
// Perplexity of a text: the text's tokens after the end-of-text token that opens every pretraining
// document (or after its own first token when the tokenizer has none), so that the first word is
// predicted as at a document's start:
//   item:    ppl = exp(−Σ_t log p(x_t | x_<t) / T)
//   overall: exp(−Σ_items Σ_t log p / Σ_items T)      (token-weighted, as language modelling reports it)
import type { GPT } from '../model/gpt';
import type { Tokenizer } from '../tokenizer/types';
import type { HeldOutText } from './heldout-text';
import { stepLogProbs } from './kl';

export interface ContinuationRow {
  context: readonly number[];
  continuation: readonly number[];
}

/** log p of each continuation token given everything before it; one array per row. */
export function continuationLogProbs(
  model: GPT,
  rows: readonly ContinuationRow[],
  batchSize = 16,
): number[][] {
  const V = model.config.vocabSize;
  const out: number[][] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize).map((r) => ({
      prompt: [...r.context],
      reply: [...r.continuation],
      ended: false,
    }));
    const { logProbs, offsets } = stepLogProbs(model, chunk);
    chunk.forEach((row, r) => {
      const base = offsets[r]!;
      out.push(row.reply.map((id, j) => logProbs[(base + j) * V + id]!));
    });
  }
  return out;
}

export interface PerplexityItem {
  text: string;
  factId: string;
  /** Tokens predicted. */
  tokens: number;
  /** −Σ log p over them, in nats. */
  nll: number;
  /** exp(nll / tokens). */
  perplexity: number;
}

export interface PerplexityReport {
  n: number;
  tokens: number;
  /** Token-weighted: exp(Σ nll / Σ tokens). */
  perplexity: number;
  /** Mean nats per token. */
  nllPerToken: number;
  items: PerplexityItem[];
}

const DOC_START = ['<|endoftext|>', '<|eos|>', '</s>'];

/** The (context, continuation) of a document: after the end-of-text token, else after its first token. */
export function documentRow(tokenizer: Tokenizer, text: string): ContinuationRow {
  const ids = tokenizer.encode(text);
  const eos = DOC_START.map((n) => tokenizer.specialId(n)).find((id) => id !== undefined);
  if (eos !== undefined) return { context: [eos], continuation: ids };
  if (ids.length < 2) throw new Error(`perplexity: "${text}" is too short to predict anything`);
  return { context: ids.slice(0, 1), continuation: ids.slice(1) };
}

/** The model's perplexity on each text and overall (see the header). */
export function textPerplexity(
  model: GPT,
  tokenizer: Tokenizer,
  texts: readonly HeldOutText[],
): PerplexityReport {
  const rows = texts.map((t) => documentRow(tokenizer, t.text));
  const lps = continuationLogProbs(model, rows);
  const items = texts.map((t, i): PerplexityItem => {
    const lp = lps[i]!;
    const nll = -lp.reduce((a, x) => a + x, 0);
    return { text: t.text, factId: t.factId, tokens: lp.length, nll, perplexity: Math.exp(nll / lp.length) };
  });
  const tokens = items.reduce((a, x) => a + x.tokens, 0);
  const nll = items.reduce((a, x) => a + x.nll, 0);
  const nllPerToken = tokens === 0 ? 0 : nll / tokens;
  return { n: items.length, tokens, perplexity: Math.exp(nllPerToken), nllPerToken, items };
}
