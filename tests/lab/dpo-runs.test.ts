// DPO as a lab run from an SFT'd model: pretrain (BPE) → SFT → DPO and SimPO from the SFT model, each
// keeping the base's tokenizer and recording the SFT model as its parent; an unknown base is refused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/shared/api';
import { labFixtures, waitForRun } from '../helpers/lab';

const { open } = labFixtures();
const finished = (r: { status: string }) => r.status !== 'queued' && r.status !== 'running';

describe('DPO runs from a base model', () => {
  it('aligns an SFT model with DPO and SimPO, keeping its tokenizer and lineage', async () => {
    const { lab, dir } = open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const pre = await lab.startRun({
      algorithm: 'pretrain',
      dataset: world.datasets.corpus!,
      config: { model: 'byte-tiny', tokenizer: 'bpe', maxSteps: 3, batchSize: 4, valFraction: 0.1 },
    });
    expect((await waitForRun(lab, pre.id, finished, 120_000)).status).toBe('completed');
    const base = (await lab.listModels()).find((m) => m.runId === pre.id)!;
    const sft = await lab.startRun({
      algorithm: 'sft',
      dataset: world.datasets.sft!,
      config: { baseModel: base.id, template: 'chatml', maxSteps: 2, batchSize: 4 },
    });
    expect((await waitForRun(lab, sft.id, finished, 120_000)).status).toBe('completed');
    const tuned = (await lab.listModels()).find((m) => m.runId === sft.id)!;

    for (const lossType of ['sigmoid', 'simpo'] as const) {
      const dpo = await lab.startRun({
        algorithm: 'dpo',
        dataset: world.datasets.preferences!,
        config: { baseModel: tuned.id, lossType, epochs: 1, batchSize: 16, learningRate: 1e-3 },
      });
      const done = await waitForRun(lab, dpo.id, finished, 120_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      for (const k of ['loss', 'rewards/chosen', 'rewards/margins', 'logps/chosen'])
        expect(Number.isFinite(done.summary[k]), `${lossType} ${k}`).toBe(true);
      const aligned = (await lab.listModels()).find((m) => m.runId === dpo.id)!;
      expect(aligned.parentId).toBe(tuned.id);
      expect(aligned.arch.tokenizer).toBe('tokenizer.json');
      expect(existsSync(join(dir, 'runs', String(dpo.id), 'tokenizer.json'))).toBe(true);
    }
  });

  it('refuses an unknown base model, naming the field', async () => {
    const { lab } = open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const err = (await lab
      .startRun({ algorithm: 'dpo', dataset: world.datasets.preferences!, config: { baseModel: 99 } })
      .catch((e: unknown) => e)) as LabError;
    expect(err).toBeInstanceOf(LabError);
    expect(err.issues).toEqual([{ path: 'config.baseModel', message: 'model 99 does not exist' }]);
    const err2 = (await lab
      .startRun({
        algorithm: 'dpo',
        dataset: world.datasets.preferences!,
        config: { lossType: 'ipo', labelSmoothing: 0.2 },
      })
      .catch((e: unknown) => e)) as LabError;
    expect(err2.issues.map((i) => i.path)).toEqual(['config.labelSmoothing']);
    expect(await lab.listRuns()).toEqual([]);
  });
});
