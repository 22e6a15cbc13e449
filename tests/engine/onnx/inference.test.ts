// Inference on onnxruntime against tfjs: evaluation replies (greedy, batched over prompts of several
// lengths, with the end-token, blank-line and length stops) are the same text on both engines; the
// playground's stream over the KV cache gives the tokens generate.ts gives, greedy and seeded
// sampling (the same `pick` over logits within ~1e-6), including past the context window; the
// LAB_INFERENCE setting and the tfjs fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import {
  evaluateAnswers,
  greedyReplies,
  greedyRepliesOnnx,
  promptIds,
} from '../../../src/main/engine/eval/answers';
import { generate } from '../../../src/main/engine/generate';
import { GPT } from '../../../src/main/engine/model/gpt';
import { inferenceEngine, openInference, probeInference } from '../../../src/main/engine/onnx/engine';
import type { OnnxSession } from '../../../src/main/engine/onnx/session';
import { onnxGenerateStream } from '../../../src/main/engine/onnx/stream';
import { BpeTokenizer } from '../../../src/main/engine/tokenizer/bpe';
import { createGoldJudge, generateWorld, renderCorpus, renderEvalSets } from '../../../src/main/engine/world';

const world = generateWorld({ seed: 3, size: 'tiny' });
const sets = renderEvalSets(world);
// More model ids than tokenizer ids, as lab-small has: only the tokenizer's may be chosen.
const tokenizer = BpeTokenizer.train(renderCorpus(world), { vocabSize: 380 });
const cfg = { vocabSize: 400, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64 };
let model: GPT;
let session: OnnxSession;

beforeAll(async () => {
  await selectBackend();
  model = GPT.init(cfg, 5);
  const inf = await openInference(model, { inference: 'onnx' });
  expect(inf.engine).toBe('onnx');
  expect(inf.message).toMatch(/onnxruntime, provider cpu/);
  session = inf.session!;
});
afterAll(async () => {
  await session?.release();
  model?.dispose();
});

describe('inferenceEngine', () => {
  it('reads the run setting, then LAB_INFERENCE, default onnx', () => {
    expect(inferenceEngine('auto', {})).toBe('onnx');
    expect(inferenceEngine('auto', { LAB_INFERENCE: ' TFJS ' })).toBe('tfjs');
    expect(inferenceEngine('auto', { LAB_INFERENCE: 'onnx' })).toBe('onnx');
    expect(() => inferenceEngine('auto', { LAB_INFERENCE: 'torch' })).toThrow(/LAB_INFERENCE/);
    // An explicit setting wins over the environment.
    expect(inferenceEngine('tfjs', { LAB_INFERENCE: 'onnx' })).toBe('tfjs');
    expect(inferenceEngine('onnx', { LAB_INFERENCE: 'tfjs' })).toBe('onnx');
  });

  it('records the provider, threads and reason of a session', async () => {
    const inf = await openInference(model, { inference: 'onnx', threads: 2 });
    try {
      expect(inf.info).toMatchObject({ engine: 'onnx', provider: 'cpu', threads: 2 });
      expect(inf.info.reason).toMatch(/cpu \(2 threads\)/);
    } finally {
      await inf.session?.release();
    }
  });

  it('opens no session when tfjs is requested', async () => {
    const inf = await openInference(model, { inference: 'tfjs' });
    expect(inf.engine).toBe('tfjs');
    expect(inf.session).toBeUndefined();
    expect(inf.message).toMatch(/tfjs/);
    expect(inf.info).toEqual({
      engine: 'tfjs',
      provider: null,
      threads: null,
      reason: 'requested by the run (inference: tfjs)',
    });
  });

  it('falls back to tfjs, with the reason, when the session cannot be created', async () => {
    const inf = await openInference(model, { inference: 'onnx', threads: 0 });
    expect(inf.engine).toBe('tfjs');
    expect(inf.message).toMatch(/could not be created: .*threads/);
    expect(inf.info.reason).toMatch(/could not be created: .*threads/);
  });

  it('probes where inference would run without a session', () => {
    expect(probeInference({ LAB_INFERENCE: 'tfjs' })).toMatchObject({ engine: 'tfjs', provider: null });
    const p = probeInference({});
    expect(p.engine).toBe('onnx');
    // No CUDA provider is installed here: the probe says so, as a session would.
    expect(p).toMatchObject({ provider: 'cpu', threads: 1 });
    expect(p.reason).toMatch(/CUDA provider unavailable/);
  });
});

describe('evaluation replies on onnxruntime', () => {
  it('are the tfjs replies, batched over prompts of several lengths', async () => {
    const questions = [...sets.factsPretrainOnly.slice(0, 4), ...sets.factsHeldOut.slice(0, 3)].map(
      (i) => i.prompt,
    );
    const prompts = [
      ...questions.map((q) => promptIds(tokenizer, q, null)),
      ...questions.slice(0, 3).map((q) => promptIds(tokenizer, q, 'chatml')),
    ];
    expect(new Set(prompts.map((p) => p.length)).size).toBeGreaterThan(1);
    // 24 new tokens run past the 32-token context for the longer prompts (the full-rerun path).
    const opts = { maxNewTokens: 24, batchSize: 3 };
    const tfjs = await greedyReplies(model, tokenizer, prompts, opts);
    const onnx = await greedyRepliesOnnx(session, model, tokenizer, prompts, opts);
    expect(onnx).toEqual(tfjs);
    expect(tfjs.some((t) => t.length > 0)).toBe(true);
  });

  it('score the same through evaluateAnswers', async () => {
    const judge = createGoldJudge(world);
    const items = sets.factsPretrainOnly.slice(0, 6);
    const a = await evaluateAnswers(model, tokenizer, items, judge, { maxNewTokens: 8 });
    const b = await evaluateAnswers(model, tokenizer, items, judge, { maxNewTokens: 8, session });
    expect(b).toEqual(a);
  });

  it('stop at an end token', async () => {
    // A stop set holding every id ends every reply at once.
    const prompts = [promptIds(tokenizer, sets.factsPretrainOnly[0]!.prompt, null)];
    const { onnxGreedyReplyIds } = await import('../../../src/main/engine/onnx/replies');
    const all = new Set(Array.from({ length: cfg.vocabSize }, (_, i) => i));
    const ids = await onnxGreedyReplyIds(session, tokenizer, prompts, {
      maxNewTokens: 5,
      batchSize: 4,
      contextLength: cfg.contextLength,
      stopIds: all,
      stopText: '\n\n',
    });
    expect(ids).toEqual([[]]);
  });
});

describe('playground stream on onnxruntime', () => {
  const prompt = tokenizer.encode('The capital of');

  async function both(o: Parameters<typeof generate>[2] & object) {
    const [tf] = await generate(model, [prompt], { ...o, vocabLimit: tokenizer.vocabSize });
    const it = onnxGenerateStream(session, prompt, {
      ...o,
      vocabLimit: tokenizer.vocabSize,
      contextLength: cfg.contextLength,
    });
    const ids: number[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done) return { tf: tf!, onnx: { ...r.value, streamed: ids } };
      ids.push(r.value.id);
    }
  }

  it('greedy: the tokens generate.ts picks, past the context window', async () => {
    const { tf, onnx } = await both({ maxNewTokens: 40, temperature: 0 });
    expect(onnx.streamed).toEqual(tf.ids);
    expect(onnx.ids).toEqual(tf.ids);
    expect(onnx.finishReason).toBe(tf.finishReason);
    expect(tf.ids.length).toBe(40);
    expect(Math.max(...tf.ids)).toBeLessThan(tokenizer.vocabSize);
  });

  it.each([
    [1, 0, 1, 7],
    [0.8, 20, 1, 3],
    [1.2, 0, 0.9, 11],
  ])('seeded sampling (T %s, top-k %s, top-p %s, seed %s): the same tokens', async (t, k, p, seed) => {
    const { tf, onnx } = await both({ maxNewTokens: 24, temperature: t, topK: k, topP: p, seed });
    expect(onnx.ids).toEqual(tf.ids);
  });

  it('stops at a stop token and on abort', async () => {
    const { tf } = await both({ maxNewTokens: 10, temperature: 0 });
    const stopAt = tf.ids[3]!;
    const stopped = await both({ maxNewTokens: 10, temperature: 0, stopTokenIds: [stopAt] });
    expect(stopped.onnx.ids).toEqual(stopped.tf.ids);
    expect(stopped.onnx.finishReason).toBe('stop_token');
    const ac = new AbortController();
    const it = onnxGenerateStream(session, prompt, {
      maxNewTokens: 10,
      contextLength: 32,
      signal: ac.signal,
    });
    await it.next();
    ac.abort();
    const r = await it.next();
    expect(r).toMatchObject({ done: true, value: { finishReason: 'aborted' } });
    expect((r.value as { ids: number[] }).ids.length).toBe(1);
  });
});
