// Datasets rendered afresh from a stored sandbox world with options its stored datasets were not made
// with: preference pairs with a share of rater-flipped labels (rater disagreement). Pipelines make
// them in a dataset stage (`"worldRender": { "role": "preferences", "flipRate": 0.25 }`); and SFT pairs
// sampled and made noisy (`{ "role": "sft", "sample": 0.25, "noiseRate": 0.5 }`, data quality).
import { renderPreferencePairs } from '../engine/world';
import type { NormalizedRecord } from '../../shared/records';
import type { Store } from './store';
import { loadWorld } from './worlds';
import { sftVariantRecords, type SftVariant } from './quality';

/** What a dataset stage may render from the pipeline's world. */
export type WorldRender =
  | {
      role: 'preferences';
      /** Share of pairs (0–1) with chosen and rejected swapped; each such record carries `flipped: true`. */
      flipRate?: number;
    }
  /** SFT pairs: a seeded share kept, a share of those made noisy (data quality; lab/quality.ts). */
  | SftVariant;

/** Renders `spec` from world `worldId` into a new dataset named `name`; returns its id. */
export function renderWorldDataset(store: Store, worldId: number, spec: WorldRender, name: string): number {
  if (spec.role === 'sft') {
    const records = sftVariantRecords(loadWorld(store, worldId), spec);
    return store.db.transaction(() => {
      const d = store.createDataset(name, 'instruction');
      store.addExamples(d.id, records);
      return d.id;
    })();
  }
  if (spec.role !== 'preferences')
    throw new Error(
      `worldRender: role "${String((spec as { role: unknown }).role)}" cannot be rendered; known: preferences, sft`,
    );
  const pairs = renderPreferencePairs(loadWorld(store, worldId), { flipRate: spec.flipRate ?? 0 });
  const records: NormalizedRecord[] = pairs.map((p) => ({
    prompt: [{ role: 'user', content: p.prompt }],
    chosen: [{ role: 'assistant', content: p.chosen }],
    rejected: [{ role: 'assistant', content: p.rejected }],
    flipped: p.flipped === true, // on every record, so that `eval/gold_accuracy` is measured at 0 % too
  }));
  return store.db.transaction(() => {
    const d = store.createDataset(name, 'preference');
    store.addExamples(d.id, records);
    return d.id;
  })();
}
