// Scoring on onnxruntime against tfjs, for the seed-tiny and lab-small shapes: per-token log-probs of
// given targets (at temperature 1 and a sampling temperature) and a scalar head's values from the
// scoring export within 1e-4 of logprobs.ts / heads.ts; a reward model's scores through
// openRewardScorer on both engines; PPO's reference log-probs of rollouts; the DPO family's
// reference log-probs (pairs, summed and averaged; KTO's unpaired examples). Weights are scaled up
// from their init so that the distributions are far from uniform and a wrong gather would show.
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { saveModel } from '../../../src/main/engine/checkpoint';
import { tokenizeTextPairs } from '../../../src/main/engine/data/preference-pairs';
import { seedDpoData } from '../../../src/main/engine/data/seed-dpo';
import { tokenizeTextUnpaired, unpairedFromPairs } from '../../../src/main/engine/data/unpaired';
import { tokenLogProbsOf } from '../../../src/main/engine/logprobs';
import { GPT } from '../../../src/main/engine/model/gpt';
import { ScalarHead } from '../../../src/main/engine/model/heads';
import { MODEL_PRESETS, type ModelPresetName } from '../../../src/main/engine/model/presets';
import { openScorer } from '../../../src/main/engine/onnx/engine';
import { computeReferenceLogProbs } from '../../../src/main/engine/onnx/reference';
import { exportScoring } from '../../../src/main/engine/onnx/score-export';
import { createScorer, maskedLogProbs } from '../../../src/main/engine/onnx/scorer';
import { mulberry32 } from '../../../src/main/engine/random';
import { openRewardScorer, scoreSequences } from '../../../src/main/engine/reward-score';
import { referenceLogProbs } from '../../../src/main/engine/trainers/dpo-steps';
import { trainDpo } from '../../../src/main/engine/trainers/dpo';
import type { TrainEvent } from '../../../src/main/engine/types';
import { DpoConfig } from '../../../src/shared/schemas';
import { assemble, scoreRollouts } from '../../../src/main/engine/trainers/ppo-rollouts';
import { tempDir } from '../../helpers/tmp';

const TOL = 1e-4;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  await selectBackend();
});
afterAll(() => cleanups.forEach((c) => c()));

/** A model of `preset`'s shape whose weights are `scale` × their init: sharp distributions. */
async function sharpModel(preset: ModelPresetName, seed: number, scale = 6): Promise<GPT> {
  const init = GPT.init(MODEL_PRESETS[preset], seed, false);
  const arrays = (await init.toArrays()).map((a) => ({
    ...a,
    data: a.name.includes('ln') ? a.data : a.data.map((v) => v * scale),
  }));
  init.dispose();
  return GPT.fromArrays(MODEL_PRESETS[preset], arrays, false);
}

const randomRows = (n: number, T: number, V: number, seed: number) => {
  const rng = mulberry32(seed);
  const ids = () => Int32Array.from({ length: n * T }, () => rng.int(0, V));
  return { n, T, inputs: ids(), targets: ids() };
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const spread = (xs: ArrayLike<number>) => Math.max(...Array.from(xs)) - Math.min(...Array.from(xs));

describe.each(['seed-tiny', 'lab-small'] as ModelPresetName[])('scoring export, %s', (preset) => {
  let model: GPT;
  let head: ScalarHead;
  beforeAll(async () => {
    model = await sharpModel(preset, 3);
    head = ScalarHead.init('score', model.config.dModel, 4, false);
  });
  afterAll(() => {
    model.dispose();
    head.dispose();
  });

  it.each([1, 0.7])('token log-probs and head values within 1e-4 of tfjs (temperature %s)', async (temp) => {
    const { vocabSize: V, contextLength: C } = model.config;
    const rows = randomRows(5, Math.min(C, 24), V, 9);
    const before = tf.memory().numTensors;
    const scorer = await createScorer(exportScoring(model, { head }), { threads: 1 });
    expect(tf.memory().numTensors).toBe(before);
    try {
      expect(scorer.provider).toBe('cpu');
      // batchSize 2 over 5 rows: the chunking is exercised too.
      const onnx = await scorer.score(rows, { temperature: temp, batchSize: 2 });
      const [tfLogp, tfValues] = tf.tidy(() => {
        const x = tf.tensor2d(rows.inputs, [rows.n, rows.T], 'int32');
        const y = tf.tensor2d(rows.targets, [rows.n, rows.T], 'int32');
        const { logits, hidden } = model.forwardWithHidden(x);
        return [
          tokenLogProbsOf(tf.div(logits, temp) as tf.Tensor3D, y, V).dataSync(),
          head.apply(hidden).dataSync(),
        ];
      });
      expect(maxAbsDiff(onnx.logp!, tfLogp!)).toBeLessThan(TOL);
      expect(maxAbsDiff(onnx.values!, tfValues!)).toBeLessThan(TOL);
      expect(spread(tfLogp!)).toBeGreaterThan(1); // far from uniform: a wrong target would show
    } finally {
      await scorer.release();
    }
  });

  it('reward scores (head at each sequence’s last token) within 1e-4 of tfjs', async () => {
    const { vocabSize: V, contextLength: C } = model.config;
    const rng = mulberry32(5);
    const seqs = Array.from({ length: 7 }, (_, i) =>
      Array.from({ length: 1 + ((i * 5) % C) }, () => rng.int(0, V)),
    );
    const { scoreSequencesOnnx } = await import('../../../src/main/engine/reward-score');
    const scorer = await createScorer(exportScoring(model, { logprobs: false, head }), { threads: 1 });
    try {
      expect(scorer.logprobs).toBe(false);
      const onnx = await scoreSequencesOnnx(scorer, seqs, 3);
      const ref = scoreSequences(model, head, seqs, 3);
      expect(maxAbsDiff(onnx, ref)).toBeLessThan(TOL);
      expect(spread(ref)).toBeGreaterThan(0.01);
    } finally {
      await scorer.release();
    }
  });

  it('PPO reference log-probs of rollouts (masked, at the sampling temperature) within 1e-4', async () => {
    const { vocabSize: V, contextLength: C } = model.config;
    const rng = mulberry32(8);
    const prompts = Array.from({ length: 4 }, (_, i) => Array.from({ length: 2 + i }, () => rng.int(0, V)));
    const responses = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: Math.min(C - 6, 3 + 2 * i) }, () => rng.int(0, V)),
    );
    const data = assemble(prompts, responses);
    const chosen = await openScorer(model, { logprobs: true }, { inference: 'onnx' });
    expect(chosen.info).toMatchObject({ engine: 'onnx', provider: 'cpu', threads: 1 });
    try {
      const onnx = await maskedLogProbs(chosen.session!, { ...data, n: data.B }, { temperature: 0.8 });
      const ref = scoreRollouts(model, null, data, 0.8).logp;
      expect(maxAbsDiff(onnx, ref)).toBeLessThan(TOL);
      data.mask.forEach((m, i) => m === 0 && expect(onnx[i]).toBe(0));
    } finally {
      await chosen.session?.release();
    }
  });
});

describe('DPO reference log-probs on onnxruntime', () => {
  it('seed-dpo pairs: summed and averaged, within tolerance of tfjs; tfjs when asked', async () => {
    const model = await sharpModel('seed-tiny', 2);
    try {
      const data = { kind: 'pairs' as const, tokens: seedDpoData(0) };
      for (const average of [false, true]) {
        const onnx = await computeReferenceLogProbs(model, data, 8, average, 'onnx');
        expect(onnx.info.engine).toBe('onnx');
        expect(onnx.message).toMatch(/reference log-probs: onnxruntime, provider cpu/);
        const ref = referenceLogProbs(model, data, 8, average);
        onnx.values.forEach((v, k) => {
          // Sums over up to T tokens: 1e-4 per token.
          expect(maxAbsDiff(v, ref[k]!)).toBeLessThan(TOL * (average ? 1 : data.tokens.T));
          expect(spread(v)).toBeGreaterThan(0.1);
        });
      }
      const tfjs = await computeReferenceLogProbs(model, data, 8, false, 'tfjs');
      expect(tfjs.info).toMatchObject({ engine: 'tfjs', reason: 'requested by the run (inference: tfjs)' });
      expect(tfjs.values).toEqual(referenceLogProbs(model, data, 8, false));
    } finally {
      model.dispose();
    }
  });

  it('KTO examples and KL pairs (byte text) within tolerance of tfjs', async () => {
    const model = await sharpModel('byte-tiny', 6, 3);
    try {
      const pairs = Array.from({ length: 6 }, (_, i) => ({
        prompt: `What is ${i} + ${i}?`,
        chosen: `${2 * i}.`,
        rejected: `It might be ${i + 7}, or so.`,
      }));
      const text = { kind: 'pairs' as const, tokens: tokenizeTextPairs(pairs, 40) };
      const { items } = unpairedFromPairs(pairs);
      const kto = { kind: 'unpaired' as const, tokens: tokenizeTextUnpaired(items, 40, 4, 0) };
      for (const data of [text, kto]) {
        const onnx = await computeReferenceLogProbs(model, data, 4, false, 'onnx');
        const ref = referenceLogProbs(model, data, 4, false);
        onnx.values.forEach((v, k) => expect(maxAbsDiff(v, ref[k]!)).toBeLessThan(TOL * data.tokens.T));
      }
    } finally {
      model.dispose();
    }
  });
});

describe('DPO runs on both engines', () => {
  it('record where the reference ran and take the same first steps', async () => {
    const run = async (inference: 'onnx' | 'tfjs') => {
      const { dir, cleanup } = tempDir('onnx-dpo-');
      cleanups.push(cleanup);
      const config = DpoConfig.parse({ epochs: 1, batchSize: 16, inference });
      const events: TrainEvent[] = [];
      const ctx = { signal: new AbortController().signal, outDir: dir };
      for await (const e of trainDpo(config, { kind: 'seed-dpo' }, ctx)) events.push(e);
      return {
        inference: events.flatMap((e) => (e.type === 'inference' ? [e.inference] : [])),
        metrics: events.flatMap((e) => (e.type === 'metrics' ? [e.values] : [])),
      };
    };
    const onnx = await run('onnx');
    const tfjs = await run('tfjs');
    expect(onnx.inference).toEqual([expect.objectContaining({ engine: 'onnx', provider: 'cpu' })]);
    expect(tfjs.inference).toEqual([expect.objectContaining({ engine: 'tfjs' })]);
    expect(onnx.metrics.length).toBeGreaterThan(1);
    expect(onnx.metrics.length).toBe(tfjs.metrics.length);
    onnx.metrics.forEach((m, i) => {
      for (const k of ['loss', 'rewards/margins', 'logps/chosen'])
        expect(Math.abs(m[k]! - tfjs.metrics[i]![k]!), `${k} at step ${i + 1}`).toBeLessThan(1e-4);
    });
  });
});

describe('openRewardScorer on both engines', () => {
  it('gives the same rewards within 1e-4 and says where it ran', async () => {
    const { dir, cleanup } = tempDir('onnx-reward-');
    cleanups.push(cleanup);
    const trunk = await sharpModel('byte-tiny', 12, 3);
    const head = ScalarHead.init('score', trunk.config.dModel, 13, false);
    const file = await saveModel(
      path.join(dir, 'rm.safetensors'),
      trunk,
      {
        arch: { preset: 'byte-tiny', tokenizer: 'byte', ...MODEL_PRESETS['byte-tiny'] },
        trainer: 'reward',
        step: 0,
        config: { template: 'chatml' },
        lineage: { parentPath: null, parentId: null },
      },
      [head],
    );
    trunk.dispose();
    head.dispose();
    const items = [
      { prompt: 'Where does the glimmerfox live?', response: 'In the Ashen Vale.' },
      { prompt: 'Where does the glimmerfox live?', response: 'I would rather not say, it is a long story.' },
      { prompt: 'What is 2 + 3?', response: '5' },
    ];
    const onnx = await openRewardScorer(file, { inference: 'onnx' });
    const tfjs = await openRewardScorer(file, { inference: 'tfjs' });
    try {
      expect(onnx.inference).toMatchObject({ engine: 'onnx', provider: 'cpu' });
      expect(tfjs.inference).toMatchObject({ engine: 'tfjs', provider: null });
      const a = await onnx.score(items);
      const b = await tfjs.score(items);
      expect(maxAbsDiff(a, b)).toBeLessThan(TOL);
      expect(spread(b)).toBeGreaterThan(1e-3);
    } finally {
      onnx.dispose();
      tfjs.dispose();
    }
  });
});
