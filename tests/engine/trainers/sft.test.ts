// The SFT trainer: the loss counts assistant tokens only, mean_token_accuracy rises on a tiny
// dataset, over-long examples are cut (and said so), packing keeps every scored token, a stopped and
// resumed run ends where an uninterrupted one does, and the lineage of a fine-tuned model is recorded.
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { saveModel } from '../../../src/main/engine/checkpoint';
import { GPT } from '../../../src/main/engine/model/gpt';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import { readSafetensors } from '../../../src/main/engine/safetensors';
import { encode, EOS, specialId } from '../../../src/main/engine/tokenizer/byte';
import {
  SftConfig,
  sftRows,
  trainSft,
  type SftConfigInput,
  type SftExample,
  type SftInputs,
} from '../../../src/main/engine/trainers/sft';
import { collect, metricsOf, removeTempDirs, tempDir } from './helpers';

beforeAll(async () => {
  await selectBackend();
});
afterAll(removeTempDirs);

const USER = specialId('<|user|>');
const ASSISTANT = specialId('<|assistant|>');
/** `<|user|>q<|assistant|>a<|eos|>` with the answer and EOS scored, then `tail` (unscored). */
function example(q: string, a: string, tail: number[] = []): SftExample {
  const prompt = [USER, ...encode(q), ASSISTANT];
  const answer = [...encode(a), EOS];
  return {
    ids: [...prompt, ...answer, ...tail],
    mask: [...prompt.map(() => 0), ...answer.map(() => 1), ...tail.map(() => 0)],
  };
}
const PAIRS: [string, string][] = [
  ['2+2?', 'four'],
  ['capital of france?', 'paris'],
  ['colour of the sky?', 'blue'],
  ['opposite of hot?', 'cold'],
  ['first letter?', 'a'],
  ['say hi', 'hi there'],
  ['legs on a cat?', 'four'],
  ['largest ocean?', 'pacific'],
];
const data: SftInputs = { examples: PAIRS.map(([q, a]) => example(q, a)) };
const base: SftConfigInput = {
  model: 'byte-tiny',
  learningRate: 3e-3,
  warmupSteps: 0,
  batchSize: 4,
  seed: 2,
};
const run = (config: SftConfigInput, inputs: SftInputs = data, opts: Parameters<typeof collect>[1] = {}) =>
  collect((ctx) => trainSft(SftConfig.parse(config), inputs, ctx), opts);

describe('trainSft', () => {
  it('learns the answers: loss falls, mean_token_accuracy rises, memory flat', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { events, error } = await run({ ...base, epochs: 40 }, data, {
      onEvent: (e) => {
        if (e.type === 'metrics') counts.push(tf.memory().numTensors);
      },
    });
    expect(error).toBeUndefined();
    const m = metricsOf(events);
    expect(m).toHaveLength(80);
    const mean = (xs: typeof m, k: 'loss' | 'mean_token_accuracy') =>
      xs.reduce((a, x) => a + x[k], 0) / xs.length;
    console.log(
      'sft accuracy',
      m
        .filter((_, i) => i % 10 === 9)
        .map((x) => x.mean_token_accuracy.toFixed(2))
        .join(' '),
    );
    expect(mean(m.slice(0, 2), 'mean_token_accuracy')).toBeLessThan(0.2);
    expect(mean(m.slice(-4), 'mean_token_accuracy')).toBeGreaterThan(0.9);
    expect(mean(m.slice(-4), 'loss')).toBeLessThan(mean(m.slice(0, 2), 'loss') / 5);
    // num_tokens counts input tokens (all of them, prompt included) cumulatively.
    const inputTokens = data.examples.reduce((a, e) => a + e.ids.length - 1, 0);
    expect(m.at(-1)!.num_tokens).toBe(40 * inputTokens);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scores assistant tokens only: changing an unscored target leaves the loss unchanged', async () => {
    // The last token is unscored and only ever a target (never an input), so it can only matter through the loss.
    const firstLoss = async (inputs: SftInputs) =>
      metricsOf((await run({ ...base, maxSteps: 1 }, inputs)).events)[0]!.loss;
    const withTail = (t: number) => ({ examples: PAIRS.map(([q, a]) => example(q, a, [t])) });
    expect(await firstLoss(withTail(65))).toBe(await firstLoss(withTail(120)));
    // The control: the same change on a scored token does change it.
    const scoredTail = (t: number) => ({
      examples: PAIRS.map(([q, a]) => {
        const e = example(q, a, [t]);
        return { ids: e.ids, mask: [...e.mask.slice(0, -1), 1] };
      }),
    });
    expect(await firstLoss(scoredTail(65))).not.toBe(await firstLoss(scoredTail(120)));
  });

  it('cuts over-long examples at maxLength keeping their start, skips those left without answer, and says so', async () => {
    const long = example(
      'what is the meaning of this rather long question, which goes on and on?',
      'no idea',
    );
    const { events } = await run(
      { ...base, maxLength: 56, maxSteps: 1 },
      {
        examples: [...data.examples, long, example('q', 'x'.repeat(60))],
      },
    );
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContain('2 of 10 examples longer than 56 tokens were cut at 56 (their start kept)');
    expect(logs).toContain('1 of 10 examples had no assistant tokens left to learn from and were skipped');
    const rows = sftRows({ packing: false, maxLength: 56 }, [long], MODEL_PRESETS['byte-tiny']);
    expect(rows.rows).toHaveLength(0);
    const kept = sftRows(
      { packing: false, maxLength: 56 },
      [example('q', 'x'.repeat(60))],
      MODEL_PRESETS['byte-tiny'],
    );
    expect(kept.rows[0]!.ids).toEqual(example('q', 'x'.repeat(60)).ids.slice(0, 56));
  });

  it('packs examples into full windows and scores every assistant token exactly once', () => {
    const arch = MODEL_PRESETS['seed-tiny']; // windows of 17 tokens
    const examples = [
      { ids: [1, 2, 3, 4, 5, 6, 7], mask: [0, 0, 1, 1, 1, 0, 1] },
      {
        ids: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
        mask: Array(18).fill(1),
      },
      { ids: [30, 31, 32, 33], mask: [0, 0, 0, 1] },
    ];
    const { rows, notes } = sftRows({ packing: true }, examples, arch);
    expect(notes).toEqual(['Packed 3 examples (29 tokens) into 2 windows of 17 tokens']);
    expect(rows.map((r) => r.ids.length)).toEqual([17, 13]);
    const scoredTargets = rows.flatMap((r) => r.ids.slice(1).filter((_, j) => r.mask[j + 1] === 1));
    const expected = examples.flatMap((e) => e.ids.filter((_, j) => e.mask[j] === 1));
    expect(scoredTargets).toEqual(expected); // (the stream's first token, never a target, is unscored here)
  });

  it('stopped and resumed (with gradient accumulation) ends with the same weights as uninterrupted', async () => {
    const config: SftConfigInput = {
      ...base,
      batchSize: 2,
      gradientAccumulationSteps: 2,
      epochs: 2,
      packing: false,
    };
    const full = await run(config);
    const controller = new AbortController();
    const stopped = await run(config, data, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'metrics' && e.step === 1) controller.abort();
      },
    });
    const ckpt = stopped.events.at(-1);
    expect(ckpt).toMatchObject({ type: 'checkpoint', step: 1 });
    const resumed = await run({ ...config, resumeFrom: ckpt?.type === 'checkpoint' ? ckpt.path : '' });
    expect(resumed.error).toBeUndefined();
    expect(metricsOf(resumed.events).map((m) => m.step)).toEqual([2, 3, 4]);
    expect(metricsOf(resumed.events).map((m) => m.loss)).toEqual(
      metricsOf(full.events)
        .slice(1)
        .map((m) => m.loss),
    );
    const a = await readSafetensors(path.join(full.dir, 'model.safetensors'));
    const b = await readSafetensors(path.join(resumed.dir, 'model.safetensors'));
    for (const [i, t] of a.tensors.entries()) expect(b.tensors[i]!.data, t.name).toEqual(t.data);
    // A finished model is not a checkpoint: no optimizer state, no position.
    const wrong = await run({ ...config, resumeFrom: path.join(full.dir, 'model.safetensors') });
    expect(wrong.error?.message).toMatch(/is a model, not a checkpoint/);
  });

  it('starts from a saved model and records its lineage', async () => {
    const dir = await tempDir();
    const parent = GPT.init(MODEL_PRESETS['byte-tiny'], 9);
    const parentPath = await saveModel(path.join(dir, 'base.safetensors'), parent, {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...MODEL_PRESETS['byte-tiny'] },
      trainer: 'pretrain',
      step: 100,
      config: {},
      lineage: { parentPath: null, parentId: null },
    });
    parent.dispose();
    const { events, dir: out } = await run({
      ...base,
      maxSteps: 2,
      initFrom: parentPath,
      parentId: 7,
      model: undefined,
    });
    expect(events.find((e) => e.type === 'model')).toMatchObject({
      arch: { preset: 'byte-tiny', lineage: { parentPath, parentId: 7 } },
    });
    const record = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(record).toMatchObject({ trainer: 'sft', step: 2, lineage: { parentPath, parentId: 7 } });
    expect(record.config.initFrom).toBe(parentPath);
  });
});
