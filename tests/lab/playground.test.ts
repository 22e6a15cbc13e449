// The playground and the template preview through the Lab: a real (tiny) pretrained model streams a
// reply from its own process; the preview shows which tokens the SFT loss trains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabError } from '../../src/shared/api';
import { parseInput } from '../../src/shared/api';
import type { GenerateInput } from '../../src/shared/schemas';
import type { GenerationEvent } from '../../src/shared/schemas';
import type { Lab } from '../../src/main/lab/lab';
import { tempDir } from '../helpers/tmp';
import { testLab, waitForRun } from '../helpers/lab';

let lab: Lab;
let cleanup: () => void;
let modelId: number;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  lab = testLab(t.dir);
  const corpus = await lab.createDataset({ name: 'cats', kind: 'text' });
  for (let i = 0; i < 8; i++)
    await lab.addExample({ datasetId: corpus.id, data: { text: 'the cat sat on the mat. '.repeat(6) } });
  const run = await lab.startRun({
    algorithm: 'pretrain',
    dataset: corpus.id,
    config: {
      model: 'byte-tiny',
      tokenizer: 'byte',
      maxSteps: 80,
      batchSize: 8,
      learningRate: 3e-3,
      valFraction: 0,
    },
  });
  const done = await waitForRun(lab, run.id, (r) => r.status !== 'queued' && r.status !== 'running', 120_000);
  expect(done.status).toBe('completed');
  modelId = (await lab.listModels())[0]!.id;
});
afterAll(async () => {
  await lab.close();
  cleanup();
});

/** Through the API's schema, as a host would call it: defaults filled in. */
const generate = (input: GenerateInput) => lab.generate(parseInput('generate', input));

function collect(requestId: string): Promise<{ text: string; error: string | null }> {
  return new Promise((resolve) => {
    let text = '';
    const off = lab.subscribe((event, payload) => {
      const e = payload as GenerationEvent;
      if (event !== 'generation' || e.requestId !== requestId) return;
      text += e.delta;
      if (e.done) {
        off();
        resolve({ text, error: e.error });
      }
    });
  });
}

describe('playground', () => {
  it('streams a greedy continuation from a base model, deterministically', async () => {
    const ask = () =>
      generate({
        modelId,
        messages: [{ role: 'user', content: 'the cat sat on the' }],
        template: 'none',
        temperature: 0,
        maxNewTokens: 12,
      });
    const first = await ask();
    const a = await collect(first.requestId);
    expect(a.error).toBeNull();
    expect(a.text.length).toBeGreaterThan(0);
    // Memorised from the corpus: an untrained model would babble bytes instead.
    expect('the cat sat on the mat. '.repeat(3)).toContain(a.text.trim());
    const b = await collect((await ask()).requestId);
    expect(b.text).toBe(a.text);
  });

  it('stops a long generation when asked', async () => {
    const { requestId } = await generate({
      modelId,
      messages: [{ role: 'user', content: 'the' }],
      template: 'none',
      maxNewTokens: 1024,
      temperature: 1,
    });
    const result = collect(requestId);
    await new Promise((r) => setTimeout(r, 1500));
    await lab.stopGeneration({ requestId });
    const { text, error } = await result;
    expect(error).toBeNull();
    expect(text.length).toBeLessThan(1024);
  });

  it('refuses an unknown model naming the field', async () => {
    const err = (await generate({ modelId: 999, messages: [{ role: 'user', content: 'hi' }] }).catch(
      (e: unknown) => e,
    )) as LabError;
    expect(err.issues[0]?.path).toBe('modelId');
  });
});

describe('template preview', () => {
  it('marks exactly the assistant reply and its end-of-turn as trained', async () => {
    const preview = await lab.previewTemplate(
      parseInput('previewTemplate', {
        template: 'chatml',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
        modelId,
      }),
    );
    expect(preview.text).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n');
    const trained = preview.tokens
      .filter((t) => t.trained)
      .map((t) => t.text)
      .join('');
    expect(trained.startsWith('Hello!')).toBe(true);
    expect(trained).not.toContain('Hi');
    // The byte tokenizer has no <|im_start|>: the preview says so instead of failing.
    expect(preview.warnings.join(' ')).toMatch(/im_start/);
  });
});
