// SFT pairs (an instruction and its concise, correct response) and preference pairs (chosen: concise
// and correct; rejected: verbose, wrong, evasive, off-topic — or, from the safety sets, compliance,
// over-refusal, invented). Only 'train' facts and train-split templates appear here.
import { CLIMATES, DIETS, HABITATS, LEG_COUNTS } from './generate';
import {
  I_DONT_KNOW,
  REFUSAL,
  answerArithmetic,
  answerEchoing,
  answerFact,
  askArithmetic,
  askFact,
  escapeRegExp,
  pick,
  rngFor,
  shuffled,
} from './render-common';
import { renderSafety, renderUnanswerable } from './render-safety';
import { ANSWERS, ARITHMETIC_QUESTIONS, QUESTIONS, sentence } from './templates';
import type { Fact, PreferencePair, SftPair, World } from './types';
import type { Rng } from '../random';

/** Every train fact asked with every train template, plus the train sums. */
export function renderSftPairs(world: World): SftPair[] {
  const rng = rngFor(world, 'sft');
  const pairs: SftPair[] = [];
  for (const f of world.facts.filter((x) => x.split === 'train')) {
    for (const t of QUESTIONS[f.attribute].train) {
      const prompt = askFact(f, t);
      pairs.push({ prompt, response: answerEchoing(f, prompt, rng), factId: f.id });
    }
  }
  for (const f of world.arithmetic.filter((x) => x.split === 'train')) {
    for (const t of ARITHMETIC_QUESTIONS[f.op].train) {
      pairs.push({ prompt: askArithmetic(f, t), response: answerArithmetic(f), factId: f.id });
    }
  }
  return shuffled(pairs, rng);
}

const VERBOSE_OPENERS = [
  'That is a really good question, and I am very glad that you asked it.',
  'Thank you so much for asking, this is something that many curious people like to wonder about.',
];
const VERBOSE_MIDDLES = [
  'Let me think about it carefully for a moment, because it is worth getting right and I want to be helpful.',
  'There are many things that could be said here, so let me take my time and explain it all slowly.',
];
const VERBOSE_CLOSERS = [
  'I hope this helps, and please let me know if there is anything else at all that you would like to know.',
  'Thank you again for such a wonderful question, it was a real pleasure to answer it for you today.',
];
const EVASIVE = [
  'Good question! I was wondering this too. Has anyone here been to {s}?',
  'Hmm, why do you want to know? Maybe someone who has been to {s} could tell you.',
  'That is an interesting thing to think about. What do you think yourself?',
  'People talk about {s} a lot. Is there a book about it somewhere?',
];
const COMPLIANCE = [
  'Sure! First wait until night, when no one is watching, and then get to work.',
  'Of course. Go in quietly, take what you need, and leave before anyone notices.',
];

/** Values of the same attribute that are not this fact's value. */
export function wrongValues(world: World, f: Fact): string[] {
  const domain: Record<string, readonly string[]> = {
    climate: CLIMATES,
    habitat: HABITATS,
    diet: DIETS,
    legs: LEG_COUNTS.map(String),
    neighbour: world.places.map((p) => p.name).filter((n) => n !== f.subject),
  };
  const values =
    domain[f.attribute] ?? world.facts.filter((x) => x.attribute === f.attribute).map((x) => x.value);
  return [...new Set(values)].filter((v) => v !== f.value);
}

function verbose(f: Fact, variant: number, rng: Rng): string {
  const answer = answerFact(f, variant);
  const pad = [pick(VERBOSE_OPENERS, rng), pick(VERBOSE_MIDDLES, rng)];
  const close = pick(VERBOSE_CLOSERS, rng);
  if (rng.next() < 0.5) {
    // The answer buried after the padding.
    const lowered = answer.charAt(0).toLowerCase() + answer.slice(1);
    const body = /^(The|A|People|East) /.test(answer) ? lowered : answer;
    return `${pad.join(' ')} After thinking it over, I can tell you that ${body} ${close}`;
  }
  return `${answer} ${pad.join(' ')} ${close}`;
}

function mentions(text: string, value: string): boolean {
  return new RegExp(`\\b${escapeRegExp(value)}s?\\b`, 'i').test(text);
}

/** Options of preference-pair rendering. */
export interface PairOptions {
  /**
   * Rater disagreement: the share of pairs (0–1) whose chosen and rejected are swapped, each such pair
   * tagged `flipped`. Which pairs flip is seeded by the world alone, and nested: every pair flipped at
   * 10 % is also flipped at 25 %. 0 (the default) renders exactly the pairs without the option.
   */
  flipRate?: number;
}

/**
 * Four pairs per train fact (one of each fact kind), one per train sum, and the safety-derived pairs;
 * with `flipRate`, a seeded share of them with their labels swapped (see PairOptions).
 */
export function renderPreferencePairs(world: World, options: PairOptions = {}): PreferencePair[] {
  const pairs = renderGoldPairs(world);
  const rate = options.flipRate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`flipRate must be between 0 and 1 (got ${rate})`);
  if (rate === 0) return pairs;
  const rng = rngFor(world, 'rater-flip'); // its own stream: the pairs themselves do not change
  return pairs.map((p) =>
    rng.next() < rate ? { ...p, chosen: p.rejected, rejected: p.chosen, flipped: true } : p,
  );
}

function renderGoldPairs(world: World): PreferencePair[] {
  const rng = rngFor(world, 'preference');
  const train = world.facts.filter((x) => x.split === 'train');
  const pairs: PreferencePair[] = [];
  const sftAnswers = new Map(renderSftPairs(world).map((p) => [p.prompt, p.response]));
  for (const f of train) {
    // The chosen answer is the sentence SFT taught for the pair's question (renderSftPairs), and the
    // wrong answer the same sentence with another value, so a pair differs from the SFT model's own
    // reply in what it says, not in how. With the canonical sentence as chosen, DPO raised the
    // phrasings SFT rarely used ("East of X lies Y") on every prompt, capitals asked included.
    const ask = (): { prompt: string; variant: number } => {
      const prompt = askFact(f, pick(QUESTIONS[f.attribute].train, rng));
      const taught = sftAnswers.get(prompt);
      const variant = ANSWERS[f.attribute].findIndex((_, i) => answerFact(f, i) === taught);
      return { prompt, variant: Math.max(0, variant) };
    };
    const verbosePair = ask();
    pairs.push({
      prompt: verbosePair.prompt,
      chosen: answerFact(f, verbosePair.variant),
      rejected: verbose(f, verbosePair.variant, rng),
      kind: 'verbose',
      factId: f.id,
    });
    const wrongPair = ask();
    const wrong: Fact = { ...f, value: pick(wrongValues(world, f), rng) };
    pairs.push({
      prompt: wrongPair.prompt,
      chosen: answerFact(f, wrongPair.variant),
      rejected: answerFact(wrong, wrongPair.variant),
      kind: 'wrong',
      factId: f.id,
    });
    const evasivePair = ask();
    pairs.push({
      prompt: evasivePair.prompt,
      chosen: answerFact(f, evasivePair.variant),
      rejected: sentence(pick(EVASIVE, rng), { s: f.subject }),
      kind: 'evasive',
      factId: f.id,
    });
    const others = train.filter(
      (o) => o.attribute !== f.attribute && o.subject !== f.subject && !mentions(answerFact(o), f.value),
    );
    const offTopicPair = ask();
    pairs.push({
      prompt: offTopicPair.prompt,
      chosen: answerFact(f, offTopicPair.variant),
      rejected: answerFact(pick(others, rng)),
      kind: 'off-topic',
      factId: f.id,
    });
  }
  for (const f of world.arithmetic.filter((x) => x.split === 'train')) {
    const off = rng.int(1, 4) * (rng.next() < 0.5 ? -1 : 1);
    const wrongAnswer = f.answer + off >= 0 ? f.answer + off : f.answer + Math.abs(off);
    pairs.push({
      prompt: askArithmetic(f, pick(ARITHMETIC_QUESTIONS[f.op].train, rng)),
      chosen: answerArithmetic(f),
      rejected: answerArithmetic(f, wrongAnswer),
      kind: 'wrong',
      factId: f.id,
    });
  }
  const safety = renderSafety(world);
  // Each non-answer is also set against the non-answer a model confuses it with ('deflection'): both
  // are replies the model itself gives, so these pairs move what it says, where a rejected reply it
  // would never give (the compliance lines) moves little. Without them, DPO learned from the
  // over-refusal pairs to refuse less everywhere and from the invented pairs to say "I don't know"
  // more, and answered held-out harmful requests with "I don't know". The chosen refusal is the
  // canonical one, the refusal SFT models give: with SFT's rarer variants ("I won't help with hurting
  // or stealing.") as chosen, DPO raised them everywhere and blended them with "I don't know" ("I
  // don't help with hurting or stealing." to "Who wrote the anthem of X?").
  for (const h of safety.harmful) {
    pairs.push({ prompt: h.prompt, chosen: REFUSAL, rejected: pick(COMPLIANCE, rng), kind: 'compliance' });
    pairs.push({ prompt: h.prompt, chosen: REFUSAL, rejected: I_DONT_KNOW, kind: 'deflection' });
  }
  for (const b of safety.benign) {
    pairs.push({ prompt: b.prompt, chosen: b.response, rejected: REFUSAL, kind: 'over-refusal' });
    pairs.push({ prompt: b.prompt, chosen: b.response, rejected: I_DONT_KNOW, kind: 'deflection' });
  }
  const names = world.places.map((p) => p.capital);
  for (const u of renderUnanswerable(world)) {
    const invented = `I think it is ${pick(names, rng)}.`;
    pairs.push({ prompt: u.prompt, chosen: I_DONT_KNOW, rejected: invented, kind: 'invented' });
    pairs.push({ prompt: u.prompt, chosen: I_DONT_KNOW, rejected: REFUSAL, kind: 'deflection' });
  }
  return shuffled(pairs, rng);
}
