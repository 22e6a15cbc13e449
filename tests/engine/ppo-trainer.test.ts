// The PPO trainer through its task, on a real byte-tiny policy with a rule reward: every iteration
// yields TRL's metrics (finite) and rollout samples, the tensor count stays flat, the model saved at
// the end loads and generates, a cancelled run leaves a checkpoint from which a resumed run ends where
// an uninterrupted one does, a missing reward input is named, and the rule's score rises with training.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PpoConfig } from '../../src/shared/schemas';
import { selectBackend } from '../../src/main/engine/backend';
import { loadModel, saveModel } from '../../src/main/engine/checkpoint';
import { generate } from '../../src/main/engine/generate';
import { GPT } from '../../src/main/engine/model/gpt';
import { ScalarHead } from '../../src/main/engine/model/heads';
import { PRESETS } from '../../src/main/engine/model/presets';
import { rewardFromJudge, rewardFromModel, rewardFromRule } from '../../src/main/engine/rewards';
import { readSafetensors } from '../../src/main/engine/safetensors';
import { byteTokenizer } from '../../src/main/engine/tokenizer/byte';
import { endOfTurn, runPpoTask, type PpoTaskInputs } from '../../src/main/engine/tasks/ppo';
import { trainPpo } from '../../src/main/engine/trainers/ppo';
import type { TrainEvent } from '../../src/main/engine/types';
import { generateWorld } from '../../src/main/engine/world';
import { collect, removeTempDirs, tempDir } from './trainers/helpers';

beforeAll(async () => {
  await selectBackend();
});
afterAll(removeTempDirs);

const PROMPTS = ['hi', 'tell me a story', 'what is two plus two?', 'name a colour', 'say something', 'why?'];
const inputs: PpoTaskInputs = { prompts: PROMPTS };
const base = {
  model: 'byte-tiny',
  template: 'plain',
  rewardSource: 'rule',
  rule: 'length',
  ruleTargetLength: 4,
  iterations: 4,
  batchSize: 4,
  numMiniBatches: 2,
  ppoEpochs: 2,
  maxNewTokens: 8,
  learningRate: 1e-3,
  samplesPerIteration: 2,
  seed: 3,
} as const;
const run = (
  config: Record<string, unknown>,
  opts: Parameters<typeof collect>[1] = {},
  taskInputs = inputs,
) => collect((ctx) => runPpoTask(PpoConfig.parse({ ...base, ...config }), taskInputs, ctx), opts);

const METRICS = [
  'objective/kl',
  'objective/entropy',
  'objective/non_score_reward',
  'objective/rlhf_reward',
  'objective/scores',
  'policy/approxkl',
  'policy/clipfrac',
  'loss/policy',
  'loss/value',
  'val/clipfrac',
  'val/ratio',
  'response_length',
  'kl_coef',
  'learning_rate',
];
const metricsOf = (events: TrainEvent[]): Record<string, number>[] =>
  events.flatMap((e) => (e.type === 'metrics' ? [{ step: e.step, ...e.values }] : []));

describe('trainPpo (through runPpoTask)', () => {
  it('yields finite metrics and rollout samples every iteration, keeps the tensor count flat, and saves a model that chats', async () => {
    const counts: number[] = [];
    const { events, error } = await run(
      {},
      {
        onEvent: (e) => {
          if (e.type === 'metrics') counts.push(tf.memory().numTensors);
        },
      },
    );
    expect(error).toBeUndefined();
    const m = metricsOf(events);
    expect(m.map((x) => x.step)).toEqual([1, 2, 3, 4]);
    for (const x of m)
      for (const name of METRICS) {
        expect(x, name).toHaveProperty([name]);
        expect(
          Number.isFinite((x as Record<string, number>)[name]),
          `${name} = ${(x as Record<string, number>)[name]}`,
        ).toBe(true);
      }
    expect(m[0]!['kl_coef']).toBe(0.05);
    expect(m[0]!['learning_rate']).toBe(1e-3);
    // The first minibatch of the first pass sees the rollouts' own policy: ratio ≈ 1 there, so the
    // mean ratio stays near 1 with a small learning rate.
    for (const x of m) expect(Math.abs(x['val/ratio']! - 1)).toBeLessThan(0.2);
    expect(new Set(counts).size, `tensor counts ${counts.join(', ')}`).toBe(1);

    const samples = events.filter((e): e is Extract<TrainEvent, { type: 'samples' }> => e.type === 'samples');
    expect(samples.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const s of samples) {
      expect(s.kind).toBe('rollout');
      expect(s.items).toHaveLength(2);
      for (const item of s.items) {
        expect(PROMPTS).toContain(item['prompt']);
        expect(typeof item['response']).toBe('string');
        for (const k of ['score', 'reward', 'kl']) expect(Number.isFinite(item[k])).toBe(true);
        expect(item['score']).toBeGreaterThanOrEqual(0);
        expect(item['score']).toBeLessThanOrEqual(1);
      }
    }

    const model = events.find((e) => e.type === 'model');
    expect(model?.type === 'model' && model.path).toBeTruthy();
    const file = (model as Extract<TrainEvent, { type: 'model' }>).path;
    const loaded = await loadModel(file, false);
    try {
      expect(loaded.record.trainer).toBe('ppo');
      expect(ScalarHead.has('v_head', loaded.extras)).toBe(true);
      const [g] = await generate(loaded.model, [byteTokenizer.encode('hi\n')], {
        maxNewTokens: 4,
        tokenizer: byteTokenizer,
      });
      expect(g!.ids.length).toBeGreaterThan(0);
    } finally {
      loaded.model.dispose();
    }
  });

  it('cancelled, leaves a checkpoint; resumed from it, ends where an uninterrupted run does', async () => {
    const full = await run({ adaptiveKl: true, targetKl: 0.01, klHorizon: 40 });
    expect(full.error).toBeUndefined();

    const controller = new AbortController();
    const first = await run(
      { adaptiveKl: true, targetKl: 0.01, klHorizon: 40 },
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.step === 2) controller.abort();
        },
      },
    );
    expect(first.error).toBeUndefined();
    expect(first.events.some((e) => e.type === 'model')).toBe(false);
    const cp = first.events.find((e) => e.type === 'checkpoint');
    expect(cp).toMatchObject({ type: 'checkpoint', step: 2 });
    const cpPath = (cp as Extract<TrainEvent, { type: 'checkpoint' }>).path;
    expect(existsSync(cpPath.replace(/\.safetensors$/, '.optim.safetensors'))).toBe(true);

    const resumed = await run({ adaptiveKl: true, targetKl: 0.01, klHorizon: 40, resumeFrom: cpPath });
    expect(resumed.error).toBeUndefined();
    const fm = metricsOf(full.events);
    const rm = metricsOf(resumed.events);
    expect(rm.map((x) => x.step)).toEqual([3, 4]);
    // The adaptive β carried over (it moved, since the KL is far from the target).
    expect(rm[0]!['kl_coef']).toBeCloseTo(fm[2]!['kl_coef']!, 12);
    expect(fm[2]!['kl_coef']).not.toBe(0.05);
    expect(rm[1]!['objective/scores']).toBeCloseTo(fm[3]!['objective/scores']!, 5);

    const weights = async (events: TrainEvent[]) => {
      const e = events.find((x) => x.type === 'model') as Extract<TrainEvent, { type: 'model' }>;
      return (await readSafetensors(e.path)).tensors;
    };
    const a = await weights(full.events);
    const b = await weights(resumed.events);
    expect(b.map((t) => t.name)).toEqual(a.map((t) => t.name));
    let maxDiff = 0;
    a.forEach((t, i) =>
      t.data.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i]!.data[j]!)))),
    );
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('names the missing input of each reward source', async () => {
    const model = await run({ rewardSource: 'model' });
    expect(model.error?.message).toMatch(/rewardSource 'model' needs a reward model \(config\.rewardModel\)/);
    const gold = await run({ rewardSource: 'gold' });
    expect(gold.error?.message).toMatch(/rewardSource 'gold' needs the sandbox world/);
    const keyword = await run({ rule: 'keyword', ruleKeywords: ' , ' });
    expect(keyword.error?.message).toMatch(/keyword rule needs at least one keyword/);
  });

  it("finds the template's end of turn: a special token, or the marker's text when the tokenizer lacks it", () => {
    expect(endOfTurn(byteTokenizer, 'plain')).toEqual({ stopIds: [byteTokenizer.specialId('<|eos|>')] });
    expect(endOfTurn(byteTokenizer, 'chatml')).toEqual({
      stopIds: [byteTokenizer.specialId('<|eos|>')],
      stopText: '<|im_end|>',
    });
  });

  it("takes its first step from the rollouts' own distribution: one pass, one minibatch → ratio 1, nothing clipped", async () => {
    const { events, error } = await run({
      iterations: 1,
      ppoEpochs: 1,
      numMiniBatches: 1,
      missingEosPenalty: 1,
    });
    expect(error).toBeUndefined();
    const [m] = metricsOf(events);
    expect(m!['val/ratio']).toBeCloseTo(1, 5);
    expect(m!['policy/approxkl']).toBeLessThan(1e-9);
    expect(m!['policy/clipfrac']).toBe(0);
    // The reference's log-probs come from onnxruntime, the policy's from tfjs: equal to ~1e-7.
    expect(m!['objective/kl']).toBeCloseTo(0, 5);
    // Responses without an end of turn lose missingEosPenalty: a length score in [0, 1] minus 1.
    const eos = m!['val/num_eos_tokens']!;
    expect(m!['objective/scores']).toBeLessThanOrEqual(eos / 4);
    expect(m!['objective/scores']).toBeLessThan(0.5);
  });

  it('samples the same rollouts on onnxruntime and on tfjs (LAB_INFERENCE=tfjs), and says which it used', async () => {
    const onnx = await run({ iterations: 2 });
    const saved = process.env['LAB_INFERENCE'];
    process.env['LAB_INFERENCE'] = 'tfjs';
    let tfjs: Awaited<ReturnType<typeof run>>;
    try {
      tfjs = await run({ iterations: 2 });
    } finally {
      if (saved === undefined) delete process.env['LAB_INFERENCE'];
      else process.env['LAB_INFERENCE'] = saved;
    }
    expect(onnx.error).toBeUndefined();
    expect(tfjs.error).toBeUndefined();
    const logs = (r: typeof onnx) => r.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs(tfjs).some((m) => m.startsWith('inference: tfjs'))).toBe(true);
    const responses = (r: typeof onnx) =>
      r.events.flatMap((e) => (e.type === 'samples' ? e.items.map((i) => i['response']) : []));
    expect(responses(onnx)).toHaveLength(4);
    expect(responses(tfjs)).toEqual(responses(onnx));
  });

  it('ends a response at a stop id (its last token, not in the text) or once its text holds the stop text', async () => {
    const reward = rewardFromRule({ rule: 'length', ruleTargetLength: 4, ruleKeywords: '' });
    const config = PpoConfig.parse({ ...base, iterations: 1 });
    const prompts = [{ text: 'hi', ids: byteTokenizer.encode('hi\n') }];
    const allIds = Array.from({ length: byteTokenizer.vocabSize }, (_, i) => i);
    const byId = await collect((ctx) =>
      trainPpo(
        config,
        { prompts, tokenizer: byteTokenizer, tokenizerName: 'byte', stopIds: allIds, reward },
        ctx,
      ),
    );
    expect(byId.error).toBeUndefined();
    const m1 = metricsOf(byId.events)[0]!;
    expect(m1['response_length']).toBe(1); // the stop token is the response's one token
    expect(m1['val/num_eos_tokens']).toBe(4);
    const s1 = byId.events.find((e) => e.type === 'samples') as Extract<TrainEvent, { type: 'samples' }>;
    expect(s1.items.map((i) => i['response'])).toEqual(['', '']);
    // A tokenizer that spells every id "ab": the stop text "b" is reached with the first token.
    const spelled = { ...byteTokenizer, decode: (ids: readonly number[]) => 'ab'.repeat(ids.length) };
    const byText = await collect((ctx) =>
      trainPpo(
        config,
        { prompts, tokenizer: spelled, tokenizerName: 'byte', stopIds: [], stopText: 'b', reward },
        ctx,
      ),
    );
    expect(byText.error).toBeUndefined();
    expect(metricsOf(byText.events)[0]!['val/num_eos_tokens']).toBe(4);
    const s2 = byText.events.find((e) => e.type === 'samples') as Extract<TrainEvent, { type: 'samples' }>;
    expect(s2.items.map((i) => i['response'])).toEqual(['a', 'a']);
  });

  it('scores rollouts with a reward model (the default source) and with the gold judge', async () => {
    const dir = await tempDir();
    const trunk = GPT.init(PRESETS['byte-tiny'], 9);
    const head = ScalarHead.init('score', trunk.config.dModel, 9);
    const rmPath = await saveModel(
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
    const before = tf.memory().numTensors;
    const viaModel = await run(
      { rewardSource: 'model', iterations: 1 },
      {},
      { ...inputs, rewardModelPath: rmPath },
    );
    expect(viaModel.error).toBeUndefined();
    const score = metricsOf(viaModel.events)[0]!['objective/scores']!;
    expect(Number.isFinite(score) && score !== 0).toBe(true);
    expect(tf.memory().numTensors).toBe(before); // the reward model's weights were released

    const world = generateWorld({ seed: 5, size: 'tiny' });
    const place = world.places[0]!;
    const q = `What is the capital of ${place.name}?`;
    const judge = rewardFromJudge(world);
    expect(
      await judge([
        { prompt: q, response: place.capital },
        { prompt: q, response: 'no idea, sorry' },
      ]),
    ).toEqual([1, 0]);
    const viaJudge = await run(
      { rewardSource: 'gold', iterations: 1, template: 'chatml' },
      {},
      { prompts: [q], world },
    );
    expect(viaJudge.error).toBeUndefined();
    expect(metricsOf(viaJudge.events)[0]!['objective/scores']).toBeGreaterThanOrEqual(0);
    const scorer = await rewardFromModel(rmPath, 'plain');
    const [r1, r2] = await scorer([
      { prompt: 'hi', response: 'a' },
      { prompt: 'hi', response: 'a' },
    ]);
    expect(r1).toBe(r2);
    scorer.dispose?.();
  });

  // From a fresh model, 'a' turns up in few 16-byte responses; seeds 1–10 all end with a mean score of
  // 0.75 or more over the last 4 iterations, at least 0.44 above the first 4.
  it("raises the keyword rule's score within a dozen iterations", async () => {
    const { events, error } = await run({
      rule: 'keyword',
      ruleKeywords: 'a',
      klCoef: 0.01,
      iterations: 12,
      batchSize: 8,
      numMiniBatches: 1,
      ppoEpochs: 4,
      maxNewTokens: 16,
      learningRate: 1e-2,
      samplesPerIteration: 0,
      seed: 4,
    });
    expect(error).toBeUndefined();
    const scores = metricsOf(events).map((x) => x['objective/scores']!);
    console.log('ppo keyword score by iteration', scores.map((x) => x.toFixed(2)).join(' '));
    const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    expect(mean(scores.slice(-4))).toBeGreaterThan(mean(scores.slice(0, 4)) + 0.3);
  });
});

describe('reward sources', () => {
  it('length: min(words, target) / target; keyword: the share of keywords present, case-insensitive', async () => {
    const length = rewardFromRule({ rule: 'length', ruleTargetLength: 4, ruleKeywords: '' });
    expect(
      await length([
        { prompt: 'p', response: '' },
        { prompt: 'p', response: ' one  two\nthree ' },
        { prompt: 'p', response: 'a b c d e f' },
      ]),
    ).toEqual([0, 0.75, 1]);
    const keyword = rewardFromRule({
      rule: 'keyword',
      ruleTargetLength: 1,
      ruleKeywords: 'Cat, dog,, cat ,bird',
    });
    expect(
      await keyword([
        { prompt: 'p', response: 'my CAT and my dog' },
        { prompt: 'p', response: 'nothing' },
      ]),
    ).toEqual([2 / 3, 0]);
  });
});
