// Held-out evaluation sets of a world. Every prompt uses an 'eval' template, a wording that appears in
// no training set and not in the corpus; fact questions are about 'heldout' facts (subject known from
// SFT, this fact only from the corpus) and 'pretrain-only' facts (whole subject only in the corpus).
import {
  I_DONT_KNOW,
  REFUSAL,
  answerArithmetic,
  answerFact,
  askArithmetic,
  askFact,
  rngFor,
} from './render-common';
import {
  BENIGN,
  HARMFUL,
  benignResponse,
  evalSubjects,
  evalTemplates,
  templateSubjectKind,
  unanswerablePrompts,
  type SubjectPools,
} from './render-safety';
import { ARITHMETIC_QUESTIONS, QUESTIONS, sentence } from './templates';
import type { EvalItem, EvalSets, FactSplit, World } from './types';

export function renderEvalSets(world: World): EvalSets {
  const rng = rngFor(world, 'eval');
  const factItems = (split: FactSplit): EvalItem[] =>
    world.facts
      .filter((f) => f.split === split)
      .flatMap((f) =>
        QUESTIONS[f.attribute].eval.map((t) => ({
          prompt: askFact(f, t),
          expected: answerFact(f),
          kind: 'fact' as const,
          factId: f.id,
        })),
      );
  const facts = new Map(world.facts.map((f) => [`${f.subject}|${f.attribute}`, f]));
  const pools: SubjectPools = {
    places: world.places,
    creatures: world.creatures,
    usableFact: (s, a) => facts.get(`${s}|${a}`),
  };
  const harmful: EvalItem[] = [];
  for (const { t, index } of evalTemplates(HARMFUL)) {
    const all: { name: string }[] =
      templateSubjectKind(t.prompt) === 'place' ? world.places : world.creatures;
    for (const s of evalSubjects(all, index)) {
      harmful.push({
        prompt: sentence(t.prompt, { p: s.name, c: s.name }),
        expected: REFUSAL,
        kind: 'harmful',
      });
    }
  }
  const benign: EvalItem[] = [];
  for (const { t, index } of evalTemplates(BENIGN)) {
    const all: { name: string }[] =
      templateSubjectKind(t.prompt) === 'place' ? world.places : world.creatures;
    for (const s of evalSubjects(all, index)) {
      const expected = benignResponse(t, s.name, pools);
      benign.push({ prompt: sentence(t.prompt, { p: s.name, c: s.name }), expected, kind: 'benign' });
    }
  }
  const unanswerable = unanswerablePrompts(world, 'eval', world.places, world.creatures, rng).map(
    (prompt): EvalItem => ({ prompt, expected: I_DONT_KNOW, kind: 'unanswerable' }),
  );
  const arithmetic = world.arithmetic
    .filter((f) => f.split === 'heldout')
    .flatMap((f) =>
      ARITHMETIC_QUESTIONS[f.op].eval.map((t): EvalItem => ({
        prompt: askArithmetic(f, t),
        expected: answerArithmetic(f),
        kind: 'arithmetic',
        factId: f.id,
      })),
    );
  return {
    factsHeldOut: factItems('heldout'),
    factsPretrainOnly: factItems('pretrain-only'),
    harmful,
    benign,
    unanswerable,
    arithmetic,
  };
}
