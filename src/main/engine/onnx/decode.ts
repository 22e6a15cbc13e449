// Greedy decoding on an ONNX session (onnx/session.ts), with or without the KV cache: equal-length
// prompts in one batch, each step picking the most likely token. With the cache, the prompt runs once
// and every later step feeds one token per row; once a sequence outgrows the context window the
// positions shift, so those steps rerun the last contextLength tokens in full, as generate.ts does.
// Only greedy: sampling, stop tokens and streaming stay in generate.ts until it runs on ONNX.
import type { KvCache, Logits, OnnxSession } from './session';

export interface DecodeOptions {
  /** Tokens to add to each prompt. */
  maxNewTokens: number;
  /** The model's context length: the window a full rerun sees. */
  contextLength: number;
  /** Step the KV cache (the session must come from a kvCache export). Default: when the session has one. */
  useCache?: boolean;
}

/** The most likely next token of every row, from logits [B, T, V] at position T − 1. */
export function lastArgmax(logits: Logits): number[] {
  const [B, T, V] = logits.dims;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const base = (b * T + T - 1) * V;
    let best = 0;
    for (let v = 1; v < V; v++) if (logits.data[base + v]! > logits.data[base + best]!) best = v;
    out.push(best);
  }
  return out;
}

/** Greedy continuations of `prompts` (equal lengths, non-empty): the generated ids per row. */
export async function greedyDecode(
  session: OnnxSession,
  prompts: readonly (readonly number[])[],
  opts: DecodeOptions,
): Promise<number[][]> {
  const useCache = opts.useCache ?? session.kvCache;
  if (useCache && !session.kvCache)
    throw new Error('greedyDecode: useCache needs a model exported with kvCache');
  const seqs = prompts.map((p) => [...p]);
  const outs: number[][] = prompts.map(() => []);
  const C = opts.contextLength;
  let cache: KvCache | undefined;
  for (let step = 0; step < opts.maxNewTokens; step++) {
    const len = seqs[0]!.length;
    let logits: Logits;
    if (!useCache || len > C) {
      logits = await session.run(seqs.map((s) => s.slice(-C)));
    } else {
      const fresh = cache ? seqs.map((s) => s.slice(cache!.length)) : seqs;
      const r = await session.step(fresh, cache);
      logits = r.logits;
      cache = r.cache;
    }
    lastArgmax(logits).forEach((id, b) => {
      seqs[b]!.push(id);
      outs[b]!.push(id);
    });
  }
  return outs;
}
