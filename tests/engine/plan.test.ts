// The pipeline-parallel planner: the GPipe schedule in closed form against an event-driven simulation
// of the same rules, over a table of (stages, micro-batches), forward only and with backward passes;
// the utilisation of both equals m / (s + m − 1).
import { describe, expect, it } from 'vitest';
import {
  gpipeSchedule,
  gpipeUtilisation,
  scheduleGrid,
  simulate,
} from '../../src/main/engine/plan/pipeline-parallel';
import { planMarkdown, planPipeline } from '../../src/main/lab/plan';

const TABLE: [number, number][] = [
  [1, 1],
  [1, 8],
  [2, 1],
  [2, 2],
  [2, 7],
  [3, 4],
  [4, 1],
  [4, 4],
  [4, 8],
  [4, 32],
  [5, 3],
  [8, 2],
  [8, 16],
  [16, 64],
];

describe('GPipe planner', () => {
  for (const backward of [false, true])
    it.each(TABLE)(`s=%i, m=%i${backward ? ', with backward' : ''}: formula = simulation`, (s, m) => {
      const input = { stages: s, microBatches: m, backward };
      const closed = gpipeSchedule(input);
      const sim = simulate(input);
      expect(sim.slots).toEqual(closed.slots);
      expect(sim.timeSteps).toBe((backward ? 2 : 1) * (s + m - 1));
      expect(sim.busy).toBe((backward ? 2 : 1) * s * m);
      expect(sim.idle).toBe(s * sim.timeSteps - sim.busy);
      expect(sim.utilisation).toBeCloseTo(m / (s + m - 1), 12);
      expect(closed.formula).toBeCloseTo(sim.utilisation, 12);
      expect(closed.bubble + closed.formula).toBeCloseTo(1, 12);
      // Every stage runs each micro-batch's forward (and backward) exactly once.
      for (let k = 0; k < s; k++)
        expect(sim.slots.filter((x) => x.stage === k).length).toBe((backward ? 2 : 1) * m);
    });

  it('draws the grid of 3 stages and 4 micro-batches as the GPipe paper does', () => {
    const grid = scheduleGrid(gpipeSchedule({ stages: 3, microBatches: 4, backward: false }));
    expect(grid).toEqual([
      ['F1', 'F2', 'F3', 'F4', null, null],
      [null, 'F1', 'F2', 'F3', 'F4', null],
      [null, null, 'F1', 'F2', 'F3', 'F4'],
    ]);
    const withBackward = scheduleGrid(gpipeSchedule({ stages: 2, microBatches: 2, backward: true }));
    expect(withBackward).toEqual([
      ['F1', 'F2', null, null, 'B1', 'B2'],
      [null, 'F1', 'F2', 'B1', 'B2', null],
    ]);
  });

  it('more micro-batches shrink the bubble', () => {
    expect(gpipeUtilisation(4, 1)).toBeCloseTo(0.25);
    expect(gpipeUtilisation(4, 4)).toBeCloseTo(4 / 7);
    expect(gpipeUtilisation(4, 32)).toBeGreaterThan(0.9);
  });

  it('says which input is wrong', () => {
    expect(() => gpipeSchedule({ stages: 0, microBatches: 4, backward: false })).toThrow(/stages must be/);
    expect(() => simulate({ stages: 2, microBatches: 1.5, backward: false })).toThrow(/microBatches must be/);
  });
});

describe('the lab side of the planner', () => {
  it('returns the grid and both utilisations, and writes the plan as Markdown', () => {
    const plan = planPipeline({ stages: 2, microBatches: 3, backward: false });
    expect(plan).toMatchObject({ timeSteps: 4, busy: 6, idle: 2, agrees: true });
    expect(plan.simulated).toBeCloseTo(0.75, 12);
    expect(plan.formula).toBeCloseTo(0.75, 12);
    expect(planMarkdown(plan).split('\n')).toEqual([
      'GPipe schedule for 2 pipeline stages and 3 micro-batches (forward only): 4 time steps, 6 busy and 2 idle slots (·); utilisation m / (s + m − 1) = 3 / 4 = 75.0 %, as simulated.',
      '',
      '| stage | t1 | t2 | t3 | t4 |',
      '| --- | --- | --- | --- | --- |',
      '| 1 | F1 | F2 | F3 | · |',
      '| 2 | · | F1 | F2 | F3 |',
    ]);
  });
});
