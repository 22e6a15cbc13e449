// Scoring with a trained reward model: the GPT trunk and its `score` head (see trainers/reward.ts),
// each (prompt, response) rendered exactly as the reward trainer rendered it, the head read at the
// sequence's last token. Batched, no gradients, every tensor disposed. PPO's rollout rewards and the
// lab's scoring view use it. It runs on onnxruntime over a scoring export of trunk + head
// (onnx/score-export.ts) unless tfjs is asked for or no session can be created (onnx/engine.ts), then
// on tfjs; the two agree to ~1e-6. It does not choose the tfjs backend: the caller has (tasks/score.ts).
//
// How a reward model reads a response (the same in training and here):
// - the one-turn conversation [user: prompt, assistant: response] through the chat template, up to and
//   including the assistant's last trained token: its end-of-turn or EOS (ChatML's `<|im_end|>`,
//   Llama-2's `</s>`, …); untrained text after the turn (ChatML's "\n") is left off. The reward is read
//   at that token, which has attended to the whole prompt and response.
// - longer than min(maxLength, contextLength) tokens: the START is cut, so the end-of-turn token stays.
import * as tf from '@tensorflow/tfjs-core';
import type { InferenceChoice, InferenceInfo } from '../../shared/schemas';
import { loadModel } from './checkpoint';
import { isFeatureRewardPath, openFeatureRewardScorer } from './feature-reward/model';
import type { GPT } from './model/gpt';
import { ScalarHead } from './model/heads';
import { openScorer } from './onnx/engine';
import type { OnnxScorer } from './onnx/scorer';
import { loadTokenizer } from './tokenizer/load';
import { TEMPLATES, renderConversation, type TemplateName } from './tokenizer/templates';
import type { Tokenizer } from './tokenizer/types';

/** The reward head's name in the weights file (`score.weight`, `score.bias`), as TRL names it. */
export const REWARD_HEAD = 'score';

/** Sequences per forward pass when scoring. */
const SCORE_BATCH = 32;

export interface RewardScorer {
  /** One reward per item, in order. */
  score(items: readonly { prompt: string; response: string }[]): Promise<number[]>;
  /** The chat template items are rendered with. */
  readonly template: TemplateName;
  /** Where scoring runs (onnxruntime's provider, or tfjs and why); absent where no network runs. */
  readonly inference?: InferenceInfo;
  /** Release the weights (and the onnxruntime session). */
  dispose(): void;
}

/**
 * Load a reward model (weights + `score` head + tokenizer) for scoring. The template defaults to the
 * one the model was trained with (its record's `config.template`), else ChatML; an explicit one wins.
 */
export async function openRewardScorer(
  modelPath: string,
  opts: { template?: TemplateName; inference?: InferenceChoice } = {},
): Promise<RewardScorer> {
  if (isFeatureRewardPath(modelPath)) return openFeatureRewardScorer(modelPath);
  const { model, record, extras } = await loadModel(modelPath, false);
  let head: ScalarHead;
  let tokenizer: Tokenizer;
  try {
    if (!ScalarHead.has(REWARD_HEAD, extras))
      throw new Error(
        `model ${modelPath} is not a reward model: it has no "${REWARD_HEAD}" head ` +
          `(it was trained by "${record.trainer}"); train one with the Reward model run`,
      );
    tokenizer = await loadTokenizer(record.arch.tokenizer, modelPath);
    head = ScalarHead.fromArrays(REWARD_HEAD, extras, false);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const trained = record.config['template'];
  const template = opts.template ?? (isTemplateName(trained) ? trained : 'chatml');
  const maxLength = record.config['maxLength'];
  const limit = rewardLimit(
    typeof maxLength === 'number' ? maxLength : undefined,
    model.config.contextLength,
  );
  const chosen = await openScorer(
    model,
    { logprobs: false, head },
    { inference: opts.inference ?? 'auto', label: 'reward scoring' },
  ).catch((err: unknown) => {
    model.dispose();
    head.dispose();
    throw err;
  });
  const session = chosen.session;
  let disposed = false;
  return {
    template,
    inference: chosen.info,
    async score(items) {
      if (disposed) throw new Error('reward scorer: used after dispose()');
      const seqs = items.map((it, i) => {
        const { ids } = renderForReward(tokenizer, template, it.prompt, it.response);
        if (ids.length === 0) throw new Error(`item ${i + 1} renders to no tokens`);
        return keepEnd(ids, limit);
      });
      if (session) return Array.from(await scoreSequencesOnnx(session, seqs, SCORE_BATCH));
      return Array.from(scoreSequences(model, head, seqs, SCORE_BATCH));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session?.release();
      model.dispose();
      head.dispose();
    },
  };
}

function isTemplateName(x: unknown): x is TemplateName {
  return typeof x === 'string' && Object.hasOwn(TEMPLATES, x);
}

/**
 * (prompt, response) → the token ids a reward model reads: the one-turn conversation through
 * `template`, ending at the assistant's last trained token (its end-of-turn or EOS). `warnings` are
 * the template's (e.g. a marker this tokenizer lacks).
 */
export function renderForReward(
  tokenizer: Tokenizer,
  template: TemplateName,
  prompt: string,
  response: string,
): { ids: number[]; warnings: string[] } {
  const r = renderConversation(tokenizer, template, [
    { role: 'user', content: prompt },
    { role: 'assistant', content: response },
  ]);
  const end = r.mask.lastIndexOf(1); // -1 when nothing is trained (e.g. an empty reply, no EOS)
  return { ids: end >= 0 ? r.ids.slice(0, end + 1) : r.ids, warnings: r.warnings };
}

/** The longest sequence a reward model reads: maxLength (when the run set one) within the context. */
export function rewardLimit(maxLength: number | undefined, contextLength: number): number {
  return Math.min(maxLength ?? contextLength, contextLength);
}

/** The last `limit` ids: a reward is read at the end, so a long sequence loses its start. */
export function keepEnd(ids: readonly number[], limit: number): number[] {
  return ids.length > limit ? ids.slice(ids.length - limit) : ids.slice();
}

/**
 * Rewards of token sequences (each non-empty, at most the context length) under trunk + head: the
 * head read at each sequence's last token. `batchSize` sequences per forward, right-padded with `pad`
 * (after the last token, so never attended to), sorted by length to pad little. No gradients.
 */
export function scoreSequences(
  trunk: GPT,
  head: ScalarHead,
  seqs: readonly (readonly number[])[],
  batchSize: number,
  pad = 0,
): Float32Array {
  const out = new Float32Array(seqs.length);
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]!.length - seqs[b]!.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const { ids, last } = packSequences(
      idx.map((i) => seqs[i]!),
      pad,
    );
    const rewards = tf.tidy(() => head.atLast(trunk.hidden(ids), last)); // [b]
    const values = rewards.dataSync();
    tf.dispose([rewards, ids]);
    idx.forEach((i, j) => (out[i] = values[j]!));
  }
  return out;
}

/** scoreSequences on an onnxruntime scorer whose export has the reward head (`values`). */
export async function scoreSequencesOnnx(
  scorer: OnnxScorer,
  seqs: readonly (readonly number[])[],
  batchSize: number,
  pad = 0,
): Promise<Float32Array> {
  if (!scorer.head) throw new Error('reward scoring: the ONNX export has no head');
  const out = new Float32Array(seqs.length);
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]!.length - seqs[b]!.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const T = Math.max(1, ...idx.map((i) => seqs[i]!.length));
    const inputs = new Int32Array(idx.length * T).fill(pad); // [b, T], right-padded
    idx.forEach((i, j) => {
      if (seqs[i]!.length === 0) throw new Error(`sequence ${i + 1} is empty`);
      inputs.set(seqs[i]!, j * T);
    });
    const { values } = await scorer.score({ n: idx.length, T, inputs }, { batchSize: idx.length });
    idx.forEach((i, j) => (out[i] = values![j * T + seqs[i]!.length - 1]!)); // at the last token
  }
  return out;
}

/**
 * Sequences → ids [n, T] (int32, right-padded with `pad`, T the longest) and each row's last position.
 * The caller disposes `ids`.
 */
export function packSequences(
  seqs: readonly (readonly number[])[],
  pad = 0,
): { ids: tf.Tensor2D; last: number[] } {
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const data = new Int32Array(seqs.length * T).fill(pad);
  const last = seqs.map((s, i) => {
    if (s.length === 0) throw new Error(`sequence ${i + 1} is empty`);
    data.set(s, i * T);
    return s.length - 1;
  });
  return { ids: tf.tensor2d(data, [seqs.length, T], 'int32'), last };
}
