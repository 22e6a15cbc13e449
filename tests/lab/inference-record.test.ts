// Where inference ran, recorded with each run: a real lab pretrains a tiny model (no inference: its
// record stays null), then evaluates it twice, on the default engine (onnxruntime, CPU provider here,
// the reason naming the missing CUDA provider) and with the run's `inference: 'tfjs'` setting; each
// evaluation run's record carries engine, provider, threads and reason, as the store reads it back.
// The system info names where run processes will infer, for the app's footer; a playground reply's
// closing event names where it was generated.
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../src/shared/api';
import type { GenerationEvent } from '../../src/shared/schemas';
import { labFixtures, waitForRun } from '../helpers/lab';

const { open } = labFixtures();
const finished = (r: { status: string }) => r.status !== 'queued' && r.status !== 'running';

describe('inference recorded with runs', () => {
  it('records the provider of an evaluation, tfjs when the run asks for it, nothing for training', async () => {
    const { lab } = open();
    const world = await lab.generateWorld({ seed: 3, size: 'tiny' });
    const pre = await lab.startRun({
      algorithm: 'pretrain',
      dataset: world.datasets.corpus!,
      config: { model: 'byte-tiny', maxSteps: 1, batchSize: 2, warmupSteps: 0, valFraction: 0.1 },
    });
    const preDone = await waitForRun(lab, pre.id, finished, 120_000);
    expect(preDone.status).toBe('completed');
    expect(preDone.inference).toBeNull();
    const model = (await lab.listModels()).find((m) => m.runId === pre.id)!;

    const evaluate = async (inference?: 'tfjs') => {
      const config = {
        model: model.id,
        world: world.id,
        sets: ['arithmetic'],
        template: 'none',
        maxNewTokens: 4,
      };
      const run = await lab.startRun({
        algorithm: 'eval',
        dataset: null,
        config: { ...config, perplexity: false, calibration: false, ...(inference ? { inference } : {}) },
      });
      const done = await waitForRun(lab, run.id, finished, 120_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      return done;
    };
    const onnx = await evaluate();
    expect(onnx.config['inference']).toBe('auto');
    expect(onnx.inference).toMatchObject({ engine: 'onnx', provider: 'cpu', threads: 1 });
    expect(onnx.inference!.reason).toMatch(/CUDA provider unavailable .*; using cpu \(1 thread\)/);
    const tfjs = await evaluate('tfjs');
    expect(tfjs.inference).toEqual({
      engine: 'tfjs',
      provider: null,
      threads: null,
      reason: 'requested by the run (inference: tfjs)',
    });
    // Read back through the list too (the store's row, not the runner's copy).
    const listed = (await lab.listRuns()).find((r) => r.id === tfjs.id)!;
    expect(listed.inference?.engine).toBe('tfjs');
    // Both evaluations judged the same greedy replies.
    expect(tfjs.summary['arithmetic/mean_score']).toBe(onnx.summary['arithmetic/mean_score']);

    const info = await lab.systemInfo();
    expect(info.inference).toMatchObject({ engine: 'onnx', provider: 'cpu' });

    // The playground's closing event says where the reply was generated.
    const { requestId } = await lab.generate(
      parseInput('generate', {
        modelId: model.id,
        messages: [{ role: 'user', content: '1 + 1 =' }],
        template: 'none',
        maxNewTokens: 4,
      }),
    );
    const closing = await new Promise<GenerationEvent>((resolve) => {
      const off = lab.subscribe((event, payload) => {
        const e = payload as GenerationEvent;
        if (event !== 'generation' || e.requestId !== requestId || !e.done) return;
        off();
        resolve(e);
      });
    });
    expect(closing.error).toBeNull();
    expect(closing.inference).toMatchObject({ engine: 'onnx', provider: 'cpu', threads: 1 });
  });
});
