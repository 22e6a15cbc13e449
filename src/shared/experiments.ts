// Experiments: pipeline presets (resources/presets.json "pipelines") with `"group": "experiment"`, a
// `claim` under test and a `compare` spec naming the stages to put side by side and the run-summary
// metrics to show for each. A started pipeline keeps its preset in `config`, so the comparison of a
// finished experiment is read from the pipeline and its runs alone: by the CLI (`lab experiment`) and
// by the Compare page (`#/compare?pipeline=ID`). Pure: no node, no DOM.
import { ExperimentCompare, type Pipeline, type Run } from './schemas';

/** One compared stage: its run (when it has one) and the value of each compared metric (null: absent). */
export interface ExperimentRow {
  stage: string;
  label: string;
  runId: number | null;
  status: string;
  values: (number | null)[];
}

export interface ExperimentTable {
  claim: string | null;
  metrics: string[];
  rows: ExperimentRow[];
}

/** The experiment spec a pipeline was started with, or null when its preset is not an experiment. */
export function experimentOf(p: Pipeline): { claim: string | null; compare: ExperimentCompare } | null {
  if (p.config.group !== 'experiment') return null;
  const compare = ExperimentCompare.safeParse(p.config.compare);
  if (!compare.success) return null;
  return { claim: typeof p.config.claim === 'string' ? p.config.claim : null, compare: compare.data };
}

/** The comparison table of an experiment pipeline, from its runs (by id); null when it is not one. */
export function experimentTable(p: Pipeline, runs: ReadonlyMap<number, Run>): ExperimentTable | null {
  const spec = experimentOf(p);
  if (!spec) return null;
  const rows = spec.compare.stages.map((name): ExperimentRow => {
    const stage = p.stages.find((s) => s.name === name);
    const run = stage?.runId ? runs.get(stage.runId) : undefined;
    return {
      stage: name,
      label: stage?.label ?? name,
      runId: stage?.runId ?? null,
      status: stage?.status ?? 'missing',
      values: spec.compare.metrics.map((m) => {
        const v = run?.summary[m];
        return typeof v === 'number' && Number.isFinite(v) ? v : null;
      }),
    };
  });
  return { claim: spec.claim, metrics: spec.compare.metrics, rows };
}

/** `#/compare?pipeline=ID`: where a finished experiment's chart and table are. */
export const compareHref = (pipelineId: number): string => `#/compare?pipeline=${pipelineId}`;
