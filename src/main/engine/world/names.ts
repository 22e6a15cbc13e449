// Syllable-built names for the sandbox world: capitalised, unique within a world, and chosen so that
// they are not English words (a name must exist nowhere else, so a model can only learn it here).
import type { Rng } from '../random';

const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'dr',
  'kr',
  'tr',
  'th',
  'sh',
  'v',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ae', 'ai', 'y'];
const CODAS = ['', '', '', '', '', 'n', 'r', 'l', 's', 'm', 'th', 'k'];

/** Syllables a name is built from; exported so tests can check that a name parses into them. */
export const SYLLABLE_PARTS = { onsets: ONSETS, vowels: VOWELS, codas: CODAS } as const;

// Common English words a random syllable string could spell. Not a dictionary: names of two or more
// syllables are rarely English words; this list catches the ones that remain.
const ENGLISH = new Set(
  (
    'baron bason basil bonus cabin camel canal candy caret comet coral denim demon devil digit dinar ' +
    'dozen drama ferry final focus fury gala gamma genus haven human karma koala lemon level limit ' +
    'linen lotus lunar magma manor melon metal minus modal moral motor nasal noble panel pasta pedal ' +
    'petal pilot pitch polar radar rapid raven rebel relic robin rodeo rotor ruby saga salad salon ' +
    'satin sedan senor sinus sofa solar sonar tenor tiger titan token tonal total totem tulip tumor ' +
    'tuna tutor valid vapor venom verb vinyl viral visa vital vocal zebra zero bison bogus ' +
    'sushi tofu kilo kudos limbo logo lumen mango memo menu nova opal rumor sinar tibia banal ' +
    'dune fuse kale lime mole mule mute node note pine pole rose rule sane tone tune vine vote zone ' +
    'ban bar bed big bin bit bog bus den dim dip fan fin fun gas gum kin kit lab lid man men mud nun ' +
    'pan pen pin pit pot pun rag ram rim rod rum run sad sin sir sum sun tab tan ten tin ton van vet ' +
    'bark barn dark farm firm form germ harm herm kern lark mark norm park perm sark term turn worm ' +
    'gods kids labs lads mens nods pads pods rods sods tabs tens tins tons vans ' +
    'piano radio ratio basin bagel label model novel panda puma lama mama papa dada data beta delta ' +
    'kappa pita sauna lava diva mania kebab tokyo rome paris berlin madrid boston dallas texas kenya ' +
    'peru cuba mali malta samoa tonga sudan oman dakar lima oslo seoul moscow london milan napoli ' +
    'bali java sumo judo karate yoga tempo solo duo trio memo demo logo photo video zoo moon soon ' +
    'noon boot root loot shoot tool pool fool cool wool room doom boom zoom loom bloom broom ' +
    'danish polish finnish spanish banish vanish relish tonic sonic manic panic relic medic topic ' +
    'ionic iconic comic cynic rustic mystic pelican toucan sultan titan satan pagan vegan organ ' +
    'bikini safari salami origami tsunami sushi kimono volcano tornado armada piranha banana'
  ).split(' '),
);

/** Words the renderers use; a name equal to one would confuse the judge and the reader. */
const RESERVED = new Set(['the', 'is', 'of', 'in', 'lies', 'east', 'eats', 'has', 'legs', 'lives']);

function syllable(rng: Rng): string {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length)]!;
  return pick(ONSETS) + pick(VOWELS) + pick(CODAS);
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Draws names that are unique among everything `taken` holds (and adds them to it).
 * `syllables` is [min, max] inclusive; `suffix` is appended to the root (e.g. 'ish' for languages).
 */
export class NameMaker {
  readonly taken = new Set<string>();

  constructor(private readonly rng: Rng) {}

  make(syllables: [number, number] = [2, 3], suffix = ''): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const n = this.rng.int(syllables[0], syllables[1] + 1);
      let root = '';
      for (let i = 0; i < n; i++) root += syllable(this.rng);
      const word = root + suffix;
      const lower = word.toLowerCase();
      if (word.length < 4 || word.length > 12) continue;
      if (/(.)\1\1/.test(lower) || /[aeiouy]{3}/.test(lower)) continue; // unpronounceable runs
      if (ENGLISH.has(lower) || RESERVED.has(lower)) continue;
      if (this.taken.has(lower)) continue;
      // No name may be another's plural, since the judge accepts a trailing 's' on values.
      if (this.taken.has(lower + 's') || (lower.endsWith('s') && this.taken.has(lower.slice(0, -1))))
        continue;
      this.taken.add(lower);
      return capitalise(word);
    }
    throw new Error('NameMaker: could not find a fresh name in 10000 attempts');
  }
}
