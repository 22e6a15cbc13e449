// Held-out text of a sandbox world, for perplexity: sentences about the facts that no instruction
// teaches (the 'heldout' and 'pretrain-only' splits), in wordings that appear nowhere in the corpus,
// the SFT data or the evaluation questions. A model that learned the world (and English) from its
// corpus predicts them well; one that forgot it in later training, less so. Pure and deterministic.
import { sentence } from '../world/templates';
import type { Attribute, Fact, World } from '../world/types';

/** Two wordings per attribute, disjoint from the corpus's STATEMENTS and stories. */
export const HELDOUT_STATEMENTS: Record<Attribute, readonly string[]> = {
  capital: ['Most of the trade of {s} passes through {v}, its capital.', 'The rulers of {s} sit in {v}.'],
  language: ['Travellers in {s} soon hear {v} in the markets.', 'Children in {s} grow up speaking {v}.'],
  currency: ['Shops in {s} take the {v} and nothing else.', 'A purse in {s} holds a few {v} coins.'],
  climate: ['Most days in {s} are {v}.', 'Farmers in {s} plan their year around {v} weather.'],
  neighbour: ['{v} borders {s} on the east.', 'On the eastern side of {s} lies the land of {v}.'],
  habitat: ['Look for the {s} among the {v}.', 'Hunters meet the {s} deep in the {v}.'],
  diet: ['The {s} spends its days looking for {v}.', 'Give a {s} some {v} and it will be content.'],
  legs: ['Count the legs of a {s} and you get {v}.', 'A {s} moves about on {v} legs.'],
};

export interface HeldOutText {
  text: string;
  factId: string;
}

/** The facts held-out text is about: those no instruction, preference pair or safety prompt states. */
export function heldOutFacts(world: World): Fact[] {
  return world.facts.filter((f) => f.split === 'heldout' || f.split === 'pretrain-only');
}

/** Every held-out fact in every held-out wording. */
export function renderHeldOutText(world: World): HeldOutText[] {
  return heldOutFacts(world).flatMap((f) =>
    HELDOUT_STATEMENTS[f.attribute].map((t) => ({
      text: sentence(t, { s: f.subject, v: f.value }),
      factId: f.id,
    })),
  );
}
