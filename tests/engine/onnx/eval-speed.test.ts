// Measurement, not a check (runs only with LAB_MEASURE=1): an evaluation of the tiny world's
// factsPretrainOnly set on a random lab-small model, tfjs (the active backend) against onnxruntime
// with the KV cache, wall time including the export and session creation. Prints the ratio.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { evaluateAnswers } from '../../../src/main/engine/eval/answers';
import { GPT } from '../../../src/main/engine/model/gpt';
import { MODEL_PRESETS } from '../../../src/main/engine/model/presets';
import { openInference } from '../../../src/main/engine/onnx/engine';
import { BpeTokenizer } from '../../../src/main/engine/tokenizer/bpe';
import { createGoldJudge, generateWorld, renderCorpus, renderEvalSets } from '../../../src/main/engine/world';

describe.skipIf(!process.env['LAB_MEASURE'])('evaluation speed', () => {
  it('tfjs vs onnxruntime on factsPretrainOnly, lab-small', async () => {
    const backend = await selectBackend();
    const world = generateWorld({ seed: 3, size: 'tiny' });
    const items = renderEvalSets(world).factsPretrainOnly;
    const judge = createGoldJudge(world);
    const tokenizer = BpeTokenizer.train(renderCorpus(world), { vocabSize: 1024 });
    const model = GPT.init(MODEL_PRESETS['lab-small'], 0, false);
    const threads = Number(process.env['LAB_MEASURE_THREADS'] ?? 1);
    for (const template of [null, 'chatml'] as const) {
      // Warm-up of both engines (wasm kernels, onnxruntime's first session), untimed.
      const warm = await openInference(model, { inference: 'onnx', threads });
      await evaluateAnswers(model, tokenizer, items.slice(0, 4), judge, { template });
      await evaluateAnswers(model, tokenizer, items.slice(0, 4), judge, { template, session: warm.session! });
      await warm.session!.release();
      let t0 = performance.now();
      const a = await evaluateAnswers(model, tokenizer, items, judge, { template });
      const tfMs = performance.now() - t0;
      t0 = performance.now();
      const inf = await openInference(model, { inference: 'onnx', threads });
      const b = await evaluateAnswers(model, tokenizer, items, judge, { template, session: inf.session! });
      const onnxMs = performance.now() - t0;
      await inf.session!.release();
      const same = a.items.filter((x, i) => x.response === b.items[i]!.response).length;
      console.log(
        `${items.length} items, template ${template}, tfjs ${backend.name} ${tfMs.toFixed(0)} ms, ` +
          `${inf.message} ×${threads} ${onnxMs.toFixed(0)} ms → ${(tfMs / onnxMs).toFixed(2)}× faster; ` +
          `${same}/${items.length} replies identical, mean reply ` +
          `${(a.items.reduce((n, x) => n + tokenizer.encode(x.response).length, 0) / a.n).toFixed(1)} tokens`,
      );
      expect(b.n).toBe(a.n);
    }
    model.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  }, 600_000);
});
