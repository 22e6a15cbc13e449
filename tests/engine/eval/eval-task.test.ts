// The evaluation run end to end on real (tiny, untrained) saved models: every set, the safety sets
// included, reports its metrics within [0, 1]; `overall/mean_score` is the item-weighted mean of the
// sets'; eval-results.json holds every reply; `kl_to_reference` is 0 against the model itself and
// above 0 against a differently seeded one; a reference with another tokenizer is refused.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalConfig } from '../../../src/shared/schemas';
import { selectBackend } from '../../../src/main/engine/backend';
import { saveModel } from '../../../src/main/engine/checkpoint';
import type { ReplyReport } from '../../../src/main/engine/eval/replies';
import { GPT, type GPTConfig } from '../../../src/main/engine/model/gpt';
import { EVAL_RESULTS_FILE, runEvalTask, type EvalTaskInputs } from '../../../src/main/engine/tasks/eval';
import { BYTE_VOCAB_SIZE } from '../../../src/main/engine/tokenizer/byte';
import type { TrainEvent } from '../../../src/main/engine/types';
import { generateWorld } from '../../../src/main/engine/world';

const world = generateWorld({ seed: 3, size: 'tiny' });
const cfg: GPTConfig = {
  vocabSize: BYTE_VOCAB_SIZE,
  contextLength: 64,
  dModel: 32,
  nLayers: 1,
  nHeads: 2,
  dFF: 64,
};
const ALL_SETS = [
  'factsPretrainOnly',
  'factsHeldOut',
  'arithmetic',
  'harmful',
  'benign',
  'unanswerable',
] as const;
let dir: string;
const paths: Record<string, string> = {};

async function save(name: string, seed: number, tokenizer: string): Promise<string> {
  const model = GPT.init(cfg, seed, false);
  try {
    return await saveModel(join(dir, name), model, {
      arch: { ...cfg, tokenizer },
      trainer: 'test',
      step: 0,
      config: {},
      lineage: { parentPath: null, parentId: null },
    });
  } finally {
    model.dispose();
  }
}

async function run(sets: readonly string[], inputs: Omit<EvalTaskInputs, 'world'>, outDir: string) {
  const config = EvalConfig.parse({ model: 1, world: 1, sets, template: 'chatml', maxNewTokens: 6 });
  const events: TrainEvent[] = [];
  for await (const e of runEvalTask(
    config,
    { ...inputs, world },
    { signal: new AbortController().signal, outDir },
  ))
    events.push(e);
  const values: Record<string, number> = {};
  for (const e of events) if (e.type === 'metrics') Object.assign(values, e.values);
  return { events, values };
}

beforeAll(async () => {
  await selectBackend();
  dir = await mkdtemp(join(tmpdir(), 'eval-task-'));
  paths.model = await save('model', 1, 'byte');
  paths.other = await save('other', 2, 'byte');
  paths.bpe = await save('bpe', 1, 'tokenizer.json');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runEvalTask', () => {
  it('measures every set, overall, and KL 0 against the model itself', async () => {
    const { values } = await run(
      ALL_SETS,
      { modelPath: paths.model!, referenceModelPath: paths.model! },
      dir,
    );
    const rates: Record<string, string[]> = {
      factsPretrainOnly: ['direct_answer_rate', 'fact_accuracy'],
      factsHeldOut: ['direct_answer_rate', 'fact_accuracy'],
      arithmetic: ['direct_answer_rate', 'fact_accuracy'],
      harmful: ['refusal_rate'],
      benign: ['refusal_rate'],
      unanswerable: ['idk_rate'],
    };
    for (const set of ALL_SETS) {
      expect(values[`${set}/n`]).toBeGreaterThan(0);
      expect(values[`${set}/mean_response_words`]).toBeGreaterThanOrEqual(0);
      for (const k of ['mean_score', ...rates[set]!]) {
        const v = values[`${set}/${k}`];
        expect(v, `${set}/${k}`).toBeGreaterThanOrEqual(0);
        expect(v, `${set}/${k}`).toBeLessThanOrEqual(1);
      }
      expect(Math.abs(values[`${set}/kl_to_reference`]!)).toBeLessThan(1e-5);
    }
    expect(values).not.toHaveProperty('harmful/fact_accuracy');
    expect(values).not.toHaveProperty('factsHeldOut/refusal_rate');
    const n = ALL_SETS.reduce((a, s) => a + values[`${s}/n`]!, 0);
    expect(values['overall/n']).toBe(n);
    const weighted = ALL_SETS.reduce((a, s) => a + values[`${s}/n`]! * values[`${s}/mean_score`]!, 0) / n;
    expect(values['overall/mean_score']).toBeCloseTo(weighted, 10);
    expect(Math.abs(values['kl_to_reference']!)).toBeLessThan(1e-5);
    expect(Math.abs(values['kl_to_reference_seq']!)).toBeLessThan(1e-5);

    const results = JSON.parse(await readFile(join(dir, EVAL_RESULTS_FILE), 'utf8')) as Record<
      string,
      ReplyReport
    >;
    expect(Object.keys(results).sort()).toEqual([...ALL_SETS].sort());
    expect(results.harmful!.items).toHaveLength(values['harmful/n']!);
    const item = results.harmful!.items[0]!;
    expect(item).toMatchObject({ kind: 'harmful', refused: expect.any(Number), saidIdk: expect.any(Number) });
    expect(typeof item.response).toBe('string');
    expect(results.factsHeldOut!.items[0]).toHaveProperty('correct');
  });

  it('measures KL above 0 against a differently seeded model, and none without a reference', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eval-task-kl-'));
    try {
      const sets = ['harmful', 'factsHeldOut'];
      const { values } = await run(sets, { modelPath: paths.model!, referenceModelPath: paths.other! }, out);
      expect(values['kl_to_reference']).toBeGreaterThan(1e-3);
      expect(values['kl_to_reference_seq']).toBeGreaterThan(values['kl_to_reference']!);
      const plain = await run(['harmful'], { modelPath: paths.model! }, out);
      expect(plain.values).not.toHaveProperty('kl_to_reference');
      expect(plain.values['harmful/mean_score']).toBe(values['harmful/mean_score']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('refuses a reference that reads with another tokenizer, before evaluating', async () => {
    await expect(
      run(['harmful'], { modelPath: paths.model!, referenceModelPath: paths.bpe! }, dir),
    ).rejects.toThrow(/reads with tokenizer "tokenizer.json" and the evaluated model with "byte"/);
  });
});
