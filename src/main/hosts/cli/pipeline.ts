// `lab pipeline --preset NAME`: a whole pipeline headless (world → pretrain → evaluate → SFT →
// evaluate for sft-demo), with progress per stage and, at the end, the evaluation table.
import { parseArgs } from 'node:util';
import type { Pipeline, Run, RunProgressEvent } from '../../../shared/schemas';
import { resolveDataDir } from '../../lab/paths';
import { PIPELINE_PRESETS } from '../../lab/pipelines';
import { formatTaxTable, taxPipeline } from '../../lab/tax';
import type { Lab } from '../../lab/lab';
import { openLab } from '../node';

export const PIPELINE_USAGE = `  npm run lab -- pipeline --preset ${Object.keys(PIPELINE_PRESETS).join('|')} [--seed N] [--data DIR] [--json]`;

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

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—');

export async function pipelineCommand(
  args: string[],
  /** Called with the finished pipeline before the lab closes (`lab experiment` prints its table). */
  after?: (lab: Lab, p: Pipeline, json: boolean) => Promise<void>,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: 'string', default: 'sft-demo' },
      seed: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const json = values.json;
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const started = Date.now();
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    const stageOf = new Map<number, string>();
    let lastLine = 0;
    let settle: (p: Pipeline) => void = () => {};
    const finished = new Promise<Pipeline>((resolve) => (settle = resolve));
    let pipelineId = 0;
    const stageStatus = new Map<string, string>();
    lab.subscribe((event, payload) => {
      if (event === 'pipelineStatus') {
        const p = payload as Pipeline;
        if (p.id !== pipelineId && pipelineId !== 0) return;
        for (const s of p.stages) {
          if (s.runId) stageOf.set(s.runId, s.name);
          if (stageStatus.get(s.name) === s.status) continue;
          stageStatus.set(s.name, s.status);
          if (s.status === 'pending') continue;
          if (json) out({ type: 'stage', pipelineId: p.id, ...s, elapsedMs: Date.now() - started });
          else
            console.log(
              `[${((Date.now() - started) / 1000).toFixed(0)} s] ${s.label}: ${s.status}${s.runId ? ` (run ${s.runId})` : ''}`,
            );
        }
        if (p.status !== 'running') settle(p);
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
    const p0 = await lab.startPipeline({
      preset: values.preset,
      seed: values.seed === undefined ? undefined : Number(values.seed),
    });
    pipelineId = p0.id;
    if (json) out({ type: 'pipeline', pipelineId: p0.id, name: p0.name, preset: p0.preset });
    else console.log(`pipeline ${p0.id} (${p0.name}) started; data in ${lab.store.db.name}`);
    process.once('SIGINT', () => void lab.cancelPipeline({ id: p0.id }));
    const p = p0.status === 'running' ? await finished : p0;
    const table = await evaluationTable(lab, p);
    const stages = await Promise.all(
      p.stages.map(async (s) => {
        const run: Run | null = s.runId ? await lab.getRun({ id: s.runId }) : null;
        const ms =
          run?.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null;
        return { name: s.name, status: s.status, runId: s.runId, ms };
      }),
    );
    const wallTimeMs = Date.now() - started;
    const tax = taxPipeline(lab.store, p);
    if (json)
      out({
        type: 'summary',
        pipelineId: p.id,
        status: p.status,
        error: p.error,
        wallTimeMs,
        stages,
        table,
        tax,
      });
    else {
      console.log(
        `\npipeline ${p.id} ${p.status}${p.error ? `: ${p.error}` : ''} in ${(wallTimeMs / 60000).toFixed(1)} min`,
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
    await after?.(lab, p, json);
    return p.status === 'completed' ? 0 : 1;
  } finally {
    await lab.close();
  }
}
