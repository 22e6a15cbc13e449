// The pretraining trainer (trainers/lm-run.ts) on each training engine: the `backend` event says which
// one ran and why, `onnx` and `tfjs` give the same loss curve and weights on the same corpus (AdamW with
// weight decay, warm-up, clipping, gradient accumulation), validation works, and a checkpoint written
// by the onnx run resumes on tfjs to the same end (checkpoints are the same safetensors either way);
// the DPO trainer's sigmoid and IPO losses likewise (its other losses: dpo-engines.test.ts).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { readSafetensors } from '../../../src/main/engine/safetensors';
import { chooseTrainingEngine, onnxSelfCheck, placement } from '../../../src/main/engine/onnx-train/choose';
import { cudaStatus } from '../../../src/main/engine/onnx/session';
import {
  PretrainConfig,
  trainPretrain,
  type PretrainConfigInput,
  type PretrainInputs,
} from '../../../src/main/engine/trainers/pretrain';
import { trainDpo } from '../../../src/main/engine/trainers/dpo';
import { DpoConfig, type DpoConfigInput } from '../../../src/shared/schemas';
import { byteTokenizer, collect, metricsOf, removeTempDirs } from '../trainers/helpers';
import { expectRequestedEngines, trainingOf } from './parity';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(removeTempDirs);

const corpus: PretrainInputs = {
  kind: 'documents',
  documents: Array.from({ length: 12 }, (_, i) => `row ${i}: the quick brown fox jumps over the lazy dog.`),
  tokenizer: byteTokenizer,
};
const base: PretrainConfigInput = {
  model: 'byte-tiny',
  learningRate: 5e-3,
  warmupSteps: 2,
  weightDecay: 0.1,
  maxGradNorm: 0.5,
  batchSize: 2,
  gradientAccumulationSteps: 2,
  maxSteps: 6,
  seed: 3,
  checkpointEvery: 3,
};
const run = (config: PretrainConfigInput) =>
  collect((ctx) => trainPretrain(PretrainConfig.parse(config), corpus, ctx));

async function finalWeights(dir: string) {
  const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
  return new Map(tensors.map((t) => [t.name, t.data as Float32Array]));
}

describe('the training engine setting', () => {
  it('passes the self-check here', async () => {
    expect(await onnxSelfCheck()).toBeNull();
  });

  it('trains on the CPU where no CUDA provider is installed, and says so', async () => {
    // This machine has no GPU and onnxruntime-node's CUDA provider is an opt-in install: where it is
    // installed and its self-check passes, the same choice is { provider: 'cuda' }.
    expect(cudaStatus().installed).toBe(false);
    const info = await chooseTrainingEngine('auto', true);
    expect(info).toMatchObject({
      engine: 'onnx',
      provider: 'cpu',
      reason: expect.stringMatching(
        /^self-check passed; onnxruntime cpu, \d+ threads?; CUDA provider unavailable \(not installed/,
      ),
    });
    expect(placement(info)).toEqual({ threads: info.threads, provider: 'cpu' });
    expect(placement({ engine: 'onnx', threads: 2, provider: 'cuda', reason: '' })).toEqual({
      threads: 2,
      provider: 'cuda',
    });
  });

  it('onnx and tfjs give the same curve and weights; the run records its engine', async () => {
    const onnx = await run({ ...base, trainingEngine: 'onnx' });
    const tfjs = await run({ ...base, trainingEngine: 'tfjs' });
    expectRequestedEngines(onnx, tfjs);
    const a = metricsOf(onnx.events);
    const b = metricsOf(tfjs.events);
    expect(a).toHaveLength(6);
    a.forEach((m, i) => {
      expect(Math.abs(m.loss - b[i]!.loss) / b[i]!.loss, `loss at step ${i + 1}`).toBeLessThan(1e-4);
      expect(Math.abs(m.grad_norm - b[i]!.grad_norm) / b[i]!.grad_norm).toBeLessThan(1e-3);
    });
    const wa = await finalWeights(onnx.dir);
    const wb = await finalWeights(tfjs.dir);
    for (const [name, x] of wb) {
      if (name.endsWith('attn.k.bias')) continue; // 0-gradient weight: noise on both (see loss-curve.test.ts)
      const y = wa.get(name)!;
      let d = 0;
      for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
      expect(d, name).toBeLessThan(1e-4);
    }
  });

  it('auto trains on onnx here; its checkpoint resumes on tfjs to the same end', async () => {
    const whole = await run({ ...base, trainingEngine: 'auto' });
    expect(whole.error).toBeUndefined();
    expect(trainingOf(whole.events)).toMatchObject({
      engine: 'onnx',
      reason: expect.stringContaining('self-check passed'),
    });
    const files = (await readdir(whole.dir)).filter((f) => /^checkpoint-\d+\.safetensors$/.test(f));
    const first = files.sort()[0]!;
    const resumed = await run({ ...base, trainingEngine: 'tfjs', resumeFrom: path.join(whole.dir, first) });
    expect(resumed.error).toBeUndefined();
    const a = metricsOf(whole.events).slice(3);
    const b = metricsOf(resumed.events);
    expect(b.map((m) => m.step)).toEqual([4, 5, 6]);
    b.forEach((m, i) => expect(Math.abs(m.loss - a[i]!.loss) / a[i]!.loss).toBeLessThan(1e-4));
  });

  it('DPO: the sigmoid and IPO losses train the same on onnx and tfjs', async () => {
    const dpo = (config: DpoConfigInput) =>
      collect((ctx) => trainDpo(DpoConfig.parse(config), { kind: 'seed-dpo' }, ctx));
    const common: DpoConfigInput = { epochs: 1, batchSize: 16, learningRate: 1e-3, seed: 2 };
    const onnx = await dpo({ ...common, trainingEngine: 'onnx', labelSmoothing: 0.1 });
    const tfjs = await dpo({ ...common, trainingEngine: 'tfjs', labelSmoothing: 0.1 });
    expect(onnx.error).toBeUndefined();
    expect(tfjs.error).toBeUndefined();
    expect(trainingOf(onnx.events)?.engine).toBe('onnx');
    const a = onnx.events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
    const b = tfjs.events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
    expect(a.length).toBeGreaterThan(5);
    expect(a).toHaveLength(b.length);
    a.forEach((m, i) => {
      expect(Object.keys(m).sort()).toEqual(Object.keys(b[i]!).sort());
      expect(Math.abs(m['loss']! - b[i]!['loss']!), `loss at step ${i + 1}`).toBeLessThan(1e-5);
      // (rewards/accuracies counts margins > 0: at the start they are 0 up to rounding, so not compared)
      expect(Math.abs(m['rewards/margins']! - b[i]!['rewards/margins']!)).toBeLessThan(1e-4);
      expect(m['logps/chosen']).toBeCloseTo(b[i]!['logps/chosen']!, 3);
    });
    // IPO (averaged log-probs) on onnx gives tfjs's first steps too.
    const ipo = await dpo({ ...common, lossType: 'ipo', trainingEngine: 'onnx', epochs: 1 });
    const ipoTf = await dpo({ ...common, lossType: 'ipo', trainingEngine: 'tfjs', epochs: 1 });
    const lossOf = (r: typeof ipo) =>
      r.events.flatMap((e) => (e.type === 'metrics' ? [e.values['loss']!] : []));
    expect(trainingOf(ipo.events)?.engine).toBe('onnx');
    lossOf(ipo).forEach((l, i) =>
      expect(Math.abs(l - lossOf(ipoTf)[i]!) / lossOf(ipoTf)[i]!).toBeLessThan(1e-4),
    );
  });
});
