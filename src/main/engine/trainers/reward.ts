// The reward-model trainer (Ouyang et al. 2022; TRL RewardTrainer): the GPT trunk plus a scalar head
// `score` read at each sequence's last token, trained on preference pairs with the Bradley-Terry loss
// (losses/reward.ts). Yields events: backend, logs, progress and metrics under TRL's names each step,
// held-out `eval/*` metrics at each epoch's end, checkpoints, the final model. It knows nothing of
// SQLite, IPC or Electron. The config is `RewardConfig` in src/shared/schemas.ts (every field documented
// there). It takes rendered token ids: rendering text through a tokenizer and chat template is
// tasks/reward.ts, and reading rewards back from a saved model is reward-score.ts (the same rules).
// One step's math and the held-out metrics are trainers/reward-steps.ts.
//
// Choices worth knowing:
// - The trunk starts from a base model's weights (usually the SFT model) or from fresh `config.model`
//   weights. The head starts fresh (normal(0, 1/√(D+1)), bias 0) unless the base already has one. The
//   LM output head is not used (it is tied to the embedding, which still trains as the input).
// - A sequence longer than min(maxLength, context) tokens loses its START, so the last token, where
//   the reward is read, stays (reward-score.ts reads the same way).
// - Held out: round(n · valFraction) pairs, the last of a seeded shuffle (at least one pair stays in
//   training); `eval/loss`, `eval/accuracy`, `eval/margin` are added to the metrics of each epoch's last
//   step, and, for pairs tagged `flipped` (rater disagreement), `eval/gold_accuracy` against the unflipped labels.
// - Adam (β1 0.9, β2 0.999, ε 1e-8; common.ts's, so its moments can be checkpointed), a constant learning
//   rate, no weight decay, no clipping; `grad_norm` is the global L2 norm of the gradient before the step.
// - Training engine (`trainingEngine`, onnx-train/choose.ts): on onnxruntime the trunk and head train in
//   one generated graph (onnx-train/heads/reward.ts); the tfjs trunk and head get the weights back before
//   each held-out evaluation and each save, so checkpoints are the same files on either engine and a run
//   resumes on the other. onnxruntime takes a step's batchSize × gradientAccumulationSteps pairs in one
//   pass (the same loss and metrics as tfjs's accumulated micro-batches; `forward_passes` counts 1).
// - Each epoch visits the training pairs in an order seeded by (seed, epoch) alone; a step takes
//   batchSize × gradientAccumulationSteps pairs, one forward per micro-batch of batchSize running its
//   chosen and rejected sequences together ([2b, T]) (accumulate.ts); `forward_passes` counts them.
// - A checkpoint holds trunk + head, Adam's moments and the position (step, epoch, index): `resumeFrom`
//   continues as if the run had never stopped. Cancel: checked before every step; the work since the
//   last checkpoint is saved as a checkpoint and the generator returns without a `model`.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RewardConfig } from '../../../shared/schemas';
import { selectBackend } from '../backend';
import {
  gptConfigOf,
  loadCheckpoint,
  loadModel,
  saveCheckpoint,
  saveModel,
  type ArchRecord,
  type Lineage,
  type ModelRecord,
  type TrainerState,
} from '../checkpoint';
import { GPT, type NamedArray } from '../model/gpt';
import { ScalarHead } from '../model/heads';
import { MODEL_PRESETS } from '../model/presets';
import { chooseTrainingEngine, copyWeightsTo, placement } from '../onnx-train/choose';
import { OnnxTrainer } from '../onnx-train/engine';
import { mulberry32, permutation } from '../random';
import { REWARD_HEAD, keepEnd, rewardLimit } from '../reward-score';
import { BYTE_TOKENIZER } from '../tokenizer/load';
import type { TrainContext, TrainEvent } from '../types';
import { Adam, PLAIN_ADAM, epochOrder, paramsOf, weightsFinite } from './common';
import { Checkpoints, resumeNotes, yieldToEvents } from './loop';
import { evaluate, onnxRewardStep, rewardStep, type RewardRow } from './reward-steps';

/** A preference pair as token ids, each sequence ending at the token whose reward is read. */
export interface RewardPairIds {
  chosen: number[];
  rejected: number[];
  /** How much the chosen should win by (used when `config.useMargin`); 0 when absent. */
  margin?: number;
  /** Rater disagreement: the labels were swapped on purpose; when any pair says, `eval/gold_accuracy` is measured. */
  flipped?: boolean;
}

export interface RewardTrainerInputs {
  pairs: RewardPairIds[];
  /** The trunk's starting weights (usually the SFT model) and its lab id; absent: fresh `config.model`. */
  base?: { path: string; id: number | null };
  /** The tokenizer recorded for a fresh model ('byte' by default). */
  tokenizer?: string;
  /** Padding id (after each sequence: never attended to, never read); 0 by default. */
  pad?: number;
}

/** A reward model's architecture record: a GPT plus the head the lab recognises it by (`head: 'score'`). */
export type RewardArch = ArchRecord & { head: typeof REWARD_HEAD };

/** Settings that change the run's course when altered between a checkpoint and its resume. */
const RESUME_KEYS = [
  'batchSize',
  'gradientAccumulationSteps',
  'seed',
  'learningRate',
  'epochs',
  'valFraction',
  'maxLength',
];

export async function* trainReward(
  config: RewardConfig,
  inputs: RewardTrainerInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const backend = await selectBackend(config.backend);
  const training = await chooseTrainingEngine(config.trainingEngine ?? 'auto', true);
  yield { type: 'backend', backend: { ...backend, training } };
  await mkdir(ctx.outDir, { recursive: true });

  const start = await startingPoint(config, inputs);
  const { trunk, head, arch, lineage, resumed } = start;
  const params = paramsOf(trunk, head);
  const adam = new Adam(params, PLAIN_ADAM);
  let onnx: OnnxTrainer | undefined;
  try {
    for (const message of start.notes) yield { type: 'log', message };
    const state: TrainerState = resumed
      ? { ...resumed.state }
      : { step: 0, epoch: 0, index: 0, numTokens: 0, seed: config.seed };
    const { train, val, notes } = prepare(config, inputs, arch, state.seed);
    for (const message of notes) yield { type: 'log', message };
    if (resumed) adam.load(resumed.optimizer, state.step);
    if (training.engine === 'onnx') {
      // The steps run on onnxruntime (trunk and head in one graph); the tfjs trunk and head get the
      // weights back before each evaluation and save, so checkpoints stay the same safetensors.
      onnx = new OnnxTrainer(gptConfigOf(arch), [...(await trunk.toArrays()), ...(await head.toArrays())], {
        adam: PLAIN_ADAM,
        head: { kind: 'reward', prefix: REWARD_HEAD, centerCoefficient: config.centerRewardsCoefficient },
        ...placement(training),
      });
      if (resumed) onnx.loadOptimizerState(resumed.optimizer, state.step);
    }
    const headWeights = new Map([
      [`${REWARD_HEAD}.weight`, head.weight],
      [`${REWARD_HEAD}.bias`, head.bias],
    ]);
    const sync = () => {
      if (onnx) copyWeightsTo(trunk, onnx, headWeights);
    };

    const n = train.length;
    const pad = inputs.pad ?? 0;
    // A step takes batchSize × gradientAccumulationSteps pairs, one forward/backward per batchSize.
    const rowsPerStep = config.batchSize * config.gradientAccumulationSteps;
    const totalSteps = Math.ceil(n / rowsPerStep) * config.epochs;
    // One per micro-batch on tfjs, one per step on onnxruntime; on resume, as if every step was full.
    let forwardPasses = state.step * (onnx ? 1 : config.gradientAccumulationSteps);
    const record = (): ModelRecord => ({ arch, trainer: 'reward', step: state.step, config, lineage });
    const checkFinite = () => {
      if (!weightsFinite(trunk, head))
        throw new Error(`reward: the weights became non-finite by step ${state.step}${saves.kept()}`);
    };
    const saves: Checkpoints = new Checkpoints(
      ctx.outDir,
      async (file) => {
        sync();
        checkFinite();
        const rec = { ...record(), state: { ...state } };
        const optimizerState = onnx ? onnx.optimizerState() : await adam.state();
        return saveCheckpoint(file, trunk, optimizerState, rec, [head]);
      },
      { step: state.step, path: resumed ? config.resumeFrom! : '' },
    );

    let order = epochOrder(n, state.seed, state.epoch);
    while (state.step < totalSteps) {
      if (state.index >= n) {
        state.epoch++;
        state.index = 0;
        order = epochOrder(n, state.seed, state.epoch);
      }
      if (ctx.signal.aborted) {
        yield* saves.cancelled(state.step);
        return;
      }
      const rows = order.slice(state.index, state.index + rowsPerStep).map((i) => train[i]!);
      const r = onnx
        ? await onnxRewardStep(onnx, rows, config, pad)
        : rewardStep(trunk, head, adam, params, rows, config, pad);
      if (!r.applied)
        // The weights that gave this loss are suspect: no checkpoint of them; the last good one stays.
        throw new Error(
          `reward loss became ${r.values['loss']} (gradient norm ${r.values['grad_norm']}) at step ` +
            `${state.step + 1}${saves.kept()}. Try a smaller learning rate (now ${config.learningRate})`,
        );
      state.step++;
      state.index += rows.length;
      state.numTokens += r.tokens;
      const epoch = state.epoch + state.index / n;
      yield { type: 'progress', step: state.step, totalSteps, epoch };
      forwardPasses += r.micro;
      const values = {
        ...r.values,
        learning_rate: config.learningRate,
        epoch,
        forward_passes: forwardPasses,
      };
      if (state.index >= n && val.length > 0) {
        sync();
        Object.assign(values, evaluate(trunk, head, val, config, pad));
      }
      yield { type: 'metrics', step: state.step, values };
      yield* saves.due(state.step, config.checkpointEvery, totalSteps);
      await yieldToEvents();
    }
    sync();
    checkFinite();
    const file = await saveModel(path.join(ctx.outDir, 'model.safetensors'), trunk, record(), [head]);
    yield { type: 'model', path: file, arch: { ...arch, lineage } };
  } finally {
    trunk.dispose();
    head.dispose();
    adam.dispose();
    await onnx?.release();
  }
}

interface Start {
  trunk: GPT;
  head: ScalarHead;
  arch: RewardArch;
  lineage: Lineage;
  notes: string[];
  resumed?: { state: TrainerState; optimizer: NamedArray[] };
}

/** Trunk and head from a checkpoint, a base model, or fresh weights. */
async function startingPoint(config: RewardConfig, inputs: RewardTrainerInputs): Promise<Start> {
  if (config.resumeFrom) return resumeFrom(config, config.resumeFrom);
  if (inputs.base) {
    const { model, record, extras } = await loadModel(inputs.base.path);
    const reuse = ScalarHead.has(REWARD_HEAD, extras);
    let head: ScalarHead;
    try {
      head = reuse
        ? ScalarHead.fromArrays(REWARD_HEAD, extras)
        : ScalarHead.init(REWARD_HEAD, model.config.dModel, config.seed);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return {
      trunk: model,
      head,
      arch: { ...record.arch, head: REWARD_HEAD },
      lineage: { parentPath: inputs.base.path, parentId: inputs.base.id },
      notes: reuse ? ['The base model is a reward model: its "score" head is trained further'] : [],
    };
  }
  const preset = config.model;
  const shape = MODEL_PRESETS[preset];
  return {
    trunk: GPT.init(shape, config.seed),
    head: ScalarHead.init(REWARD_HEAD, shape.dModel, config.seed),
    arch: { preset, tokenizer: inputs.tokenizer ?? BYTE_TOKENIZER, ...shape, head: REWARD_HEAD },
    lineage: { parentPath: null, parentId: null },
    notes: [],
  };
}

async function resumeFrom(config: RewardConfig, file: string): Promise<Start> {
  const { model, record, optimizerState, extras } = await loadCheckpoint(file, {
    trainer: 'reward',
    run: 'reward',
  });
  let head: ScalarHead;
  try {
    head = ScalarHead.fromArrays(REWARD_HEAD, extras);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return {
    trunk: model,
    head,
    arch: { ...record.arch, head: REWARD_HEAD },
    lineage: record.lineage,
    notes: resumeNotes(file, record, config, RESUME_KEYS),
    resumed: { state: record.state, optimizer: optimizerState },
  };
}

/** Pairs → training and held-out rows: checked against the model, cut to fit (start dropped), split. */
function prepare(
  config: RewardConfig,
  inputs: RewardTrainerInputs,
  arch: ArchRecord,
  seed: number,
): { train: RewardRow[]; val: RewardRow[]; notes: string[] } {
  const n = inputs.pairs.length;
  if (n === 0) throw new Error('There are no preference pairs to train on');
  const name = arch.preset ? `model "${arch.preset}"` : 'the base model';
  const limit = rewardLimit(config.maxLength, arch.contextLength);
  let cut = 0;
  let withMargin = 0;
  const rows = inputs.pairs.map((p, i): RewardRow => {
    if (p.chosen.length === 0 || p.rejected.length === 0)
      throw new Error(`pair ${i + 1}: a response renders to no tokens`);
    for (const id of [...p.chosen, ...p.rejected])
      if (!(Number.isInteger(id) && id >= 0 && id < arch.vocabSize))
        throw new Error(
          `pair ${i + 1}: token id ${id} is outside the vocabulary of ${name} (${arch.vocabSize} tokens); ` +
            `pick a model that reads this tokenizer`,
        );
    if (p.margin !== undefined) {
      if (!Number.isFinite(p.margin))
        throw new Error(`pair ${i + 1}: margin must be a number (got ${p.margin})`);
      withMargin++;
    }
    const chosen = keepEnd(p.chosen, limit);
    const rejected = keepEnd(p.rejected, limit);
    if (chosen.length < p.chosen.length || rejected.length < p.rejected.length) cut++;
    const row = { chosen, rejected, margin: config.useMargin ? (p.margin ?? 0) : 0 };
    return p.flipped === undefined ? row : { ...row, flipped: p.flipped };
  });
  const notes: string[] = [];
  if (cut > 0)
    notes.push(
      `${cut} of ${n} pairs were longer than ${limit} tokens; their start was cut so that the last token ` +
        `(where the reward is read) stays`,
    );
  if (withMargin > 0)
    notes.push(
      config.useMargin
        ? `${withMargin} of ${n} pairs carry a margin, used in the loss`
        : `${withMargin} of ${n} pairs carry a margin, ignored because "Use margin" is off`,
    );
  const nVal = Math.min(n - 1, Math.round(n * config.valFraction));
  const order = permutation(n, mulberry32((seed ^ 0x2545f491) >>> 0));
  const train = order.slice(0, n - nVal).map((i) => rows[i]!);
  const val = order.slice(n - nVal).map((i) => rows[i]!);
  if (nVal > 0) notes.push(`${nVal} of ${n} pairs are held out for eval/loss, eval/accuracy and eval/margin`);
  else if (config.valFraction > 0) notes.push(`Too few pairs to hold any out: there are no eval metrics`);
  return { train, val, notes };
}
