// A PPO run with a reward model on each inference engine (the run's `inference` setting): rollouts,
// the reward model's scores and the reference's log-probs run on onnxruntime by default and on tfjs
// when asked; the run records where (an `inference` event) and logs each part; the first iteration's
// rollouts are the same and its metrics agree within tolerance (scores within 1e-4, KL within 1e-5).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PpoConfig, type InferenceChoice } from '../../../src/shared/schemas';
import { selectBackend } from '../../../src/main/engine/backend';
import { saveModel } from '../../../src/main/engine/checkpoint';
import { GPT } from '../../../src/main/engine/model/gpt';
import { ScalarHead } from '../../../src/main/engine/model/heads';
import { PRESETS } from '../../../src/main/engine/model/presets';
import { runPpoTask } from '../../../src/main/engine/tasks/ppo';
import type { TrainEvent } from '../../../src/main/engine/types';
import { collect, removeTempDirs, tempDir } from '../trainers/helpers';

let rmPath: string;
beforeAll(async () => {
  await selectBackend();
  const dir = await tempDir();
  const trunk = GPT.init(PRESETS['byte-tiny'], 9, false);
  const head = ScalarHead.init('score', trunk.config.dModel, 9, false);
  rmPath = await saveModel(
    `${dir}/rm.safetensors`,
    trunk,
    {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
      trainer: 'reward',
      step: 0,
      config: { template: 'plain' },
      lineage: { parentPath: null, parentId: null },
    },
    [head],
  );
  trunk.dispose();
  head.dispose();
});
afterAll(removeTempDirs);

const PROMPTS = ['hi', 'tell me a story', 'what is two plus two?', 'name a colour'];

async function ppo(inference: InferenceChoice, trainingEngine: 'auto' | 'tfjs' = 'auto') {
  const config = PpoConfig.parse({
    model: 'byte-tiny',
    template: 'plain',
    rewardSource: 'model',
    iterations: 1,
    batchSize: 4,
    numMiniBatches: 1,
    ppoEpochs: 1,
    maxNewTokens: 8,
    samplesPerIteration: 4,
    seed: 3,
    inference,
    trainingEngine,
  });
  const r = await collect((ctx) => runPpoTask(config, { prompts: PROMPTS, rewardModelPath: rmPath }, ctx));
  expect(r.error).toBeUndefined();
  const pick = <T extends TrainEvent['type']>(t: T) =>
    r.events.filter((e): e is Extract<TrainEvent, { type: T }> => e.type === t);
  return {
    inference: pick('inference').map((e) => e.inference),
    logs: pick('log').map((e) => e.message),
    metrics: pick('metrics')[0]!.values,
    responses: pick('samples').flatMap((e) => e.items.map((i) => i['response'])),
  };
}

describe('PPO on onnxruntime and on tfjs', () => {
  it('samples, scores and measures KL alike, and says where each ran', async () => {
    const before = tf.memory().numTensors;
    const onnx = await ppo('onnx');
    // tfjs for the training too: the old log-probs come from the training engine (onnx under auto).
    const tfjs = await ppo('tfjs', 'tfjs');
    expect(tf.memory().numTensors).toBe(before);

    expect(onnx.inference).toEqual([expect.objectContaining({ engine: 'onnx', provider: 'cpu' })]);
    expect(tfjs.inference).toEqual([expect.objectContaining({ engine: 'tfjs', provider: null })]);
    for (const part of ['reference log-probs', 'reward-model scoring'])
      expect(
        onnx.logs.some((m) => m.startsWith(`${part}: onnxruntime, provider cpu`)),
        part,
      ).toBe(true);
    expect(tfjs.logs.some((m) => m.startsWith('reference log-probs: tfjs (requested by the run'))).toBe(true);
    expect(tfjs.logs.some((m) => m.startsWith('reward-model scoring: tfjs'))).toBe(true);

    expect(onnx.responses).toHaveLength(4);
    expect(onnx.responses).toEqual(tfjs.responses);
    expect(Math.abs(onnx.metrics['objective/scores']! - tfjs.metrics['objective/scores']!)).toBeLessThan(
      1e-4,
    );
    expect(Math.abs(onnx.metrics['objective/kl']! - tfjs.metrics['objective/kl']!)).toBeLessThan(1e-5);
    expect(tfjs.metrics['objective/kl']).toBe(0); // tfjs throughout: the policy is its own reference, exactly
  });
});
