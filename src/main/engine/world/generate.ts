// Generates a sandbox world from a seed: lands (capital, language, currency, climate, neighbour),
// creatures (habitat, diet, legs) and small sums, with every fact assigned to a split. Pure and
// deterministic: the same config always gives the same JSON. It renders no text (see render-*.ts).
import { mulberry32, permutation, type Rng } from '../random';
import { NameMaker } from './names';
import {
  CREATURE_ATTRIBUTES,
  PLACE_ATTRIBUTES,
  WORLD_SIZES,
  type ArithmeticFact,
  type Attribute,
  type Creature,
  type Fact,
  type Place,
  type World,
  type WorldConfig,
} from './types';

export const CLIMATES = ['cold', 'hot', 'dry', 'wet', 'mild', 'windy', 'foggy', 'snowy', 'stormy', 'rainy'];
export const HABITATS = [
  'forests',
  'marshes',
  'caves',
  'deserts',
  'hills',
  'rivers',
  'meadows',
  'mountains',
  'lakes',
  'swamps',
  'dunes',
  'reefs',
];
export const DIETS = [
  'berries',
  'fish',
  'insects',
  'grass',
  'seeds',
  'roots',
  'moss',
  'mushrooms',
  'worms',
  'snails',
  'fruit',
  'nuts',
];
export const LEG_COUNTS = [2, 4, 6, 8];
const LANGUAGE_SUFFIXES = ['ish', 'ic', 'ese', 'an'];

/** Share of places and of creatures whose every fact is pretrain-only. */
const PRETRAIN_ONLY_ENTITY_SHARE = 0.2;
/** Share of the remaining facts (per attribute) held out of SFT. */
const HELDOUT_FACT_SHARE = 0.2;
/** Share of arithmetic facts held out of SFT. */
const HELDOUT_ARITHMETIC_SHARE = 0.25;

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(0, xs.length)]!;

export function factId(subjectKind: 'place' | 'creature', subject: string, attribute: Attribute): string {
  return `${subjectKind}:${subject}:${attribute}`;
}

export function generateWorld(config: WorldConfig): World {
  const size = config.size ?? 'small';
  const preset = WORLD_SIZES[size];
  if (!Number.isInteger(config.seed)) throw new Error(`seed must be an integer, got ${config.seed}`);
  const corpusRepeats = config.corpusRepeats ?? preset.corpusRepeats;
  if (!Number.isInteger(corpusRepeats) || corpusRepeats < 1)
    throw new Error(`corpusRepeats must be a positive integer, got ${corpusRepeats}`);
  const rng = mulberry32(config.seed);
  const names = new NameMaker(rng);

  const placeNames = Array.from({ length: preset.places }, () => names.make([2, 2]));
  const ring = permutation(preset.places, rng); // lands in a ring: each lies west of the next
  const eastOf = new Map<string, string>();
  ring.forEach((p, i) => eastOf.set(placeNames[p]!, placeNames[ring[(i + 1) % ring.length]!]!));
  const places: Place[] = placeNames.map((name) => ({
    name,
    capital: names.make([2, 2]),
    language: names.make([2, 2], pick(LANGUAGE_SUFFIXES, rng)),
    currency: names.make([2, 2]),
    climate: pick(CLIMATES, rng),
    neighbour: eastOf.get(name)!,
  }));
  const creatures: Creature[] = Array.from({ length: preset.creatures }, () => ({
    name: names.make([2, 3]),
    habitat: pick(HABITATS, rng),
    diet: pick(DIETS, rng),
    legs: pick(LEG_COUNTS, rng),
  }));
  const absentCount = Math.max(4, Math.round(preset.places / 3));
  const absentNames = {
    train: Array.from({ length: absentCount }, () => names.make([2, 2])),
    heldout: Array.from({ length: absentCount }, () => names.make([2, 2])),
  };

  const pretrainOnly = new Set<string>();
  for (const list of [placeNames, creatures.map((c) => c.name)]) {
    const k = Math.max(1, Math.round(list.length * PRETRAIN_ONLY_ENTITY_SHARE));
    for (const i of permutation(list.length, rng).slice(0, k)) pretrainOnly.add(list[i]!);
  }

  const facts: Fact[] = [];
  const push = (kind: 'place' | 'creature', subject: string, attribute: Attribute, value: string): void => {
    const split = pretrainOnly.has(subject) ? 'pretrain-only' : 'train';
    facts.push({ id: factId(kind, subject, attribute), subject, subjectKind: kind, attribute, value, split });
  };
  for (const p of places) for (const a of PLACE_ATTRIBUTES) push('place', p.name, a, p[a]);
  for (const c of creatures) for (const a of CREATURE_ATTRIBUTES) push('creature', c.name, a, String(c[a]));
  // Hold out a share of each attribute's remaining facts, so every attribute is both taught and tested.
  for (const attribute of [...PLACE_ATTRIBUTES, ...CREATURE_ATTRIBUTES]) {
    const eligible = facts.filter((f) => f.attribute === attribute && f.split === 'train');
    const k = Math.max(1, Math.round(eligible.length * HELDOUT_FACT_SHARE));
    for (const i of permutation(eligible.length, rng).slice(0, k)) eligible[i]!.split = 'heldout';
  }

  return {
    seed: config.seed,
    size,
    corpusRepeats,
    places,
    creatures,
    facts,
    arithmetic: makeArithmetic(preset.arithmetic, rng),
    absentNames,
  };
}

function makeArithmetic(count: number, rng: Rng): ArithmeticFact[] {
  const seen = new Set<string>();
  const out: ArithmeticFact[] = [];
  while (out.length < count) {
    const op = rng.next() < 0.5 ? 'plus' : 'minus';
    let a = rng.int(0, 21);
    let b = rng.int(0, 21);
    if (op === 'minus' && b > a) [a, b] = [b, a];
    const id = `arith:${a}${op}${b}`;
    // 'a plus b' and 'b plus a' are one fact: never one in training and the other held out.
    const key = op === 'plus' ? `${Math.min(a, b)}plus${Math.max(a, b)}` : id;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id, a, b, op, answer: op === 'plus' ? a + b : a - b, split: 'train' });
  }
  const k = Math.max(1, Math.round(count * HELDOUT_ARITHMETIC_SHARE));
  for (const i of permutation(out.length, rng).slice(0, k)) out[i]!.split = 'heldout';
  return out;
}

/** Looks up facts by id; a convenience for renderers and the judge. */
export function factIndex(world: World): Map<string, Fact> {
  return new Map(world.facts.map((f) => [f.id, f]));
}
