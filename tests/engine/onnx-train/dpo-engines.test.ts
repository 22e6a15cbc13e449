// The DPO trainer's KTO, ORPO, SimPO and RPO runs on each training engine: `auto` and `onnx` train them
// on onnxruntime and say so in the `backend` event, the onnx run gives the tfjs run's metrics step by
// step (same names, same values) and final weights, and a checkpoint written on one engine resumes on
// the other to the uninterrupted run's metrics.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { readSafetensors } from '../../../src/main/engine/safetensors';
import { runDpoTask, type DpoTaskInputs } from '../../../src/main/engine/tasks/dpo';
import { trainDpo } from '../../../src/main/engine/trainers/dpo';
import type { TrainEvent, UnpairedExampleText } from '../../../src/main/engine/types';
import { DpoConfig, type DpoConfigInput } from '../../../src/shared/schemas';
import { collect, removeTempDirs } from '../trainers/helpers';
import { trainingOf } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(removeTempDirs);

const PROMPTS = ['Is fire hot? ', 'Is ice cold? ', 'Is rain wet? ', 'Is sand dry? ', 'Are owls birds? '];
/** 10 examples, 5 desirable ("yes.") and 5 not (a rambling refusal). */
const ITEMS: UnpairedExampleText[] = PROMPTS.flatMap((prompt) => [
  { prompt, completion: 'yes.', label: true },
  { prompt, completion: 'I would rather not say.', label: false },
]);
const UNPAIRED: DpoTaskInputs = { kind: 'unpaired', items: ITEMS };
// 10 examples in batches of 4, 4, 2: 3 steps per epoch, 6 in all.
const KTO: DpoConfigInput = {
  lossType: 'kto',
  batchSize: 4,
  epochs: 2,
  learningRate: 3e-3,
  seed: 5,
  maxLength: 40,
  undesirableWeight: 1.3,
};

const run = (config: DpoConfigInput, inputs: DpoTaskInputs) =>
  collect((ctx) => runDpoTask(DpoConfig.parse(config), inputs, ctx));
const seedDpo = (config: DpoConfigInput) =>
  collect((ctx) => trainDpo(DpoConfig.parse(config), { kind: 'seed-dpo' }, ctx));

const stepsOf = (events: TrainEvent[]) =>
  events.flatMap((e) => (e.type === 'metrics' ? [{ step: e.step, values: e.values }] : []));

/** Same steps, same metric names, every value within `tolerance` × max(1, |value|). */
function expectSameCurve(
  a: ReturnType<typeof stepsOf>,
  b: ReturnType<typeof stepsOf>,
  tolerance: number,
  what: string,
) {
  expect(
    a.map((m) => m.step),
    what,
  ).toEqual(b.map((m) => m.step));
  a.forEach(({ step, values }, i) => {
    const want = b[i]!.values;
    expect(Object.keys(values).sort(), `${what} step ${step}`).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) {
      if (k === 'rewards/accuracies') continue; // counts margins > 0; margins are compared
      const v = values[k]!;
      expect(Math.abs(v - w), `${what} step ${step} ${k}: ${v} vs ${w}`).toBeLessThanOrEqual(
        tolerance * Math.max(1, Math.abs(w)),
      );
    }
  });
}

async function weightsOf(dir: string) {
  const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
  return new Map(tensors.map((t) => [t.name, t.data as Float32Array]));
}

describe('the DPO trainer on onnxruntime: KTO, ORPO, SimPO, RPO', () => {
  it('KTO: onnx gives the tfjs run (metrics of every step, final weights); the run records its engine', async () => {
    const onnx = await run({ ...KTO, trainingEngine: 'onnx' }, UNPAIRED);
    const tfjs = await run({ ...KTO, trainingEngine: 'tfjs' }, UNPAIRED);
    expect(onnx.error).toBeUndefined();
    expect(tfjs.error).toBeUndefined();
    expect(trainingOf(onnx.events)).toMatchObject({
      engine: 'onnx',
      reason: expect.stringMatching(/^requested/),
    });
    expect(trainingOf(tfjs.events)).toEqual({ engine: 'tfjs', threads: null, reason: 'requested' });
    const a = stepsOf(onnx.events);
    expect(a).toHaveLength(6);
    expect(a.some((m) => m.values['kl']! > 0)).toBe(true); // the reference point moves off 0
    expectSameCurve(a, stepsOf(tfjs.events), 1e-4, 'kto');
    const [wa, wb] = [await weightsOf(onnx.dir), await weightsOf(tfjs.dir)];
    for (const [name, x] of wb) {
      if (name.endsWith('attn.k.bias')) continue; // 0-gradient weight: noise on both (loss-curve.test.ts)
      const y = wa.get(name)!;
      let d = 0;
      for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
      expect(d, name).toBeLessThan(1e-4);
    }
  });

  it('auto trains ORPO, SimPO and sigmoid + RPO on onnx, with the tfjs runs curves', async () => {
    const common: DpoConfigInput = { epochs: 1, batchSize: 16, learningRate: 1e-3, seed: 2 };
    for (const config of [
      { lossType: 'orpo', beta: 0.5 },
      { lossType: 'simpo', beta: 2, gamma: 0.5, labelSmoothing: 0.1 },
      { lossType: 'sigmoid', rpoAlpha: 0.5 },
    ] as DpoConfigInput[]) {
      const onnx = await seedDpo({ ...common, ...config, trainingEngine: 'auto' });
      const tfjs = await seedDpo({ ...common, ...config, trainingEngine: 'tfjs' });
      expect(onnx.error).toBeUndefined();
      expect(tfjs.error).toBeUndefined();
      expect(trainingOf(onnx.events)).toMatchObject({
        engine: 'onnx',
        reason: expect.stringMatching(/^self-check passed; onnxruntime cpu/),
      });
      const a = stepsOf(onnx.events);
      expect(a.length).toBeGreaterThan(5);
      expectSameCurve(a, stepsOf(tfjs.events), 1e-4, config.lossType!);
    }
  });

  it('a KTO checkpoint written on onnx resumes on tfjs, and one written on tfjs resumes on onnx', async () => {
    const config = { ...KTO, checkpointEvery: 3 };
    for (const [first, then] of [
      ['onnx', 'tfjs'],
      ['tfjs', 'onnx'],
    ] as const) {
      const whole = await run({ ...config, trainingEngine: first }, UNPAIRED);
      expect(whole.error).toBeUndefined();
      const files = (await readdir(whole.dir)).filter((f) => /^checkpoint-\d+\.safetensors$/.test(f)).sort();
      expect(files[0]).toBe('checkpoint-000003.safetensors');
      const resumed = await run(
        { ...config, trainingEngine: then, resumeFrom: path.join(whole.dir, files[0]!) },
        UNPAIRED,
      );
      expect(resumed.error).toBeUndefined();
      expect(trainingOf(resumed.events)?.engine).toBe(then);
      const b = stepsOf(resumed.events);
      expect(b.map((m) => m.step)).toEqual([4, 5, 6]);
      expectSameCurve(b, stepsOf(whole.events).slice(3), 1e-4, `${first} → ${then}`);
    }
  });
});
