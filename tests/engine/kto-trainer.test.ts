// KTO in the DPO trainer (TRL KTOTrainer): unpaired byte-text examples train byte-tiny with finite,
// moving metrics under TRL's names (`kl` among them), the reference is the initial policy (step 1:
// rewards 0, KL 0, loss 0.5), a batch of one is refused, pairs become examples with a log line, a
// batch without undesirable examples reports no NaN, through a base model's template too, and no
// tensor is leaked.
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { readModelRecord, saveModel } from '../../src/main/engine/checkpoint';
import { klPartners, ktoBatchEnd, tokenizeTextUnpaired } from '../../src/main/engine/data/unpaired';
import { GPT } from '../../src/main/engine/model/gpt';
import { PRESETS } from '../../src/main/engine/model/presets';
import { runDpoTask, type DpoTaskInputs } from '../../src/main/engine/tasks/dpo';
import { trainDpo } from '../../src/main/engine/trainers/dpo';
import type { PreferencePairText, TrainEvent, UnpairedExampleText } from '../../src/main/engine/types';
import { DpoConfig, type DpoConfigInput } from '../../src/shared/schemas';
import { collect, removeTempDirs, tempDir } from './trainers/helpers';

beforeAll(async () => {
  await selectBackend();
});
afterAll(removeTempDirs);

const PROMPTS = [
  'Is fire hot? ',
  'Is ice cold? ',
  'Is rain wet? ',
  'Is sand dry? ',
  'Is salt salty? ',
  'Are owls birds? ',
];
/** Desirable: a short "yes."; undesirable: a rambling refusal. 12 examples, 6 of each. */
const ITEMS: UnpairedExampleText[] = PROMPTS.flatMap((prompt) => [
  { prompt, completion: 'yes.', label: true },
  { prompt, completion: 'I would rather not say.', label: false },
]);
const PAIRS: PreferencePairText[] = PROMPTS.slice(0, 4).map((prompt) => ({
  prompt,
  chosen: 'yes.',
  rejected: 'no idea',
}));

const base = { lossType: 'kto', batchSize: 4, learningRate: 3e-3, seed: 3, maxLength: 48 } as const;

function train(config: DpoConfigInput, inputs: DpoTaskInputs, onEvent?: (e: TrainEvent) => void) {
  return collect((ctx) => runDpoTask(DpoConfig.parse(config), inputs, ctx), { onEvent });
}
const metricsOf = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
const logsOf = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'log' ? [e.message] : []));

describe('KTO on unpaired byte text', () => {
  it('trains byte-tiny: TRL metric names, finite and moving, reference = initial policy, flat memory', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { events, error } = await train({ ...base, epochs: 4 }, { kind: 'unpaired', items: ITEMS }, (e) => {
      if (e.type === 'metrics') counts.push(tf.memory().numTensors);
    });
    expect(error).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts).size).toBe(1); // Adam's moments exist before step 1
    const metrics = metricsOf(events);
    expect(metrics).toHaveLength(12); // 12 examples / 4 = 3 steps × 4 epochs
    for (const m of metrics) {
      for (const k of ['loss', 'kl', 'grad_norm', 'learning_rate', 'epoch']) expect(m[k], k).toBeDefined();
      for (const [k, v] of Object.entries(m)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
    }
    const first = metrics[0]!;
    // Step 1, before any update: policy = reference, so every reward and z0 is 0 and each loss is σ(0).
    expect(first['kl']).toBeCloseTo(0, 5);
    expect(first['loss']).toBeCloseTo(0.5, 5);
    for (const k of ['rewards/chosen', 'rewards/rejected'] as const)
      if (first[k] !== undefined) expect(first[k]).toBeCloseTo(0, 5);
    expect(first['rewards/accuracies']).toBeUndefined(); // not a KTO metric
    // It learns: the last epoch's desirable rewards rise above the undesirable ones, and the loss falls.
    const last = metrics.slice(-3);
    const mean = (k: string) => {
      const xs = last.flatMap((m) => (m[k] === undefined ? [] : [m[k]!]));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean('rewards/chosen')).toBeGreaterThan(mean('rewards/rejected'));
    expect(mean('loss')).toBeLessThan(0.5);
    expect(metrics.some((m) => m['kl']! > 0)).toBe(true); // the KL estimate moves off 0
    expect(new Set(metrics.map((m) => m['logps/chosen'])).size).toBeGreaterThan(1);
    const model = events.find((e) => e.type === 'model');
    expect(model?.type === 'model' && model.arch).toMatchObject({ preset: 'byte-tiny', tokenizer: 'byte' });
  });

  it('refuses a batch of one with a message that says why', async () => {
    const { error } = await train({ ...base, batchSize: 1 }, { kind: 'unpaired', items: ITEMS });
    expect(error?.message).toBe(
      "KTO needs a batch size of at least 2: the KL term compares each completion with another prompt's",
    );
  });

  it('turns preference pairs into unpaired examples and says so', async () => {
    const { events, error } = await train({ ...base, epochs: 1 }, { kind: 'text', pairs: PAIRS });
    expect(error).toBeUndefined();
    expect(logsOf(events)).toContain('KTO trains on unpaired examples: 4 pairs became 8 examples');
    expect(metricsOf(events)).toHaveLength(2); // 8 examples in batches of 4
  });

  it('reports no NaN when a batch has no undesirable example (or a last batch of one would remain)', async () => {
    const items = ITEMS.filter((i) => i.label).slice(0, 5); // 5 desirable: batches of 2 and 3
    const { events, error } = await train({ ...base, batchSize: 2, epochs: 2 }, { kind: 'unpaired', items });
    expect(error).toBeUndefined();
    const metrics = metricsOf(events);
    expect(metrics).toHaveLength(4);
    for (const m of metrics) {
      for (const [k, v] of Object.entries(m)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
      expect(m['rewards/rejected']).toBeUndefined();
      expect(m['rewards/margins']).toBeUndefined();
      expect(m['rewards/chosen']).toBeDefined();
    }
  });

  it('refuses unpaired examples with a paired loss, and the seed-dpo data', async () => {
    const paired = await train({ ...base, lossType: 'sigmoid' }, { kind: 'unpaired', items: ITEMS });
    expect(paired.error?.message).toMatch(/only with the kto loss, not "sigmoid"/);
    const seed = await collect((ctx) => trainDpo(DpoConfig.parse(base), { kind: 'seed-dpo' }, ctx));
    expect(seed.error?.message).toMatch(/seed-dpo data has no prompts/);
    const bad = await train(base, {
      kind: 'unpaired',
      items: [{ prompt: 'x', completion: '', label: true }, ...ITEMS],
    });
    expect(bad.error?.message).toBe('example 1: the completion is empty');
  });
});

describe('KTO data', () => {
  it('pairs each example with another completion, in fixed groups of the batch size (a last one of one merged)', () => {
    for (const [n, b] of [
      [12, 4],
      [5, 2],
      [7, 3],
      [2, 8],
    ] as const) {
      const partners = klPartners(n, b, 1);
      expect(partners).toEqual(klPartners(n, b, 1)); // fixed by the seed
      partners.forEach((p, i) => expect(p).not.toBe(i));
      expect(new Set(partners).size).toBe(n); // each completion lends itself exactly once
    }
    expect(ktoBatchEnd(0, 5, 2)).toBe(2);
    expect(ktoBatchEnd(2, 5, 2)).toBe(5); // not 4: the 5th would be alone
    expect(() => klPartners(1, 4, 0)).toThrow('KTO needs at least 2 examples');
  });

  it('renders each KL pair as its prompt with the partner completion, scoring the completion only', () => {
    const items: UnpairedExampleText[] = [
      { prompt: 'A? ', completion: 'one', label: true },
      { prompt: 'B? ', completion: 'two', label: false },
    ];
    const data = tokenizeTextUnpaired(items, 64, 2, 0);
    const text = (rows: typeof data.kl, i: number) => {
      const ids = Array.from(rows.inputs.subarray(i * data.T, (i + 1) * data.T));
      const scored = Array.from(rows.targets.subarray(i * data.T, (i + 1) * data.T)).filter(
        (_, t) => rows.mask[i * data.T + t] === 1,
      );
      const bytes = (xs: number[]) => Buffer.from(xs.filter((x) => x < 256)).toString();
      return { input: bytes(ids), scored: bytes(scored) };
    };
    expect(text(data.examples, 0)).toEqual({ input: 'A? one', scored: 'one' });
    expect(text(data.kl, 0)).toEqual({ input: 'A? two', scored: 'two' });
    expect(text(data.kl, 1)).toEqual({ input: 'B? one', scored: 'one' });
    expect(data.desirable).toEqual([true, false]);
  });
});

describe('KTO from a base model', () => {
  it('renders examples and KL pairs through the template and starts from the base weights', async () => {
    const model = GPT.init(PRESETS['byte-tiny'], 5);
    const basePath = await saveModel(path.join(await tempDir('kto-base-'), 'model.safetensors'), model, {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
      trainer: 'sft',
      step: 1,
      config: {},
      lineage: { parentPath: null, parentId: null },
    });
    model.dispose();
    const before = tf.memory().numTensors;
    const { events, dir, error } = await train(
      { ...base, template: 'plain', epochs: 2 },
      { kind: 'text', pairs: PAIRS, base: { path: basePath, id: 9 } },
    );
    expect(error).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    expect(logsOf(events)).toContain('KTO trains on unpaired examples: 4 pairs became 8 examples');
    const metrics = metricsOf(events);
    expect(metrics).toHaveLength(4);
    expect(metrics[0]!['kl']).toBeCloseTo(0, 5);
    expect(metrics[0]!['loss']).toBeCloseTo(0.5, 5);
    for (const m of metrics)
      for (const [k, v] of Object.entries(m)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
    expect(metrics.at(-1)!['loss']).not.toBe(metrics[0]!['loss']);
    const record = await readModelRecord(path.join(dir, 'model.safetensors'));
    expect(record.lineage).toEqual({ parentPath: basePath, parentId: 9 });
  });
});
