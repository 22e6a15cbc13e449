// One pipeline preset over several seeds, summarised: on tiny models one run says little (a world's
// base model may know 16–78 % of its pretrain-only facts, and a held-out wording can flip a whole
// template's answers), so `lab pipeline --seeds 1-4` runs a preset once per seed and reports every
// number as its mean with the range across seeds, and each model's gold score against SFT as "above
// SFT in k of n seeds". Pure: built from the per-seed evaluation tables and alignment-tax tables.
import { TAX_METRICS, type TaxPipeline } from '../../shared/tax';

/** A number across seeds: the mean over the seeds that measured it, the extremes and each seed's value. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  /** Seed → value (NaN: not measured in that seed). */
  bySeed: Record<number, number>;
}

/** One evaluation row of one seed (as `evaluationTable` returns). */
export interface SeedEvalRow {
  stage: string;
  set: string;
  directAnswerRate: number;
  factAccuracy: number;
  meanScore: number;
  n: number;
}

export interface SeedRun {
  seed: number;
  status: string;
  table: SeedEvalRow[];
  tax: TaxPipeline;
}

export interface SeedsSummary {
  seeds: number[];
  /** Seeds whose pipeline did not complete (their finished stages still count). */
  incomplete: number[];
  evaluation: {
    stage: string;
    set: string;
    directAnswerRate: Spread;
    factAccuracy: Spread;
    meanScore: Spread;
  }[];
  /** Per model (its role label): every alignment-tax metric across seeds, and the gold score against SFT. */
  models: {
    label: string;
    values: Record<string, Spread>;
    /** Gold score minus SFT's, across seeds. */
    goldVsSft: Spread | null;
    /** Seeds in which the model's gold score is above SFT's. */
    aboveSft: number;
    /** Seeds in which both it and SFT have a gold score. */
    comparedSeeds: number;
  }[];
}

/** Parses "1,2,5" or "1-4" (or a mix, "1-3,7") into distinct seeds in order; throws on anything else. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`--seeds: "${part}" is not a seed or a range like 1-4`);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) throw new Error(`--seeds: the range "${part}" runs backwards`);
    if (to - from > 99) throw new Error(`--seeds: "${part}" is more than 100 seeds`);
    for (let s = from; s <= to; s++) if (!seeds.includes(s)) seeds.push(s);
  }
  if (seeds.length === 0) throw new Error('--seeds: no seed given');
  return seeds;
}

function spread(bySeed: Record<number, number>): Spread | null {
  const xs = Object.values(bySeed).filter(Number.isFinite);
  if (xs.length === 0) return null;
  return {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    min: Math.min(...xs),
    max: Math.max(...xs),
    bySeed,
  };
}

export function summariseSeeds(runs: readonly SeedRun[]): SeedsSummary {
  const evaluation: SeedsSummary['evaluation'] = [];
  const keys = new Map<string, { stage: string; set: string }>();
  for (const r of runs) for (const row of r.table) keys.set(`${row.stage}\u0000${row.set}`, row);
  for (const [key, { stage, set }] of keys) {
    const pick = (f: (row: SeedEvalRow) => number) => {
      const bySeed: Record<number, number> = {};
      for (const r of runs) {
        const row = r.table.find((x) => `${x.stage}\u0000${x.set}` === key);
        bySeed[r.seed] = row ? f(row) : NaN;
      }
      return spread(bySeed) ?? { mean: NaN, min: NaN, max: NaN, bySeed };
    };
    evaluation.push({
      stage,
      set,
      directAnswerRate: pick((x) => x.directAnswerRate),
      factAccuracy: pick((x) => x.factAccuracy),
      meanScore: pick((x) => x.meanScore),
    });
  }

  const labels: string[] = [];
  for (const r of runs) for (const m of r.tax.models) if (!labels.includes(m.label)) labels.push(m.label);
  const models = labels.map((label) => {
    const values: Record<string, Spread> = {};
    for (const metric of TAX_METRICS) {
      const bySeed: Record<number, number> = {};
      for (const r of runs)
        bySeed[r.seed] = r.tax.models.find((m) => m.label === label)?.values[metric.key] ?? NaN;
      const s = spread(bySeed);
      if (s) values[metric.key] = s;
    }
    const deltas: Record<number, number> = {};
    for (const r of runs)
      deltas[r.seed] = r.tax.models.find((m) => m.label === label)?.vsSft['gold_score'] ?? NaN;
    const compared = Object.values(deltas).filter(Number.isFinite);
    return {
      label,
      values,
      goldVsSft: spread(deltas),
      aboveSft: compared.filter((d) => d > 0).length,
      comparedSeeds: compared.length,
    };
  });
  return {
    seeds: runs.map((r) => r.seed),
    incomplete: runs.filter((r) => r.status !== 'completed').map((r) => r.seed),
    evaluation,
    models,
  };
}

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}` : '—');
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '—');
const range = (s: Spread, f: (v: number) => string) =>
  Number.isFinite(s.mean) ? `${f(s.mean)} (${f(s.min)}–${f(s.max)})` : '—';

/** The summary as text: evaluation rows and models, each number as "mean (min–max)" over the seeds. */
export function formatSeedsSummary(s: SeedsSummary, preset: string): string[] {
  const lines = [
    `${preset} over ${s.seeds.length} seeds (${s.seeds.join(', ')}): mean (min–max)${s.incomplete.length ? `; not completed: seed ${s.incomplete.join(', ')}` : ''}`,
  ];
  if (s.evaluation.length) {
    lines.push(
      '',
      `  ${'model'.padEnd(12)} ${'questions'.padEnd(18)} ${'direct answers %'.padEnd(22)} ${'correct %'.padEnd(22)} gold`,
    );
    for (const r of s.evaluation)
      lines.push(
        `  ${r.stage.padEnd(12)} ${r.set.padEnd(18)} ${range(r.directAnswerRate, pct).padEnd(22)} ${range(r.factAccuracy, pct).padEnd(22)} ${range(r.meanScore, num)}`,
      );
  }
  const withGold = s.models.filter((m) => m.values['gold_score']);
  if (withGold.length) {
    const w = Math.max(8, ...withGold.map((m) => m.label.length));
    lines.push(
      '',
      `  ${'model'.padEnd(w)} ${'gold'.padEnd(22)} ${'vs SFT'.padEnd(26)} ${'above SFT'.padEnd(11)} KL to SFT`,
    );
    for (const m of withGold) {
      const kl = m.values['kl'];
      lines.push(
        `  ${m.label.padEnd(w)} ${range(m.values['gold_score']!, num).padEnd(22)} ${(m.goldVsSft ? range(m.goldVsSft, signed) : '—').padEnd(26)} ${(m.comparedSeeds ? `${m.aboveSft} of ${m.comparedSeeds}` : '—').padEnd(11)} ${kl ? range(kl, num) : '—'}`,
      );
    }
  }
  return lines;
}
