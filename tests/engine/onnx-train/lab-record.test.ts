// The lab records where a run trained: a DPO run started through the Lab (a real run process) stores
// its training engine with the run's backend — onnx here, where the self-check passes — and a run asked
// for tfjs stores tfjs.
import { describe, expect, it } from 'vitest';
import { labFixtures, waitForRun } from '../../helpers/lab';

const { open } = labFixtures();

describe('training engine in the run record', () => {
  it('stores the engine a run trained on, and why', async () => {
    const { lab } = open();
    const auto = await lab.startRun({ algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1 } });
    const tfjs = await lab.startRun({
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      config: { epochs: 1, trainingEngine: 'tfjs' },
    });
    const done = (id: number) => waitForRun(lab, id, (r) => r.status !== 'queued' && r.status !== 'running');
    const [a, t] = [await done(auto.id), await done(tfjs.id)];
    expect(a.status).toBe('completed');
    expect(t.status).toBe('completed');
    expect(a.config).toMatchObject({ trainingEngine: 'auto' });
    expect(a.backend?.training).toMatchObject({
      engine: 'onnx',
      reason: expect.stringContaining('self-check passed'),
    });
    expect(t.backend?.training).toEqual({ engine: 'tfjs', threads: null, reason: 'requested' });
  });
});
