// The messages between the Runner (main process) and a run process, with their zod schemas:
// both sides validate what arrives, since a run process is another program as far as trust goes.
import { z } from 'zod';
import { Algorithm, BackendInfo, InferenceInfo } from '../../shared/schemas';

export const StartMessage = z.object({
  type: z.literal('start'),
  runId: z.number().int(),
  algorithm: Algorithm,
  /** The resolved config (already validated by the Lab). */
  config: z.record(z.string(), z.unknown()),
  /** The trainer's inputs, e.g. `{ kind: 'seed-dpo' }` or text pairs. */
  inputs: z.unknown(),
  outDir: z.string(),
});
export type StartMessage = z.infer<typeof StartMessage>;

/** A playground generation: the run process loads the model, streams text, and exits. */
export const GenerateMessage = z.object({
  type: z.literal('generate'),
  request: z.object({
    modelPath: z.string(),
    messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
    template: z.string(),
    maxNewTokens: z.number(),
    temperature: z.number(),
    topK: z.number(),
    topP: z.number(),
    seed: z.number(),
  }),
});

/** The reward model's scoring view: the run process loads the reward model, scores, and exits. */
export const ScoreMessage = z.object({
  type: z.literal('score'),
  request: z.object({
    modelPath: z.string(),
    prompt: z.string(),
    responses: z.array(z.string()),
    template: z.string().optional(),
  }),
});

export const ToRunProcess = z.discriminatedUnion('type', [
  StartMessage,
  GenerateMessage,
  ScoreMessage,
  z.object({ type: z.literal('cancel') }),
]);
export type ToRunProcess = z.infer<typeof ToRunProcess>;

export const TrainEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('backend'), backend: BackendInfo }),
  z.object({ type: z.literal('inference'), inference: InferenceInfo }),
  z.object({ type: z.literal('progress'), step: z.number(), totalSteps: z.number(), epoch: z.number() }),
  z.object({ type: z.literal('metrics'), step: z.number(), values: z.record(z.string(), z.number()) }),
  z.object({ type: z.literal('checkpoint'), step: z.number(), path: z.string() }),
  z.object({ type: z.literal('model'), path: z.string(), arch: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('log'), message: z.string() }),
  z.object({
    type: z.literal('samples'),
    step: z.number(),
    kind: z.string(),
    items: z.array(z.record(z.string(), z.unknown())),
  }),
]);

export const FromRunProcess = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('event'), event: TrainEventSchema }),
  z.object({ type: z.literal('done'), status: z.enum(['completed', 'cancelled']) }),
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({ type: z.literal('text'), delta: z.string() }),
  z.object({
    type: z.literal('scores'),
    rewards: z.array(z.number()),
    /** Where the reward model ran (null: no network, e.g. a feature reward model). */
    inference: InferenceInfo.nullable().default(null),
  }),
]);
export type FromRunProcess = z.infer<typeof FromRunProcess>;

/** How the Runner starts a run process: child_process.fork under Node, utilityProcess under Electron. */
export interface RunProcess {
  send(message: ToRunProcess): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process ends, with a human-readable reason when it did not exit cleanly. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}
export type RunProcessLauncher = () => RunProcess;
