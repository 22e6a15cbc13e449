// Sampled generation streamed from an onnxruntime KV-cache session: the semantics of generate.ts's
// generateStream for one prompt (temperature, top-k, top-p through the same `pick`, the same seeded
// generator for row 0, stop tokens, vocabLimit, maxNewTokens, an AbortSignal), but each step feeds
// one token through the cache instead of rerunning the sequence. Once the sequence outgrows the
// context window, steps rerun its last contextLength tokens in full, as generate.ts does.
import { pick, type FinishReason, type GeneratedToken, type GenerateOptions } from '../generate';
import { mulberry32 } from '../random';
import type { KvCache, Logits, OnnxSession } from './session';

export type OnnxStreamOptions = Pick<
  GenerateOptions,
  'maxNewTokens' | 'temperature' | 'topK' | 'topP' | 'seed' | 'stopTokenIds' | 'vocabLimit' | 'signal'
> & {
  /** The model's context length. */
  contextLength: number;
};

/** Generate a continuation of `prompt` on `session`, yielding each token; returns ids and why it ended. */
export async function* onnxGenerateStream(
  session: OnnxSession,
  prompt: readonly number[],
  options: OnnxStreamOptions,
): AsyncGenerator<GeneratedToken, { ids: number[]; finishReason: FinishReason }> {
  if (!session.kvCache) throw new Error('onnx generate: the session needs a KV-cache export');
  if (prompt.length === 0) throw new Error('onnx generate: the prompt is empty; start it with a BOS token');
  const o = {
    maxNewTokens: options.maxNewTokens ?? 64,
    temperature: options.temperature ?? 1,
    topK: options.topK ?? 0,
    topP: options.topP ?? 1,
    seed: options.seed ?? 0,
  };
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 0)
    throw new Error(`generate: maxNewTokens must be a whole number ≥ 0 (got ${o.maxNewTokens})`);
  if (!(o.temperature >= 0)) throw new Error(`generate: temperature must be ≥ 0 (got ${o.temperature})`);
  if (!Number.isInteger(o.topK) || o.topK < 0)
    throw new Error(`generate: topK must be a whole number ≥ 0 (got ${o.topK})`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new Error(`generate: topP must be in (0, 1] (got ${o.topP})`);
  const V = session.vocabSize;
  const limit = Math.min(V, options.vocabLimit ?? V);
  const C = options.contextLength;
  const stopIds = new Set(options.stopTokenIds ?? []);
  // Row 0's generator in generate.ts.
  const rng = mulberry32((o.seed ^ Math.imul(1, 0x9e3779b9)) >>> 0);
  const seq = [...prompt];
  const out: number[] = [];
  let cache: KvCache | undefined;
  for (let step = 0; step < o.maxNewTokens; step++) {
    if (options.signal?.aborted) return { ids: out, finishReason: 'aborted' };
    let logits: Logits;
    if (seq.length > C) {
      logits = await session.run([seq.slice(-C)]);
      cache = undefined;
    } else {
      const r = await session.step([cache ? seq.slice(cache.length) : seq], cache);
      logits = r.logits;
      cache = r.cache;
    }
    const T = logits.dims[1];
    const id = pick(logits.data.subarray((T - 1) * V, (T - 1) * V + limit), o, rng);
    if (stopIds.has(id)) return { ids: out, finishReason: 'stop_token' };
    seq.push(id);
    out.push(id);
    yield { row: 0, id, index: out.length - 1 };
    await new Promise<void>((res) => setImmediate(res)); // let an abort get through
  }
  return { ids: out, finishReason: 'length' };
}
