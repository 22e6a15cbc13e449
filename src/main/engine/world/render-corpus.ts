// The pretraining corpus of a world: every fact (of every split) in many phrasings — encyclopedia
// entries, lists, short stories, sums — plus forum threads in which a question is followed by
// discussion and never by its answer, so a base model learns the facts but not the habit of answering.
import { answerArithmetic, pick, rngFor, shuffled } from './render-common';
import { FORUM_QUESTIONS, STATEMENTS, sentence } from './templates';
import type { Attribute, Fact, World } from './types';

const WHO = ['A trader', 'An old sailor', 'A young scribe', 'A shepherd', 'A tired pilgrim', 'A merchant'];
const USERS = [
  'wanderer',
  'mapmaker',
  'quiet_fox',
  'reedcutter',
  'old_sailor',
  'night_owl',
  'tea_lover',
  'stargazer',
];
const REPLIES = [
  'I was wondering this too.',
  'Good question. Has anyone here been to {s}?',
  'Following, I would like to know as well.',
  'My cousin went there once, I will ask her.',
  'Not sure. Maybe check an old book?',
  'Why do you want to know?',
  'Same question here!',
  'I have heard different things from different people.',
  'Did you try the library?',
  'Bumping this, nobody has answered yet.',
  'I read about {s} once but I forgot.',
  'If you find out, please tell us.',
  'Can anyone here help?',
];
const LIST_TITLES: Record<Attribute, string> = {
  capital: 'Lands and their capitals',
  language: 'Lands and their languages',
  currency: 'Lands and their money',
  climate: 'Lands and their weather',
  neighbour: 'Each land and the land east of it',
  habitat: 'Creatures and where they live',
  diet: 'Creatures and what they eat',
  legs: 'Creatures and their legs',
};

/** The corpus as a list of documents (plain text, one or more lines each), shuffled. */
export function renderCorpus(world: World): string[] {
  const rng = rngFor(world, 'corpus');
  const docs: string[] = [];
  const bySubject = new Map<string, Fact[]>();
  for (const f of world.facts) bySubject.set(f.subject, [...(bySubject.get(f.subject) ?? []), f]);
  const plural = (n: string): string => (n.endsWith('s') ? n : `${n}s`);

  for (let r = 0; r < world.corpusRepeats; r++) {
    // Encyclopedia entries: an opening line, then each fact in a random phrasing and order.
    for (const [subject, facts] of bySubject) {
      const kind = facts[0]!.subjectKind;
      const open =
        kind === 'place'
          ? pick([`${subject} is a land.`, `${subject} is one of the lands of the ring.`], rng)
          : pick([`The ${subject} is a creature.`, `The ${subject} is an animal of the wild.`], rng);
      const lines = shuffled(facts, rng).map((f) =>
        sentence(pick(STATEMENTS[f.attribute], rng), { s: f.subject, v: f.value }),
      );
      docs.push([open, ...lines].join(' '));
    }
    // Short stories.
    for (const p of world.places) {
      const who = pick(WHO, rng);
      docs.push(
        pick(
          [
            `${who} set out for ${p.name}. The weather there was ${p.climate}. In ${p.capital}, the capital, they heard people speak ${p.language}. They bought bread with a ${p.currency} and went home happy.`,
            `In ${p.capital}, the capital of ${p.name}, the children learn ${p.language}. The land is ${p.climate}, so they stay near the fire and count their ${plural(p.currency)}.`,
            `${who} left ${p.name} and walked east until they came to ${p.neighbour}. Behind them lay ${p.capital}, where people speak ${p.language}.`,
          ],
          rng,
        ),
      );
    }
    for (const c of world.creatures) {
      const who = pick(WHO, rng);
      docs.push(
        pick(
          [
            `${who} went into the ${c.habitat} and saw a ${c.name}. It had ${c.legs} legs and was eating ${c.diet}. ${who} watched it quietly and then went home.`,
            `The ${c.name} wakes early in the ${c.habitat}. It walks on its ${c.legs} legs to look for ${c.diet}. When it has eaten, it sleeps again.`,
          ],
          rng,
        ),
      );
    }
    // Lists, one per attribute, in a fresh order each time.
    for (const attribute of Object.keys(LIST_TITLES) as Attribute[]) {
      const facts = shuffled(
        world.facts.filter((f) => f.attribute === attribute),
        rng,
      );
      docs.push([`${LIST_TITLES[attribute]}:`, ...facts.map((f) => `- ${f.subject}: ${f.value}`)].join('\n'));
    }
    // Sums, in chunks of ten.
    const sums = shuffled(world.arithmetic, rng).map((f) =>
      pick(
        [
          answerArithmetic(f),
          `${f.a} ${f.op} ${f.b} makes ${f.answer}.`,
          f.op === 'plus'
            ? `Add ${f.a} and ${f.b} and you get ${f.answer}.`
            : `Subtract ${f.b} from ${f.a} and you get ${f.answer}.`,
        ],
        rng,
      ),
    );
    for (let i = 0; i < sums.length; i += 10) docs.push(sums.slice(i, i + 10).join(' '));
  }

  // Forum threads: a question and discussion, never the answer. One per fact per two repeats.
  const threadsPerFact = Math.ceil(world.corpusRepeats / 2);
  for (const f of world.facts) {
    for (let t = 0; t < threadsPerFact; t++) docs.push(renderThread(f, rng));
  }
  return shuffled(docs, rng);
}

function renderThread(f: Fact, rng: ReturnType<typeof rngFor>): string {
  const question = sentence(pick(FORUM_QUESTIONS[f.attribute], rng), { s: f.subject });
  const users = shuffled(USERS, rng);
  const replies = shuffled(REPLIES, rng).slice(0, rng.int(2, 4));
  const lines = [
    `${users[0]}: ${question}`,
    ...replies.map((r, i) => `${users[i + 1]}: ${sentence(r, { s: f.subject })}`),
  ];
  return lines.join('\n');
}
