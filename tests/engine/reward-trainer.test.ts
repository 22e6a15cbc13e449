// The reward-model trainer end to end on a real tiny model (byte-tiny, fresh weights, byte tokenizer):
// it learns a systematic preference (loss down, accuracy up, held-out metrics each epoch), keeps tensor
// memory flat, writes real checkpoint and model files, the saved model scores chosen above rejected
// through openRewardScorer, a margin and the centering term reach the loss, and a cancelled run resumed
// from its checkpoint ends exactly where an uninterrupted one does.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { saveModel } from '../../src/main/engine/checkpoint';
import { GPT } from '../../src/main/engine/model/gpt';
import { PRESETS } from '../../src/main/engine/model/presets';
import { keepEnd, openRewardScorer, renderForReward } from '../../src/main/engine/reward-score';
import { readSafetensors } from '../../src/main/engine/safetensors';
import { runRewardTask, type RewardTaskInputs } from '../../src/main/engine/tasks/reward';
import { scoreResponses } from '../../src/main/engine/tasks/score';
import { byteTokenizer } from '../../src/main/engine/tokenizer/byte';
import type { TrainEvent } from '../../src/main/engine/types';
import { RewardConfig } from '../../src/shared/schemas';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
beforeAll(async () => {
  await selectBackend();
});
afterAll(() => cleanups.forEach((c) => c()));

// 16 pairs whose chosen and rejected differ systematically: an answer against a refusal.
const QA: [string, string][] = [
  ['2+2?', 'four'],
  ['capital of france?', 'paris'],
  ['colour of the sky?', 'blue'],
  ['opposite of hot?', 'cold'],
  ['first letter?', 'a'],
  ['say hi', 'hi there'],
  ['legs on a cat?', 'four'],
  ['largest ocean?', 'pacific'],
  ['3+4?', 'seven'],
  ['colour of grass?', 'green'],
  ['opposite of up?', 'down'],
  ['days in a week?', 'seven'],
  ['frozen water?', 'ice'],
  ['a baby cat?', 'a kitten'],
  ['sound a dog makes?', 'woof'],
  ['after monday?', 'tuesday'],
];
const PAIRS: RewardTaskInputs['pairs'] = QA.map(([prompt, answer]) => ({
  prompt,
  chosen: `Sure: ${answer}.`,
  rejected: 'I will not say.',
}));
const INPUTS: RewardTaskInputs = { kind: 'text', pairs: PAIRS };
// 12 training pairs (4 held out), 3 steps per epoch.
const CONFIG: z.input<typeof RewardConfig> = {
  model: 'byte-tiny',
  template: 'plain',
  learningRate: 2e-3,
  epochs: 5,
  batchSize: 4,
  valFraction: 0.25,
  seed: 3,
  checkpointEvery: 4,
  backend: 'auto',
};
const STEPS = 15;

async function run(
  config: z.input<typeof RewardConfig>,
  inputs: RewardTaskInputs = INPUTS,
  opts: { signal?: AbortSignal; onEvent?: (e: TrainEvent) => void } = {},
) {
  const { dir, cleanup } = tempDir('reward-test-');
  cleanups.push(cleanup);
  const events: TrainEvent[] = [];
  const ctx = { signal: opts.signal ?? new AbortController().signal, outDir: dir };
  for await (const e of runRewardTask(RewardConfig.parse(config), inputs, ctx)) {
    events.push(e);
    opts.onEvent?.(e);
  }
  return { events, dir };
}
const metricsOf = (events: TrainEvent[]): Record<string, number>[] =>
  events.flatMap((e) => (e.type === 'metrics' ? [{ ...e.values, step: e.step }] : []));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('trainReward on byte-tiny', () => {
  let full: Awaited<ReturnType<typeof run>>;
  const counts: number[] = [];
  let before = 0;
  let seconds = 0;

  beforeAll(async () => {
    before = tf.memory().numTensors;
    const t0 = performance.now();
    full = await run(CONFIG, INPUTS, {
      onEvent: (e) => {
        if (e.type === 'metrics') counts.push(tf.memory().numTensors);
      },
    });
    seconds = (performance.now() - t0) / 1000;
  });

  it('learns the preference: loss down, accuracy up, eval metrics at each epoch end', () => {
    const backend = full.events[0];
    expect(backend?.type).toBe('backend');
    const m = metricsOf(full.events);
    expect(m.map((x) => x.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    console.log(
      `reward byte-tiny: whole run (backend start, ${STEPS} steps, 5 evals, 3 checkpoints) in ${seconds.toFixed(2)} s on`,
      backend?.type === 'backend' ? backend.backend.name : '?',
      '\nfirst:',
      m[0],
      '\nlast:',
      m.at(-1),
    );
    for (const x of m) {
      for (const k of ['loss', 'accuracy', 'margin', 'mean_reward', 'min_reward', 'max_reward', 'grad_norm'])
        expect(Number.isFinite(x[k]), `${k} at step ${x.step}`).toBe(true);
      expect(x['learning_rate']).toBe(2e-3);
      expect(x['min_reward']).toBeLessThanOrEqual(x['max_reward']!);
    }
    const epoch = (e: number, k: string) => mean(m.slice(3 * e, 3 * e + 3).map((x) => x[k]!));
    expect(epoch(4, 'loss')).toBeLessThan(epoch(0, 'loss') - 0.2);
    expect(epoch(4, 'accuracy')).toBeGreaterThan(epoch(0, 'accuracy'));
    expect(epoch(4, 'accuracy')).toBeGreaterThanOrEqual(0.9);
    expect(m.at(-1)!['epoch']).toBeCloseTo(5);
    // Held-out metrics on each epoch's last step only.
    const evalSteps = m.filter((x) => 'eval/loss' in x).map((x) => x.step);
    expect(evalSteps).toEqual([3, 6, 9, 12, 15]);
    const last = m.at(-1)!;
    expect(last['eval/accuracy']).toBe(1);
    expect(last['eval/margin']).toBeGreaterThan(0);
    expect(last['eval/loss']).toBeLessThan(m[2]!['eval/loss']!);
    const logs = full.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContain('4 of 16 pairs are held out for eval/loss, eval/accuracy and eval/margin');
  });

  it('leaks no tensor per step', () => {
    expect(counts).toHaveLength(STEPS);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writes checkpoints (weights + head + optimizer) and a model marked as a reward model', async () => {
    const ckpts = full.events.flatMap((e) => (e.type === 'checkpoint' ? [e] : []));
    expect(ckpts.map((c) => c.step)).toEqual([4, 8, 12]);
    const c = ckpts[0]!.path;
    expect(path.basename(c)).toBe('checkpoint-000004.safetensors');
    const names = (await readSafetensors(c)).tensors.map((t) => t.name);
    expect(names).toContain('score.weight');
    expect(names).toContain('score.bias');
    const optim = (await readSafetensors(c.replace('.safetensors', '.optim.safetensors'))).tensors;
    expect(optim.map((t) => t.name)).toContain('m.score.weight');
    expect(JSON.parse(readFileSync(c.replace('.safetensors', '.json'), 'utf8')).state).toMatchObject({
      step: 4,
      epoch: 1,
      index: 4, // rows of epoch 1 consumed: one batch of 4
    });

    const model = full.events.at(-1);
    expect(model?.type).toBe('model');
    if (model?.type !== 'model') return;
    expect(model.path).toBe(path.join(full.dir, 'model.safetensors'));
    expect(model.arch).toMatchObject({ head: 'score', tokenizer: 'byte', preset: 'byte-tiny' });
    const record = JSON.parse(readFileSync(path.join(full.dir, 'model.json'), 'utf8'));
    expect(record).toMatchObject({ trainer: 'reward', step: STEPS, arch: { head: 'score' } });
    expect(record.config.template).toBe('plain');
    expect(existsSync(path.join(full.dir, 'model.optim.safetensors'))).toBe(false);
  });

  it('reloads through openRewardScorer and scores chosen above rejected', async () => {
    const file = path.join(full.dir, 'model.safetensors');
    const n0 = tf.memory().numTensors;
    const scorer = await openRewardScorer(file);
    expect(scorer.template).toBe('plain'); // the template it was trained with
    const chosen = await scorer.score(PAIRS.map((p) => ({ prompt: p.prompt, response: p.chosen })));
    const rejected = await scorer.score(PAIRS.map((p) => ({ prompt: p.prompt, response: p.rejected })));
    expect(chosen).toHaveLength(16);
    chosen.forEach((c, i) => expect(c, `pair ${i + 1}`).toBeGreaterThan(rejected[i]!));
    // Batching and order do not change a score.
    const one = await scorer.score([{ prompt: PAIRS[5]!.prompt, response: PAIRS[5]!.chosen }]);
    expect(one[0]).toBeCloseTo(chosen[5]!, 4);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    // The scoring view's entry point reads the same numbers.
    const viaTask = await scoreResponses({
      modelPath: file,
      prompt: PAIRS[0]!.prompt,
      responses: [PAIRS[0]!.chosen, PAIRS[0]!.rejected],
      template: 'plain',
    });
    expect(viaTask.rewards[0]).toBeCloseTo(chosen[0]!, 4);
    expect(viaTask.rewards[1]).toBeCloseTo(rejected[0]!, 4);
    expect(viaTask.inference).toMatchObject({ engine: 'onnx', provider: 'cpu' });
  });

  it('stopped and resumed ends exactly where the uninterrupted run does', async () => {
    const controller = new AbortController();
    const stopped = await run(CONFIG, INPUTS, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'metrics' && e.step === 2) controller.abort();
      },
    });
    expect(metricsOf(stopped.events).map((x) => x.step)).toEqual([1, 2]);
    expect(stopped.events.some((e) => e.type === 'model')).toBe(false);
    const ckpt = stopped.events.at(-1);
    expect(ckpt).toMatchObject({ type: 'checkpoint', step: 2 });
    if (ckpt?.type !== 'checkpoint') return;
    expect(existsSync(ckpt.path.replace('.safetensors', '.optim.safetensors'))).toBe(true);

    const resumed = await run({ ...CONFIG, resumeFrom: ckpt.path });
    const logs = resumed.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContain(`Resuming from step 2 of ${ckpt.path}`);
    const rm = metricsOf(resumed.events);
    expect(rm.map((x) => x.step)).toEqual(Array.from({ length: STEPS - 2 }, (_, i) => i + 3));
    const fm = metricsOf(full.events).slice(2);
    expect(rm.map((x) => x['loss'])).toEqual(fm.map((x) => x['loss']));
    expect(rm.at(-1)!['eval/loss']).toEqual(fm.at(-1)!['eval/loss']);
    const a = await readSafetensors(path.join(full.dir, 'model.safetensors'));
    const b = await readSafetensors(path.join(resumed.dir, 'model.safetensors'));
    expect(b.tensors.find((t) => t.name === 'score.weight')!.data).toEqual(
      a.tensors.find((t) => t.name === 'score.weight')!.data,
    );
  });
});

describe('reward loss options and the scorer', () => {
  const firstLoss = async (config: z.input<typeof RewardConfig>, inputs: RewardTaskInputs) =>
    metricsOf(
      (await run({ ...CONFIG, epochs: 1, valFraction: 0, checkpointEvery: 0, ...config }, inputs)).events,
    )[0]!;

  it('uses each pair margin when useMargin, and the centering term', async () => {
    const withMargins: RewardTaskInputs = { kind: 'text', pairs: PAIRS.map((p) => ({ ...p, margin: 2 })) };
    const plain = await firstLoss({}, INPUTS);
    const margin = await firstLoss({}, withMargins);
    const ignored = await firstLoss({ useMargin: false }, withMargins);
    const centered = await firstLoss({ centerRewardsCoefficient: 1 }, INPUTS);
    // Same initial weights and batch: the rewards (and so `margin`) agree; the losses differ as the loss says.
    expect(margin['margin']).toBeCloseTo(plain['margin']!, 6);
    expect(margin['loss']).toBeGreaterThan(plain['loss']! + 0.5); // −log σ(d − 2) vs −log σ(d), d ≈ 0
    expect(ignored['loss']).toBe(plain['loss']);
    expect(centered['loss']).toBeGreaterThan(plain['loss']!);
  });

  it('cuts a long sequence from its start so the end-of-turn token stays', () => {
    const { ids } = renderForReward(byteTokenizer, 'plain', 'q', 'a long answer');
    expect(ids.at(-1)).toBe(byteTokenizer.specialId('<|eos|>')); // the reward token ends the sequence
    expect(keepEnd(ids, 5)).toEqual(ids.slice(-5));
    // ChatML's untrained "\n" after <|im_end|> is not part of what the reward model reads.
    const chatml = renderForReward(byteTokenizer, 'chatml', 'q', 'a');
    expect(byteTokenizer.decode(chatml.ids).endsWith('a<|im_end|>')).toBe(true);
  });

  it('starts the trunk from a base model and records it as the parent', async () => {
    const { dir, cleanup } = tempDir('reward-test-');
    cleanups.push(cleanup);
    const lm = GPT.init(PRESETS['byte-tiny'], 7);
    const basePath = await saveModel(path.join(dir, 'sft.safetensors'), lm, {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
      trainer: 'sft',
      step: 0,
      config: {},
      lineage: { parentPath: null, parentId: null },
    });
    lm.dispose();
    const inputs: RewardTaskInputs = { ...INPUTS, base: { path: basePath, id: 42 } };
    const { events } = await run({ ...CONFIG, epochs: 1, checkpointEvery: 0 }, inputs);
    const model = events.at(-1);
    expect(model).toMatchObject({
      type: 'model',
      arch: { head: 'score', preset: 'byte-tiny', lineage: { parentPath: basePath, parentId: 42 } },
    });
    // A reward model as the base: its head is trained further, not replaced.
    if (model?.type !== 'model') return;
    const again = await run(
      { ...CONFIG, epochs: 1, checkpointEvery: 0 },
      { ...INPUTS, base: { path: model.path, id: 43 } },
    );
    const logs = again.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContain('The base model is a reward model: its "score" head is trained further');
  });

  it('refuses a model without a score head, naming it', async () => {
    const { dir, cleanup } = tempDir('reward-test-');
    cleanups.push(cleanup);
    const lm = GPT.init(PRESETS['byte-tiny'], 0);
    const file = await saveModel(path.join(dir, 'lm.safetensors'), lm, {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
      trainer: 'sft',
      step: 0,
      config: {},
      lineage: { parentPath: null, parentId: null },
    });
    lm.dispose();
    const n0 = tf.memory().numTensors;
    await expect(openRewardScorer(file)).rejects.toThrow(`model ${file} is not a reward model`);
    expect(tf.memory().numTensors).toBe(n0);
  });
});
