// The data of a sandbox world: plain JSON-serialisable records, so a world can be stored, diffed and
// shipped as it is. Generation lives in generate.ts, text rendering in the render-*.ts files.

/** How big a world is: the number of places and creatures, arithmetic facts and corpus repeats. */
export type WorldSize = 'tiny' | 'small' | 'medium';

export interface WorldConfig {
  /** Seed of every random choice; the same seed and size always give the same world. */
  seed: number;
  /** Preset of counts, see WORLD_SIZES. Default 'small'. */
  size?: WorldSize;
  /** How many times each entity's encyclopedia entry is restated in the corpus. Default from the size. */
  corpusRepeats?: number;
}

export interface WorldSizePreset {
  /** Number of places (lands). */
  places: number;
  /** Number of creatures. */
  creatures: number;
  /** Number of arithmetic facts (a plus/minus b). */
  arithmetic: number;
  /** Restatements of each encyclopedia entry in the corpus (each with fresh phrasings). */
  corpusRepeats: number;
}

export const WORLD_SIZES: Record<WorldSize, WorldSizePreset> = {
  tiny: { places: 8, creatures: 8, arithmetic: 40, corpusRepeats: 3 },
  small: { places: 24, creatures: 24, arithmetic: 120, corpusRepeats: 6 },
  medium: { places: 64, creatures: 64, arithmetic: 300, corpusRepeats: 5 },
};

export type PlaceAttribute = 'capital' | 'language' | 'currency' | 'climate' | 'neighbour';
export type CreatureAttribute = 'habitat' | 'diet' | 'legs';
export type Attribute = PlaceAttribute | CreatureAttribute;

export const PLACE_ATTRIBUTES: readonly PlaceAttribute[] = [
  'capital',
  'language',
  'currency',
  'climate',
  'neighbour',
];
export const CREATURE_ATTRIBUTES: readonly CreatureAttribute[] = ['habitat', 'diet', 'legs'];

/**
 * Where a fact may appear.
 * - 'train': the corpus, SFT pairs, preference pairs and safety data.
 * - 'heldout': the corpus only; its subject has other facts in SFT (e.g. Vorlane's language is
 *   taught, its capital held out). Evaluated in `factsHeldOut`.
 * - 'pretrain-only': the corpus only, and its subject appears in no SFT, preference or safety
 *   prompt at all (the whole entity is known from pretraining). Evaluated in `factsPretrainOnly`.
 */
export type FactSplit = 'train' | 'heldout' | 'pretrain-only';

export interface Place {
  name: string;
  capital: string;
  language: string;
  currency: string;
  climate: string;
  /** The land that lies east of this one (the lands form a ring, so this is not symmetric). */
  neighbour: string;
}

export interface Creature {
  name: string;
  /** A kind of terrain, plural: 'caves', 'marshes', … */
  habitat: string;
  /** A food, plural or mass noun: 'berries', 'moss', … */
  diet: string;
  legs: number;
}

export interface Fact {
  /** Stable id, e.g. 'place:Vorlane:capital'. */
  id: string;
  subject: string;
  subjectKind: 'place' | 'creature';
  attribute: Attribute;
  /** The value as rendered: a name, a word, or a number in digits ('6'). */
  value: string;
  split: FactSplit;
}

export type ArithmeticOp = 'plus' | 'minus';

export interface ArithmeticFact {
  /** e.g. 'arith:7plus5'. */
  id: string;
  a: number;
  b: number;
  op: ArithmeticOp;
  answer: number;
  /** 'train' goes to SFT; 'heldout' only to the corpus and the arithmetic eval set. */
  split: 'train' | 'heldout';
}

export interface World {
  seed: number;
  size: WorldSize;
  corpusRepeats: number;
  places: Place[];
  creatures: Creature[];
  facts: Fact[];
  arithmetic: ArithmeticFact[];
  /** Syllabic names that exist nowhere in the world: subjects of unanswerable questions. */
  absentNames: { train: string[]; heldout: string[] };
}

/** An instruction and its concise, correct response. */
export interface SftPair {
  prompt: string;
  response: string;
  factId?: string;
}

/**
 * What is wrong with a rejected response. The first four are about facts; the others pair the
 * safety and unanswerable sets: 'compliance' (a harmful request obeyed), 'over-refusal' (a benign
 * look-alike refused), 'invented' (a value made up instead of "I don't know"), 'deflection' (the
 * wrong non-answer: "I don't know" to a harmful request or a benign one, a refusal of a question the
 * world cannot answer).
 */
export type PreferenceKind =
  'verbose' | 'wrong' | 'evasive' | 'off-topic' | 'compliance' | 'over-refusal' | 'invented' | 'deflection';

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  kind: PreferenceKind;
  factId?: string;
  /** Rater disagreement: the labels were swapped on purpose (the gold judge prefers `rejected`). */
  flipped?: boolean;
}

export interface SafetySet {
  harmful: { prompt: string; refusal: string }[];
  benign: { prompt: string; response: string }[];
}

export type EvalKind = 'fact' | 'harmful' | 'benign' | 'unanswerable' | 'arithmetic';

export interface EvalItem {
  prompt: string;
  /** A reference response (the canonical answer, refusal or "I don't know."). */
  expected?: string;
  kind: EvalKind;
  factId?: string;
}

export interface EvalSets {
  factsHeldOut: EvalItem[];
  factsPretrainOnly: EvalItem[];
  harmful: EvalItem[];
  benign: EvalItem[];
  unanswerable: EvalItem[];
  arithmetic: EvalItem[];
}
