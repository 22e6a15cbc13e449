// The quality score of every example of a dataset (engine/quality's scorer, run in the main process:
// a few microseconds per text, after a one-off training of a few hundred milliseconds on first use).
// Scores are cached by text, so re-opening or editing a dataset rescores only what changed.
import { mixNoisySft, scoreText, type QualityScore } from '../engine/quality';
import { mulberry32, permutation } from '../engine/random';
import { renderSftPairs, type World } from '../engine/world';
import type { NormalizedRecord } from '../../shared/records';
import type { DatasetQuality } from '../../shared/quality';
import type { DatasetKind } from '../../shared/schemas';
import type { Store } from './store';

type Msg = { role?: string; content?: string };

/** Which text of an example of each kind is scored: the text a model would learn to produce. */
const SCORED: Record<DatasetKind, { what: string; text: (r: Record<string, unknown>) => string | null }> = {
  instruction: { what: "the assistant's (last) response", text: (r) => lastContent(r.messages, 'assistant') },
  preference: { what: 'the chosen response', text: (r) => lastContent(r.chosen, 'assistant') },
  unpaired: { what: 'the completion', text: (r) => lastContent(r.completion, 'assistant') },
  text: { what: 'the document', text: (r) => (typeof r.text === 'string' ? r.text : null) },
  prompt: { what: "the user's (last) prompt", text: (r) => lastContent(r.prompt, 'user') },
  constitution: { what: 'nothing (principles are not scored)', text: () => null },
};

function lastContent(messages: unknown, role: string): string | null {
  if (!Array.isArray(messages)) return null;
  const ms = messages as Msg[];
  const m = [...ms].reverse().find((x) => x.role === role) ?? ms.at(-1);
  return typeof m?.content === 'string' ? m.content : null;
}

const MAX_CACHE = 50_000;
const cache = new Map<string, QualityScore>();

function cachedScore(text: string): QualityScore {
  let s = cache.get(text);
  if (!s) {
    if (cache.size >= MAX_CACHE) cache.clear();
    s = scoreText(text);
    cache.set(text, s);
  }
  return s;
}

export function datasetQuality(store: Store, datasetId: number): DatasetQuality {
  const dataset = store.getDataset(datasetId);
  const spec = SCORED[dataset.kind];
  const examples: DatasetQuality['examples'] = [];
  for (const e of store.listExamples(datasetId)) {
    const text = spec.text(e.record);
    if (text === null) continue;
    const { score, reasons } = cachedScore(text);
    const noise = e.record['noise'];
    examples.push({ exampleId: e.id, score, reasons, noise: typeof noise === 'string' ? noise : null });
  }
  return { datasetId, scored: spec.what, examples };
}

/** A world's SFT pairs rendered for the quality experiments: a seeded share kept, then noise mixed in. */
export interface SftVariant {
  role: 'sft';
  /** Share (0–1] of the SFT pairs kept (a seeded choice, in order); default 1. */
  sample?: number;
  /** Share (0–1) of the kept pairs whose response becomes tagged noise; default 0. */
  noiseRate?: number;
}

export function sftVariantRecords(world: World, spec: SftVariant): NormalizedRecord[] {
  const sample = spec.sample ?? 1;
  if (!(sample > 0 && sample <= 1)) throw new Error(`worldRender.sample must be in (0, 1] (got ${sample})`);
  const all = renderSftPairs(world);
  const keep = new Set(
    permutation(all.length, mulberry32((world.seed ^ 0x51f7_5a3e) >>> 0)).slice(
      0,
      Math.max(1, Math.round(sample * all.length)),
    ),
  );
  const pairs = all.filter((_, i) => keep.has(i));
  return mixNoisySft(pairs, spec.noiseRate ?? 0, world.seed).map((p) => ({
    messages: [
      { role: 'user', content: p.prompt },
      { role: 'assistant', content: p.response },
    ],
    ...(p.noise ? { noise: p.noise } : {}),
  }));
}
