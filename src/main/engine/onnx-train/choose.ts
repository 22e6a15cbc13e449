// Which engine a trainer trains on: 'tfjs' (the reference), 'onnx' (onnx-train on onnxruntime: its CUDA
// provider when installed and its self-check passes, else the CPU), or 'auto' = onnx when its self-check passes on this machine — one SFT step of a tiny model
// on both engines must give the same loss and gradient norm — else tfjs, with the reason. The self-check
// runs once per process. Also: copying the onnx trainer's weights into the tfjs model (for validation
// passes and checkpoints, which stay the tfjs model's safetensors).
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingEngineInfo } from '../../../shared/schemas';
import { GPT, type GPTConfig } from '../model/gpt';
import { mulberry32 } from '../random';
import { globalNorm, weightedCrossEntropy } from '../trainers/common';
import { cudaStatus } from '../onnx/session';
import { defaultThreads, OnnxTrainer, type TrainingProvider } from './engine';

export type TrainingEngineChoice = 'auto' | 'tfjs' | 'onnx';

const selfCheckResults = new Map<TrainingProvider, Promise<string | null>>();

/**
 * null when onnxruntime trains a tiny model as tfjs does on `provider`; otherwise why not. Cached per
 * process and provider.
 */
export function onnxSelfCheck(provider: TrainingProvider = 'cpu'): Promise<string | null> {
  let result = selfCheckResults.get(provider);
  if (!result) {
    result = runSelfCheck(provider).catch((err: unknown) =>
      err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : String(err),
    );
    selfCheckResults.set(provider, result);
  }
  return result;
}

async function runSelfCheck(provider: TrainingProvider): Promise<string | null> {
  const config: GPTConfig = { vocabSize: 17, contextLength: 8, dModel: 16, nLayers: 1, nHeads: 2, dFF: 32 };
  const R = 3;
  const T = 8;
  const rng = mulberry32(12345);
  const ids = Array.from({ length: R * T }, () => rng.int(0, config.vocabSize));
  const targets = Array.from({ length: R * T }, () => rng.int(0, config.vocabSize));
  const weights = new Float32Array(R * T).fill(1 / (R * T));
  const model = GPT.init(config, 1);
  let trainer: OnnxTrainer | undefined;
  try {
    const x = tf.tensor2d(ids, [R, T], 'int32');
    const y = tf.tensor1d(targets, 'int32');
    const w = tf.tensor1d(weights);
    const { value, grads } = tf.variableGrads(
      () => weightedCrossEntropy(tf.reshape(model.forward(x), [R * T, config.vocabSize]), y, w),
      model.trainableVariables(),
    );
    const norm = globalNorm(Object.values(grads));
    const [refLoss, refNorm] = [value.dataSync()[0]!, norm.dataSync()[0]!];
    tf.dispose([x, y, w, value, norm, ...Object.values(grads)]);
    trainer = new OnnxTrainer(config, await model.toArrays(), {
      adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      head: { kind: 'sft' },
      threads: 1,
      provider,
    });
    const out = await trainer.step({ rows: R, seqLen: T, ids, targets, weights }, 1e-3, 1);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    if (!(rel(out.loss, refLoss) < 1e-4 && rel(out.gradNorm, refNorm) < 1e-3))
      return `self-check differs from tfjs (loss ${out.loss} vs ${refLoss}, gradient norm ${out.gradNorm} vs ${refNorm})`;
    return null;
  } finally {
    model.dispose();
    await trainer?.release();
  }
}

/**
 * Resolves the setting: `supported` is false (with `unsupported` saying why) when the trainer's
 * configuration has no onnx step. On onnx, CUDA when onnxruntime's CUDA provider is installed and the
 * self-check passes on it (a GPU with no other change), else the CPU.
 */
export async function chooseTrainingEngine(
  choice: TrainingEngineChoice,
  supported: boolean,
  unsupported = 'this configuration is not supported on onnxruntime yet',
): Promise<TrainingEngineInfo> {
  const threads = defaultThreads();
  const tfjs = (reason: string): TrainingEngineInfo => ({ engine: 'tfjs', threads: null, reason });
  if (choice === 'tfjs') return tfjs('requested');
  if (!supported) return tfjs(`${choice === 'onnx' ? 'onnx requested, but ' : ''}${unsupported}; using tfjs`);
  const why = choice === 'onnx' ? 'requested' : 'self-check passed';
  let noCuda = `CUDA provider ${cudaStatus().why}`;
  if (cudaStatus().installed) {
    const failed = await onnxSelfCheck('cuda');
    if (failed === null)
      return { engine: 'onnx', threads, provider: 'cuda', reason: `${why}; onnxruntime cuda` };
    noCuda = `the CUDA self-check failed: ${failed}`;
  }
  const failed = await onnxSelfCheck('cpu');
  if (failed === null)
    return {
      engine: 'onnx',
      threads,
      provider: 'cpu',
      reason: `${why}; onnxruntime cpu, ${threads} thread${threads === 1 ? '' : 's'}; ${noCuda}`,
    };
  if (choice === 'onnx') throw new Error(`Training on onnxruntime is not possible here: ${failed}`);
  return tfjs(`onnxruntime ${failed}; using tfjs`);
}

/** The onnx trainer's placement for a chosen engine: its threads and provider. */
export function placement(info: TrainingEngineInfo): { threads?: number; provider: TrainingProvider } {
  return { ...(info.threads !== null ? { threads: info.threads } : {}), provider: info.provider ?? 'cpu' };
}

/**
 * Writes the trainer's current weights into the tfjs model's variables; weights beyond the GPT's (a
 * scalar head's, …) go to `extra`, by name.
 */
export function copyWeightsTo(
  model: GPT,
  trainer: OnnxTrainer,
  extra: ReadonlyMap<string, tf.Variable> = new Map(),
): void {
  for (const a of trainer.toArrays()) {
    const v = model.weights.get(a.name) ?? extra.get(a.name);
    if (!v) throw new Error(`onnx-train: the model has no weight "${a.name}"`);
    tf.tidy(() => v.assign(tf.tensor(a.data, a.shape, 'float32')));
  }
}
