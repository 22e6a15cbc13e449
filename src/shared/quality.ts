// Data quality as the lab reports it: a score per example (the estimated probability that its text is
// clean written language, from the scorer in src/main/engine/quality) and, for a low one, the features
// that pulled it down. Pure: no node, no DOM.
import { z } from 'zod';

export const QualityReason = z.object({
  /** The feature's key (`repetition`, `upperCase`, …) and what a user reads. */
  feature: z.string(),
  label: z.string(),
  /** This text's value, and a clean text's typical (median) value. */
  value: z.number(),
  typical: z.number(),
  /** How much the log-odds of clean would rise with this feature at its typical value. */
  effect: z.number(),
});
export type QualityReason = z.infer<typeof QualityReason>;

export const ExampleQuality = z.object({
  exampleId: z.number().int(),
  /** In [0, 1]: estimated probability that the scored text is clean. */
  score: z.number(),
  /** The features that pulled the score down, strongest first (at most three; empty when none did). */
  reasons: z.array(QualityReason),
  /** The generator's tag when a sandbox world made this example noisy on purpose (`spam`, `salad`, …). */
  noise: z.string().nullable(),
});
export type ExampleQuality = z.infer<typeof ExampleQuality>;

export const DatasetQuality = z.object({
  datasetId: z.number().int(),
  /** Which text of each example is scored, in words ("the assistant's response"). */
  scored: z.string(),
  /** One per example, in the dataset's order; empty for kinds without free text (constitutions). */
  examples: z.array(ExampleQuality),
});
export type DatasetQuality = z.infer<typeof DatasetQuality>;

/** Below this score an example is flagged as low quality in the dataset views. */
export const LOW_QUALITY = 0.5;
