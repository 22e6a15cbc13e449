// DPO and its relatives from a base model (as after SFT): pairs rendered through a chat template with
// the base's tokenizer, the policy and the frozen reference starting from the base's weights, every
// loss type training with finite, moving metrics and flat tensor memory; ORPO and SimPO build no
// reference; the produced model records its parent.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { readModelRecord, saveModel } from '../../src/main/engine/checkpoint';
import { GPT } from '../../src/main/engine/model/gpt';
import { PRESETS } from '../../src/main/engine/model/presets';
import { runDpoTask, type DpoTaskInputs } from '../../src/main/engine/tasks/dpo';
import type { PreferencePairText, TrainEvent } from '../../src/main/engine/types';
import { DpoConfig, type DpoConfigInput } from '../../src/shared/schemas';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'dpo-base-test-'));
  dirs.push(d);
  return d;
}
let basePath = '';
const BASE_ID = 7;

beforeAll(async () => {
  await selectBackend();
  // A tiny "SFT model": byte-tiny weights with the byte tokenizer, saved as the lab saves models.
  const model = GPT.init(PRESETS['byte-tiny'], 11);
  basePath = await saveModel(path.join(await tmp(), 'model.safetensors'), model, {
    arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
    trainer: 'sft',
    step: 3,
    config: {},
    lineage: { parentPath: null, parentId: null },
  });
  model.dispose();
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const PAIRS: PreferencePairText[] = [
  { prompt: '2+2?', chosen: '4', rejected: 'five' },
  { prompt: 'Sky?', chosen: 'blue', rejected: 'green' },
  { prompt: 'Cat?', chosen: 'meow', rejected: 'woof' },
  { prompt: 'Yes?', chosen: 'yes', rejected: 'no' },
];

async function run(config: DpoConfigInput, pairs = PAIRS) {
  const inputs: DpoTaskInputs = { kind: 'text', pairs, base: { path: basePath, id: BASE_ID } };
  const dir = await tmp();
  const events: TrainEvent[] = [];
  for await (const e of runDpoTask(DpoConfig.parse(config), inputs, {
    signal: new AbortController().signal,
    outDir: dir,
  }))
    events.push(e);
  return { events, dir, metrics: events.flatMap((e) => (e.type === 'metrics' ? [e.values] : [])) };
}

const common = { template: 'plain', epochs: 4, batchSize: 4, learningRate: 3e-3, seed: 1 } as const;

describe('DPO from a base model', () => {
  for (const lossType of ['sigmoid', 'robust', 'hinge', 'ipo', 'orpo', 'simpo'] as const) {
    it(`trains with the ${lossType} loss: finite, moving metrics, no tensor leak, lineage kept`, async () => {
      const clone = vi.spyOn(GPT.prototype, 'clone');
      const before = tf.memory().numTensors;
      const { events, dir, metrics } = await run({
        ...common,
        lossType,
        ...(lossType === 'sigmoid' || lossType === 'robust' ? { labelSmoothing: 0.1 } : {}),
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(metrics).toHaveLength(4);
      for (const m of metrics)
        for (const [k, v] of Object.entries(m)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
      const first = metrics[0]!;
      const last = metrics.at(-1)!;
      expect(last['loss']).not.toBe(first['loss']);
      expect(last['logps/chosen']).not.toBe(first['logps/chosen']);
      expect(last['rewards/margins']).toBeGreaterThan(first['rewards/margins']!);
      if (lossType === 'orpo' || lossType === 'simpo') {
        expect(clone).not.toHaveBeenCalled(); // no reference model
        // Reference-free rewards are β · average log-prob, non-zero from the first step.
        expect(first['rewards/chosen']).toBeCloseTo(0.1 * first['logps/chosen']!, 4);
      } else {
        expect(clone).toHaveBeenCalledTimes(1);
        // The reference is the initial policy: at step 1 (metrics before the update) rewards are 0.
        expect(first['rewards/chosen']).toBeCloseTo(0, 5);
        expect(first['rewards/rejected']).toBeCloseTo(0, 5);
      }
      if (lossType === 'orpo') {
        for (const k of ['log_odds_ratio', 'log_odds_chosen', 'nll_loss']) expect(first[k]).toBeDefined();
        expect(first['nll_loss']).toBeCloseTo(-first['logps/chosen']!, 1);
      } else expect(first['nll_loss']).toBeUndefined();
      // Averaged log-probs per token are far smaller in magnitude than sums over a response.
      if (lossType === 'ipo' || lossType === 'orpo' || lossType === 'simpo')
        expect(Math.abs(first['logps/chosen']!)).toBeLessThan(7);
      const model = events.find((e) => e.type === 'model');
      expect(model?.type === 'model' && (model.arch['lineage'] as { parentId: number }).parentId).toBe(
        BASE_ID,
      );
      const record = await readModelRecord(path.join(dir, 'model.safetensors'));
      expect(record.trainer).toBe('dpo');
      expect(record.lineage).toEqual({ parentPath: basePath, parentId: BASE_ID });
      expect(record.arch.tokenizer).toBe('byte');
      expect(existsSync(path.join(dir, 'model.safetensors'))).toBe(true);
    });
  }

  it('starts the policy from the base weights, whatever the seed', async () => {
    const a = await run({ ...common, epochs: 1, seed: 1 });
    const b = await run({ ...common, epochs: 1, seed: 99 });
    expect(a.metrics[0]!['logps/chosen']).toBeCloseTo(b.metrics[0]!['logps/chosen']!, 4);
  });

  it('cuts pairs longer than the model context and says so', async () => {
    const long = { prompt: 'Tell me a story.', chosen: 'Once upon a time '.repeat(10), rejected: 'No.' };
    const { events, metrics } = await run({ ...common, maxLength: 4096, epochs: 1 }, [...PAIRS, long]);
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    // byte-tiny's context is 64 inputs: 65 tokens with the last target.
    expect(logs).toContain('1 of 5 pairs were longer than 65 tokens and were cut to fit');
    expect(metrics.every((m) => Number.isFinite(m['loss']))).toBe(true);
  });

  it('renders through ChatML, warning of markers the tokenizer lacks', async () => {
    const { events, metrics } = await run({ ...common, template: 'chatml', epochs: 1 });
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs.some((m) => m.startsWith('template chatml:'))).toBe(true); // byte has no <|im_start|>
    expect(metrics.every((m) => Number.isFinite(m['loss']))).toBe(true);
  });

  it('refuses label smoothing with a loss that has none', async () => {
    await expect(run({ ...common, lossType: 'hinge', labelSmoothing: 0.1 })).rejects.toThrow(
      /Label smoothing/,
    );
  });
});
