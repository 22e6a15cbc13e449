// `lab pipeline --preset NAME`: a whole pipeline headless (world → pretrain → evaluate → SFT →
// evaluate for sft-demo), with progress per stage and, at the end, the evaluation table.
import { parseArgs } from 'node:util';
import type { Pipeline, Run, RunProgressEvent } from '../../../shared/schemas';
import { resolveDataDir } from '../../lab/paths';
import { PIPELINE_PRESETS } from '../../lab/pipelines';
import { formatTaxTable, taxPipeline } from '../../lab/tax';
import { formatSeedsSummary, parseSeeds, summariseSeeds, type SeedRun } from '../../lab/seeds';
import type { Lab } from '../../lab/lab';
import { openLab } from '../node';

export const PIPELINE_USAGE = `  npm run lab -- pipeline --preset ${Object.keys(PIPELINE_PRESETS).join('|')} [--seed N | --seeds 1-4] [--data DIR] [--json]`;

interface Row {
  stage: string;
  model: string;
  set: string;
  directAnswerRate: number;
  factAccuracy: number;
  meanScore: number;
  n: number;
}

/** The evaluation stages' results, one row per (stage, set). */
export async function evaluationTable(lab: Lab, p: Pipeline): Promise<Row[]> {
  const rows: Row[] = [];
  for (const stage of p.stages) {
    if (!stage.runId) continue;
    const run = await lab.getRun({ id: stage.runId });
    if (run.algorithm !== 'eval') continue;
    for (const set of (run.config.sets as string[] | undefined) ?? []) {
      const m = (k: string) => run.summary[`${set}/${k}`] ?? NaN;
      rows.push({
        stage: stage.name,
        model: run.datasetName,
        set,
        directAnswerRate: m('direct_answer_rate'),
        factAccuracy: m('fact_accuracy'),
        meanScore: m('mean_score'),
        n: m('n'),
      });
    }
  }
  return rows;
}

/** The seed a pipeline ran with (its resolved config's). */
const seedOfPipeline = (p: Pipeline): number => Number((p.config as { seed?: unknown }).seed);

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—');

export async function pipelineCommand(
  args: string[],
  /** Called with each finished pipeline before the lab closes (`lab experiment` prints its table). */
  after?: (lab: Lab, p: Pipeline, json: boolean) => Promise<void>,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: 'string', default: 'sft-demo' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.seed !== undefined && values.seeds !== undefined)
    throw new Error('give --seed N for one run or --seeds LIST for several, not both');
  const seeds: (number | undefined)[] =
    values.seeds !== undefined
      ? parseSeeds(values.seeds)
      : [values.seed === undefined ? undefined : Number(values.seed)];
  const json = values.json;
  const several = seeds.length > 1;
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const started = Date.now();
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    const stageOf = new Map<number, string>();
    let lastLine = 0;
    const waiting = new Map<number, (p: Pipeline) => void>();
    const early = new Map<number, Pipeline>();
    const stageStatus = new Map<string, string>();
    const tag = (p: Pipeline) => (several ? `seed ${seedOfPipeline(p)} · ` : '');
    lab.subscribe((event, payload) => {
      if (event === 'pipelineStatus') {
        const p = payload as Pipeline;
        for (const s of p.stages) {
          if (s.runId) stageOf.set(s.runId, `${tag(p)}${s.name}`);
          const key = `${p.id}\u0000${s.name}`;
          if (stageStatus.get(key) === s.status) continue;
          stageStatus.set(key, s.status);
          if (s.status === 'pending') continue;
          if (json) out({ type: 'stage', pipelineId: p.id, ...s, elapsedMs: Date.now() - started });
          else
            console.log(
              `[${((Date.now() - started) / 1000).toFixed(0)} s] ${tag(p)}${s.label}: ${s.status}${s.runId ? ` (run ${s.runId})` : ''}`,
            );
        }
        if (p.status !== 'running') {
          const settle = waiting.get(p.id);
          if (settle) settle(p);
          else early.set(p.id, p);
        }
      } else if (event === 'runProgress') {
        const e = payload as RunProgressEvent;
        const stage = stageOf.get(e.runId);
        if (!stage) return;
        if (json)
          out({
            type: 'progress',
            stage,
            runId: e.runId,
            step: e.progress.step,
            totalSteps: e.progress.totalSteps,
          });
        else if (Date.now() - lastLine > 5000) {
          lastLine = Date.now();
          const loss = e.metrics.filter((m) => m.name === 'loss').at(-1)?.value;
          const eta = e.progress.etaMs === null ? '' : `, ~${Math.ceil(e.progress.etaMs / 1000)} s left`;
          console.log(
            `  ${stage}: step ${e.progress.step}/${e.progress.totalSteps}${loss === undefined ? '' : `, loss ${loss.toFixed(3)}`}${eta}`,
          );
        }
      }
    });
    // Every seed's pipeline starts at once; the lab's worker pool runs as many stages side by side as
    // it has workers (one per core).
    const started0: Pipeline[] = [];
    for (const seed of seeds) {
      const p0 = await lab.startPipeline({ preset: values.preset, seed });
      started0.push(p0);
      if (json)
        out({
          type: 'pipeline',
          pipelineId: p0.id,
          name: p0.name,
          preset: p0.preset,
          seed: seedOfPipeline(p0),
        });
      else console.log(`pipeline ${p0.id} (${p0.name}) started; data in ${lab.store.db.name}`);
    }
    process.once('SIGINT', () => {
      for (const p0 of started0) void lab.cancelPipeline({ id: p0.id });
    });
    const finished = await Promise.all(
      started0.map((p0) =>
        p0.status !== 'running'
          ? p0
          : (early.get(p0.id) ?? new Promise<Pipeline>((resolve) => waiting.set(p0.id, resolve))),
      ),
    );
    const runs: SeedRun[] = [];
    for (const p of finished) {
      const table = await evaluationTable(lab, p);
      const tax = taxPipeline(lab.store, p);
      runs.push({ seed: seedOfPipeline(p), status: p.status, table, tax });
      await reportOne(lab, p, table, tax, json, several ? null : Date.now() - started);
      await after?.(lab, p, json);
    }
    if (several) {
      const summary = summariseSeeds(runs);
      const wallTimeMs = Date.now() - started;
      if (json) out({ type: 'seeds', preset: values.preset, wallTimeMs, ...summary });
      else
        console.log(
          `\n${formatSeedsSummary(summary, values.preset).join('\n')}\n\n${seeds.length} pipelines in ${(wallTimeMs / 60000).toFixed(1)} min`,
        );
    }
    return finished.every((p) => p.status === 'completed') ? 0 : 1;
  } finally {
    await lab.close();
  }
}

/** One finished pipeline: its stages, its evaluation table and its alignment-tax table. */
async function reportOne(
  lab: Lab,
  p: Pipeline,
  table: Row[],
  tax: ReturnType<typeof taxPipeline>,
  json: boolean,
  wallTimeMs: number | null,
): Promise<void> {
  const stages = await Promise.all(
    p.stages.map(async (s) => {
      const run: Run | null = s.runId ? await lab.getRun({ id: s.runId }) : null;
      const ms =
        run?.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null;
      return { name: s.name, status: s.status, runId: s.runId, ms };
    }),
  );
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ type: 'summary', pipelineId: p.id, seed: seedOfPipeline(p), status: p.status, error: p.error, wallTimeMs, stages, table, tax })}\n`,
    );
    return;
  }
  console.log(
    `\npipeline ${p.id} (seed ${seedOfPipeline(p)}) ${p.status}${p.error ? `: ${p.error}` : ''}${wallTimeMs === null ? '' : ` in ${(wallTimeMs / 60000).toFixed(1)} min`}`,
  );
  for (const s of stages)
    console.log(
      `  ${s.name.padEnd(10)} ${s.status.padEnd(10)} ${s.ms === null ? '' : `${(s.ms / 1000).toFixed(0)} s`}`,
    );
  if (table.length) {
    console.log(
      `\n  ${'model'.padEnd(12)} ${'questions'.padEnd(18)} ${'direct answers'.padStart(14)} ${'correct'.padStart(8)} ${'n'.padStart(4)}`,
    );
    for (const r of table)
      console.log(
        `  ${r.stage.padEnd(12)} ${r.set.padEnd(18)} ${pct(r.directAnswerRate).padStart(14)} ${pct(r.factAccuracy).padStart(8)} ${String(r.n).padStart(4)}`,
      );
  }
  // The alignment tax: every evaluated model × every metric, with its change vs base and vs SFT.
  if (tax.models.length) console.log(`\n${formatTaxTable(tax).join('\n')}`);
}
