// Reads a prompt back to what it asks: a fact of the world, a sum, a harmful request, a benign
// look-alike, an unanswerable question, or nothing known. Three layers, first match wins: an exact
// index of every rendered prompt, a parser for every template, and a keyword fallback for new wordings.
import { escapeRegExp } from './render-common';
import { renderPreferencePairs, renderSftPairs } from './render-pairs';
import { BENIGN, HARMFUL, UNKNOWN_ATTRIBUTES } from './render-safety';
import { renderEvalSets } from './render-eval';
import { ATTRIBUTE_KEYWORDS, QUESTIONS } from './templates';
import {
  CREATURE_ATTRIBUTES,
  PLACE_ATTRIBUTES,
  type ArithmeticOp,
  type Attribute,
  type Fact,
  type World,
} from './types';

export type PromptMeaning =
  | { kind: 'fact'; fact: Fact }
  | { kind: 'arithmetic'; a: number; b: number; op: ArithmeticOp; answer: number; id?: string }
  | { kind: 'harmful' }
  | { kind: 'benign'; topic?: string; subject?: string }
  | { kind: 'unanswerable' }
  | { kind: 'unknown-prompt' };

export function normalisePrompt(prompt: string): string {
  return prompt
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** A regex for a template: placeholders capture a subject, trailing punctuation is optional. */
function templateRegex(template: string): RegExp {
  const body = escapeRegExp(template.replace(/[?.!]+$/, '')).replace(/\\\{[a-z]\\\}/g, '(.+?)');
  return new RegExp(`^${body}[?.!]*$`, 'i');
}

const HARM_VERBS = /\b(poison|steal|hurt|kill|rob|attack|stab|harm|shoot)\b/i;
const BENIGN_OBJECTS =
  /\b(weeds?|time|show|glance|lights?|photo|less|pests?|safe from|fever|nap|breeze|smell|music|calm|film)\b/i;

export function createPromptParser(world: World): (prompt: string) => PromptMeaning {
  const subjects = new Map<string, { name: string; kind: 'place' | 'creature' }>();
  for (const p of world.places) subjects.set(p.name.toLowerCase(), { name: p.name, kind: 'place' });
  for (const c of world.creatures) subjects.set(c.name.toLowerCase(), { name: c.name, kind: 'creature' });
  const facts = new Map(world.facts.map((f) => [`${f.subject}|${f.attribute}`, f]));
  const factById = new Map(world.facts.map((f) => [f.id, f]));
  const arithById = new Map(world.arithmetic.map((f) => [f.id, f]));
  const factFor = (subject: string, attribute: Attribute): PromptMeaning | undefined => {
    const s = subjects.get(subject.trim().toLowerCase());
    const f = s && facts.get(`${s.name}|${attribute}`);
    if (f) return { kind: 'fact', fact: f };
    // A single unknown name in a question about a real attribute: the world does not have it.
    if (!s && /^[A-Za-z]+$/.test(subject.trim())) return { kind: 'unanswerable' };
    return undefined;
  };

  // Layer 2: a regex for every template.
  const parsers: { re: RegExp; meaning: (m: RegExpMatchArray) => PromptMeaning | undefined }[] = [];
  for (const t of HARMFUL)
    parsers.push({ re: templateRegex(t.prompt), meaning: () => ({ kind: 'harmful' }) });
  for (const t of BENIGN)
    parsers.push({
      re: templateRegex(t.prompt),
      meaning: (m) => ({ kind: 'benign', topic: t.topic, subject: m[1] }),
    });
  for (const t of UNKNOWN_ATTRIBUTES)
    parsers.push({ re: templateRegex(t.prompt), meaning: () => ({ kind: 'unanswerable' }) });
  for (const attribute of [...PLACE_ATTRIBUTES, ...CREATURE_ATTRIBUTES]) {
    const q = QUESTIONS[attribute];
    for (const t of [...q.train, ...q.eval, ...q.thread])
      parsers.push({ re: templateRegex(t), meaning: (m) => factFor(m[1] ?? '', attribute) });
  }

  const parse = (prompt: string): PromptMeaning => {
    const arith = parseArithmetic(prompt);
    if (arith) return arith;
    for (const p of parsers) {
      const m = prompt.match(p.re);
      const meaning = m && p.meaning(m);
      if (meaning) return meaning;
    }
    return fallback(prompt);
  };

  // Layer 3: keywords, for wordings no template has.
  const names = [...subjects.values()].sort((a, b) => b.name.length - a.name.length);
  const fallback = (prompt: string): PromptMeaning => {
    if (HARM_VERBS.test(prompt))
      return BENIGN_OBJECTS.test(prompt) ? { kind: 'benign' } : { kind: 'harmful' };
    const s = names.find((n) => new RegExp(`\\b${escapeRegExp(n.name)}\\b`, 'i').test(prompt));
    const attributes: Attribute[] =
      s?.kind === 'creature' ? ['legs', 'diet', 'habitat'] : [...PLACE_ATTRIBUTES];
    const attribute = attributes.find((a) => ATTRIBUTE_KEYWORDS[a].test(prompt));
    if (s && attribute) return factFor(s.name, attribute) ?? { kind: 'unknown-prompt' };
    const question = /\?\s*$/.test(prompt) || /^(what|who|which|where|when|how|in what)\b/i.test(prompt);
    if (s && question) return { kind: 'unanswerable' };
    const anyAttribute = [...PLACE_ATTRIBUTES, ...CREATURE_ATTRIBUTES].some((a) =>
      ATTRIBUTE_KEYWORDS[a].test(prompt),
    );
    if (question && anyAttribute && /\s[A-Z][a-z]{3,}/.test(prompt)) return { kind: 'unanswerable' };
    return { kind: 'unknown-prompt' };
  };

  // Layer 1: every prompt the renderers produce, with the meaning its renderer gave it.
  const index = new Map<string, PromptMeaning>();
  const add = (prompt: string, meaning: PromptMeaning | undefined): void => {
    index.set(normalisePrompt(prompt).toLowerCase(), meaning ?? parse(normalisePrompt(prompt)));
  };
  const byId = (id: string | undefined): PromptMeaning | undefined => {
    const f = id === undefined ? undefined : factById.get(id);
    if (f) return { kind: 'fact', fact: f };
    const a = id === undefined ? undefined : arithById.get(id);
    return a && { kind: 'arithmetic', a: a.a, b: a.b, op: a.op, answer: a.answer, id: a.id };
  };
  for (const p of renderSftPairs(world)) add(p.prompt, byId(p.factId));
  for (const p of renderPreferencePairs(world)) add(p.prompt, byId(p.factId));
  const sets = renderEvalSets(world);
  for (const items of Object.values(sets)) for (const item of items) add(item.prompt, byId(item.factId));

  return (prompt: string): PromptMeaning => {
    const p = normalisePrompt(prompt);
    return index.get(p.toLowerCase()) ?? parse(p);
  };
}

const ARITH_PATTERNS: { re: RegExp; op: ArithmeticOp; swap?: boolean }[] = [
  { re: /\b(\d+)\s*(?:plus|\+)\s*(\d+)\b/i, op: 'plus' },
  { re: /\b(\d+)\s*(?:minus|-)\s*(\d+)\b/i, op: 'minus' },
  { re: /\badd\s+(\d+)\s+(?:and|to)\s+(\d+)\b/i, op: 'plus' },
  { re: /\bsubtract\s+(\d+)\s+from\s+(\d+)\b/i, op: 'minus', swap: true },
];

export function parseArithmetic(prompt: string): PromptMeaning | undefined {
  for (const { re, op, swap } of ARITH_PATTERNS) {
    const m = prompt.match(re);
    if (!m) continue;
    let a = Number(m[1]);
    let b = Number(m[2]);
    if (swap) [a, b] = [b, a];
    return { kind: 'arithmetic', a, b, op, answer: op === 'plus' ? a + b : a - b };
  }
  return undefined;
}
