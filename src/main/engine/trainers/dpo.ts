// The DPO trainer (Rafailov et al. 2023, sigmoid loss): trains a policy on preference pairs against a
// frozen reference (a copy of the initial policy), yielding events: backend, progress and metrics
// under TRL's names each step, checkpoints, the final model. It knows nothing of SQLite, IPC or
// Electron. The config is `DpoConfig` in src/shared/schemas.ts (every field documented there).
//
// Choices worth knowing:
// - Reference log-probs are computed once for the whole dataset before training (no gradients),
//   then the reference weights are released: the reference never changes, so neither do they.
// - Adam (tf.train.adam, β1 0.9, β2 0.999, ε 1e-8), no weight decay, no gradient clipping;
//   `grad_norm` is the global L2 norm of the gradient before the step.
// - Each epoch visits the pairs in a seeded shuffled order; the last batch of an epoch may be smaller.
// - Cancel: `ctx.signal` is checked before every step. When aborted, the trainer writes a checkpoint of
//   the weights trained so far (if any step ran since the last one), yields that `checkpoint`, and
//   returns without a `model` event. Training work is never thrown away by a cancel.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DpoConfig, ModelPreset } from '../../../shared/schemas';
import { writeFileAtomic } from '../atomic-write';
import { selectBackend } from '../backend';
import { pairBatch, tokenizeTextPairs, type PreferenceTokens } from '../data/preference-pairs';
import { seedDpoData } from '../data/seed-dpo';
import { sequenceLogProbs } from '../logprobs';
import { preferenceLoss } from '../losses/preference';
import { GPT } from '../model/gpt';
import { PRESETS } from '../model/presets';
import { permutation, mulberry32 } from '../random';
import { writeSafetensors } from '../safetensors';
import { BYTE_VOCAB_SIZE } from '../tokenizer/byte';
import type { DpoInputs, TrainContext, TrainEvent } from '../types';

/** Metric names, in the order the step packs them into one read-back. */
const METRICS = [
  'loss',
  'grad_norm',
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
] as const;

export async function* trainDpo(
  config: DpoConfig,
  inputs: DpoInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const backend = await selectBackend(config.backend);
  yield { type: 'backend', backend };

  const data =
    inputs.kind === 'seed-dpo' ? seedDpoData(config.seed) : tokenizeTextPairs(inputs.pairs, config.maxLength);
  for (const message of data.notes) yield { type: 'log', message };
  const preset: ModelPreset = config.model ?? (inputs.kind === 'seed-dpo' ? 'seed-tiny' : 'byte-tiny');
  const arch = PRESETS[preset];
  checkCompatible(preset, inputs, data);
  const archRecord = { preset, tokenizer: inputs.kind === 'text' ? 'byte' : 'seed-dpo', ...arch };

  await mkdir(ctx.outDir, { recursive: true });
  const { batchSize, epochs, beta } = config;
  const stepsPerEpoch = Math.ceil(data.n / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const rng = mulberry32(config.seed ^ 0x9e3779b9);

  const policy = GPT.init(arch, config.seed);
  const optimizer = tf.train.adam(config.learningRate);
  let step = 0;
  let savedStep = 0;
  const save = async (name: string) => {
    const file = path.join(ctx.outDir, `${name}.safetensors`);
    const meta = { step: String(step), arch: JSON.stringify(archRecord) };
    await writeSafetensors(file, await policy.toArrays(), meta);
    await writeFileAtomic(
      path.join(ctx.outDir, `${name}.json`),
      JSON.stringify({ arch: archRecord, step, config }, null, 2),
    );
    savedStep = step;
    return file;
  };
  try {
    const reference = policy.clone(false); // frozen copy of the initial policy
    let ref: { chosen: Float32Array; rejected: Float32Array };
    try {
      ref = referenceLogProbs(reference, data, batchSize);
    } finally {
      reference.dispose();
    }
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(data.n, rng);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (ctx.signal.aborted) {
          if (step > savedStep) yield { type: 'checkpoint', step, path: await save(checkpointName(step)) };
          return;
        }
        const indices = order.slice(s * batchSize, (s + 1) * batchSize);
        const values = dpoStep(policy, optimizer, data, ref, indices, beta);
        step++;
        if (!Number.isFinite(values['loss']))
          throw new Error(
            `DPO loss became ${values['loss']} at step ${step} (epoch ${epoch + 1}); ` +
              `try a smaller learning rate (now ${config.learningRate}) or beta (now ${beta})`,
          );
        const epochFloat = epoch + (s + 1) / stepsPerEpoch;
        yield { type: 'progress', step, totalSteps, epoch: epochFloat };
        yield {
          type: 'metrics',
          step,
          values: { ...values, learning_rate: config.learningRate, epoch: epochFloat },
        };
        if (config.checkpointEvery > 0 && step % config.checkpointEvery === 0 && step < totalSteps)
          yield { type: 'checkpoint', step, path: await save(checkpointName(step)) };
        await new Promise<void>((resolve) => setImmediate(resolve)); // let an abort (or IPC) get through
      }
    }
    yield { type: 'model', path: await save('model'), arch: archRecord };
  } finally {
    policy.dispose();
    optimizer.dispose();
  }
}

function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(6, '0')}`;
}

function checkCompatible(preset: ModelPreset, inputs: DpoInputs, data: PreferenceTokens): void {
  const arch = PRESETS[preset];
  if (inputs.kind === 'text' && arch.vocabSize < BYTE_VOCAB_SIZE)
    throw new Error(
      `Model "${preset}" has a vocabulary of ${arch.vocabSize} tokens, but text needs the byte tokenizer's ` +
        `${BYTE_VOCAB_SIZE}; use the "byte-tiny" model for text pairs`,
    );
  if (data.maxId >= arch.vocabSize)
    throw new Error(
      `Model "${preset}" has a vocabulary of ${arch.vocabSize} tokens, but the data uses token id ${data.maxId}`,
    );
  if (data.T > arch.contextLength)
    throw new Error(
      `Sequences of ${data.T + 1} tokens do not fit model "${preset}" (context ${arch.contextLength}); ` +
        `set Max length to at most ${arch.contextLength + 1}`,
    );
}

/** Summed log-probs of every pair's chosen and rejected sequence under the initial policy, no gradients. */
function referenceLogProbs(
  model: GPT,
  data: PreferenceTokens,
  batchSize: number,
): { chosen: Float32Array; rejected: Float32Array } {
  const chosen = new Float32Array(data.n);
  const rejected = new Float32Array(data.n);
  for (let start = 0; start < data.n; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.n - start) }, (_, j) => start + j);
    const b = indices.length;
    const sums = tf.tidy(() => {
      const batch = pairBatch(data, indices);
      const logits = model.forward(batch.inputs); // [2b, T, V]
      return sequenceLogProbs(logits, batch.targets, batch.mask).sum; // [2b]
    });
    const values = sums.dataSync();
    sums.dispose();
    chosen.set(values.subarray(0, b), start);
    rejected.set(values.subarray(b, 2 * b), start);
  }
  return { chosen, rejected };
}

/** One optimizer step on the pairs at `indices`; returns the step's metrics (batch means). */
function dpoStep(
  policy: GPT,
  optimizer: tf.Optimizer,
  data: PreferenceTokens,
  ref: { chosen: Float32Array; rejected: Float32Array },
  indices: number[],
  beta: number,
): Record<string, number> {
  const b = indices.length;
  const batch = pairBatch(data, indices); // [2b, T] each: chosen rows, then rejected rows
  const refChosen = tf.tensor1d(indices.map((i) => ref.chosen[i]!)); // [b]
  const refRejected = tf.tensor1d(indices.map((i) => ref.rejected[i]!)); // [b]
  let stats: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logits = policy.forward(batch.inputs); // [2b, T, V]
      const { sum } = sequenceLogProbs(logits, batch.targets, batch.mask); // [2b]
      const policyChosen = tf.slice(sum, [0], [b]); // [b]
      const policyRejected = tf.slice(sum, [b], [b]); // [b]
      const out = preferenceLoss({
        policyChosen,
        policyRejected,
        refChosen,
        refRejected,
        beta,
        lossType: 'sigmoid',
      });
      const margins = tf.sub(out.chosenRewards, out.rejectedRewards); // [b]
      stats = tf.keep(
        tf.stack([
          tf.mean(out.chosenRewards),
          tf.mean(out.rejectedRewards),
          tf.mean(margins),
          tf.mean(tf.cast(tf.greater(margins, 0), 'float32')),
          tf.mean(policyChosen),
          tf.mean(policyRejected),
        ]),
      ); // [6]
      return tf.mean(out.losses) as tf.Scalar;
    }, policy.trainableVariables());
    const gradNorm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
    const packed = tf.tidy(() => tf.concat([tf.stack([value, gradNorm]), stats!])); // [8], one read-back
    const numbers = packed.dataSync();
    packed.dispose();
    gradNorm.dispose();
    value.dispose();
    // A non-finite loss must not corrupt the weights: skip the update; the caller throws.
    if (Number.isFinite(numbers[0])) optimizer.applyGradients(grads);
    tf.dispose(grads);
    return Object.fromEntries(METRICS.map((name, i) => [name, numbers[i]!]));
  } finally {
    tf.dispose([batch.inputs, batch.targets, batch.mask, refChosen, refRejected]);
    stats?.dispose();
  }
}
