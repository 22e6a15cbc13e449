// The pretraining trainer on a tiny repetitive corpus: the loss falls, greedy generation reproduces
// the memorised text, memory stays flat, and a run stopped and resumed ends with the same weights as
// one that never stopped.
import * as tf from '@tensorflow/tfjs-core';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { loadModel } from '../../../src/main/engine/checkpoint';
import { generate } from '../../../src/main/engine/generate';
import { readSafetensors, writeSafetensors } from '../../../src/main/engine/safetensors';
import {
  PretrainConfig,
  pretrainRows,
  trainPretrain,
  type PretrainConfigInput,
  type PretrainInputs,
} from '../../../src/main/engine/trainers/pretrain';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import { byteTokenizer, collect, metricsOf, removeTempDirs } from './helpers';

beforeAll(async () => {
  await selectBackend();
});
afterAll(removeTempDirs);

const SENTENCE = 'the quick brown fox jumps over the lazy dog.';
const corpus: PretrainInputs = {
  kind: 'documents',
  documents: Array.from({ length: 16 }, () => SENTENCE),
  tokenizer: byteTokenizer,
};
const base: PretrainConfigInput = {
  model: 'byte-tiny',
  learningRate: 5e-3,
  warmupSteps: 5,
  weightDecay: 0,
  batchSize: 4,
  maxSteps: 80,
  seed: 1,
};
const run = (config: PretrainConfigInput, opts: Parameters<typeof collect>[1] = {}, inputs = corpus) =>
  collect((ctx) => trainPretrain(PretrainConfig.parse(config), inputs, ctx), opts);

describe('trainPretrain', () => {
  it('learns a repetitive corpus: loss falls, greedy generation continues the memorised text, memory flat', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { events, dir, error } = await run(base, {
      onEvent: (e) => {
        if (e.type === 'metrics') counts.push(tf.memory().numTensors);
      },
    });
    expect(error).toBeUndefined();
    expect(events[0]?.type).toBe('backend');
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs[0]).toBe('Corpus: 16 documents, 720 tokens → 12 windows of up to 65 tokens');
    const m = metricsOf(events);
    expect(m).toHaveLength(80);
    expect(m.map((x) => x.step)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    for (const k of [
      'loss',
      'perplexity',
      'tokens_per_sec',
      'num_tokens',
      'learning_rate',
      'grad_norm',
      'epoch',
    ])
      expect(Number.isFinite(m[79]![k as 'loss']), k).toBe(true);
    expect(m[0]!.loss).toBeGreaterThan(4.5); // ≈ ln 262 at init
    console.log(
      'pretrain losses',
      m
        .filter((_, i) => i % 10 === 9)
        .map((x) => x.loss.toFixed(3))
        .join(' '),
    );
    expect(m[79]!.loss).toBeLessThan(0.5);
    expect(m[79]!.perplexity).toBeCloseTo(Math.exp(m[79]!.loss), 4);
    expect(m[0]!.learning_rate).toBeCloseTo(5e-3 / 5, 9);
    expect(m[4]!.learning_rate).toBeCloseTo(5e-3, 9);
    expect(m[79]!.learning_rate).toBeCloseTo(5e-4, 9);
    expect(m[0]!.num_tokens).toBe(4 * 64);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);

    const model = events.find((e) => e.type === 'model');
    expect(model).toMatchObject({ type: 'model', path: path.join(dir, 'model.safetensors') });
    expect(model?.type === 'model' && model.arch).toMatchObject({ preset: 'byte-tiny', tokenizer: 'byte' });
    const record = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(record).toMatchObject({
      trainer: 'pretrain',
      step: 80,
      lineage: { parentPath: null, parentId: null },
    });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const { model: trained } = await loadModel(path.join(dir, 'model.safetensors'), false);
    const [out] = await generate(trained, [byteTokenizer.encode('the quick brown ')], {
      temperature: 0,
      maxNewTokens: 24,
      tokenizer: byteTokenizer,
    });
    expect(out!.text).toBe('fox jumps over the lazy ');
    trained.dispose();
  });

  it('stopped at step k and resumed, ends with the same weights and curves as an uninterrupted run', async () => {
    const config: PretrainConfigInput = { ...base, maxSteps: 0, epochs: 3, batchSize: 5, checkpointEvery: 0 };
    const full = await run(config); // 12 windows / 5 → 3 steps per epoch, 9 steps
    expect(full.error).toBeUndefined();
    const controller = new AbortController();
    const stopped = await run(config, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'metrics' && e.step === 4) controller.abort(); // mid-epoch 2
      },
    });
    const ckpt = stopped.events.at(-1);
    expect(ckpt).toMatchObject({ type: 'checkpoint', step: 4 });
    expect(metricsOf(stopped.events).map((m) => m.step)).toEqual([1, 2, 3, 4]); // stops within one step
    expect(stopped.events.some((e) => e.type === 'model')).toBe(false);
    const resumed = await run({ ...config, resumeFrom: ckpt?.type === 'checkpoint' ? ckpt.path : '' });
    expect(resumed.error).toBeUndefined();
    const fm = metricsOf(full.events);
    const rm = metricsOf(resumed.events);
    expect(rm.map((x) => x.step)).toEqual([5, 6, 7, 8, 9]);
    expect(rm.map((x) => x.loss)).toEqual(fm.slice(4).map((x) => x.loss));
    expect(rm.map((x) => x.num_tokens)).toEqual(fm.slice(4).map((x) => x.num_tokens));
    const a = await readSafetensors(path.join(full.dir, 'model.safetensors'));
    const b = await readSafetensors(path.join(resumed.dir, 'model.safetensors'));
    expect(b.tensors.map((t) => t.name)).toEqual(a.tensors.map((t) => t.name));
    for (const [i, t] of a.tensors.entries()) expect(b.tensors[i]!.data, t.name).toEqual(t.data);
    const record = JSON.parse(await readFile(path.join(resumed.dir, 'model.json'), 'utf8'));
    expect(record.step).toBe(9);
  });

  it('a non-finite loss stops the run with a clear error, writes nothing, and names the last good checkpoint', async () => {
    const first = await run({ ...base, maxSteps: 4, checkpointEvery: 2 });
    const good = path.join(first.dir, 'checkpoint-000002.safetensors');
    // Poison Adam's first moments (≈ float32 max): the next update sends the weights to infinity.
    const optim = path.join(first.dir, 'checkpoint-000002.optim.safetensors');
    const { tensors, metadata } = await readSafetensors(optim);
    for (const t of tensors) if (t.name.startsWith('m.')) t.data.fill(3e38);
    await writeSafetensors(optim, tensors, metadata);
    const before = tf.memory().numTensors;
    const nan = await run({ ...base, resumeFrom: good });
    expect(nan.error?.message).toMatch(
      new RegExp(`pretrain loss became NaN .*at step 4; the weights of step 2 are kept in ${good}`),
    );
    expect(nan.events.some((e) => e.type === 'checkpoint' || e.type === 'model')).toBe(false);
    expect(metricsOf(nan.events).map((m) => m.step)).toEqual([3]);
    const inf = await run({ ...base, resumeFrom: good, checkpointEvery: 1 });
    expect(inf.error?.message).toMatch(/weights became non-finite by step 3; the weights of step 2 are kept/);
    expect(await readdir(inf.dir)).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('holds out a validation slice and reports val/loss every evalEvery steps and at the end', async () => {
    const { events } = await run({ ...base, maxSteps: 5, valFraction: 0.25, evalEvery: 2 });
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs[0]).toMatch(/the last 3 held out for validation/);
    const withVal = events.flatMap((e) => (e.type === 'metrics' && 'val/loss' in e.values ? [e.step] : []));
    expect(withVal).toEqual([2, 4, 5]);
  });

  it('windows cover every token once as a target; a short tail is kept', () => {
    const arch = MODEL_PRESETS['seed-tiny']; // context 16
    const ids = Array.from({ length: 40 }, (_, i) => i % 50);
    const { train } = pretrainRows({ valFraction: 0 }, { kind: 'ids', ids }, arch);
    expect(train.map((r) => r.ids.length)).toEqual([17, 17, 8]);
    expect(train.flatMap((r) => r.ids.slice(1))).toEqual(ids.slice(1));
  });

  it('refuses a model whose vocabulary is smaller than the data, and a tokenizer without EOS', async () => {
    const r = await run({ ...base, model: 'seed-tiny' });
    expect(r.error?.message).toMatch(/vocabulary of 50 tokens.*token id 257/);
    const noEos = { ...byteTokenizer, specialId: () => undefined };
    const r2 = await run(base, {}, { kind: 'documents', documents: ['x'], tokenizer: noEos });
    expect(r2.error?.message).toMatch(/no end-of-text token/);
  });
});
