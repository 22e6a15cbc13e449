// Pretraining and SFT as lab runs: a world's corpus pretrains a model with its own BPE tokenizer, and
// an SFT run fine-tunes that model on the world's SFT pairs through a chat template, with lineage.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/shared/api';
import { labFixtures, waitForRun } from '../helpers/lab';

const { open } = labFixtures();
const finished = (r: { status: string }) => r.status !== 'queued' && r.status !== 'running';

describe('language-model runs', () => {
  it('pretrains on a world corpus with a BPE tokenizer, then fine-tunes the result with SFT', async () => {
    const { lab, dir } = open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const pre = await lab.startRun({
      algorithm: 'pretrain',
      dataset: world.datasets.corpus!,
      config: {
        model: 'byte-tiny',
        tokenizer: 'bpe',
        maxSteps: 6,
        batchSize: 4,
        warmupSteps: 2,
        valFraction: 0.1,
      },
    });
    const preDone = await waitForRun(lab, pre.id, finished, 120_000);
    expect(preDone.error).toBeNull();
    expect(preDone.status).toBe('completed');
    expect(preDone.progress?.step).toBe(6);
    expect(Number.isFinite(preDone.summary.loss)).toBe(true);
    expect(preDone.summary.perplexity).toBeCloseTo(Math.exp(preDone.summary.loss!), 3);
    expect(existsSync(join(dir, 'runs', String(pre.id), 'tokenizer.json'))).toBe(true);
    const base = (await lab.listModels()).find((m) => m.runId === pre.id)!;
    expect(base.arch.tokenizer).toBe('tokenizer.json');

    const sft = await lab.startRun({
      algorithm: 'sft',
      dataset: world.datasets.sft!,
      config: { baseModel: base.id, template: 'chatml', maxSteps: 4, batchSize: 4 },
    });
    const sftDone = await waitForRun(lab, sft.id, finished, 120_000);
    expect(sftDone.error).toBeNull();
    expect(sftDone.status).toBe('completed');
    expect(sftDone.summary.mean_token_accuracy).toBeGreaterThanOrEqual(0);
    const tuned = (await lab.listModels()).find((m) => m.runId === sft.id)!;
    expect(tuned.parentId).toBe(base.id);
    expect(existsSync(join(dir, 'runs', String(sft.id), 'tokenizer.json'))).toBe(true);

    // Evaluate the tuned model on the world's held-out questions with the gold judge.
    const ev = await lab.startRun({
      algorithm: 'eval',
      dataset: null,
      config: {
        model: tuned.id,
        world: world.id,
        sets: ['factsPretrainOnly'],
        template: 'chatml',
        maxNewTokens: 8,
      },
    });
    const evDone = await waitForRun(lab, ev.id, finished, 120_000);
    expect(evDone.error).toBeNull();
    expect(evDone.status).toBe('completed');
    const n = evDone.summary['factsPretrainOnly/n']!;
    expect(n).toBeGreaterThan(0);
    for (const k of ['direct_answer_rate', 'fact_accuracy', 'mean_score']) {
      const v = evDone.summary[`factsPretrainOnly/${k}`]!;
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(existsSync(join(dir, 'runs', String(ev.id), 'eval-results.json'))).toBe(true);
  });

  it('refuses a dataset of the wrong kind and an unknown base model, naming the fields', async () => {
    const { lab } = open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const err = (await lab
      .startRun({
        algorithm: 'sft',
        dataset: world.datasets.corpus!,
        config: { baseModel: 99, learningRate: -1 },
      })
      .catch((e: unknown) => e)) as LabError;
    expect(err).toBeInstanceOf(LabError);
    expect(err.issues.map((i) => i.path).sort()).toEqual(['config.learningRate', 'dataset']);
    const err2 = (await lab
      .startRun({ algorithm: 'sft', dataset: world.datasets.sft!, config: { baseModel: 99 } })
      .catch((e: unknown) => e)) as LabError;
    expect(err2.issues).toEqual([{ path: 'config.baseModel', message: 'model 99 does not exist' }]);
    const err3 = (await lab
      .startRun({ algorithm: 'pretrain', dataset: 'seed-dpo', config: {} })
      .catch((e: unknown) => e)) as LabError;
    expect(err3.issues[0]?.path).toBe('dataset');
    expect(await lab.listRuns()).toEqual([]);
  });
});
