// Generation: greedy and seeded sampling are deterministic, top-k = 1 is greedy, a batch gives each
// row what it would get alone, stop tokens / stop strings / the token budget / an abort end rows, and
// no tensor outlives a call.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { generate, generateStream, pick, type GeneratedToken } from '../../src/main/engine/generate';
import { GPT } from '../../src/main/engine/model/gpt';
import { MODEL_PRESETS } from '../../src/main/engine/model/presets';
import { mulberry32 } from '../../src/main/engine/random';
import { decode, encode } from '../../src/main/engine/tokenizer/byte';

let model: GPT;
beforeAll(async () => {
  await selectBackend();
  model = GPT.init(MODEL_PRESETS['byte-tiny'], 5);
});
afterAll(() => model.dispose());

const tokenizer = { decode };
const prompts = [encode('Hello'), encode('Hi'), encode('Once upon a')];

describe('generate', () => {
  it('greedy is deterministic and equals top-k = 1 sampling; tensor count is unchanged', async () => {
    const before = tf.memory().numTensors;
    const a = await generate(model, prompts, { temperature: 0, maxNewTokens: 12 });
    const b = await generate(model, prompts, { temperature: 0, maxNewTokens: 12 });
    const k1 = await generate(model, prompts, { temperature: 1.3, topK: 1, seed: 99, maxNewTokens: 12 });
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toEqual(a);
    expect(k1.map((g) => g.ids)).toEqual(a.map((g) => g.ids));
    for (const g of a) {
      expect(g.ids).toHaveLength(12);
      expect(g.finishReason).toBe('length');
    }
  });

  it('greedy picks the argmax of the model’s last-position logits', async () => {
    const [g] = await generate(model, [prompts[0]!], { temperature: 0, maxNewTokens: 1 });
    const expected = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d([prompts[0]!], undefined, 'int32'));
      return tf
        .argMax(tf.squeeze(tf.slice(logits, [0, prompts[0]!.length - 1, 0], [1, 1, -1])))
        .dataSync()[0];
    });
    expect(g!.ids).toEqual([expected]);
  });

  it('seeded sampling is deterministic, differs across seeds, and a batch row equals the same row alone', async () => {
    const opts = { temperature: 1, topP: 0.95, topK: 50, maxNewTokens: 10 };
    const a = await generate(model, prompts, { ...opts, seed: 3 });
    const b = await generate(model, prompts, { ...opts, seed: 3 });
    const c = await generate(model, prompts, { ...opts, seed: 4 });
    expect(b).toEqual(a);
    expect(c.map((g) => g.ids)).not.toEqual(a.map((g) => g.ids));
    // Prompts of different lengths in one call: row 0 alone (same seed, row index 0) gives the same tokens.
    const alone = await generate(model, [prompts[0]!], { ...opts, seed: 3 });
    expect(alone[0]).toEqual(a[0]);
  });

  it('stops on a stop token (excluded), a stop string (text cut before it), and the token budget', async () => {
    // Seeded sampling (an untrained model's greedy text repeats one byte): same draws up to the stop.
    const opts = { seed: 7, maxNewTokens: 8 };
    const [free] = await generate(model, [prompts[2]!], opts);
    const k = free!.ids.findIndex((id, i) => i > 0 && !free!.ids.slice(0, i).includes(id));
    expect(k).toBeGreaterThan(0);
    const [t] = await generate(model, [prompts[2]!], { ...opts, stopTokenIds: [free!.ids[k]!] });
    expect(t!.finishReason).toBe('stop_token');
    expect(t!.ids).toEqual(free!.ids.slice(0, k));
    // A stop string: the decoded text of tokens k and k+1; the text is cut where it first appears.
    const stop = decode(free!.ids.slice(k, k + 2));
    const [s] = await generate(model, [prompts[2]!], { ...opts, stopStrings: [stop], tokenizer });
    const full = decode(free!.ids);
    expect(s!.finishReason).toBe('stop_string');
    expect(s!.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(s!.ids).toEqual(free!.ids.slice(0, s!.ids.length));
    expect(s!.ids.length).toBeLessThanOrEqual(k + 2);
    const [none] = await generate(model, [prompts[2]!], { maxNewTokens: 0, tokenizer });
    expect(none).toEqual({ ids: [], text: '', finishReason: 'length' });
    await expect(generate(model, [prompts[0]!], { stopStrings: ['x'] })).rejects.toThrow(/need a tokenizer/);
    await expect(generate(model, [[]])).rejects.toThrow(/prompt 1 is empty/);
    await expect(generate(model, [[9999]])).rejects.toThrow(/outside the vocabulary/);
  });

  it('streams tokens as they are chosen and stops on abort with what it has; memory flat', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: GeneratedToken[] = [];
    const out = await generate(model, prompts, {
      maxNewTokens: 50,
      seed: 1,
      signal: controller.signal,
      onToken: (t) => {
        seen.push(t);
        if (t.row === 0 && t.index === 4) controller.abort();
      },
    });
    expect(out.map((g) => g.finishReason)).toEqual(['aborted', 'aborted', 'aborted']);
    expect(out[0]!.ids).toHaveLength(5);
    expect(seen.filter((t) => t.row === 0).map((t) => t.id)).toEqual(out[0]!.ids);
    expect(tf.memory().numTensors).toBe(before);
    // The async generator form yields the same tokens and returns the same result.
    const it2 = generateStream(model, [prompts[1]!], { temperature: 0, maxNewTokens: 3 });
    const ids: number[] = [];
    let r = await it2.next();
    while (!r.done) {
      ids.push(r.value.id);
      r = await it2.next();
    }
    expect(r.value[0]!.ids).toEqual(ids);
  });

  it('crops to the context window when the sequence outgrows it', async () => {
    const long = encode('x'.repeat(60)); // context 64: 10 new tokens cross it
    const [g] = await generate(model, [long], { temperature: 0, maxNewTokens: 10 });
    expect(g!.ids).toHaveLength(10);
  });

  it('pick: top-p keeps the smallest nucleus; temperature 0 is argmax', () => {
    const logits = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    const rng = mulberry32(0);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 2000; i++) counts[pick(logits, { temperature: 1, topK: 0, topP: 0.75 }, rng)]!++;
    expect(counts[2]).toBe(0); // 0.5 + 0.3 ≥ 0.75: only the first two
    expect(counts[3]).toBe(0);
    expect(counts[0]! / 2000).toBeCloseTo(0.5 / 0.8, 1);
    expect(pick(logits, { temperature: 0, topK: 0, topP: 1 }, rng)).toBe(0);
  });
});
