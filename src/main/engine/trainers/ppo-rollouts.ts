// PPO's rollouts (trainers/ppo.ts): the prompts cut to leave room for a response, one response sampled
// per prompt from the current policy, and the rollouts laid out as model inputs with their log-probs
// (and values) under a model. Sampling runs on
// onnxruntime from a KV-cache export of the policy when there is a session, else on tfjs, batched with
// right padding; every row draws from its own seeded generator, the same on both engines, so an
// iteration's rollouts depend only on (seed, iteration, weights). The end-of-turn token is part of
// the response (an action the policy learns to take).
import * as tf from '@tensorflow/tfjs-core';
import type { InferenceInfo, PpoConfig } from '../../../shared/schemas';
import { pick } from '../generate';
import { tokenLogProbsOf } from '../logprobs';
import type { GPT, GPTConfig } from '../model/gpt';
import type { ScalarHead } from '../model/heads';
import { openInference } from '../onnx/engine';
import type { OnnxSession } from '../onnx/session';
import { onnxGenerateStream } from '../onnx/stream';
import { mulberry32 } from '../random';
import type { Tokenizer } from '../tokenizer/types';
import { yieldToEvents } from './loop';

/** The sampling settings a rollout reads. */
type SamplingConfig = Pick<PpoConfig, 'seed' | 'maxNewTokens' | 'temperature'> &
  Partial<Pick<PpoConfig, 'inference'>>;
/**
 * Rollouts sample from the whole temperature-scaled distribution, as TRL's PPO does: with top-k or
 * top-p the samples would not come from the policy whose log-probs the ratio and the KL penalty use.
 */
const FULL = { topK: 0, topP: 1 } as const;

/** Where a response ends and how it reads as text. */
export interface RolloutStops {
  /** Decodes responses. */
  tokenizer: Tokenizer;
  /** A response ends at one of these ids (kept as its last token) … */
  stopIds: readonly number[];
  /** … or once its text contains this (an end-of-turn marker the tokenizer encodes as plain text). */
  stopText?: string;
}

/**
 * The prompts cut to fit: each keeps its last C + 1 − maxNewTokens ids, so that prompt and response fit
 * the context. Throws on a prompt with no tokens or a budget that leaves none; notes how many were cut.
 */
export function fitPrompts(
  prompts: readonly { text: string; ids: number[] }[],
  maxNewTokens: number,
  model: GPTConfig,
): { prompts: { text: string; ids: number[] }[]; notes: string[] } {
  const C = model.contextLength;
  const maxPrompt = C + 1 - maxNewTokens;
  if (maxPrompt < 1)
    throw new Error(`Max new tokens (${maxNewTokens}) must be below the model's context length (${C})`);
  const cut = prompts.filter((p) => p.ids.length > maxPrompt).length;
  const notes =
    cut > 0
      ? [
          `${cut} of ${prompts.length} prompts are longer than ${maxPrompt} tokens (context ${C} − max new tokens ${maxNewTokens} + 1); their start was cut`,
        ]
      : [];
  const fitted = prompts.map((p) => {
    if (p.ids.length === 0) throw new Error(`prompt "${p.text.slice(0, 40)}" renders to no tokens`);
    return { text: p.text, ids: p.ids.slice(-maxPrompt) };
  });
  return { prompts: fitted, notes };
}

export interface Rollout {
  /** The sampled ids, the stop token (or the stop text's tokens) included. */
  ids: number[];
  /** The response's text, without its end-of-turn marker. */
  text: string;
  /** Ended by an end-of-turn/EOS token or the stop text (not by the token budget). */
  eos: boolean;
}

/**
 * One iteration's rollouts from the current weights: the policy exported for onnxruntime (or, without
 * a session, sampled on tfjs), one response per prompt, the session released after. `message` says
 * where they were sampled; `rollouts` is null when aborted.
 */
export async function collectRollouts(
  policy: GPT,
  prompts: readonly number[][],
  stops: RolloutStops,
  config: SamplingConfig,
  iteration: number,
  signal: AbortSignal,
): Promise<{ rollouts: Rollout[] | null; message: string; info: InferenceInfo }> {
  const inference = await openInference(policy, { inference: config.inference ?? 'auto' });
  try {
    const rollouts = await sampleRollouts(
      policy,
      inference.session,
      prompts,
      stops,
      config,
      iteration,
      signal,
    );
    return { rollouts, message: inference.message, info: inference.info };
  } finally {
    await inference.session?.release();
  }
}

/**
 * Row `row`'s sampling seed at `iteration`. onnxGenerateStream draws its one row from
 * mulberry32(seed ^ 0x9e3779b9), and the tfjs path draws each row the same way, so both engines make
 * the same choices wherever their logits agree.
 */
function rowSeed(seed: number, iteration: number, row: number): number {
  return (seed ^ Math.imul(iteration, 0x9e3779b9) ^ Math.imul(row + 1, 0x85ebca6b)) >>> 0;
}

/**
 * Sample one response per prompt (each ≤ C + 1 − maxNewTokens ids) on the onnxruntime KV-cache
 * `session` (an export of the current policy), row by row, or without one on tfjs, batched: rows
 * right-padded, each reading the logits at its own last position. Returns null when aborted.
 */
async function sampleRollouts(
  policy: GPT,
  session: OnnxSession | undefined,
  prompts: readonly number[][],
  inputs: RolloutStops,
  config: SamplingConfig,
  iteration: number,
  signal: AbortSignal,
): Promise<Rollout[] | null> {
  const { vocabSize: V, contextLength } = policy.config;
  const limit = Math.min(V, inputs.tokenizer.vocabSize);
  const stop = new Set(inputs.stopIds);
  const { stopText, tokenizer } = inputs;
  const ended = (out: number[]) =>
    stop.has(out.at(-1)!) || (stopText !== undefined && tokenizer.decode(out).includes(stopText));
  const rows = prompts.map((p, i) => ({
    seq: [...p],
    out: [] as number[],
    eos: false,
    seed: rowSeed(config.seed, iteration, i),
  }));
  if (session) {
    for (const r of rows) {
      const { maxNewTokens, temperature } = config;
      const options = {
        maxNewTokens,
        temperature,
        ...FULL,
        seed: r.seed,
        vocabLimit: limit,
        signal,
        contextLength,
      };
      for await (const { id } of onnxGenerateStream(session, r.seq, options)) {
        r.out.push(id);
        if ((r.eos = ended(r.out))) break;
      }
    }
  } else {
    const rngs = rows.map((r) => mulberry32((r.seed ^ Math.imul(1, 0x9e3779b9)) >>> 0));
    for (let step = 0; step < config.maxNewTokens; step++) {
      const active = rows.map((_, i) => i).filter((i) => !rows[i]!.eos);
      if (active.length === 0 || signal.aborted) break;
      const seqs = active.map((i) => rows[i]!.seq);
      const logits = lastLogits(policy, seqs);
      active.forEach((row, j) => {
        const r = rows[row]!;
        const id = pick(
          logits.subarray(j * V, j * V + limit),
          { ...FULL, temperature: config.temperature },
          rngs[row]!,
        );
        r.seq.push(id);
        r.out.push(id);
        r.eos = ended(r.out);
      });
      await yieldToEvents(); // let an abort get through
    }
  }
  if (signal.aborted) return null;
  return rows.map((r) => {
    let text = tokenizer.decode(r.eos && stop.has(r.out.at(-1)!) ? r.out.slice(0, -1) : r.out);
    if (r.eos && stopText !== undefined && text.includes(stopText))
      text = text.slice(0, text.indexOf(stopText));
    return { ids: r.out, text, eos: r.eos };
  });
}

/** Next-token logits at each sequence's last position, the sequences right-padded into one batch: [b·V]. */
function lastLogits(model: GPT, seqs: readonly number[][]): Float32Array {
  const b = seqs.length;
  const T = Math.max(...seqs.map((s) => s.length));
  const flat = new Int32Array(b * T);
  seqs.forEach((s, i) => flat.set(s, i * T));
  const last = tf.tidy(() => {
    const ids = tf.tensor2d(flat, [b, T], 'int32');
    const hidden = tf.reshape(model.hidden(ids), [b * T, -1]); // [b·T, D]
    const at = tf.gather(
      hidden,
      tf.tensor1d(
        seqs.map((s, i) => i * T + s.length - 1),
        'int32',
      ),
    ); // [b, D]
    return model.logitsOf(tf.expandDims(at, 1) as tf.Tensor3D); // [b, 1, V]
  });
  const logits = last.dataSync() as Float32Array;
  last.dispose();
  return logits;
}

/** Rollouts as model inputs: each row's prompt + response shifted by one, right-padded; mask on the response's targets. */
export interface RolloutBatch {
  B: number;
  T: number;
  inputs: Int32Array; // [B, T]
  targets: Int32Array; // [B, T]
  mask: Float32Array; // [B, T]: 1 where targets[b, t] is a response token
  responseTokens: number;
}

export function assemble(prompts: readonly number[][], responses: readonly number[][]): RolloutBatch {
  const B = prompts.length;
  const seqs = prompts.map((p, i) => [...p, ...responses[i]!]);
  const T = Math.max(1, ...seqs.map((s) => s.length - 1));
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t + 1 < s.length; t++) {
      inputs[b * T + t] = s[t]!;
      targets[b * T + t] = s[t + 1]!;
      if (t + 1 >= prompts[b]!.length) mask[b * T + t] = 1;
    }
  });
  return { B, T, inputs, targets, mask, responseTokens: responses.reduce((a, r) => a + r.length, 0) };
}

/** Rows of a batch as tensors ([b, T] each); `rows` undefined = all. The caller disposes them. */
export function batchTensors(
  data: RolloutBatch,
  rows: readonly number[],
  extra: Record<string, Float32Array> = {},
) {
  const { T } = data;
  const take = <A extends Int32Array | Float32Array>(x: A, out: A) => {
    rows.forEach((b, j) => out.set(x.subarray(b * T, (b + 1) * T), j * T));
    return out;
  };
  const b = rows.length;
  const f32 = (x: Float32Array) => tf.tensor2d(take(x, new Float32Array(b * T)), [b, T]);
  return {
    inputs: tf.tensor2d(take(data.inputs, new Int32Array(b * T)), [b, T], 'int32'),
    targets: tf.tensor2d(take(data.targets, new Int32Array(b * T)), [b, T], 'int32'),
    mask: f32(data.mask),
    extra: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, f32(v)])),
  };
}

/** Log-probs of the taken tokens at `temperature` (and the value head's values), no gradients: [B·T] each, 0 off the mask. */
export function scoreRollouts(model: GPT, head: ScalarHead | null, data: RolloutBatch, temperature: number) {
  const t = batchTensors(
    data,
    Array.from({ length: data.B }, (_, b) => b),
  );
  const out = tf.tidy(() => {
    const { logits, hidden } = model.forwardWithHidden(t.inputs); // [B, T, V], [B, T, D]
    const logp = tf.mul(
      tokenLogProbsOf(tf.div(logits, temperature) as tf.Tensor3D, t.targets, model.config.vocabSize),
      t.mask,
    );
    return [logp, head ? tf.mul(head.apply(hidden), t.mask) : tf.zerosLike(logp)];
  });
  const [logp, values] = out.map((x) => x.dataSync() as Float32Array) as [Float32Array, Float32Array];
  tf.dispose([...out, t.inputs, t.targets, t.mask]);
  return { logp, values };
}

/** Per-sequence sums over the response tokens of [B·T] arrays: [B] each. */
export function sequenceSums<K extends string>(
  data: RolloutBatch,
  arrays: Record<K, Float32Array>,
): Record<K, number[]> {
  const { B, T, mask } = data;
  const out = {} as Record<K, number[]>;
  for (const k of Object.keys(arrays) as K[]) {
    const x = arrays[k];
    out[k] = Array.from({ length: B }, (_, b) => {
      let sum = 0;
      for (let t = b * T; t < (b + 1) * T; t++) if (mask[t]) sum += x[t]!;
      return sum;
    });
  }
  return out;
}
