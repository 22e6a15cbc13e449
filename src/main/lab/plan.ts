// The planner behind LabApi.planPipeline: the engine's closed-form GPipe schedule, checked against its
// event-driven simulation, as the grid and numbers the run page's "Cluster planner" draws.
import type { PipelinePlan, PlanPipelineInput } from '../../shared/plan';
import { gpipeSchedule, scheduleGrid, simulate } from '../engine/plan/pipeline-parallel';

export function planPipeline(input: PlanPipelineInput): PipelinePlan {
  const plan = gpipeSchedule(input);
  const sim = simulate(input);
  const key = (x: { stage: number; microBatch: number; phase: string; time: number }) =>
    `${x.stage}/${x.microBatch}/${x.phase}/${x.time}`;
  const agrees =
    sim.slots.length === plan.slots.length && sim.slots.every((x, i) => key(x) === key(plan.slots[i]!));
  return {
    stages: plan.stages,
    microBatches: plan.microBatches,
    backward: plan.backward,
    timeSteps: plan.timeSteps,
    grid: scheduleGrid(plan),
    busy: plan.busy,
    idle: plan.idle,
    formula: plan.formula,
    simulated: sim.utilisation,
    agrees,
  };
}

/**
 * The plan as Markdown (a sentence with the numbers, then the stage × time table), for a document
 * that travels with a run to a cluster, e.g. the TRL export's README.
 */
export function planMarkdown(plan: PipelinePlan): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const head = ['stage', ...Array.from({ length: plan.timeSteps }, (_, t) => `t${t + 1}`)];
  const rows = plan.grid.map((row, s) => [String(s + 1), ...row.map((c) => c ?? '·')]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `GPipe schedule for ${plan.stages} pipeline stages and ${plan.microBatches} micro-batches` +
      `${plan.backward ? ' (forward F, then backward B after a flush)' : ' (forward only)'}: ` +
      `${plan.timeSteps} time steps, ${plan.busy} busy and ${plan.idle} idle slots (·); utilisation ` +
      `m / (s + m − 1) = ${plan.microBatches} / ${plan.stages + plan.microBatches - 1} = ${pct(plan.formula)}` +
      `${plan.agrees ? ', as simulated' : `, simulated ${pct(plan.simulated)}`}.`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
  ].join('\n');
}
