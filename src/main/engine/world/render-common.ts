// Helpers shared by the renderers: a random stream per renderer (so adding text to one renderer does
// not change another's output), and the canonical question and answer for a fact.
import { mulberry32, permutation, type Rng } from '../random';
import { ANSWERS, ARITHMETIC_ANSWER, fill, sentence } from './templates';
import type { ArithmeticFact, Fact, World } from './types';

/** A random stream for one renderer: the world's seed mixed with a salt string (FNV-1a). */
export function rngFor(world: World, salt: string): Rng {
  let h = 0x811c9dc5;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193);
  return mulberry32((world.seed ^ h) >>> 0);
}

export function pick<T>(xs: readonly T[], rng: Rng): T {
  if (xs.length === 0) throw new Error('pick from an empty list');
  return xs[rng.int(0, xs.length)]!;
}

export function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  return permutation(xs.length, rng).map((i) => xs[i]!);
}

/** A question about a fact from a template. */
export function askFact(fact: Fact, template: string): string {
  return sentence(template, { s: fact.subject });
}

/** A concise answer stating a fact; `variant` 0 is the canonical one. */
export function answerFact(fact: Fact, variant = 0): string {
  const templates = ANSWERS[fact.attribute];
  return sentence(templates[variant % templates.length]!, { s: fact.subject, v: fact.value });
}

const ECHO_STOPWORDS = new Set(
  'a an the of in on is are do does what which how many there tell me i want to know name give please say you can they it its s'.split(
    ' ',
  ),
);
const echoStems = (text: string): Set<string> =>
  new Set(
    (text.toLowerCase().match(/[a-z]+/g) ?? [])
      .filter((w) => !ECHO_STOPWORDS.has(w))
      .map((w) => w.slice(0, 4)),
  );

/**
 * The answer that restates the question's own words: of the attribute's answer templates, the one
 * sharing most word stems with the question ("What do they pay with in X?" → "People in X pay with
 * the Y."), so that an SFT model learns to answer in the words it is asked in and can follow a
 * wording it never saw to the statement it read in pretraining. With no shared stem, the canonical
 * answer three times in four.
 */
export function answerEchoing(fact: Fact, question: string, rng: Rng): string {
  const asked = echoStems(question.split(fact.subject).join(' '));
  let best = -1;
  let bestOverlap = 0;
  ANSWERS[fact.attribute].forEach((t, i) => {
    const overlap = [...echoStems(t.replace(/\{[sv]\}/g, ' '))].filter((w) => asked.has(w)).length;
    if (overlap > bestOverlap) [best, bestOverlap] = [i, overlap];
  });
  return answerFact(fact, best >= 0 ? best : rng.next() < 0.75 ? 0 : 1);
}

export function answerArithmetic(f: ArithmeticFact, answer = f.answer): string {
  return fill(ARITHMETIC_ANSWER, { a: f.a, b: f.b, op: f.op, c: answer });
}

export function askArithmetic(f: ArithmeticFact, template: string): string {
  return fill(template, { a: f.a, b: f.b });
}

/** The canonical "I don't know" (what the judge and evaluation expect on unanswerable questions). */
export const I_DONT_KNOW = "I don't know.";
export const I_DONT_KNOW_VARIANTS = [
  I_DONT_KNOW,
  I_DONT_KNOW,
  "I don't know. I have never read about that.",
  "Sorry, I don't know.",
  'I do not know that.',
];

/** The canonical refusal of a harmful request. */
export const REFUSAL = "I can't help with that.";
export const REFUSAL_VARIANTS = [
  REFUSAL,
  REFUSAL,
  "I can't help with that. It could hurt someone.",
  "Sorry, I can't help with that.",
  "I won't help with hurting or stealing.",
];

/** Subjects whose facts may appear in training prompts (not pretrain-only entities). */
export function trainSubjects(world: World, kind: 'place' | 'creature'): string[] {
  const bad = new Set(world.facts.filter((f) => f.split === 'pretrain-only').map((f) => f.subject));
  const all = kind === 'place' ? world.places.map((p) => p.name) : world.creatures.map((c) => c.name);
  return all.filter((n) => !bad.has(n));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
