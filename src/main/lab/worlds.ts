// Sandbox worlds in the lab: generate one (fast, pure, so it runs in the main process), store it, and
// turn what it renders into datasets a user can browse, edit, export and train on.
import {
  generateWorld,
  renderCorpus,
  renderEvalSets,
  renderPreferencePairs,
  renderRedTeam,
  renderSafety,
  renderSftPairs,
  renderUnanswerable,
  type EvalItem,
  type World,
} from '../engine/world';
import { mixNoisySft } from '../engine/quality';
import type { NormalizedRecord, RecordKind, RecordOf } from '../../shared/records';
import type { BuiltinDataset, WorldDetail, WorldSummary } from '../../shared/schemas';
import type { Store } from './store';

const user = (content: string) => ({ role: 'user' as const, content });
const assistant = (content: string) => ({ role: 'assistant' as const, content });
const sft = (prompt: string, response: string) => ({ messages: [user(prompt), assistant(response)] });

/** What a world's datasets are rendered with beyond the world itself. */
export interface WorldRenderOptions {
  /** Share (0–1) of SFT pairs whose response is replaced by tagged noise (engine/quality/noise.ts). */
  sftNoise?: number;
}

/** The datasets generated from a world, by role. */
function worldDatasets(
  world: World,
  opts: WorldRenderOptions = {},
): Record<
  'corpus' | 'sft' | 'preferences' | 'safety' | 'unanswerable' | 'redteam',
  { kind: RecordKind; label: string; records: NormalizedRecord[] }
> {
  const safety = renderSafety(world);
  return {
    corpus: { kind: 'text', label: 'corpus', records: renderCorpus(world).map((text) => ({ text })) },
    sft: noisySft(world, opts.sftNoise ?? 0),
    preferences: {
      kind: 'preference',
      label: 'preference pairs',
      records: renderPreferencePairs(world).map((p) => ({
        prompt: [user(p.prompt)],
        chosen: [assistant(p.chosen)],
        rejected: [assistant(p.rejected)],
      })),
    },
    safety: {
      kind: 'instruction',
      label: 'safety (refusals and benign look-alikes)',
      records: [
        ...safety.harmful.map((h) => sft(h.prompt, h.refusal)),
        ...safety.benign.map((b) => sft(b.prompt, b.response)),
      ],
    },
    unanswerable: {
      kind: 'instruction',
      label: 'unanswerable questions',
      records: renderUnanswerable(world).map((u) => sft(u.prompt, u.response)),
    },
    redteam: {
      kind: 'prompt',
      label: 'red-team prompts (harm and look-alikes in unseen wordings)',
      records: Object.values(renderRedTeam(world))
        .flat()
        .map((q) => ({ prompt: [user(q)] })),
    },
  };
}

/** The SFT pairs, a share of them made noisy (tagged `noise`) when `rate` > 0; seeded by the world. */
export function noisySft(
  world: World,
  rate: number,
): { kind: RecordKind; label: string; records: NormalizedRecord[] } {
  const pairs = renderSftPairs(world);
  if (rate <= 0)
    return { kind: 'instruction', label: 'SFT pairs', records: pairs.map((p) => sft(p.prompt, p.response)) };
  return {
    kind: 'instruction',
    label: `SFT pairs (${Math.round(rate * 100)}% noisy)`,
    records: mixNoisySft(pairs, rate, world.seed).map((p) => ({
      ...sft(p.prompt, p.response),
      ...(p.noise ? { noise: p.noise } : {}),
    })),
  };
}

const BUILTIN_WORLD = { seed: 0, size: 'tiny' as const };
let builtinWorld: World | null = null;

/** The sandbox world behind the built-in datasets (tiny, seed 0), generated once. */
export function builtinSandboxWorld(): World {
  builtinWorld ??= generateWorld(BUILTIN_WORLD);
  return builtinWorld;
}

/** The records of a built-in sandbox dataset (see BUILTIN_DATASETS in shared/schemas.ts). */
export function builtinSandboxRecords(name: Exclude<BuiltinDataset, 'seed-dpo'>): {
  kind: RecordKind;
  records: NormalizedRecord[];
} {
  const world = builtinSandboxWorld();
  const sets = worldDatasets(world);
  const pairs = sets.preferences.records as RecordOf<'preference'>[];
  switch (name) {
    case 'sandbox-sft':
      return { kind: 'instruction', records: sets.sft.records };
    case 'sandbox-pairs':
      return { kind: 'preference', records: pairs };
    case 'sandbox-unpaired':
      return {
        kind: 'unpaired',
        records: pairs.flatMap((p) => [
          { prompt: p.prompt, completion: p.chosen, label: true },
          { prompt: p.prompt, completion: p.rejected, label: false },
        ]),
      };
    case 'sandbox-prompts': {
      const seen = new Set<string>();
      const prompts = pairs.map((p) => p.prompt[0]!.content).filter((q) => !seen.has(q) && seen.add(q));
      return { kind: 'prompt', records: prompts.map((q) => ({ prompt: [user(q)] })) };
    }
    case 'sandbox-harmful':
      return {
        kind: 'prompt',
        records: renderSafety(world).harmful.map((h) => ({ prompt: [user(h.prompt)] })),
      };
  }
}

/** Generates a world and its datasets in one transaction. */
export function createWorld(
  store: Store,
  seed: number,
  size: World['size'],
  corpusRepeats?: number,
  opts: WorldRenderOptions = {},
): WorldSummary {
  const world = generateWorld({ seed, size, corpusRepeats });
  const sets = worldDatasets(world, opts);
  const evalSets = renderEvalSets(world);
  return store.db.transaction(() => {
    const noisy = (opts.sftNoise ?? 0) > 0 ? `, ${Math.round(opts.sftNoise! * 100)}% noisy SFT` : '';
    const name = `World ${seed} (${size}${noisy})`;
    const datasets: Record<string, number> = {};
    const counts: Record<string, number> = {
      places: world.places.length,
      creatures: world.creatures.length,
      facts: world.facts.length,
      arithmetic: world.arithmetic.length,
    };
    for (const [role, set] of Object.entries(sets)) {
      const d = store.createDataset(`${name} · ${set.label}`, set.kind);
      store.addExamples(d.id, set.records);
      datasets[role] = d.id;
      counts[role] = set.records.length;
    }
    for (const [k, items] of Object.entries(evalSets)) counts[`eval/${k}`] = items.length;
    const id = store.addWorld({ name, seed, size, data: world, counts, datasets });
    return store.listWorlds().find((w) => w.id === id)!;
  })();
}

export function worldDetail(store: Store, id: number): WorldDetail {
  const { summary, data } = store.getWorld(id);
  const world = data as World;
  return {
    summary,
    places: world.places.map((p) => ({ ...p })),
    creatures: world.creatures.map((c) => ({ ...c })),
    facts: world.facts.map((f) => ({
      id: f.id,
      subject: f.subject,
      attribute: f.attribute,
      value: f.value,
      split: f.split,
    })),
    evalSets: Object.fromEntries(
      Object.entries(renderEvalSets(world)).map(([k, items]: [string, EvalItem[]]) => [
        k,
        items.map((i) => ({ prompt: i.prompt, expected: i.expected, kind: i.kind })),
      ]),
    ),
  };
}

/** The world itself, for evaluation and the gold judge. */
export function loadWorld(store: Store, id: number): World {
  return store.getWorld(id).data as World;
}
