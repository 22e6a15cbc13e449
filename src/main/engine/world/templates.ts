// The wordings of the sandbox world. Question templates come in three disjoint sets: 'train' (SFT,
// preference and thread questions), 'eval' (only in evaluation sets, so an evaluated wording was never
// trained on) and 'thread' (only in the corpus's forum threads). `{s}` is the subject, `{v}` the value.
// Sixteen training wordings per attribute: with three, an SFT model learned the wordings rather
// than the format and answered unseen ones about the wrong attribute. (Eight against sixteen, SFT
// from the same two pretrained bases, share of held-out questions answered in the asked form: 87.5
// against 97–100 % on one, 88–94 against 78–84 % on the other; the base decides more.) None is
// shaped like an answer ("The capital of X is what?" came back as a reply), and no eval wording
// shares a phrase with content with another attribute's wording
// (tests/engine/world/templates.test.ts). Twelve more train wordings per attribute put two indirect
// questions of it in six frames shared by every attribute (TRAIN_FRAMES): from the same four bases,
// held-out questions answered in the asked form 79.7 → 84.4 %, correctly 64.3 → 67.7 % on the
// pretrain-only ones, "What would you say the X eats?" 8 → 42 %; pretrain-only form 90.1 → 88.8 %.
import type { ArithmeticOp, Attribute } from './types';

export interface QuestionTemplates {
  train: string[];
  eval: string[];
  thread: string[];
}

const WORDED: Record<Attribute, QuestionTemplates> = {
  capital: {
    train: [
      'What is the capital of {s}?',
      'Name the capital of {s}.',
      'Which city is the capital of {s}?',
      'Tell me the capital of {s}.',
      'What is the main city of {s}?',
      "Which city is {s}'s capital?",
      'I want to know the capital of {s}.',
      'Capital of {s}?',
      'Do you know the capital of {s}?',
      'Please name the capital of {s}.',
      'Give me the capital of {s}.',
      "What's the capital of {s}?",
      'Name the capital city of {s}.',
      'Which town is the capital of {s}?',
      'Which capital does {s} have?',
      'Say what the capital of {s} is.',
    ],
    eval: [
      'What city serves as the capital of {s}?',
      'Can you tell me what the capital of {s} is?',
      'Which city would you say is the capital of {s}?',
      'What is the name of the chief city of {s}?',
      'I would like to know the capital city of {s}.',
      'In {s}, which city is the capital?',
    ],
    thread: ['Does anyone know the capital of {s}?', 'what is the capital city of {s}'],
  },
  language: {
    train: [
      'What language do people speak in {s}?',
      'What is the language of {s}?',
      'Which language is spoken in {s}?',
      'Tell me the language of {s}.',
      'Which language do they speak in {s}?',
      'What is the spoken language of {s}?',
      'I want to know the language of {s}.',
      'Language of {s}?',
      'Do you know the language of {s}?',
      'Please name the language of {s}.',
      'Give me the language of {s}.',
      "What's the language of {s}?",
      'Name the main language of {s}.',
      'What language is used by the people of {s}?',
      'Speakers in {s} use which language?',
      'Say which language people speak in {s}.',
    ],
    eval: [
      'In {s}, which tongue do people use?',
      'Can you tell me what language is spoken in {s}?',
      'Which language would you say people speak in {s}?',
      'What is the name of the language of {s}?',
      'I would like to know the language spoken in {s}.',
      'In {s}, which language do they speak?',
    ],
    thread: ['Does anyone know what they speak in {s}?', 'what language is used in {s}'],
  },
  currency: {
    train: [
      'What is the currency of {s}?',
      'What money do they have in {s}?',
      'Which currency is used in {s}?',
      'Tell me the currency of {s}.',
      'Which money is used in {s}?',
      'What do they pay with in {s}?',
      'I want to know the currency of {s}.',
      'Currency of {s}?',
      'Do you know the currency of {s}?',
      'Please name the currency of {s}.',
      'Give me the currency of {s}.',
      "What's the currency of {s}?",
      'Name the money of {s}.',
      'What coins are used in {s}?',
      'Which money do they use in {s}?',
      'Say which currency is used in {s}.',
    ],
    eval: [
      'What do people pay with in {s}?',
      'Can you tell me what the currency of {s} is?',
      'Which money would you say they have in {s}?',
      'What is the name of the currency of {s}?',
      'I would like to know the money of {s}.',
      'In {s}, which money do they use?',
    ],
    thread: ['Does anyone know what money they use in {s}?', 'what currency do they have in {s}'],
  },
  climate: {
    train: [
      'What is the climate of {s}?',
      'What is the weather like in {s}?',
      'Describe the climate of {s}.',
      'Tell me the climate of {s}.',
      'How is the climate in {s}?',
      'What weather does {s} have?',
      'I want to know the climate of {s}.',
      'Climate of {s}?',
      'Do you know the climate of {s}?',
      'Please describe the weather of {s}.',
      'Give me the climate of {s}.',
      "What's the climate of {s}?",
      'Describe the weather in {s}.',
      'What is the weather usually like in {s}?',
      'How is the weather in {s}?',
      'Say what the climate of {s} is.',
    ],
    eval: [
      'What kind of climate does {s} have?',
      'Can you tell me what the climate of {s} is?',
      'Which climate would you say {s} has?',
      'What is the weather like most of the year in {s}?',
      'I would like to know the weather in {s}.',
      'In {s}, what is the weather like?',
    ],
    thread: ['Does anyone know the weather in {s}?', 'what is the climate in {s} like'],
  },
  neighbour: {
    train: [
      'Which land lies east of {s}?',
      'What is east of {s}?',
      'Name the land to the east of {s}.',
      'Tell me which land is east of {s}.',
      'Which land is to the east of {s}?',
      'What land do you reach going east from {s}?',
      'I want to know what lies east of {s}.',
      'East of {s}?',
      'Do you know which land is east of {s}?',
      'Please name the land east of {s}.',
      'Give me the land east of {s}.',
      "What's east of {s}?",
      'Name the land that lies east of {s}.',
      'Which land borders {s} to the east?',
      'Which land is the eastern neighbour of {s}?',
      'Say which land lies east of {s}.',
    ],
    eval: [
      'If you travel east from {s}, which land do you reach?',
      'Can you tell me which land is east of {s}?',
      'Which land would you say lies east of {s}?',
      'What is the name of the land east of {s}?',
      'I would like to know which land lies east of {s}.',
      'Going east from {s}, what land is there?',
    ],
    thread: ['Does anyone know what lies east of {s}?', 'what land is to the east of {s}'],
  },
  habitat: {
    train: [
      'Where does the {s} live?',
      'What is the habitat of the {s}?',
      'Where can you find the {s}?',
      'Tell me where the {s} lives.',
      'What is the home of the {s}?',
      'In which place does the {s} live?',
      'I want to know where the {s} lives.',
      'Habitat of the {s}?',
      'Do you know the habitat of the {s}?',
      'Please say where the {s} lives.',
      'Give me the habitat of the {s}.',
      "What's the habitat of the {s}?",
      'Name the place where the {s} lives.',
      'Where is the {s} found?',
      'In what place is the {s} found?',
      'Which place is home to the {s}?',
    ],
    eval: [
      'In what kind of place does the {s} make its home?',
      'Can you tell me where the {s} lives?',
      'Where would you say the {s} lives?',
      'What is the name of the place the {s} lives in?',
      'I would like to know where the {s} lives.',
      'Where does the {s} make its home?',
    ],
    thread: ['Does anyone know where the {s} lives?', 'where do you find a {s}'],
  },
  diet: {
    train: [
      'What does the {s} eat?',
      'What is the diet of the {s}?',
      'What food does the {s} eat?',
      'Tell me what the {s} eats.',
      'What is the food of the {s}?',
      'What does a {s} eat?',
      'I want to know what the {s} eats.',
      'Diet of the {s}?',
      'Do you know the diet of the {s}?',
      'Please say what the {s} eats.',
      'Give me the diet of the {s}.',
      "What's the diet of the {s}?",
      'Name the food of the {s}.',
      'Which food is eaten by the {s}?',
      'What meals does the {s} have?',
      'Say what the {s} eats.',
    ],
    eval: [
      'What does a {s} feed on?',
      'Can you tell me what the {s} eats?',
      'What would you say the {s} eats?',
      'What kind of food does the {s} eat?',
      'I would like to know what the {s} eats.',
      'What does the {s} like to eat?',
    ],
    thread: ['Does anyone know what the {s} eats?', 'what food does a {s} like'],
  },
  legs: {
    train: [
      'How many legs does the {s} have?',
      'How many legs has the {s}?',
      'Count the legs of the {s}.',
      'Tell me how many legs the {s} has.',
      'How many legs does a {s} have?',
      'What is the number of legs of the {s}?',
      'I want to know how many legs the {s} has.',
      'Legs of the {s}?',
      'Do you know how many legs the {s} has?',
      'Please count the legs of the {s}.',
      'Give me the number of legs of the {s}.',
      "What's the number of legs of the {s}?",
      'Count how many legs the {s} has.',
      'How many legs are on a {s}?',
      'On a {s}, how many legs are there?',
      'Say how many legs the {s} has.',
    ],
    eval: [
      'On how many legs does the {s} walk?',
      'Can you tell me how many legs the {s} has?',
      'How many legs would you say the {s} has?',
      'What is the number of legs on a {s}?',
      'I would like to know how many legs the {s} has.',
      'On a {s}, how many legs can you count?',
    ],
    thread: ['Does anyone know how many legs the {s} has?', 'how many legs on a {s}'],
  },
};

/**
 * Frames around an indirect question, the same for every attribute, so that a frame says nothing about
 * which attribute is asked and only the content words do. An SFT model trained on attribute-specific
 * wordings alone learned "What would you say the X …?" as a habitat question whatever came after it
 * (8 % of such diet questions answered about the diet). None of these frames is in an eval wording.
 */
export const TRAIN_FRAMES = [
  'I wonder {q}.',
  'Could you say {q}?',
  'Let me know {q}.',
  'Remind me {q}.',
  'I need to know {q}.',
  'Explain {q}.',
];

/** Indirect questions ("what the {s} eats") for the frames; two per attribute. */
export const CLAUSES: Record<Attribute, [string, string]> = {
  capital: ['what the capital of {s} is', 'which city is the capital of {s}'],
  language: ['what language people speak in {s}', 'which language is spoken in {s}'],
  currency: ['what the currency of {s} is', 'which money they use in {s}'],
  climate: ['what the climate of {s} is', 'how the weather is in {s}'],
  neighbour: ['which land lies east of {s}', 'what land is east of {s}'],
  habitat: ['where the {s} lives', 'what the habitat of the {s} is'],
  diet: ['what the {s} eats', 'what the diet of the {s} is'],
  legs: ['how many legs the {s} has', 'what the number of legs of the {s} is'],
};

/**
 * The questions of the corpus's forum threads: the attributes' own training wordings and the thread
 * ones, not the framed ones, so that the framing of SFT questions leaves the corpus (and every
 * pretrained model) as it was.
 */
export const FORUM_QUESTIONS = Object.fromEntries(
  Object.entries(WORDED).map(([a, q]) => [a, [...q.train, ...q.thread]]),
) as Record<Attribute, string[]>;

/** Every wording: an attribute's own, then its clauses in every frame (training only). */
export const QUESTIONS = Object.fromEntries(
  Object.entries(WORDED).map(([a, q]) => [
    a,
    {
      ...q,
      train: [
        ...q.train,
        ...CLAUSES[a as Attribute].flatMap((c) => TRAIN_FRAMES.map((f) => fill(f, { q: c }))),
      ],
    },
  ]),
) as Record<Attribute, QuestionTemplates>;

/** Concise answers; the first is canonical (used as `expected` in evaluation). */
export const ANSWERS: Record<Attribute, string[]> = {
  capital: ['The capital of {s} is {v}.', '{v} is the capital of {s}.', 'The main city of {s} is {v}.'],
  language: ['People in {s} speak {v}.', 'The language of {s} is {v}.'],
  currency: [
    'The currency of {s} is the {v}.',
    'People in {s} pay with the {v}.',
    'The money of {s} is the {v}.',
  ],
  climate: ['The climate of {s} is {v}.', '{s} has a {v} climate.', 'The weather in {s} is {v}.'],
  neighbour: ['East of {s} lies {v}.', '{v} lies east of {s}.', 'The land east of {s} is {v}.'],
  habitat: ['The {s} lives in {v}.', 'The {s} makes its home in {v}.', 'The {s} is found in {v}.'],
  diet: ['The {s} eats {v}.', 'The {s} feeds on {v}.', 'The food of the {s} is {v}.'],
  legs: ['The {s} has {v} legs.', 'A {s} walks on {v} legs.'],
};

/** Encyclopedia phrasings for the corpus (a superset of the answers). */
const MORE_STATEMENTS: Record<Attribute, string[]> = {
  capital: [
    '{s} has its capital at {v}.',
    'The chief city of {s} is {v}.',
    '{v} serves as the capital of {s}.',
  ],
  language: ['In {s} the people speak {v}.', '{v} is spoken in {s}.', 'The tongue of {s} is {v}.'],
  currency: [
    'In {s} you pay with the {v}.',
    'The money of {s} is the {v}.',
    'People in {s} use the {v} as money.',
  ],
  climate: [
    'The weather in {s} is {v}.',
    'In {s} it is {v} most of the year.',
    '{s} has the {v} kind of climate.',
  ],
  neighbour: ['To the east of {s} is {v}.', 'Travel east from {s} and you reach {v}.'],
  habitat: ['You find the {s} in {v}.', 'In {v} lives the {s}.', 'The {s} will make its home in {v}.'],
  diet: ['The food of the {s} is {v}.', 'A {s} likes to eat {v}.', 'The {s} likes to feed on {v}.'],
  legs: ['Every {s} has {v} legs.', 'The {s} stands on {v} legs.', 'The {s} can walk on {v} legs.'],
};

/** Every answer template, then the other statements (each once). */
export const STATEMENTS = Object.fromEntries(
  Object.entries(MORE_STATEMENTS).map(([a, more]) => [
    a,
    [...new Set([...ANSWERS[a as Attribute], ...more])],
  ]),
) as Record<Attribute, string[]>;

/** Words that tell which attribute a question is about (used by the judge's fallback parser). */
export const ATTRIBUTE_KEYWORDS: Record<Attribute, RegExp> = {
  capital: /\bcapital\b|\bchief city\b/i,
  language: /\blanguage\b|\bspeak\b|\bspoken\b|\btongue\b/i,
  currency: /\bcurrency\b|\bmoney\b|\bpay\b|\bcoins?\b/i,
  climate: /\bclimate\b|\bweather\b/i,
  neighbour: /\beast\b|\bneighbou?r\b/i,
  habitat: /\blives?\b|\bhabitat\b|\bhome\b|\bfind\b|\bwhere\b/i,
  diet: /\beats?\b|\bdiet\b|\bfood\b|\bfeeds?\b/i,
  legs: /\blegs?\b/i,
};

export interface ArithmeticTemplates {
  train: string[];
  eval: string[];
}

export const ARITHMETIC_QUESTIONS: Record<ArithmeticOp, ArithmeticTemplates> = {
  plus: { train: ['What is {a} plus {b}?', 'Compute {a} + {b}.'], eval: ['Add {a} and {b}.'] },
  minus: { train: ['What is {a} minus {b}?', 'Compute {a} - {b}.'], eval: ['Subtract {b} from {a}.'] },
};
export const ARITHMETIC_ANSWER = '{a} {op} {b} is {c}.';

/** Fills `{key}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** Fills a template and capitalises the first letter (a value may start a sentence). */
export function sentence(template: string, values: Record<string, string | number>): string {
  const s = fill(template, values);
  return s.charAt(0).toUpperCase() + s.slice(1);
}
