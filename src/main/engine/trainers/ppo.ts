// The PPO trainer of RLHF (Ziegler et al. 2019; Ouyang et al. 2022; TRL PPOTrainer): each iteration
// samples responses from the policy, scores them with a reward source, subtracts a per-token KL
// penalty to the frozen reference, estimates advantages with a value head (GAE), and takes
// `ppoEpochs` passes of clipped policy and value updates over the rollouts. It yields events (backend,
// progress, metrics under TRL's names, rollout samples, checkpoints, the final model) and knows nothing
// of SQLite, IPC or Electron. The config is `PpoConfig` in src/shared/schemas.ts; the formulas are
// losses/ppo.ts; rendering prompts and choosing the reward source is tasks/ppo.ts. Sampling the
// rollouts and laying them out as model inputs is trainers/ppo-rollouts.ts; their targets (rewards,
// GAE) and the clipped minibatch updates are trainers/ppo-update.ts.
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
//   both engines: an iteration's rollouts depend only on (seed, iteration, weights). The frozen
//   reference's log-probs and a reward model's scores run on onnxruntime too (exported once per run,
//   onnx/score-export.ts), agreeing with tfjs to ~1e-6; `config.inference: 'tfjs'` (or LAB_INFERENCE)
//   runs all three on tfjs. The policy's old log-probs and values (the update's targets) are computed
//   on tfjs. The end-of-turn token is part of the response (an action the policy learns to take); the
//   score is added at the response's last token.
// - The updates train on onnxruntime or tfjs (`trainingEngine`, onnx-train/choose.ts): on onnxruntime
//   the policy's and the value head's weights and Adam's moments live in the OnnxTrainer, each
//   minibatch is one generated step (onnx-train/heads/ppo.ts; gradientAccumulationSteps' micro-batches
//   sum to that step's gradient, so it takes them in one pass), and the weights are copied back into
//   the tfjs policy and value head after each iteration's updates, so that rollouts, old log-probs,
//   checkpoints and the final model read them. Checkpoints are the same files on either engine, and
//   a run may resume on the other one.
// - Adam (β 0.9/0.999, ε 1e-8, no weight decay), constant learning rate, gradients clipped to
//   maxGradNorm. Minibatch orders are seeded by (seed, iteration, epoch).
// - Cancel is checked before each iteration and between sampling steps: the trainer writes a checkpoint
//   (weights, v_head, Adam moments, prompt position, adaptive β) and returns; `resumeFrom` continues
//   exactly where it stopped. The final model carries the v_head as an extra; loadModel ignores it.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PpoConfig } from '../../../shared/schemas';
import { selectBackend } from '../backend';
import {
  loadCheckpoint,
  loadModel,
  readModelRecord,
  saveCheckpoint,
  saveModel,
  type ArchRecord,
  type Lineage,
  type ModelRecord,
  type TrainerState,
} from '../checkpoint';
import { AdaptiveKlController } from '../losses/ppo';
import { GPT, type NamedArray } from '../model/gpt';
import { ScalarHead } from '../model/heads';
import { MODEL_PRESETS } from '../model/presets';
import { describeInference, openScorer, type Chosen } from '../onnx/engine';
import type { OnnxScorer } from '../onnx/scorer';
import { chooseTrainingEngine, copyWeightsTo, placement } from '../onnx-train/choose';
import type { OnnxTrainer } from '../onnx-train/engine';
import type { RewardFn } from '../rewards';
import type { TrainContext, TrainEvent } from '../types';
import { Adam, PLAIN_ADAM, epochOrder, paramsOf, weightsFinite } from './common';
import { Checkpoints, yieldToEvents } from './loop';
import {
  assemble,
  collectRollouts,
  fitPrompts,
  sequenceSums,
  type Rollout,
  type RolloutStops,
} from './ppo-rollouts';
import { openPpoTrainer, optimiseOn, referenceLogProbs, targetsOn } from './ppo-update';

export interface PpoTrainerInputs extends RolloutStops {
  /** Prompts as text (for the reward source and the samples) and as ids, the assistant turn open. */
  prompts: { text: string; ids: number[] }[];
  /** Recorded in a fresh model's architecture record ('byte', or a tokenizer file's name). */
  tokenizerName: string;
  /** Scores (prompt, response text) items; the caller owns (and disposes) it. */
  reward: RewardFn;
  /**
   * The sandbox gold judge, when the prompts come from a sandbox world: its mean score of each
   * iteration's rollouts is logged as `gold/score` beside the reward source's `objective/scores`, so
   * that proxy and true reward can be read against KL (over-optimisation, Gao et al. 2022).
   */
  gold?: RewardFn;
  /** Start the policy and the reference from this model; without it, a fresh `config.model`. */
  base?: { path: string; id: number | null };
}

/** What a PPO checkpoint records beyond the common trainer state. */
export type PpoState = TrainerState & { klCoef: number; adamSteps: number };

const VALUE_HEAD = 'v_head';

export async function* trainPpo(
  config: PpoConfig,
  inputs: PpoTrainerInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const backend = await selectBackend(config.backend);
  const training = await chooseTrainingEngine(config.trainingEngine ?? 'auto', true);
  yield { type: 'backend', backend: { ...backend, training } };
  await mkdir(ctx.outDir, { recursive: true });
  const m = await loadModels(config, inputs);
  const { policy, reference, vHead, arch, lineage } = m;
  const params = paramsOf(policy, vHead);
  const adam = new Adam(params, PLAIN_ADAM);
  let onnx: OnnxTrainer | undefined; // the updates on onnxruntime (training.engine 'onnx')
  let refScoring: Chosen<OnnxScorer> | undefined; // the frozen reference's log-probs on onnxruntime
  try {
    const n = inputs.prompts.length;
    if (n === 0) throw new Error('There are no prompts to generate from');
    const V = policy.config.vocabSize;
    if (inputs.tokenizer.vocabSize > V)
      throw new Error(
        `The tokenizer has ${inputs.tokenizer.vocabSize} ids but the model only ${V}; pick a matching model`,
      );
    if (config.numMiniBatches > config.batchSize)
      throw new Error(
        `Minibatches (${config.numMiniBatches}) cannot outnumber the rollouts per iteration (batch size ${config.batchSize})`,
      );
    const fitted = fitPrompts(inputs.prompts, config.maxNewTokens, policy.config);
    for (const message of fitted.notes) yield { type: 'log', message };
    const { prompts } = fitted;

    const state: PpoState = m.state ?? {
      step: 0,
      epoch: 0,
      index: 0,
      numTokens: 0,
      seed: config.seed,
      klCoef: config.klCoef,
      adamSteps: 0,
    };
    if (training.engine === 'onnx') {
      onnx = await openPpoTrainer(policy, vHead, config, PLAIN_ADAM, placement(training));
      if (m.optimizerState) onnx.loadOptimizerState(m.optimizerState, state.adamSteps);
    } else if (m.optimizerState) adam.load(m.optimizerState, state.adamSteps);
    /** The onnx trainer's weights into the tfjs policy and value head (rollouts, targets and saves read them). */
    const sync = () => {
      if (onnx) copyWeightsTo(policy, onnx, params);
    };
    const kl = new AdaptiveKlController(state.klCoef, config.targetKl, config.klHorizon);
    const record = (): ModelRecord => ({
      arch,
      trainer: 'ppo',
      step: state.step,
      config: config as Record<string, unknown>,
      lineage,
    });
    const saves = new Checkpoints(
      ctx.outDir,
      async (file) => {
        sync();
        if (!weightsFinite(policy))
          throw new Error(
            `ppo: the weights became non-finite by iteration ${state.step}; try a smaller learning rate (now ${config.learningRate})`,
          );
        const saved = { ...state, klCoef: kl.value, adamSteps: onnx ? onnx.t : adam.t };
        const optimizerState = onnx ? onnx.optimizerState() : await adam.state();
        return saveCheckpoint(file, policy, optimizerState, { ...record(), state: saved }, [vHead]);
      },
      { step: state.step, path: config.resumeFrom ?? '' },
    );

    let order = epochOrder(n, state.seed, state.epoch); // the prompts' order in this pass over them
    let engineMessage = ''; // where rollouts are sampled, logged (and recorded) when it changes
    refScoring = await openScorer(
      reference,
      { logprobs: true },
      { inference: config.inference, label: 'reference log-probs' },
    );
    yield { type: 'log', message: refScoring.message };
    if (inputs.reward.inference)
      yield { type: 'log', message: describeInference(inputs.reward.inference, 'reward-model scoring') };
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
        const ids = batch.map((p) => p.ids);
        const sampled = await collectRollouts(policy, ids, inputs, config, iteration, ctx.signal);
        if (sampled.message !== engineMessage) {
          yield { type: 'inference', inference: sampled.info };
          yield { type: 'log', message: (engineMessage = sampled.message) };
        }
        rollouts = sampled.rollouts;
      }
      if (!rollouts) {
        yield* saves.cancelled(state.step);
        return;
      }
      const texts = rollouts.map((r) => r.text);
      const raw = await inputs.reward(batch.map((p, i) => ({ prompt: p.text, response: texts[i]! })));
      if (raw.length !== batch.length || raw.some((s) => !Number.isFinite(s)))
        throw new Error(
          `The reward source gave ${raw.length} scores for ${batch.length} rollouts, or a non-finite one, at iteration ${iteration}`,
        );
      const scores = raw.map((s, i) => s - (rollouts[i]!.eos ? 0 : config.missingEosPenalty));
      const gold = inputs.gold
        ? await inputs.gold(batch.map((p, i) => ({ prompt: p.text, response: texts[i]! })))
        : null;

      const data = assemble(
        batch.map((p) => p.ids),
        rollouts.map((r) => r.ids),
      );
      const beta = kl.value;
      const refLogp = await referenceLogProbs(refScoring.session, reference, data, config);
      const { targets, klTok, nonScore } = await targetsOn(
        { onnx, policy, vHead, adam, params },
        refLogp,
        data,
        scores,
        beta,
        config,
      );
      const update = await optimiseOn(
        { onnx, policy, vHead, adam, params },
        data,
        targets,
        config,
        iteration,
      );
      if ('failed' in update) {
        const { loss, gradNorm, epoch, minibatch } = update.failed;
        throw new Error(
          `PPO loss became ${loss} (gradient norm ${gradNorm}) at iteration ${iteration} (PPO epoch ${epoch}, minibatch ${minibatch})` +
            `${saves.kept('iteration')}. ` +
            `Try a smaller learning rate (now ${config.learningRate}) or gradient clipping (maxGradNorm, now ${config.maxGradNorm})`,
        );
      }
      sync(); // the next rollouts (and any checkpoint) read the updated weights
      const perSeq = sequenceSums(data, { kl: klTok, nonScore, negLogp: targets.oldLogp.map((v) => -v) });
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
        ...(gold ? { 'gold/score': mean(gold) } : {}),
        ...update.stats,
        response_length: data.responseTokens / data.B,
        'val/num_eos_tokens': rollouts.filter((r) => r.eos).length,
        kl_coef: beta,
        learning_rate: config.learningRate,
        episode: state.step * config.batchSize,
        'time/iteration_seconds': (performance.now() - t0) / 1000,
        // Response tokens sampled so far, and passes over the prompts (the Compare page's x-axes).
        num_tokens: state.numTokens,
        epoch: state.epoch + state.index / n,
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
            ...(gold ? { gold: gold[i]! } : {}),
          })),
        };
      yield* saves.due(state.step, config.checkpointEvery, config.iterations);
      await yieldToEvents();
    }
    sync();
    if (!weightsFinite(policy))
      throw new Error(`ppo: the weights became non-finite by iteration ${state.step}`);
    const file = await saveModel(path.join(ctx.outDir, 'model.safetensors'), policy, record(), [vHead]);
    yield { type: 'model', path: file, arch: { ...arch, lineage } };
  } finally {
    await refScoring?.session?.release();
    policy.dispose();
    reference.dispose();
    vHead.dispose();
    adam.dispose();
    await onnx?.release();
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, v) => a + v, 0) / Math.max(1, xs.length);

interface Models {
  policy: GPT;
  reference: GPT;
  vHead: ScalarHead;
  arch: ArchRecord;
  lineage: Lineage;
  state?: PpoState;
  optimizerState?: NamedArray[];
}

/** The policy, its value head and the frozen reference: fresh, from the base model, or from a checkpoint. */
async function loadModels(config: PpoConfig, inputs: PpoTrainerInputs): Promise<Models> {
  const initial = async (trainable: boolean) =>
    inputs.base
      ? (await loadModel(inputs.base.path, trainable)).model
      : GPT.init(MODEL_PRESETS[config.model], config.seed, trainable);
  if (config.resumeFrom) {
    const resumed = await loadCheckpoint(config.resumeFrom, { trainer: 'ppo', run: 'PPO' });
    const { model, record, extras } = resumed;
    let vHead: ScalarHead | undefined;
    let reference: GPT;
    try {
      vHead = ScalarHead.fromArrays(VALUE_HEAD, extras);
      reference = await initial(false);
    } catch (err) {
      model.dispose();
      vHead?.dispose();
      throw err;
    }
    // Checkpoints written before PPO kept its KL coefficient and Adam's steps have neither.
    const s: TrainerState & Partial<PpoState> = record.state;
    return {
      policy: model,
      reference,
      vHead,
      arch: record.arch,
      lineage: record.lineage,
      state: { ...s, klCoef: s.klCoef ?? config.klCoef, adamSteps: s.adamSteps ?? 0 },
      optimizerState: resumed.optimizerState,
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
