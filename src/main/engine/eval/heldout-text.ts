// Held-out text of a sandbox world, for perplexity: sentences about the facts that no instruction
// teaches (the 'heldout' and 'pretrain-only' splits), in wordings that appear nowhere in the corpus,
// the SFT data or the evaluation questions. A model that learned the world (and English) from its
// corpus predicts them well; one that forgot it in later training, less so. Pure and deterministic.
import { sentence } from '../world/templates';
import type { Attribute, Fact, World } from '../world/types';

/**
 * Two wordings per attribute: sentences the corpus never contains, made only of words it does contain
 * (so that perplexity measures what the model knows of the world and its language, not how it meets
 * words it has never seen: a model pretrained on a small world's corpus gives an unseen word almost no
 * probability, and a few of them would swamp the rest).
 */
export const HELDOUT_STATEMENTS: Record<Attribute, readonly string[]> = {
  capital: ['{v} is the chief city of the land of {s}.', 'People in {s} went to {v}, their capital.'],
  language: ['The children of {s} learn to speak {v}.', 'Every trader in {s} can speak {v}.'],
  currency: ['People in {s} count their money in the {v}.', 'A trader in {s} bought bread with the {v}.'],
  climate: ['The land of {s} is {v} most of the year.', 'Every year the weather of {s} is {v}.'],
  neighbour: ['A trader walked east from {s} and came to {v}.', 'The land to the east of {s} is {v}.'],
  habitat: ['Every {s} makes its home in {v}.', 'A trader went into the {v} and saw the {s}.'],
  diet: ['Every {s} likes to eat {v}.', 'The {s} wakes early and eats {v}.'],
  legs: ['Every {s} walks on {v} legs.', 'A trader saw the {s} and it had {v} legs.'],
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
