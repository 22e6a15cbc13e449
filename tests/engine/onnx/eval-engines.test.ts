// An evaluation run on each inference engine (the run's `inference` setting): the same replies and
// the same metrics from onnxruntime and from tfjs (gold-judge scores equal, continuous measures within
// 1e-4), and the run records where its inference ran (an `inference` event: engine, provider,
// threads, reason). The model's weights are scaled up from their init so that its replies vary.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalConfig, type InferenceChoice } from '../../../src/shared/schemas';
import { selectBackend } from '../../../src/main/engine/backend';
import { saveModel } from '../../../src/main/engine/checkpoint';
import { GPT, type GPTConfig } from '../../../src/main/engine/model/gpt';
import { EVAL_RESULTS_FILE, runEvalTask } from '../../../src/main/engine/tasks/eval';
import { BYTE_VOCAB_SIZE } from '../../../src/main/engine/tokenizer/byte';
import type { TrainEvent } from '../../../src/main/engine/types';
import { generateWorld } from '../../../src/main/engine/world';

const world = generateWorld({ seed: 3, size: 'tiny' });
const cfg: GPTConfig = {
  vocabSize: BYTE_VOCAB_SIZE,
  contextLength: 64,
  dModel: 32,
  nLayers: 2,
  nHeads: 2,
  dFF: 64,
};
let dir: string;
let modelPath: string;

beforeAll(async () => {
  await selectBackend();
  dir = await mkdtemp(join(tmpdir(), 'eval-engines-'));
  const init = GPT.init(cfg, 7, false);
  const arrays = (await init.toArrays()).map((a) => ({
    ...a,
    data: a.name.includes('ln') ? a.data : a.data.map((v) => v * 4),
  }));
  init.dispose();
  const model = GPT.fromArrays(cfg, arrays, false);
  modelPath = await saveModel(join(dir, 'model.safetensors'), model, {
    arch: { ...cfg, tokenizer: 'byte' },
    trainer: 'test',
    step: 0,
    config: {},
    lineage: { parentPath: null, parentId: null },
  });
  model.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function evaluate(inference: InferenceChoice) {
  const outDir = join(dir, inference);
  await mkdir(outDir, { recursive: true });
  const config = EvalConfig.parse({
    model: 1,
    world: 1,
    sets: ['factsHeldOut', 'arithmetic'],
    template: 'chatml',
    maxNewTokens: 8,
    inference,
  });
  const events: TrainEvent[] = [];
  const ctx = { signal: new AbortController().signal, outDir };
  for await (const e of runEvalTask(config, { modelPath, world }, ctx)) events.push(e);
  const values: Record<string, number> = {};
  for (const e of events) if (e.type === 'metrics') Object.assign(values, e.values);
  const replies = JSON.parse(await readFile(join(outDir, EVAL_RESULTS_FILE), 'utf8')) as Record<
    string,
    { items: { response: string }[] }
  >;
  const texts = Object.values(replies).flatMap((r) => r.items.map((i) => i.response));
  return { events, values, texts };
}

describe('evaluation on onnxruntime and on tfjs', () => {
  it('gives the same replies and metrics, and records where inference ran', async () => {
    const onnx = await evaluate('onnx');
    const tfjs = await evaluate('tfjs');

    const info = (r: { events: TrainEvent[] }) =>
      r.events.flatMap((e) => (e.type === 'inference' ? [e.inference] : []));
    expect(info(onnx)).toEqual([expect.objectContaining({ engine: 'onnx', provider: 'cpu', threads: 1 })]);
    expect(info(onnx)[0]!.reason).toMatch(/cpu \(1 thread\)/);
    expect(info(tfjs)).toEqual([
      { engine: 'tfjs', provider: null, threads: null, reason: 'requested by the run (inference: tfjs)' },
    ]);

    expect(onnx.texts).toEqual(tfjs.texts);
    expect(new Set(tfjs.texts).size).toBeGreaterThan(1); // the replies vary
    expect(Object.keys(onnx.values).sort()).toEqual(Object.keys(tfjs.values).sort());
    expect(Object.keys(tfjs.values)).toContain('overall/mean_score');
    for (const [name, v] of Object.entries(tfjs.values))
      expect(Math.abs(onnx.values[name]! - v), name).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
  });
});
