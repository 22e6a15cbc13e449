// Greedy evaluation replies on an onnxruntime KV-cache session: what eval/answers.ts greedyReplies
// computes on tfjs, with the same stops (an end token, a blank line in the reply, maxNewTokens, an
// abort) and the same choice (the most likely id below min(model vocab, tokenizer vocab)).
// Batching: the KV cache needs equal-length rows, so prompts are grouped by length and each group is
// decoded in chunks of `batchSize`; a row that has stopped keeps stepping (its tokens are dropped) so
// the chunk stays rectangular. Once a sequence outgrows the context window, steps rerun the last
// contextLength tokens in full, as the tfjs path does.
import type { Tokenizer } from '../tokenizer/types';
import type { KvCache, Logits, OnnxSession } from './session';

export interface OnnxRepliesOptions {
  maxNewTokens: number;
  batchSize: number;
  /** The model's context length. */
  contextLength: number;
  /** Ids that end a reply (not part of it). */
  stopIds: ReadonlySet<number>;
  /** Text that ends a reply (the reply is cut before it by the caller). */
  stopText: string;
  signal?: AbortSignal;
}

/** The most likely id below `limit` at the last position of each row of logits [B, T, V]. */
function lastArgmaxBelow(logits: Logits, limit: number): number[] {
  const [B, T, V] = logits.dims;
  const n = Math.min(V, limit);
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const base = (b * T + T - 1) * V;
    let best = 0;
    for (let v = 1; v < n; v++) if (logits.data[base + v]! > logits.data[base + best]!) best = v;
    out.push(best);
  }
  return out;
}

/** Generated ids per prompt (stop token excluded), decoded greedily on `session`. */
export async function onnxGreedyReplyIds(
  session: OnnxSession,
  tokenizer: Pick<Tokenizer, 'decode' | 'vocabSize'>,
  prompts: readonly (readonly number[])[],
  opts: OnnxRepliesOptions,
): Promise<number[][]> {
  if (!session.kvCache) throw new Error('onnx replies: the session needs a KV-cache export');
  const usable = Math.min(session.vocabSize, tokenizer.vocabSize);
  const C = opts.contextLength;
  const outs: number[][] = prompts.map(() => []);
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`onnx replies: prompt ${i + 1} is empty`);
    byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]);
  });
  for (const group of byLength.values()) {
    for (let start = 0; start < group.length; start += opts.batchSize) {
      const idx = group.slice(start, start + opts.batchSize);
      const seqs = idx.map((i) => [...prompts[i]!]);
      const done = idx.map(() => false);
      let cache: KvCache | undefined;
      for (let step = 0; step < opts.maxNewTokens; step++) {
        if (done.every(Boolean) || opts.signal?.aborted) break;
        const len = seqs[0]!.length;
        let logits: Logits;
        if (len > C) {
          logits = await session.run(seqs.map((s) => s.slice(-C)));
          cache = undefined;
        } else {
          const fresh = cache ? seqs.map((s) => s.slice(cache!.length)) : seqs;
          const r = await session.step(fresh, cache);
          logits = r.logits;
          cache = r.cache;
        }
        lastArgmaxBelow(logits, usable).forEach((id, j) => {
          seqs[j]!.push(id); // every row grows, so the chunk stays rectangular
          if (done[j]) return;
          if (opts.stopIds.has(id)) {
            done[j] = true;
            return;
          }
          const out = outs[idx[j]!]!;
          out.push(id);
          if (tokenizer.decode(out).includes(opts.stopText)) done[j] = true;
        });
        await new Promise<void>((res) => setImmediate(res)); // let an abort through
      }
      if (opts.signal?.aborted) return outs;
    }
  }
  return outs;
}
