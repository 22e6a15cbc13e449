// `lab experiment [NAME]`: without a name, the experiments (pipeline presets of the `experiment` group)
// and the claim each tests; with one, that pipeline headless (as `lab pipeline`), then its comparison
// table: one row per compared stage, one column per compared metric (src/shared/experiments.ts).
import { parseArgs } from 'node:util';
import { compareHref, experimentTable } from '../../../shared/experiments';
import type { Pipeline, Run } from '../../../shared/schemas';
import { PIPELINE_PRESETS } from '../../lab/pipelines';
import type { Lab } from '../../lab/lab';
import { pipelineCommand } from './pipeline';

const experiments = () => Object.entries(PIPELINE_PRESETS).filter(([, p]) => p.group === 'experiment');

export const EXPERIMENT_USAGE = `  npm run lab -- experiment [${experiments()
  .map(([n]) => n)
  .join('|')}] [--seed N] [--data DIR] [--json]`;

const cell = (v: number | null) =>
  v === null
    ? '—'
    : Number.isInteger(v)
      ? String(v)
      : Math.abs(v) >= 1000
        ? v.toFixed(0)
        : Math.abs(v) >= 1
          ? v.toFixed(3)
          : v.toFixed(4);

async function printTable(lab: Lab, p: Pipeline, json: boolean): Promise<void> {
  const runs = new Map<number, Run>();
  for (const s of p.stages) if (s.runId) runs.set(s.runId, await lab.getRun({ id: s.runId }));
  const table = experimentTable(p, runs);
  if (!table) return;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ type: 'experiment', pipelineId: p.id, compare: compareHref(p.id), ...table })}\n`,
    );
    return;
  }
  const width = Math.max(...table.metrics.map((m) => m.length), 10);
  const stageWidth = Math.max(...table.rows.map((r) => r.stage.length), 6);
  console.log(`\n${table.claim ? `claim: ${table.claim}\n` : ''}`);
  console.log(`  ${'stage'.padEnd(stageWidth)} ${table.metrics.map((m) => m.padStart(width)).join(' ')}`);
  for (const r of table.rows)
    console.log(`  ${r.stage.padEnd(stageWidth)} ${r.values.map((v) => cell(v).padStart(width)).join(' ')}`);
  console.log(`\nchart and table in the lab: ${compareHref(p.id)}`);
}

export async function experimentCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const name = positionals[0];
  if (!name) {
    for (const [n, p] of experiments())
      if (values.json)
        process.stdout.write(`${JSON.stringify({ name: n, claim: p.claim, description: p.description })}\n`);
      else console.log(`${n}: ${p.claim ?? ''}\n  ${p.description}`);
    return 0;
  }
  if (!experiments().some(([n]) => n === name))
    throw new Error(
      `experiment: unknown experiment "${name}"; known: ${experiments()
        .map(([n]) => n)
        .join(', ')}`,
    );
  const flags = [
    '--preset',
    name,
    ...(values.seed !== undefined ? ['--seed', values.seed] : []),
    ...(values.data !== undefined ? ['--data', values.data] : []),
    ...(values.json ? ['--json'] : []),
  ];
  return pipelineCommand(flags, printTable);
}
