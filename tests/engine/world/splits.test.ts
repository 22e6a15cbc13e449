// Splits and wordings: nothing held out leaks into training data, evaluated wordings are never
// trained on, pretrain-only facts are in the corpus, and forum threads never answer their question.
import { describe, expect, it } from 'vitest';
import {
  createGoldJudge,
  generateWorld,
  renderCorpus,
  renderEvalSets,
  renderPreferencePairs,
  renderRedTeam,
  renderSafety,
  renderSftPairs,
  renderUnanswerable,
  type World,
} from '../../../src/main/engine/world';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const mentions = (text: string, v: string) => new RegExp(`\\b${esc(v)}s?\\b`, 'i').test(text);

/** A prompt with every world name and number replaced: its wording, apart from the facts. */
function skeleton(world: World, prompt: string): string {
  const names = [
    ...world.places.flatMap((p) => [p.name, p.capital, p.language, p.currency]),
    ...world.creatures.map((c) => c.name),
    ...world.absentNames.train,
    ...world.absentNames.heldout,
  ].sort((a, b) => b.length - a.length);
  let s = prompt.toLowerCase();
  for (const n of names) s = s.replace(new RegExp(`\\b${esc(n.toLowerCase())}\\b`, 'g'), '{x}');
  return s.replace(/\d+/g, '{n}');
}

function training(world: World) {
  const sft = renderSftPairs(world);
  const pref = renderPreferencePairs(world);
  const safety = renderSafety(world);
  const unanswerable = renderUnanswerable(world);
  const prompts = [
    ...sft.map((p) => p.prompt),
    ...pref.map((p) => p.prompt),
    ...safety.harmful.map((p) => p.prompt),
    ...safety.benign.map((p) => p.prompt),
    ...unanswerable.map((p) => p.prompt),
    // Prompts a CAI loop answers: the model trains on its revisions of them.
    ...Object.values(renderRedTeam(world)).flat(),
  ];
  // Every training text, cut into sentences (a fact is stated within one sentence).
  const texts = [
    ...sft.flatMap((p) => [p.prompt, p.response]),
    ...pref.flatMap((p) => [p.prompt, p.chosen, p.rejected]),
    ...safety.harmful.flatMap((p) => [p.prompt, p.refusal]),
    ...safety.benign.flatMap((p) => [p.prompt, p.response]),
    ...unanswerable.flatMap((p) => [p.prompt, p.response]),
  ].flatMap((t) => t.split(/(?<=[.?!])\s+/));
  return { sft, pref, prompts, texts };
}

describe.each([1, 2, 3])('splits of world %i', (seed) => {
  const world = generateWorld({ seed, size: 'small' });
  const judge = createGoldJudge(world);
  const { sft, pref, prompts, texts } = training(world);
  const evals = renderEvalSets(world);
  const corpus = renderCorpus(world);

  it('trains only on train facts (by the ids renderers give and by parsing the prompts)', () => {
    const split = new Map(world.facts.map((f) => [f.id, f.split]));
    for (const p of [...sft, ...pref])
      if (p.factId?.startsWith('place') || p.factId?.startsWith('creature'))
        expect(split.get(p.factId)).toBe('train');
    for (const p of prompts) {
      const m = judge.classify(p);
      if (m.kind === 'fact') expect(m.fact.split, p).toBe('train');
    }
    const heldSums = new Set(world.arithmetic.filter((f) => f.split === 'heldout').map((f) => f.id));
    for (const p of prompts) {
      const m = judge.classify(p);
      if (m.kind === 'arithmetic') expect(heldSums.has(`arith:${m.a}${m.op}${m.b}`)).toBe(false);
    }
  });

  it('never states a held-out or pretrain-only fact in training data', () => {
    const hidden = world.facts.filter((f) => f.split !== 'train');
    expect(hidden.length).toBeGreaterThan(0);
    for (const f of hidden) {
      const leak = texts.find((t) => mentions(t, f.subject) && mentions(t, f.value));
      expect(leak, `${f.id} = ${f.value}`).toBeUndefined();
    }
    // Pretrain-only subjects are in no training prompt at all.
    const pretrainOnly = new Set(
      world.facts.filter((f) => f.split === 'pretrain-only').map((f) => f.subject),
    );
    for (const s of pretrainOnly) expect(prompts.some((p) => mentions(p, s))).toBe(false);
  });

  it('evaluates only wordings that no training prompt and no corpus thread uses', () => {
    const trained = new Set(prompts.map((p) => skeleton(world, p)));
    const threadQuestions = corpus
      .filter((d) => /^\w+: /.test(d))
      .map((d) => skeleton(world, d.split('\n')[0]!.replace(/^\w+: /, '')));
    for (const t of threadQuestions) trained.add(t);
    const all = Object.values(evals).flat();
    expect(all.length).toBeGreaterThan(100);
    for (const item of all) expect(trained.has(skeleton(world, item.prompt)), item.prompt).toBe(false);
    const trainedPrompts = new Set(prompts.map((p) => p.toLowerCase()));
    for (const item of all) expect(trainedPrompts.has(item.prompt.toLowerCase())).toBe(false);
  });

  it('asks the fact eval sets about the right splits', () => {
    const split = new Map(world.facts.map((f) => [f.id, f.split]));
    expect(evals.factsHeldOut.length).toBeGreaterThan(0);
    expect(evals.factsPretrainOnly.length).toBeGreaterThan(0);
    for (const i of evals.factsHeldOut) expect(split.get(i.factId!)).toBe('heldout');
    for (const i of evals.factsPretrainOnly) expect(split.get(i.factId!)).toBe('pretrain-only');
  });

  it('asks fact and sum questions only in words the corpus uses', () => {
    // A held-out wording tests whether SFT taught the answering format beyond the trained wordings;
    // a word the base model never read ("tongue") would test something else.
    const read = new Set(
      corpus
        .join(' ')
        .toLowerCase()
        .match(/[a-z']+/g),
    );
    const unread = [...evals.factsHeldOut, ...evals.factsPretrainOnly, ...evals.arithmetic]
      .flatMap((i) => (i.prompt.toLowerCase().match(/[a-z']+/g) ?? []).map((w) => `${w} (${i.prompt})`))
      .filter((w) => !read.has(w.split(' ')[0]!));
    expect(unread).toEqual([]);
  });

  it('states every fact, pretrain-only ones included, in a corpus sentence', () => {
    const sentences = corpus.flatMap((d) => d.split(/(?<=\.)\s+|\n/));
    for (const f of world.facts) {
      const stated = sentences.filter((s) => mentions(s, f.subject) && mentions(s, f.value));
      expect(stated.length, f.id).toBeGreaterThanOrEqual(world.corpusRepeats);
    }
  });

  it('has forum threads in which a question is followed by discussion, never by its answer', () => {
    const threads = corpus.filter((d) => /^\w+: /.test(d));
    expect(threads.length).toBeGreaterThanOrEqual(world.facts.length);
    for (const t of threads) {
      const [question, ...replies] = t.split('\n');
      expect(replies.length).toBeGreaterThanOrEqual(2);
      const m = judge.classify(question!.replace(/^\w+: /, ''));
      expect(m.kind, question).toBe('fact');
      if (m.kind === 'fact') expect(mentions(replies.join('\n'), m.fact.value), t).toBe(false);
    }
  });

  it('red-teams in wordings of its own, about train subjects, read by the judge as what they are', () => {
    const redteam = renderRedTeam(world);
    expect(redteam.harmful.length).toBeGreaterThan(40);
    expect(redteam.benign.length).toBeGreaterThan(10);
    const sft = new Set(
      [...renderSafety(world).harmful, ...renderSafety(world).benign].map((p) => skeleton(world, p.prompt)),
    );
    const evaluated = new Set([...evals.harmful, ...evals.benign].map((p) => skeleton(world, p.prompt)));
    const train = new Set(world.facts.filter((f) => f.split === 'train').map((f) => f.subject));
    for (const [kind, prompts] of Object.entries(redteam))
      for (const p of prompts) {
        expect(sft.has(skeleton(world, p)), p).toBe(false);
        expect(evaluated.has(skeleton(world, p)), p).toBe(false);
        expect(judge.classify(p).kind, p).toBe(kind);
        expect(
          [...train].some((s) => mentions(p, s)),
          p,
        ).toBe(true);
      }
  });

  it('makes safety data of train subjects only, and benign look-alikes share a harmful word', () => {
    const safety = renderSafety(world);
    expect(safety.harmful.length).toBeGreaterThan(20);
    expect(safety.benign.length).toBeGreaterThan(20);
    const harmWords = /\b(poison|steal|hurt|kill|shoot)\b/i;
    for (const b of [...safety.benign, ...evals.benign]) expect(b.prompt).toMatch(harmWords);
    for (const h of [...safety.harmful, ...evals.harmful]) expect(h.prompt).toMatch(harmWords);
  });
});
