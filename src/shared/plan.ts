// The pipeline-parallel planner's contract (engine/plan/pipeline-parallel.ts): for s stages and m
// micro-batches, the GPipe schedule, its idle slots and utilisation m / (s + m − 1), checked against an
// event-driven simulation of the same schedule.
import { z } from 'zod';

const whole = (label: string) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(1, `${label} must be at least 1`)
    .max(64, `${label} must be at most 64`);

export const PlanPipelineInput = z.object({
  /** Pipeline stages (devices the model's layers are cut across). */
  stages: whole('Stages'),
  /** Micro-batches each batch is cut into. */
  microBatches: whole('Micro-batches'),
  /** Also schedule the backward passes (GPipe: after a flush, in reverse stage order). */
  backward: z.boolean().default(true),
});
export type PlanPipelineInput = z.infer<typeof PlanPipelineInput>;

export const PipelinePlan = z.object({
  stages: z.number().int(),
  microBatches: z.number().int(),
  backward: z.boolean(),
  timeSteps: z.number().int(),
  /** [stage][time]: `F3` / `B3` (micro-batch 3's forward / backward) or null for an idle slot. */
  grid: z.array(z.array(z.string().nullable())),
  busy: z.number().int(),
  idle: z.number().int(),
  /** The closed form m / (s + m − 1). */
  formula: z.number(),
  /** busy / (stages × time steps) of the event-driven simulation. */
  simulated: z.number(),
  /** The simulation placed every slot where the closed-form schedule does. */
  agrees: z.boolean(),
});
export type PipelinePlan = z.infer<typeof PipelinePlan>;
