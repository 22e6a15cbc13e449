// Runs side by side (the Compare page): what the store holds of each run, assembled so that the
// page only draws. Metric series aligned on every x-axis a run can offer (step, tokens seen, epoch,
// wall time); the config fields that differ; each run's evaluations (eval runs of its model); the
// reward–KL frontier (gold score against KL to the reference: PPO's per-iteration rollouts, and every
// evaluation that measured `kl_to_reference`); the replies of each model to the same held-out prompts,
// read from their evaluations; and the cost of each run. Runs of any kind, imported ones included,
// are compared on what they share; what cannot be compared is said in `notes`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALGORITHM_LABELS,
  type CompareEval,
  type CompareGeneration,
  type CompareMetric,
  type ComparePoint,
  type CompareResult,
  type CompareRun,
  type FrontierCurve,
  type MetricPoint,
  type Run,
} from '../../shared/schemas';
import type { Store } from './store';

/** Metrics that are x-axes, not curves: tokens seen (ours, and HF Trainer's) and epoch. */
export const TOKEN_METRICS = ['num_tokens', 'num_input_tokens_seen'] as const;
export const EPOCH_METRIC = 'epoch';
/** The metrics of the frontier: PPO's KL per rollout, the gold judge's and the reward source's scores. */
export const PPO_KL = 'objective/kl';
export const PPO_PROXY = 'objective/scores';
export const GOLD = 'gold/score';
/** An evaluation's gold score and KL per reply (see engine/tasks/eval.ts). */
export const EVAL_GOLD = 'overall/mean_score';
export const EVAL_KL = 'kl_to_reference_seq';
const EVAL_RESULTS_FILE = 'eval-results.json';
/** Held-out prompts shown side by side, per set and in all. */
const PROMPTS_PER_SET = 3;
const MAX_PROMPTS = 12;

const LOSS_LABELS: Record<string, string> = {
  sigmoid: 'DPO',
  robust: 'Robust DPO',
  hinge: 'SLiC (hinge)',
  ipo: 'IPO',
  kto: 'KTO',
  orpo: 'ORPO',
  simpo: 'SimPO',
};

/** What an imported run's file said about it (read loosely: only its runtime is used here). */
const externalInfo = (run: Run): Record<string, unknown> | null => {
  const ext = (run as { external?: { info?: Record<string, unknown> } | null }).external;
  return ext ? (ext.info ?? {}) : null;
};

/** A readable kind of run: the DPO family by its loss, the rest by algorithm; imported ones say so. */
export function runKind(run: Pick<Run, 'algorithm' | 'config'> & Partial<Run>): string {
  const loss = run.config['lossType'];
  const kind =
    run.algorithm === 'dpo' && typeof loss === 'string'
      ? (LOSS_LABELS[loss] ?? loss)
      : ((ALGORITHM_LABELS as Record<string, string>)[run.algorithm] ?? run.algorithm);
  return (run as { external?: unknown }).external ? `${kind} (imported)` : kind;
}

/** The value at `step` of a step-sorted series, or at the last step before it; null before its first. */
function at(series: [number, number][] | undefined, step: number): number | null {
  if (!series || series.length === 0) return null;
  let lo = 0;
  let hi = series.length - 1;
  if (series[0]![0] > step) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (series[mid]![0] <= step) lo = mid;
    else hi = mid - 1;
  }
  return series[lo]![1];
}

const isoSeconds = (a: string | null, b: string | null): number | null =>
  a && b ? Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000) : null;

interface Subject {
  run: Run;
  byName: Map<string, MetricPoint[]>;
  evals: Run[];
}

export function compareRuns(store: Store, dataDir: string, runIds: readonly number[]): CompareResult {
  const selected = [...new Set(runIds)].map((id) => store.getRun(id));
  const allRuns = store.listRuns();
  const evalsOf = (modelId: number | null) =>
    modelId === null
      ? []
      : allRuns
          .filter((r) => r.algorithm === 'eval' && r.status === 'completed' && r.config['model'] === modelId)
          .sort((a, b) => a.id - b.id);
  // An evaluation of a selected run's model is shown with that run rather than beside it.
  const models = new Set(selected.flatMap((r) => (r.algorithm !== 'eval' && r.modelId ? [r.modelId] : [])));
  const subjects: Subject[] = selected
    .filter((r) => !(r.algorithm === 'eval' && models.has(r.config['model'] as number)))
    .map((run) => {
      const byName = new Map<string, MetricPoint[]>();
      if (run.algorithm !== 'eval')
        for (const p of store.metrics(run.id)) {
          const list = byName.get(p.name);
          if (list) list.push(p);
          else byName.set(p.name, [p]);
        }
      const evals = run.algorithm === 'eval' ? [run] : evalsOf(run.modelId);
      return { run, byName, evals };
    });
  const notes: string[] = [];
  const pipelines = store.listPipelines();
  const lms = new Set(store.listModels().flatMap((m) => (m.kind === 'lm' ? [m.id] : [])));
  const chatModel = (run: Run): number | null => {
    const id = run.algorithm === 'eval' ? run.config['model'] : run.modelId;
    return typeof id === 'number' && lms.has(id) ? id : null;
  };
  const pipelineOf = (id: number) => pipelines.find((p) => p.stages.some((s) => s.runId === id))?.id ?? null;

  // ── Runs, their axes and cost; metric series with every x-axis ──────────────────────────
  const metrics = new Map<string, CompareMetric>();
  const runs: CompareRun[] = subjects.map(({ run, byName }) => {
    const pairs = (name: string) => byName.get(name)?.map((p) => [p.step, p.value] as [number, number]);
    const tokenName = TOKEN_METRICS.find((n) => byName.has(n));
    const tokens = tokenName ? pairs(tokenName) : undefined;
    const epochs = pairs(EPOCH_METRIC);
    const all = [...byName.values()].flat();
    const t0 = all.reduce((a, p) => Math.min(a, p.time), Infinity);
    const t1 = all.reduce((a, p) => Math.max(a, p.time), -Infinity);
    for (const [name, points] of byName) {
      if (name === EPOCH_METRIC || (TOKEN_METRICS as readonly string[]).includes(name)) continue;
      const row: ComparePoint[] = points.map((p) => [
        p.step,
        p.value,
        (p.time - t0) / 1000,
        at(tokens, p.step),
        at(epochs, p.step),
      ]);
      let m = metrics.get(name);
      if (!m) metrics.set(name, (m = { name, series: [] }));
      m.series.push({ runId: run.id, points: row });
    }
    // An imported run's own runtime (HF Trainer's `train_runtime`), else start to finish here, else
    // the span of its metrics.
    const runtime = externalInfo(run)?.['train_runtime'];
    const wallSeconds =
      typeof runtime === 'number'
        ? runtime
        : externalInfo(run)
          ? all.length > 1
            ? (t1 - t0) / 1000
            : null
          : (isoSeconds(run.startedAt, run.finishedAt) ?? (all.length > 0 ? (t1 - t0) / 1000 : null));
    const steps = all.reduce((a, p) => Math.max(a, p.step), 0);
    return {
      id: run.id,
      name: run.name,
      algorithm: run.algorithm,
      kind: runKind(run),
      status: run.status,
      modelId: run.modelId,
      chatModelId: chatModel(run),
      template: typeof run.config['template'] === 'string' ? run.config['template'] : null,
      pipelineId: pipelineOf(run.id),
      axes: { tokens: tokens !== undefined, epoch: epochs !== undefined, time: all.length > 0 },
      cost: { wallSeconds, tokens: tokens?.at(-1)?.[1] ?? null, steps },
    };
  });
  const withMetrics = subjects.filter((s) => s.byName.size > 0);
  const sorted = [...metrics.values()].sort((a, b) => a.name.localeCompare(b.name));
  const shared = sorted
    .filter((m) => m.series.length === withMetrics.length && withMetrics.length > 0)
    .map((m) => m.name);
  if (withMetrics.length > 1 && shared.length === 0)
    notes.push('The selected runs log no metric in common; their curves are shown one run at a time.');
  for (const s of subjects)
    if (s.run.algorithm !== 'eval' && s.byName.size === 0)
      notes.push(`${s.run.name} has no metrics stored (it is ${s.run.status}).`);

  // ── Config diff ──────────────────────────────────────────────────────────────────────────
  const configOf = (r: Run): Record<string, unknown> => {
    const { resumeFrom: _r, ...rest } = r.config;
    return { algorithm: runKind(r), dataset: r.datasetName || null, ...rest };
  };
  const configs = subjects.map((s) => configOf(s.run));
  const fields = [...new Set(configs.flatMap((c) => Object.keys(c)))];
  const configDiff = fields.flatMap((field) => {
    const values = Object.fromEntries(
      subjects.map((s, i) => {
        const v = configs[i]![field];
        return [String(s.run.id), v === undefined || v === null ? null : JSON.stringify(v)];
      }),
    );
    return new Set(Object.values(values)).size > 1 ? [{ field, values }] : [];
  });

  // ── Evaluations ──────────────────────────────────────────────────────────────────────────
  const evals: CompareEval[] = subjects.flatMap((s) =>
    s.evals.map((e) => ({
      runId: s.run.id,
      evalRunId: e.id,
      evalName: e.name,
      referenceModelId: typeof e.config['referenceModel'] === 'number' ? e.config['referenceModel'] : null,
      values: e.summary,
    })),
  );

  // ── The reward–KL frontier ───────────────────────────────────────────────────────────────
  const frontier: FrontierCurve[] = [];
  for (const s of subjects) {
    const gold = s.byName.get(GOLD);
    const kl = s.byName.get(PPO_KL);
    if (gold && kl) {
      const klAt = new Map(kl.map((p) => [p.step, p.value]));
      const proxyAt = new Map((s.byName.get(PPO_PROXY) ?? []).map((p) => [p.step, p.value]));
      const points = gold.flatMap((g) => {
        const k = klAt.get(g.step);
        return k === undefined
          ? []
          : [{ kl: k, gold: g.value, proxy: proxyAt.get(g.step) ?? null, step: g.step, evalRunId: null }];
      });
      if (points.length > 0) frontier.push({ runId: s.run.id, source: 'training', points });
    } else if (s.run.algorithm === 'ppo' && kl)
      notes.push(
        `${s.run.name} logged no gold score (gold/score): its prompts do not come from a sandbox world, or it ran before the lab logged it.`,
      );
    const points = s.evals.flatMap((e) => {
      const g = e.summary[EVAL_GOLD];
      const k = e.summary[EVAL_KL];
      return g === undefined || k === undefined
        ? []
        : [{ kl: k, gold: g, proxy: null, step: null, evalRunId: e.id }];
    });
    if (points.length > 0) frontier.push({ runId: s.run.id, source: 'evaluation', points });
    else if (s.evals.length > 0)
      notes.push(
        `${s.run.name}: no evaluation measured the KL to a reference model, so it has no point on the frontier; evaluate it with the SFT model as the reference.`,
      );
    else if (s.run.modelId !== null)
      notes.push(`${s.run.name} has no evaluation yet: evaluate its model to compare scores and replies.`);
  }

  return {
    runs,
    metrics: sorted,
    shared,
    configDiff,
    evals,
    frontier,
    generations: generations(dataDir, subjects),
    notes,
  };
}

interface StoredReply {
  prompt: string;
  response: string;
  score?: number;
}

/** An evaluation's replies by set, read from its run folder; empty when the file is absent or unreadable. */
function evalReplies(dataDir: string, evalRunId: number): Map<string, StoredReply[]> {
  const out = new Map<string, StoredReply[]>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, 'runs', String(evalRunId), EVAL_RESULTS_FILE), 'utf8'));
  } catch {
    return out;
  }
  if (!parsed || typeof parsed !== 'object') return out;
  for (const [set, report] of Object.entries(parsed as Record<string, unknown>)) {
    const items = (report as { items?: unknown } | null)?.items;
    if (!Array.isArray(items)) continue;
    out.set(
      set,
      items.filter(
        (it): it is StoredReply =>
          typeof it === 'object' &&
          it !== null &&
          typeof (it as StoredReply).prompt === 'string' &&
          typeof (it as StoredReply).response === 'string',
      ),
    );
  }
  return out;
}

/** The same held-out prompts as each run's latest evaluation answered them: prompts every one was asked. */
function generations(dataDir: string, subjects: Subject[]): CompareGeneration[] {
  const evaluated = subjects.flatMap((s) => {
    const last = s.evals.at(-1);
    return last ? [{ runId: s.run.id, replies: evalReplies(dataDir, last.id) }] : [];
  });
  if (evaluated.length === 0) return [];
  const out: CompareGeneration[] = [];
  for (const [set, items] of evaluated[0]!.replies) {
    let taken = 0;
    for (const item of items) {
      if (taken >= PROMPTS_PER_SET || out.length >= MAX_PROMPTS) break;
      const replies: CompareGeneration['replies'] = {};
      for (const e of evaluated) {
        const r = e.replies.get(set)?.find((x) => x.prompt === item.prompt);
        if (r)
          replies[String(e.runId)] = {
            response: r.response,
            score: typeof r.score === 'number' ? r.score : null,
          };
      }
      if (Object.keys(replies).length < evaluated.length) continue;
      out.push({ set, prompt: item.prompt, replies });
      taken++;
    }
  }
  return out;
}
