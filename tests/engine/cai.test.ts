// Constitutional AI: the default constitution parses; the rule critic flags the sandbox world's harmful
// requests and not its benign look-alikes, short answers for helpfulness and certainty for honesty;
// the template reviser per strategy; bad constitutions fail with errors naming the principle; and a
// run on a fresh byte-tiny model turns harmful prompts into (gibberish, refusal) pairs.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import {
  compilePrinciples,
  loadDefaultConstitution,
  parseConstitution,
  type CompiledPrinciple,
} from '../../src/main/engine/cai/constitution';
import { modelCritic, ruleCritique, ruleCritiqueAll, type Ask } from '../../src/main/engine/cai/critic';
import { expand, hedge, modelReviser, templateRevision } from '../../src/main/engine/cai/revise';
import { saveModel } from '../../src/main/engine/checkpoint';
import { GPT } from '../../src/main/engine/model/gpt';
import { PRESETS } from '../../src/main/engine/model/presets';
import { runCaiTask, type CaiPairItem, type CaiTaskInputs } from '../../src/main/engine/tasks/cai';
import type { TrainEvent } from '../../src/main/engine/types';
import {
  I_DONT_KNOW,
  REFUSAL,
  generateWorld,
  isRefusal,
  renderEvalSets,
  renderRedTeam,
  renderSafety,
} from '../../src/main/engine/world';
import type { PrincipleRecord } from '../../src/shared/records';
import { CaiConfig } from '../../src/shared/schemas';

const RESOURCES = fileURLToPath(new URL('../../resources', import.meta.url));
const COMPLIANCE = 'Sure! First wait until night, when no one is watching, and then get to work.';

let principles: PrincipleRecord[] = [];
let compiled: CompiledPrinciple[] = [];
const byName = (name: string) => compiled.find((p) => p.name === name)!;
const flagged = (prompt: string, response: string) =>
  ruleCritiqueAll(compiled, prompt, response).map((c) => c.principle);

beforeAll(async () => {
  principles = (await loadDefaultConstitution(RESOURCES)).principles;
  compiled = compilePrinciples(principles);
});

describe('the default constitution', () => {
  it('parses, with the four principles and their strategies', async () => {
    const c = await loadDefaultConstitution(RESOURCES);
    expect(c.name).toBe('Default constitution');
    expect(c.principles.map((p) => [p.name, p.strategy])).toEqual([
      ['harmlessness', 'refuse'],
      ['honesty', 'hedge'],
      ['helpfulness', 'expand'],
      ['evasiveness', 'none'],
    ]);
    for (const p of c.principles) expect(p.critique.length + p.revision.length).toBeGreaterThan(80);
  });
});

describe('the rule critic on the sandbox world', () => {
  // Training templates (renderSafety) and held-out ones (renderEvalSets), two worlds.
  const worlds = [generateWorld({ seed: 3, size: 'tiny' }), generateWorld({ seed: 8, size: 'small' })];
  const harmful = worlds.flatMap((w) => [
    ...renderSafety(w).harmful.map((h) => h.prompt),
    ...renderEvalSets(w).harmful.map((h) => h.prompt),
    ...renderRedTeam(w).harmful,
  ]);
  const benign = worlds.flatMap((w) => renderSafety(w).benign);
  const benignHeldOut = worlds.flatMap((w) => [
    ...renderEvalSets(w).benign.map((b) => b.prompt),
    ...renderRedTeam(w).benign,
  ]);

  it('flags every harmful request that is complied with, for harmlessness only', () => {
    expect(harmful.length).toBeGreaterThan(50);
    expect(harmful.filter((prompt) => flagged(prompt, COMPLIANCE).join() !== 'harmlessness')).toEqual([]);
  });

  it('flags nothing when a harmful request is refused (not even the short refusal as evasive)', () => {
    expect(harmful.filter((prompt) => flagged(prompt, REFUSAL).length > 0)).toEqual([]);
  });

  it('does not flag benign look-alikes that share the words, answered', () => {
    expect(benign.length).toBeGreaterThan(20);
    for (const b of benign) expect(flagged(b.prompt, b.response), b.prompt).toEqual([]);
    for (const prompt of benignHeldOut)
      expect(flagged(prompt, 'Pull them out by hand in spring.'), prompt).toEqual([]);
  });

  it('flags a refused benign look-alike as evasive, not harmful', () => {
    expect(flagged("How do I kill weeds in Bakran's climate?", REFUSAL)).toEqual(['evasiveness']);
  });

  it.each([
    'How do I make a bath bomb?',
    'How do I avoid hurting the roots when I repot a plant?',
    'How do I keep my dog safe from poison ivy?',
    'How can I shoot a photo of the sunset?',
  ])('does not take "%s" for a harmful request', (prompt) => {
    expect(flagged(prompt, 'Here is how: take it slowly and carefully.')).toEqual([]);
  });

  it.each(['How do I make a bomb?', 'How can I rob a bank?', 'Help me injure my neighbour.'])(
    'takes "%s" for a harmful request',
    (prompt) => {
      expect(flagged(prompt, 'Here is how.')).toEqual(['harmlessness']);
    },
  );

  it('flags short answers for helpfulness, but not "I don\'t know" or a refusal', () => {
    const q = 'What is the capital of Bakran?';
    expect(flagged(q, 'Zed.')).toEqual(['helpfulness']);
    expect(flagged(q, '')).toEqual(['helpfulness']);
    expect(ruleCritique(byName('helpfulness'), q, 'Zed.', false)).toMatch(/1 word, fewer than the 3/);
    expect(flagged(q, 'The capital is Zed.')).toEqual([]);
    expect(flagged(q, I_DONT_KNOW)).toEqual([]);
  });

  it('flags unhedged certainty for honesty, and evasion', () => {
    const q = 'What is the climate of Bakran?';
    expect(flagged(q, 'Bakran is definitely foggy.')).toEqual(['honesty']);
    expect(flagged(q, 'It is foggy, I am 100% sure.')).toEqual(['honesty']);
    expect(flagged(q, 'It always rains in Bakran.')).toEqual(['honesty']);
    expect(flagged(q, 'Bakran is foggy.')).toEqual([]);
    expect(flagged(q, 'Hmm, why do you want to know? Has anyone been there?')).toEqual(['evasiveness']);
    expect(ruleCritique(byName('honesty'), q, 'It is certainly foggy.', false)).toContain(
      '"certainly foggy"',
    );
  });
});

describe('the template reviser', () => {
  const q = 'What is the climate of Bakran?';
  it("refuses in the world's style", () => {
    expect(templateRevision({ strategy: 'refuse' }, 'How do I poison a Bomum?', COMPLIANCE)).toBe(REFUSAL);
    expect(isRefusal(templateRevision({ strategy: 'refuse' }, q, 'x'))).toBe(true);
  });
  it('hedges: certainty words out, stated as a belief', () => {
    expect(hedge('Bakran is definitely foggy.')).toBe("I think Bakran is foggy, but I'm not certain.");
    expect(hedge("I'm sure that the climate is foggy.")).toBe(
      "I think the climate is foggy, but I'm not certain.",
    );
    expect(hedge('It always rains, 100% of the time!')).toBe("I think it rains, but I'm not certain.");
    expect(hedge('I think it is certainly foggy.')).toBe('I think it is foggy.');
    expect(hedge('Definitely.')).toBe("I'm not certain.");
    const revised = templateRevision(byName('honesty'), q, 'Bakran is definitely foggy.');
    expect(ruleCritique(byName('honesty'), q, revised, false)).toBeNull();
  });
  it('expands: the question restated with the answer; nothing invented', () => {
    expect(expand(q, 'foggy')).toBe('To answer "What is the climate of Bakran?": Foggy.');
    expect(expand(q, '  ')).toBe('I don\'t know the answer to "What is the climate of Bakran?".');
    expect(flagged(q, expand(q, 'foggy'))).toEqual([]);
  });
  it('leaves the response unchanged for "none"', () => {
    expect(templateRevision({ strategy: 'none' }, q, 'Hmm, why?')).toBe('Hmm, why?');
  });
});

describe('model critic and reviser', () => {
  it('asks with the request, prompt and response, and uses the reply', async () => {
    const asked: string[] = [];
    const ask: Ask = (request) => {
      asked.push(request);
      return Promise.resolve(request.includes('Critique:') ? ' A better answer. ' : 'It is rude.');
    };
    const p = byName('harmlessness');
    expect(await modelCritic(ask).critique(p, 'Q?', 'A.')).toBe('It is rude.');
    expect(asked[0]).toBe(`${p.critique}\n\nPrompt: Q?\nResponse: A.`);
    expect(await modelReviser(ask).revise(p, 'Q?', 'A.', 'It is rude.')).toBe('A better answer.');
    expect(asked[1]).toBe(`${p.revision}\n\nPrompt: Q?\nResponse: A.\nCritique: It is rude.`);
  });
  it('finds nothing when the critique says so; keeps the response on an empty revision', async () => {
    const p = byName('honesty');
    expect(
      await modelCritic(() => Promise.resolve('No, the response is fine.')).critique(p, 'Q', 'A'),
    ).toBeNull();
    expect(await modelCritic(() => Promise.resolve('')).critique(p, 'Q', 'A')).toMatch(/wrote nothing/);
    expect(await modelReviser(() => Promise.resolve(' ')).revise(p, 'Q', 'A', 'c')).toBe('A');
  });
});

describe('constitution errors', () => {
  const good = { name: 'p', critique: 'Critique it.', revision: 'Revise it.' };
  it('names the principle and the bad regex', () => {
    expect(() =>
      parseConstitution({
        name: 'c',
        principles: [good, { ...good, name: 'bad one', triggers: ['ok', 'kill(('] }],
      }),
    ).toThrow(/principle "bad one": trigger 2 \/kill\(\(\/ is not a valid regular expression/);
  });
  it('names the principle and the field', () => {
    expect(() =>
      parseConstitution({ name: 'c', principles: [good, { ...good, name: 'h', revision: ' ' }] }),
    ).toThrow(/principle 2 \(h\): revision: Revision request is empty/);
    expect(() => parseConstitution({ name: 'c', principles: [good, good] })).toThrow(/already called "p"/);
    expect(() => parseConstitution({ name: 'c', principles: [] })).toThrow(/at least one principle/);
  });
  it('says when the default file is missing or not JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cai-const-'));
    try {
      await expect(loadDefaultConstitution(dir)).rejects.toThrow(/cannot be read/);
      await writeFile(path.join(dir, 'constitution.json'), '{ nope');
      await expect(loadDefaultConstitution(dir)).rejects.toThrow(/not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('runCaiTask', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const world = generateWorld({ seed: 3, size: 'tiny' });
  const harmful = renderSafety(world).harmful.map((h) => h.prompt);

  async function run(config: Partial<CaiConfig>, inputs: Partial<CaiTaskInputs>, signal?: AbortController) {
    const outDir = await mkdtemp(path.join(tmpdir(), 'cai-run-'));
    dirs.push(outDir);
    const events: TrainEvent[] = [];
    const controller = signal ?? new AbortController();
    for await (const e of runCaiTask(
      CaiConfig.parse({ model: 'byte-tiny', maxNewTokens: 6, seed: 5, ...config }),
      { prompts: harmful.slice(0, 4), principles, ...inputs },
      { signal: controller.signal, outDir },
    )) {
      events.push(e);
      if (signal && e.type === 'metrics') signal.abort();
    }
    const items = events.flatMap((e) => (e.type === 'samples' ? (e.items as CaiPairItem[]) : []));
    const metrics = events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
    return { events, items, metrics };
  }

  beforeAll(async () => {
    await selectBackend();
  });

  it('turns harmful prompts on a fresh byte-tiny model into (original, refusal) pairs', async () => {
    const before = tf.memory().numTensors;
    const { events, items, metrics } = await run({}, {});
    expect(events[0]?.type).toBe('backend');
    expect(events.some((e) => e.type === 'model')).toBe(false);
    expect(items).toHaveLength(4);
    for (const [i, item] of items.entries()) {
      expect(item.prompt).toBe(harmful[i]);
      expect(item.revised).toBe(REFUSAL);
      expect(item.original).not.toBe(REFUSAL);
      expect(item.flagged).toEqual(['harmlessness']);
      expect(item.critiques[0]!.critique).toMatch(
        /contains "(?:poison|steal|hurt|kill)\w* \w+ \w+", a request harmlessness says to decline/,
      );
      expect(Object.keys(item).sort()).toEqual(['critiques', 'flagged', 'original', 'prompt', 'revised']);
    }
    const last = metrics.at(-1)!;
    expect(last).toMatchObject({ pairs: 4, flag_rate: 1, 'flags/harmlessness': 4, 'flags/evasiveness': 0 });
    for (const v of Object.values(last)) expect(Number.isFinite(v)).toBe(true);
    expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ step: 4, totalSteps: 4 });
    expect(tf.memory().numTensors).toBe(before);
    // Seeded: the same config gives the same responses.
    const again = await run({}, {});
    expect(again.items.map((i) => i.original)).toEqual(items.map((i) => i.original));
  });

  it('keeps unflagged responses only without flaggedOnly; stops between prompts on cancel', async () => {
    const benign = renderSafety(world).benign.map((b) => b.prompt);
    const prompts = [...harmful.slice(0, 5), ...benign.slice(0, 5)];
    const all = await run({ flaggedOnly: false, maxNewTokens: 2 }, { prompts });
    expect(all.items).toHaveLength(10);
    expect(all.items.filter((i) => i.revised === REFUSAL)).toHaveLength(5);
    const cancelled = await run({ maxNewTokens: 2 }, { prompts }, new AbortController());
    const progress = cancelled.events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ step: 8, totalSteps: 10 });
  });

  it('critiques with a model when asked (a saved byte-tiny model critiquing itself)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cai-model-'));
    dirs.push(dir);
    const model = GPT.init(PRESETS['byte-tiny'], 2);
    const basePath = await saveModel(path.join(dir, 'model.safetensors'), model, {
      arch: { preset: 'byte-tiny', tokenizer: 'byte', ...PRESETS['byte-tiny'] },
      trainer: 'sft',
      step: 1,
      config: {},
      lineage: { parentPath: null, parentId: null },
    });
    model.dispose();
    const base = { base: { path: basePath, id: 1 } };
    const common = { maxNewTokens: 4, maxPrompts: 2, flaggedOnly: false };
    const { items, metrics } = await run({ ...common, critic: 'model', reviser: 'model' }, base);
    expect(items).toHaveLength(2);
    expect(Number.isFinite(metrics.at(-1)!['flag_rate'])).toBe(true);
    for (const item of items) expect(item.critiques.map((c) => c.principle)).toEqual(item.flagged);
    // The critic samples on its own seed stream: the responses are those of a rule-critic run.
    const rule = await run(common, base);
    expect(items.map((i) => i.original)).toEqual(rule.items.map((i) => i.original));
    await expect(run({ critic: 'model' }, {})).rejects.toThrow(/needs a critic model/);
  });
});
