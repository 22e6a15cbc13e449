// Pipeline parallelism (GPipe, Huang et al. 2019), planned on paper for the hand-off to a cluster: a
// model cut into `s` stages on `s` devices, a batch cut into `m` micro-batches. Stage k works on
// micro-batch j's forward at time k + j (one unit per stage and micro-batch); with backward passes, a
// synchronous flush follows: the last stage starts the backwards once every forward is done, and they
// flow back down, so micro-batch j's backward is at stage k at time (s + m − 1) + (s − 1 − k) + j.
// Either way a device is busy for m of every s + m − 1 slots: utilisation m / (s + m − 1), the rest is
// the "bubble". The closed form is checked against an event-driven simulation of the same rules
// (`simulate`), which knows nothing of the formula. Pure: no tensors, no I/O.

export type Phase = 'F' | 'B';

/** One unit of work: a stage runs a micro-batch's forward or backward in one time slot. */
export interface Slot {
  stage: number;
  microBatch: number;
  phase: Phase;
  time: number;
}

export interface PlanInput {
  /** Pipeline stages (devices), s ≥ 1. */
  stages: number;
  /** Micro-batches per batch, m ≥ 1. */
  microBatches: number;
  /** Also schedule the backward passes (forward and backward each one time unit). */
  backward: boolean;
}

export interface Plan extends PlanInput {
  /** Every slot of work, by time then stage. */
  slots: Slot[];
  /** Time steps from the first forward to the last slot (the makespan). */
  timeSteps: number;
  /** Stage × time cells that do work, and those that wait (the bubble). */
  busy: number;
  idle: number;
  /** busy / (stages × timeSteps). */
  utilisation: number;
  /** m / (s + m − 1). */
  formula: number;
  /** The bubble's share, (s − 1) / (s + m − 1). */
  bubble: number;
}

const MAX = 256;

function check(input: PlanInput): void {
  for (const [name, v] of [
    ['stages', input.stages],
    ['microBatches', input.microBatches],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > MAX)
      throw new Error(`${name} must be a whole number from 1 to ${MAX} (got ${v})`);
}

/** m / (s + m − 1): the share of stage-time slots that do work in a GPipe schedule. */
export function gpipeUtilisation(stages: number, microBatches: number): number {
  return microBatches / (stages + microBatches - 1);
}

function planOf(input: PlanInput, slots: Slot[]): Plan {
  const { stages: s, microBatches: m } = input;
  const timeSteps = slots.reduce((t, x) => Math.max(t, x.time + 1), 0);
  const busy = slots.length;
  const cells = s * timeSteps;
  slots.sort((a, b) => a.time - b.time || a.stage - b.stage);
  return {
    ...input,
    slots,
    timeSteps,
    busy,
    idle: cells - busy,
    utilisation: busy / cells,
    formula: gpipeUtilisation(s, m),
    bubble: (s - 1) / (s + m - 1),
  };
}

/** The GPipe schedule in closed form. */
export function gpipeSchedule(input: PlanInput): Plan {
  check(input);
  const { stages: s, microBatches: m } = input;
  const slots: Slot[] = [];
  for (let k = 0; k < s; k++)
    for (let j = 0; j < m; j++) {
      slots.push({ stage: k, microBatch: j, phase: 'F', time: k + j });
      if (input.backward)
        slots.push({ stage: k, microBatch: j, phase: 'B', time: s + m - 1 + (s - 1 - k) + j });
    }
  return planOf(input, slots);
}

/**
 * The same rules run as events: a stage takes the oldest task that is ready whenever it is free; a
 * forward is ready when the stage before finished it; with backward, the last stage's backwards are
 * ready once its last forward is done (the flush), and each other stage's when the stage after
 * finished it.
 */
export function simulate(input: PlanInput): Plan {
  check(input);
  const { stages: s, microBatches: m } = input;
  // ready[k]: tasks that may run on stage k, with the time they became ready.
  const ready: { task: Omit<Slot, 'time'>; at: number }[][] = Array.from({ length: s }, () => []);
  const freeAt = new Array<number>(s).fill(0);
  const slots: Slot[] = [];
  for (let j = 0; j < m; j++) ready[0]!.push({ task: { stage: 0, microBatch: j, phase: 'F' }, at: 0 });
  let forwardsDoneAtLast = 0;
  // Event loop: repeatedly start the earliest-startable task over all stages (ties: lower stage first).
  for (;;) {
    let best: { k: number; i: number; start: number } | null = null;
    for (let k = 0; k < s; k++)
      ready[k]!.forEach((r, i) => {
        const start = Math.max(r.at, freeAt[k]!);
        if (!best || start < best.start || (start === best.start && k < best.k)) best = { k, i, start };
      });
    if (!best) break;
    const { k, i, start } = best as { k: number; i: number; start: number };
    const { task } = ready[k]!.splice(i, 1)[0]!;
    slots.push({ ...task, time: start });
    const done = start + 1;
    freeAt[k] = done;
    if (task.phase === 'F') {
      if (k + 1 < s)
        ready[k + 1]!.push({ task: { stage: k + 1, microBatch: task.microBatch, phase: 'F' }, at: done });
      else if (input.backward && ++forwardsDoneAtLast === m)
        // The flush: every forward is through, the backwards start at the last stage.
        for (let j = 0; j < m; j++)
          ready[k]!.push({ task: { stage: k, microBatch: j, phase: 'B' }, at: done });
    } else if (k > 0) {
      ready[k - 1]!.push({ task: { stage: k - 1, microBatch: task.microBatch, phase: 'B' }, at: done });
    }
  }
  return planOf(input, slots);
}

/** The schedule as a stage × time grid: `F3` / `B3` (micro-batch 3, 1-based) or null for an idle slot. */
export function scheduleGrid(plan: Plan): (string | null)[][] {
  const grid = Array.from({ length: plan.stages }, () => new Array<string | null>(plan.timeSteps).fill(null));
  for (const x of plan.slots) grid[x.stage]![x.time] = `${x.phase}${x.microBatch + 1}`;
  return grid;
}
