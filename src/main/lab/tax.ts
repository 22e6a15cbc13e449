// The alignment tax, assembled from what is stored: for each pipeline, each finished evaluation run is
// one model (base, SFT, RM-PPO, DPO, +safety, named after the stage that made the model), with every
// metric of src/shared/tax.ts read from the run's summary and its change against the pipeline's base
// and SFT models. `taxItems` opens the replies (or texts) behind one number from the run's folder, and
// `formatTaxTable` prints a pipeline's table for the CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pipeline, Run } from '../../shared/schemas';
import { TAX_METRICS, type TaxData, type TaxItems, type TaxModel, type TaxPipeline } from '../../shared/tax';
import type { SuiteItem, SuiteResults } from '../engine/eval/suite';
import { EVAL_SUITE_FILE } from '../engine/eval/suite';
import { EVAL_RESULTS_FILE } from '../engine/tasks/eval';
import { LabError } from '../../shared/api';
import type { Store } from './store';

/** Short names of the models a stage makes, as the alignment-tax table shows them. */
const ROLE_OF_STAGE: Record<string, string> = {
  pretrain: 'base',
  sft: 'SFT',
  ppo: 'RM-PPO',
  dpo: 'DPO',
  ipo: 'IPO',
  safety: '+safety',
  'dpo-cai': 'CAI → DPO',
};

const runDir = (dataDir: string, runId: number) => join(dataDir, 'runs', String(runId));

/** One pipeline's evaluated models, with changes against its base and SFT models. */
export function taxPipeline(store: Store, p: Pipeline): TaxPipeline {
  const byModel = new Map(p.stages.filter((s) => s.modelId !== null).map((s) => [s.modelId!, s]));
  const models = new Map(store.listModels().map((m) => [m.id, m]));
  const evals: { run: Run; stage: string }[] = [];
  for (const s of p.stages) {
    if (!s.runId || s.status !== 'completed') continue;
    const run = store.getRun(s.runId);
    if (run.algorithm === 'eval' && run.status === 'completed') evals.push({ run, stage: s.name });
  }
  const rows = evals.map(({ run, stage }) => {
    const modelId = typeof run.config.model === 'number' ? run.config.model : null;
    const source = modelId === null ? undefined : byModel.get(modelId);
    const values: Record<string, number | null> = {};
    for (const m of TAX_METRICS) values[m.key] = run.summary[m.summary] ?? null;
    return {
      stage,
      label: (source && ROLE_OF_STAGE[source.name]) ?? source?.label ?? stage,
      runId: run.id,
      modelId,
      modelName: (modelId !== null && models.get(modelId)?.name) || run.datasetName,
      values,
      sourceStage: source?.name ?? null,
    };
  });
  const find = (stageName: string) => rows.find((r) => r.sourceStage === stageName) ?? null;
  const base = find('pretrain');
  const sft = find('sft');
  const delta = (row: Pick<TaxModel, 'values'>, ref: Pick<TaxModel, 'values'> | null) => {
    const out: Record<string, number | null> = {};
    for (const m of TAX_METRICS) {
      const [a, b] = [row.values[m.key], ref?.values[m.key]];
      out[m.key] = a === null || a === undefined || b === null || b === undefined ? null : a - b;
    }
    return out;
  };
  return {
    id: p.id,
    name: p.name,
    preset: p.preset,
    status: p.status,
    models: rows.map(({ sourceStage: _, ...r }): TaxModel => ({
      ...r,
      vsBase: delta(r, base),
      vsSft: delta(r, sft),
    })),
  };
}

/** Every pipeline with at least one finished evaluation, newest first. */
export function taxData(store: Store): TaxData {
  const pipelines = store
    .listPipelines()
    .map((p) => taxPipeline(store, p))
    .filter((p) => p.models.length > 0)
    .sort((a, b) => b.id - a.id);
  return { metrics: [...TAX_METRICS], pipelines };
}

type Cell = string | number | null;

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    throw new LabError('not_found', `this evaluation has no ${what} (${file.split(/[\\/]/).pop()})`);
  }
}

/** The items behind one metric of one evaluation run: a table of what the number is a mean of. */
export function taxItems(store: Store, dataDir: string, runId: number, metric: string): TaxItems {
  const run = store.getRun(runId);
  if (run.algorithm !== 'eval') throw new LabError('invalid', `run ${runId} is not an evaluation`);
  const def = TAX_METRICS.find((m) => m.key === metric);
  if (!def)
    throw new LabError('invalid', `metric: unknown "${metric}"`, [
      { path: 'metric', message: 'unknown metric' },
    ]);
  const dir = runDir(dataDir, runId);
  const suite = () => readJson<SuiteResults>(join(dir, EVAL_SUITE_FILE), 'suite results');
  const sets = () =>
    readJson<Record<string, { items: SuiteItem[] }>>(join(dir, EVAL_RESULTS_FILE), 'replies');
  const items = (pred: (x: SuiteItem) => boolean) =>
    Object.values(sets())
      .flatMap((s) => s.items)
      .filter(pred);
  const out = (note: string, columns: string[], rows: Cell[][], extra: Partial<TaxItems> = {}): TaxItems => ({
    runId,
    metric,
    note,
    columns,
    rows,
    ...extra,
  });
  const yes = (v: number | undefined) => (v === undefined ? null : v ? 'yes' : 'no');
  switch (metric) {
    case 'perplexity': {
      const t = suite().heldoutText;
      if (!t) throw new LabError('not_found', 'this evaluation did not measure perplexity');
      return out(
        `${t.n} held-out sentences, ${t.tokens} tokens; perplexity ${t.perplexity.toFixed(2)} overall (token-weighted).`,
        ['text', 'tokens', 'nats', 'perplexity'],
        t.items.map((x) => [x.text, x.tokens, x.nll, x.perplexity]),
      );
    }
    case 'fact_accuracy': {
      const xs = items((x) => x.kind === 'fact' || x.kind === 'arithmetic');
      return out(
        `${xs.length} held-out questions; "correct" is the gold judge's.`,
        ['prompt', 'response', 'correct', 'direct', 'score'],
        xs.map((x) => [x.prompt, x.response, yes(x.correct), yes(x.direct), x.score]),
      );
    }
    case 'gold_score': {
      const xs = items(() => true);
      return out(
        `${xs.length} held-out prompts of every kind, each scored 0–1 by the gold judge.`,
        ['kind', 'prompt', 'response', 'score'],
        xs.map((x) => [x.kind, x.prompt, x.response, x.score]),
      );
    }
    case 'win_rate':
    case 'win_rate_rm': {
      const rm = metric === 'win_rate_rm';
      const xs = items((x) => (rm ? x.rewardOutcome !== undefined : x.outcome !== undefined));
      const w = suite().winRate;
      return out(
        `${xs.length} prompts answered by this model and by ${w ? w.against.split(/[\\/]/).slice(-2).join('/') : 'the reference'}; ${rm ? 'the reward model' : 'the gold judge'} scores both.`,
        ['prompt', 'response', 'reference response', 'score', 'reference score', 'outcome'],
        xs.map((x) =>
          rm
            ? [
                x.prompt,
                x.response,
                x.referenceResponse ?? null,
                x.rewardScore ?? null,
                x.referenceRewardScore ?? null,
                x.rewardOutcome ?? null,
              ]
            : [
                x.prompt,
                x.response,
                x.referenceResponse ?? null,
                x.score,
                x.referenceScore ?? null,
                x.outcome ?? null,
              ],
        ),
      );
    }
    case 'harmful_refusal':
    case 'over_refusal': {
      const kind = metric === 'harmful_refusal' ? 'harmful' : 'benign';
      const xs = items((x) => x.kind === kind);
      return out(
        `${xs.length} ${kind === 'harmful' ? 'harmful requests' : 'benign look-alikes'}; "refused" by the refusal detector.`,
        ['prompt', 'response', 'refused', 'score'],
        xs.map((x) => [x.prompt, x.response, yes(x.refused), x.score]),
      );
    }
    case 'idk_rate': {
      const xs = items((x) => x.kind === 'unanswerable');
      return out(
        `${xs.length} questions about things not in the world.`,
        ['prompt', 'response', 'said "I don\'t know"', 'score'],
        xs.map((x) => [x.prompt, x.response, yes(x.saidIdk), x.score]),
      );
    }
    case 'ece': {
      const c = suite().calibration;
      if (!c) throw new LabError('not_found', 'this evaluation did not measure calibration');
      const xs = items((x) => (x.kind === 'fact' || x.kind === 'arithmetic') && x.confidence !== undefined);
      return out(
        `${c.n} answers; confidence is the mean token probability of the reply, correctness the gold judge's.`,
        ['prompt', 'response', 'confidence', 'correct'],
        xs.map((x) => [x.prompt, x.response, x.confidence!, yes(x.correct)]),
        { bins: c.bins },
      );
    }
    case 'response_words': {
      const xs = items(() => true);
      return out(
        `${xs.length} replies.`,
        ['kind', 'prompt', 'response', 'words', 'tokens'],
        xs.map((x) => [x.kind, x.prompt, x.response, x.words, x.tokens ?? null]),
      );
    }
    case 'kl': {
      const xs = items((x) => x.klToReference !== undefined);
      return out(
        `${xs.length} replies; KL per token and summed over the reply, against the reference model.`,
        ['kind', 'prompt', 'response', 'KL per token', 'KL summed'],
        xs.map((x) => [x.kind, x.prompt, x.response, x.klToReference!, x.klToReferenceSeq ?? null]),
      );
    }
    default:
      throw new LabError('invalid', `metric: no items for "${metric}"`);
  }
}

const fmt = (v: number | null, rate: boolean, signed = false): string => {
  if (v === null || !Number.isFinite(v)) return '—';
  const s = rate ? `${(100 * v).toFixed(1)}%` : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
  return signed && v > 0 ? `+${s}` : s;
};

const SHORT: Record<string, string> = {
  perplexity: 'ppl',
  fact_accuracy: 'facts',
  gold_score: 'gold',
  win_rate: 'win',
  win_rate_rm: 'win(RM)',
  harmful_refusal: 'refuse',
  over_refusal: 'over-ref',
  idk_rate: 'idk',
  ece: 'ECE',
  response_words: 'words',
  kl: 'KL',
};

/**
 * A pipeline's alignment-tax table as text: models × metrics, then the change of each against the
 * base model and against the SFT model (rates in percentage points), with a legend of the columns.
 */
export function formatTaxTable(p: TaxPipeline): string[] {
  const metrics = TAX_METRICS.filter((m) => p.models.some((r) => r.values[m.key] !== null));
  const w = Math.max(8, ...p.models.map((r) => r.label.length));
  const table = (title: string, pick: (r: TaxModel) => Record<string, number | null>, signed: boolean) => [
    `  ${title}`,
    `  ${''.padEnd(w)} ${metrics.map((m) => (SHORT[m.key] ?? m.key).padStart(9)).join('')}`,
    ...p.models.map(
      (r) =>
        `  ${r.label.padEnd(w)} ${metrics.map((m) => fmt(pick(r)[m.key] ?? null, m.format === 'rate', signed).padStart(9)).join('')}`,
    ),
  ];
  const legend = metrics.map(
    (m) =>
      `${SHORT[m.key] ?? m.key} = ${m.label}${m.better ? ` (${m.better === 'up' ? '↑' : '↓'} better)` : ''}`,
  );
  return [
    `alignment tax: ${p.name}`,
    ...table('value', (r) => r.values, false),
    '',
    ...table('change vs base', (r) => r.vsBase, true),
    '',
    ...table('change vs SFT', (r) => r.vsSft, true),
    '',
    `  ${legend.join('; ')}`,
  ];
}
