// The PPO trainer of RLHF (Ziegler et al. 2019; Ouyang et al. 2022; TRL PPOTrainer): each iteration
// samples responses from the policy, scores them with a reward source, subtracts a per-token KL
// penalty to the frozen reference, estimates advantages with a value head (GAE), and takes
// `ppoEpochs` passes of clipped policy and value updates over the rollouts. It yields events (backend,
// progress, metrics under TRL's names, rollout samples, checkpoints, the final model) and knows nothing
// of SQLite, IPC or Electron. The config is `PpoConfig` in src/shared/schemas.ts; the formulas are
// losses/ppo.ts; rendering prompts and choosing the reward source is tasks/ppo.ts.
//
// Choices worth knowing:
// - One trunk: the value head (`v_head`, a ScalarHead) reads the policy's own hidden states, so the
//   value loss (weighted by vfCoef) also moves the policy's trunk. Today's TRL PPOTrainer uses a
//   separate value model; sharing the trunk, as TRL's older AutoModelForCausalLMWithValueHead did,
//   halves the compute.
// - The reference is a frozen copy of the starting policy; its log-probs of each rollout are computed
//   once per iteration without gradients. Log-probs (policy, reference, old and new) are of the
//   temperature-scaled logits, the distribution the rollouts were sampled from (as TRL).
// - Rollouts are sampled on onnxruntime from a KV-cache export of the current policy, made afresh each
//   iteration (onnx/engine.ts; LAB_INFERENCE=tfjs, or a session that cannot be created, samples on
//   tfjs instead, batched with right padding), every row from its own seeded generator, the same on
//   both engines: an iteration's rollouts depend only on (seed, iteration, weights). Log-probs for
//   the losses are always recomputed on tfjs. The end-of-turn token is part of the response (an
//   action the policy learns to take); the score is added at the response's last token.
// - Adam (β 0.9/0.999, ε 1e-8, no weight decay), constant learning rate, gradients clipped to
//   maxGradNorm. Minibatch orders are seeded by (seed, iteration, epoch).
// - Cancel is checked before each iteration and between sampling steps: the trainer writes a checkpoint
//   (weights, v_head, Adam moments, prompt position, adaptive β) and returns; `resumeFrom` continues
//   exactly where it stopped. The final model carries the v_head as an extra; loadModel ignores it.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PpoConfig } from '../../../shared/schemas';
import { selectBackend } from '../backend';
import {
  baseName,
  checkpointName,
  loadModel,
  readModelRecord,
  saveModel,
  type ArchRecord,
  type Lineage,
  type ModelRecord,
  type TrainerState,
} from '../checkpoint';
import { pick } from '../generate';
import { tokenLogProbsOf } from '../logprobs';
import {
  AdaptiveKlController,
  clippedPolicyLoss,
  clippedValueLoss,
  gae,
  klPerToken,
  tokenRewards,
  whiten,
} from '../losses/ppo';
import { GPT } from '../model/gpt';
import { openInference } from '../onnx/engine';
import type { OnnxSession } from '../onnx/session';
import { onnxGenerateStream } from '../onnx/stream';
import { ScalarHead } from '../model/heads';
import { MODEL_PRESETS } from '../model/presets';
import type { RewardFn } from '../rewards';
import { mulberry32, permutation } from '../random';
import { readSafetensors, writeSafetensors } from '../safetensors';
import type { Tokenizer } from '../tokenizer/types';
import type { TrainContext, TrainEvent } from '../types';
import { Adam, clipScale, epochOrder, globalNorm, weightsFinite } from './common';

export interface PpoTrainerInputs {
  /** Prompts as text (for the reward source and the samples) and as ids, the assistant turn open. */
  prompts: { text: string; ids: number[] }[];
  /** Decodes responses. */
  tokenizer: Tokenizer;
  /** Recorded in a fresh model's architecture record ('byte', or a tokenizer file's name). */
  tokenizerName: string;
  /** A response ends at one of these ids (kept as its last token) … */
  stopIds: number[];
  /** … or once its text contains this (an end-of-turn marker the tokenizer encodes as plain text). */
  stopText?: string;
  /** Scores (prompt, response text) items; the caller owns (and disposes) it. */
  reward: RewardFn;
  /** Start the policy and the reference from this model; without it, a fresh `config.model`. */
  base?: { path: string; id: number | null };
}

/** What a PPO checkpoint records beyond the common trainer state. */
export type PpoState = TrainerState & { klCoef: number; adamSteps: number };

const VALUE_HEAD = 'v_head';
/** Per-minibatch statistics, in the order the update packs them. */
const UPDATE_STATS = [
  'loss/policy',
  'loss/value',
  'policy/clipfrac',
  'val/clipfrac',
  'policy/approxkl',
  'val/ratio',
] as const;

export async function* trainPpo(
  config: PpoConfig,
  inputs: PpoTrainerInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const backend = await selectBackend(config.backend);
  yield { type: 'backend', backend };
  await mkdir(ctx.outDir, { recursive: true });
  const m = await loadModels(config, inputs);
  const { policy, reference, vHead, arch, lineage } = m;
  const params = new Map([
    ...policy.weights,
    [`${VALUE_HEAD}.weight`, vHead.weight],
    [`${VALUE_HEAD}.bias`, vHead.bias],
  ]);
  const adam = new Adam(params, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
  try {
    const n = inputs.prompts.length;
    if (n === 0) throw new Error('There are no prompts to generate from');
    const { contextLength: C, vocabSize: V } = policy.config;
    if (inputs.tokenizer.vocabSize > V)
      throw new Error(
        `The tokenizer has ${inputs.tokenizer.vocabSize} ids but the model only ${V}; pick a matching model`,
      );
    if (config.numMiniBatches > config.batchSize)
      throw new Error(
        `Minibatches (${config.numMiniBatches}) cannot outnumber the rollouts per iteration (batch size ${config.batchSize})`,
      );
    const maxPrompt = C + 1 - config.maxNewTokens;
    if (maxPrompt < 1)
      throw new Error(
        `Max new tokens (${config.maxNewTokens}) must be below the model's context length (${C})`,
      );
    const cut = inputs.prompts.filter((p) => p.ids.length > maxPrompt).length;
    if (cut > 0)
      yield {
        type: 'log',
        message: `${cut} of ${n} prompts are longer than ${maxPrompt} tokens (context ${C} − max new tokens ${config.maxNewTokens} + 1); their start was cut`,
      };
    const prompts = inputs.prompts.map((p) => {
      if (p.ids.length === 0) throw new Error(`prompt "${p.text.slice(0, 40)}" renders to no tokens`);
      return { text: p.text, ids: p.ids.slice(-maxPrompt) };
    });

    const state: PpoState = m.state ?? {
      step: 0,
      epoch: 0,
      index: 0,
      numTokens: 0,
      seed: config.seed,
      klCoef: config.klCoef,
      adamSteps: 0,
    };
    if (m.optimizerState) adam.load(m.optimizerState, state.adamSteps);
    const kl = new AdaptiveKlController(state.klCoef, config.targetKl, config.klHorizon);
    let savedStep = state.step;
    let savedPath = config.resumeFrom ?? '';
    const record = (): ModelRecord => ({
      arch,
      trainer: 'ppo',
      step: state.step,
      config: config as Record<string, unknown>,
      lineage,
    });
    const checkpoint = async () => {
      if (!weightsFinite(policy))
        throw new Error(
          `ppo: the weights became non-finite by iteration ${state.step}; try a smaller learning rate (now ${config.learningRate})`,
        );
      const base = path.join(ctx.outDir, checkpointName(state.step));
      await writeSafetensors(base + '.optim.safetensors', await adam.state(), { step: String(state.step) });
      const saved: PpoState = { ...state, klCoef: kl.value, adamSteps: adam.t };
      savedPath = await saveModel(base, policy, { ...record(), state: saved }, [vHead]);
      savedStep = state.step;
      return savedPath;
    };

    let order = epochOrder(n, state.seed, state.epoch); // the prompts' order in this pass over them
    let engineMessage = ''; // where rollouts are sampled, logged when it changes
    while (state.step < config.iterations) {
      const iteration = state.step + 1;
      const t0 = performance.now();
      // The next prompts; the position is committed to `state` only when the iteration completes.
      const at = { epoch: state.epoch, index: state.index };
      const batch: typeof prompts = [];
      while (batch.length < config.batchSize) {
        if (at.index >= n) {
          at.epoch++;
          at.index = 0;
          order = epochOrder(n, state.seed, at.epoch);
        }
        batch.push(prompts[order[at.index++]!]!);
      }
      let rollouts: Rollout[] | null = null;
      if (!ctx.signal.aborted) {
        const inference = await openInference(policy); // the current weights, exported for onnxruntime
        if (inference.message !== engineMessage)
          yield { type: 'log', message: (engineMessage = inference.message) };
        try {
          const ids = batch.map((p) => p.ids);
          rollouts = await sampleRollouts(
            policy,
            inference.session,
            ids,
            inputs,
            config,
            iteration,
            ctx.signal,
          );
        } finally {
          await inference.session?.release();
        }
      }
      if (!rollouts) {
        if (state.step > savedStep) yield { type: 'checkpoint', step: state.step, path: await checkpoint() };
        return;
      }
      const texts = rollouts.map((r) => r.text);
      const raw = await inputs.reward(batch.map((p, i) => ({ prompt: p.text, response: texts[i]! })));
      if (raw.length !== batch.length || raw.some((s) => !Number.isFinite(s)))
        throw new Error(
          `The reward source gave ${raw.length} scores for ${batch.length} rollouts, or a non-finite one, at iteration ${iteration}`,
        );
      const scores = raw.map((s, i) => s - (rollouts[i]!.eos ? 0 : config.missingEosPenalty));

      const data = assemble(
        batch.map((p) => p.ids),
        rollouts.map((r) => r.ids),
      );
      const dims = { B: data.B, T: data.T };
      // Old log-probs and values (policy), reference log-probs; then rewards, GAE and whitening.
      const old = scoreRollouts(policy, vHead, data, config.temperature);
      const ref = scoreRollouts(reference, null, data, config.temperature);
      const beta = kl.value;
      const klTok = klPerToken(old.logp, ref.logp, data.mask, config.klEstimator);
      const { rewards, nonScore } = tokenRewards(klTok, scores, data.mask, beta, dims);
      const { advantages, returns } = gae(rewards, old.values, data.mask, config.gamma, config.lam, dims);
      const targets = {
        oldLogp: old.logp,
        oldValues: old.values,
        adv: whiten(advantages, data.mask),
        returns,
      };

      const update = optimise(policy, vHead, adam, params, data, targets, config, iteration);
      if ('failed' in update) {
        const { loss, gradNorm, epoch, minibatch } = update.failed;
        throw new Error(
          `PPO loss became ${loss} (gradient norm ${gradNorm}) at iteration ${iteration} (PPO epoch ${epoch}, minibatch ${minibatch})` +
            `${savedPath ? `; the weights of iteration ${savedStep} are kept in ${savedPath}` : ''}. ` +
            `Try a smaller learning rate (now ${config.learningRate}) or gradient clipping (maxGradNorm, now ${config.maxGradNorm})`,
        );
      }
      const perSeq = sequenceSums(data, { kl: klTok, nonScore, negLogp: old.logp.map((v) => -v) });
      const meanKl = mean(perSeq.kl);
      if (config.adaptiveKl) kl.update(meanKl, data.B);
      Object.assign(state, at, { step: iteration });
      state.numTokens += data.responseTokens;
      const values: Record<string, number> = {
        'objective/kl': meanKl,
        'objective/entropy': mean(perSeq.negLogp),
        'objective/non_score_reward': mean(perSeq.nonScore),
        'objective/rlhf_reward': mean(perSeq.nonScore) + mean(scores),
        'objective/scores': mean(scores),
        ...update.stats,
        response_length: data.responseTokens / data.B,
        'val/num_eos_tokens': rollouts.filter((r) => r.eos).length,
        kl_coef: beta,
        learning_rate: config.learningRate,
        episode: state.step * config.batchSize,
        'time/iteration_seconds': (performance.now() - t0) / 1000,
      };
      yield {
        type: 'progress',
        step: state.step,
        totalSteps: config.iterations,
        epoch: state.epoch + state.index / n,
      };
      yield { type: 'metrics', step: state.step, values };
      if (config.samplesPerIteration > 0)
        yield {
          type: 'samples',
          step: state.step,
          kind: 'rollout',
          items: batch.slice(0, config.samplesPerIteration).map((p, i) => ({
            prompt: p.text,
            response: texts[i]!,
            score: scores[i]!,
            reward: scores[i]! + perSeq.nonScore[i]!,
            kl: perSeq.kl[i]!,
          })),
        };
      if (
        config.checkpointEvery > 0 &&
        state.step % config.checkpointEvery === 0 &&
        state.step < config.iterations
      )
        yield { type: 'checkpoint', step: state.step, path: await checkpoint() };
      await new Promise<void>((resolve) => setImmediate(resolve)); // let an abort (or IPC) get through
    }
    if (!weightsFinite(policy))
      throw new Error(`ppo: the weights became non-finite by iteration ${state.step}`);
    const file = await saveModel(path.join(ctx.outDir, 'model.safetensors'), policy, record(), [vHead]);
    yield { type: 'model', path: file, arch: { ...arch, lineage } };
  } finally {
    policy.dispose();
    reference.dispose();
    vHead.dispose();
    adam.dispose();
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, v) => a + v, 0) / Math.max(1, xs.length);

/** Per-sequence sums over the response tokens of [B·T] arrays: [B] each. */
function sequenceSums<K extends string>(
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

interface Targets {
  oldLogp: Float32Array;
  oldValues: Float32Array;
  /** Whitened advantages. */
  adv: Float32Array;
  returns: Float32Array;
}

/**
 * `ppoEpochs` passes over the rollouts, each in a seeded order split into `numMiniBatches` minibatches,
 * one clipped update each. Returns the update statistics averaged over the minibatches, or where the
 * loss first became non-finite (that update is not applied).
 */
function optimise(
  policy: GPT,
  vHead: ScalarHead,
  adam: Adam,
  params: Map<string, tf.Variable>,
  data: RolloutBatch,
  targets: Targets,
  config: PpoConfig,
  iteration: number,
):
  | { stats: Record<string, number> }
  | { failed: { loss: number; gradNorm: number; epoch: number; minibatch: number } } {
  const sums = new Array<number>(UPDATE_STATS.length + 1).fill(0);
  let updates = 0;
  for (let e = 0; e < config.ppoEpochs; e++) {
    const seed = (config.seed ^ Math.imul(iteration, 0x85ebca6b) ^ Math.imul(e + 1, 0xc2b2ae35)) >>> 0;
    const order = permutation(data.B, mulberry32(seed));
    for (let k = 0; k < config.numMiniBatches; k++) {
      const rows = order.filter((_, j) => j % config.numMiniBatches === k);
      const r = ppoUpdate(policy, vHead, adam, params, data, rows, targets, config);
      if (!r.applied)
        return { failed: { loss: r.loss, gradNorm: r.gradNorm, epoch: e + 1, minibatch: k + 1 } };
      [...r.stats, r.gradNorm].forEach((v, i) => (sums[i]! += v));
      updates++;
    }
  }
  const names = [...UPDATE_STATS, 'grad_norm'];
  return { stats: Object.fromEntries(names.map((name, i) => [name, sums[i]! / updates])) };
}

interface Models {
  policy: GPT;
  reference: GPT;
  vHead: ScalarHead;
  arch: ArchRecord;
  lineage: Lineage;
  state?: PpoState;
  optimizerState?: Awaited<ReturnType<typeof readSafetensors>>['tensors'];
}

/** The policy, its value head and the frozen reference: fresh, from the base model, or from a checkpoint. */
async function loadModels(config: PpoConfig, inputs: PpoTrainerInputs): Promise<Models> {
  const initial = async (trainable: boolean) =>
    inputs.base
      ? (await loadModel(inputs.base.path, trainable)).model
      : GPT.init(MODEL_PRESETS[config.model], config.seed, trainable);
  if (config.resumeFrom) {
    const rec = await readModelRecord(config.resumeFrom);
    if (rec.trainer !== 'ppo' || !rec.state)
      throw new Error(
        `${config.resumeFrom} is not a PPO checkpoint (written by "${rec.trainer}"); it cannot resume a PPO run`,
      );
    const optim = await readSafetensors(baseName(config.resumeFrom) + '.optim.safetensors').catch(
      (err: Error) => {
        throw new Error(
          `cannot resume from ${config.resumeFrom}: its optimizer state is unreadable (${err.message})`,
          { cause: err },
        );
      },
    );
    const { model, extras } = await loadModel(config.resumeFrom);
    let vHead: ScalarHead;
    let reference: GPT;
    try {
      vHead = ScalarHead.fromArrays(VALUE_HEAD, extras);
      reference = await initial(false);
    } catch (err) {
      model.dispose();
      throw err;
    }
    const s = rec.state as Partial<PpoState> & TrainerState;
    return {
      policy: model,
      reference,
      vHead,
      arch: rec.arch,
      lineage: rec.lineage,
      state: { ...s, klCoef: s.klCoef ?? config.klCoef, adamSteps: s.adamSteps ?? 0 },
      optimizerState: optim.tensors,
    };
  }
  const policy = await initial(true);
  const arch: ArchRecord = inputs.base
    ? { ...(await readModelRecord(inputs.base.path)).arch }
    : { preset: config.model, tokenizer: inputs.tokenizerName, ...MODEL_PRESETS[config.model] };
  return {
    policy,
    reference: policy.clone(false),
    vHead: ScalarHead.init(VALUE_HEAD, policy.config.dModel, config.seed),
    arch,
    lineage: { parentPath: inputs.base?.path ?? null, parentId: inputs.base?.id ?? null },
  };
}

interface Rollout {
  /** The sampled ids, the stop token (or the stop text's tokens) included. */
  ids: number[];
  /** The response's text, without its end-of-turn marker. */
  text: string;
  /** Ended by an end-of-turn/EOS token or the stop text (not by the token budget). */
  eos: boolean;
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
  inputs: PpoTrainerInputs,
  config: PpoConfig,
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
      const { maxNewTokens, temperature, topK, topP } = config;
      const options = {
        maxNewTokens,
        temperature,
        topK,
        topP,
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
        const id = pick(logits.subarray(j * V, j * V + limit), config, rngs[row]!);
        r.seq.push(id);
        r.out.push(id);
        r.eos = ended(r.out);
      });
      await new Promise<void>((resolve) => setImmediate(resolve)); // let an abort get through
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
interface RolloutBatch {
  B: number;
  T: number;
  inputs: Int32Array; // [B, T]
  targets: Int32Array; // [B, T]
  mask: Float32Array; // [B, T]: 1 where targets[b, t] is a response token
  responseTokens: number;
}

function assemble(prompts: readonly number[][], responses: readonly number[][]): RolloutBatch {
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
function batchTensors(data: RolloutBatch, rows: readonly number[], extra: Record<string, Float32Array> = {}) {
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
function scoreRollouts(model: GPT, head: ScalarHead | null, data: RolloutBatch, temperature: number) {
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

/** One clipped PPO step (policy + vfCoef · value loss) on the rollouts `rows`. */
function ppoUpdate(
  policy: GPT,
  vHead: ScalarHead,
  adam: Adam,
  params: Map<string, tf.Variable>,
  data: RolloutBatch,
  rows: readonly number[],
  targets: Targets,
  config: PpoConfig,
): { loss: number; gradNorm: number; stats: number[]; applied: boolean } {
  const t = batchTensors(data, rows, { ...targets });
  const { oldLogp, oldValues, adv, returns } = t.extra as Record<keyof Targets, tf.Tensor2D>;
  const names = new Map([...params].map(([name, v]) => [v.name, name]));
  let stats: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(
      () => {
        const { logits, hidden } = policy.forwardWithHidden(t.inputs); // [b, T, V], [b, T, D]
        const logp = tokenLogProbsOf(
          tf.div(logits, config.temperature) as tf.Tensor3D,
          t.targets,
          policy.config.vocabSize,
        ); // [b, T]
        const pg = clippedPolicyLoss(logp, oldLogp, adv, t.mask, config.clipRange);
        const vf = clippedValueLoss(vHead.apply(hidden), oldValues, returns, t.mask, config.clipRangeValue);
        stats = tf.keep(tf.stack([pg.loss, vf.loss, pg.clipfrac, vf.clipfrac, pg.approxkl, pg.ratio]));
        return tf.add(pg.loss, tf.mul(vf.loss, config.vfCoef)) as tf.Scalar;
      },
      [...params.values()].filter((v) => v.trainable),
    );
    const byName = Object.fromEntries(Object.entries(grads).map(([k, g]) => [names.get(k) ?? k, g]));
    const packed = tf.tidy(() => tf.concat([tf.stack([value, globalNorm(Object.values(grads))]), stats!]));
    const [loss, gradNorm, ...rest] = Array.from(packed.dataSync());
    tf.dispose([packed, value]);
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) adam.apply(byName, config.learningRate, clipScale(gradNorm!, config.maxGradNorm));
    tf.dispose(Object.values(grads));
    return { loss: loss!, gradNorm: gradNorm!, stats: rest, applied };
  } finally {
    tf.dispose([t.inputs, t.targets, t.mask, ...Object.values(t.extra)]);
    stats?.dispose();
  }
}
