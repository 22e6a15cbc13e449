// Scoring on onnxruntime: a session over a scoring export (onnx/score-export.ts) that turns rows of
// token ids into per-token log-probs of given targets and/or a scalar head's value at every position,
// in chunks of rows. The provider is chosen by onnx/session.ts; whether to use onnxruntime at all by
// onnx/engine.ts (openScorer there). Callers mask, sum and pick positions themselves.
import type * as ortTypes from 'onnxruntime-node';
import { openOrtSession, type OnnxProvider, type SessionOptions } from './session';

export interface ScoreRows {
  /** Row count and length: `inputs` (and `targets`) are [n, T] row-major. */
  n: number;
  T: number;
  inputs: Int32Array;
  /** Required when the export has log-probs. */
  targets?: Int32Array;
}

export interface ScoreOptions {
  /** Log-probs are of softmax(logits / temperature). Default 1. */
  temperature?: number;
  /** Rows per session run. Default 32. */
  batchSize?: number;
}

export interface OnnxScorer {
  readonly provider: OnnxProvider;
  readonly reason: string;
  /** The export has `token_logprobs` (needs targets) / `values` (a head). */
  readonly logprobs: boolean;
  readonly head: boolean;
  /** [n·T] each: log p(target) per position, and the head's value per position (when exported). */
  score(rows: ScoreRows, opts?: ScoreOptions): Promise<{ logp?: Float32Array; values?: Float32Array }>;
  release(): Promise<void>;
}

/** Open a scoring export. */
export async function createScorer(bytes: Uint8Array, opts: SessionOptions = {}): Promise<OnnxScorer> {
  const { ort, session, provider, reason } = await openOrtSession(bytes, opts);
  const outs = new Set(session.outputNames);
  const logprobs = outs.has('token_logprobs');
  const head = outs.has('values');
  if (!logprobs && !head) {
    await session.release();
    throw new Error(
      'ONNX scorer: the model has neither `token_logprobs` nor `values`; export it with exportScoring',
    );
  }
  const int64 = (src: Int32Array, from: number, count: number, T: number): ortTypes.Tensor => {
    const flat = new BigInt64Array(count * T);
    for (let i = 0; i < count * T; i++) flat[i] = BigInt(src[from * T + i]!);
    return new ort.Tensor('int64', flat, [count, T]);
  };
  return {
    provider,
    reason,
    logprobs,
    head,
    async score(rows, o = {}) {
      const { n, T } = rows;
      const temperature = o.temperature ?? 1;
      const batch = o.batchSize ?? 32;
      if (rows.inputs.length !== n * T)
        throw new Error(`ONNX scorer: inputs hold ${rows.inputs.length} ids, not ${n} rows × ${T}`);
      if (logprobs && rows.targets?.length !== n * T)
        throw new Error('ONNX scorer: log-probs need targets of the same shape as the inputs');
      if (!(temperature > 0)) throw new Error(`ONNX scorer: temperature must be > 0 (got ${temperature})`);
      const logp = logprobs ? new Float32Array(n * T) : undefined;
      const values = head ? new Float32Array(n * T) : undefined;
      const temp = new ort.Tensor('float32', new Float32Array([temperature]), []);
      for (let from = 0; from < n; from += batch) {
        const count = Math.min(batch, n - from);
        const feeds: Record<string, ortTypes.Tensor> = { input_ids: int64(rows.inputs, from, count, T) };
        if (logprobs) {
          feeds['targets'] = int64(rows.targets!, from, count, T);
          feeds['temperature'] = temp;
        }
        const out = await session.run(feeds);
        if (logp) logp.set(out['token_logprobs']!.data as Float32Array, from * T);
        if (values) values.set(out['values']!.data as Float32Array, from * T);
      }
      return { ...(logp ? { logp } : {}), ...(values ? { values } : {}) };
    },
    release: () => session.release(),
  };
}

/**
 * Log-probs of `targets` at `temperature`, 0 where `mask` is 0: [n·T], as a tfjs scoring pass computes
 * them (PPO's reference over rollouts, DPO's reference over pairs).
 */
export async function maskedLogProbs(
  scorer: OnnxScorer,
  rows: Required<ScoreRows> & { mask: Float32Array },
  opts: ScoreOptions = {},
): Promise<Float32Array> {
  const { logp } = await scorer.score(rows, opts);
  if (!logp) throw new Error('ONNX scorer: the export has no log-probs');
  for (let i = 0; i < logp.length; i++) logp[i] = rows.mask[i] ? logp[i]! : 0;
  return logp;
}
