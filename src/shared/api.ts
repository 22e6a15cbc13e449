// LabApi: the one typed contract between the renderer and the main process. The method and event
// tables below are the single list from which the Electron IPC adapter, the preload bridge and the
// web client are generated; no other file names a channel or a route.
import { z } from 'zod';
import * as S from './schemas';
import * as T from './tax';
import { DatasetQuality } from './quality';
import { PipelinePlan, PlanPipelineInput } from './plan';

const none = z.undefined();

/** Every LabApi method: its input schema and its output schema. */
export const labMethods = {
  createDataset: { input: S.CreateDatasetInput, output: S.Dataset },
  listDatasets: { input: none, output: z.array(S.Dataset) },
  getDataset: { input: S.DatasetRef, output: S.DatasetWithExamples },
  deleteDataset: { input: S.DatasetRef, output: z.null() },
  addExample: { input: S.AddExampleInput, output: S.Example },
  updateExample: { input: S.UpdateExampleInput, output: S.Example },
  deleteExample: { input: S.ExampleRef, output: z.null() },
  /** Each example's quality score and, for a low one, the features that pulled it down. */
  datasetQuality: { input: S.DatasetRef, output: DatasetQuality },
  inspectImport: { input: S.InspectImportInput, output: S.Detection },
  importDataset: { input: S.ImportInput, output: S.ImportResult },
  exportDataset: { input: S.DatasetRef, output: S.ExportResult },
  generateWorld: { input: S.GenerateWorldInput, output: S.WorldSummary },
  listWorlds: { input: none, output: z.array(S.WorldSummary) },
  getWorld: { input: S.WorldRef, output: S.WorldDetail },
  startRun: { input: S.StartRunInput, output: S.Run },
  listRuns: { input: none, output: z.array(S.Run) },
  getRun: { input: S.RunRef, output: S.Run },
  cancelRun: { input: S.RunRef, output: S.Run },
  /** Continue a cancelled, interrupted or failed run from its last checkpoint. */
  resumeRun: { input: S.RunRef, output: S.Run },
  runMetrics: { input: S.MetricsQuery, output: z.array(S.MetricPoint) },
  runSamples: { input: S.SamplesQuery, output: z.array(S.RunSample) },
  reviewSample: { input: S.ReviewSampleInput, output: S.RunSample },
  samplesToDataset: { input: S.SamplesToDatasetInput, output: S.Dataset },
  /** A copy of the default constitution as an editable dataset. */
  copyDefaultConstitution: {
    input: z.object({ name: z.string().trim().min(1).max(200).optional() }),
    output: S.Dataset,
  },
  listModels: { input: none, output: z.array(S.Model) },
  scoreResponses: { input: S.ScoreInput, output: S.ScoreResult },
  pipelinePresets: { input: none, output: z.array(S.PipelinePresetInfo) },
  startPipeline: { input: S.StartPipelineInput, output: S.Pipeline },
  listPipelines: { input: none, output: z.array(S.Pipeline) },
  getPipeline: { input: S.PipelineRef, output: S.Pipeline },
  cancelPipeline: { input: S.PipelineRef, output: S.Pipeline },
  /** The alignment tax: every evaluated model of every pipeline, each metric and its change vs base and SFT. */
  taxData: { input: none, output: T.TaxData },
  /** The items (replies, texts) behind one metric of one evaluation run. */
  taxItems: { input: T.TaxItemsInput, output: T.TaxItems },
  /** Runs side by side: aligned metric series, config diff, evaluations, frontier, generations, costs. */
  compareRuns: { input: S.CompareInput, output: S.CompareResult },
  /** DPO at several betas and PPO at several KL coefficients from one SFT model, each evaluated: a pipeline. */
  startSweep: { input: S.SweepInput, output: S.Pipeline },
  /** A run as a TRL project folder, zipped (see src/main/lab/trl). */
  exportTrl: { input: S.ExportTrlInput, output: S.ExportTrlResult },
  /** A trainer_state.json (or TRL's logged dicts) as an external run: its curves beside the lab's. */
  importRun: { input: S.ImportRunInput, output: S.Run },
  /** A GPT-2-family checkpoint folder as a base model. */
  importModel: { input: S.ImportModelInput, output: S.Model },
  generate: { input: S.GenerateInput, output: S.GenerationRef },
  stopGeneration: { input: S.GenerationRef, output: z.null() },
  previewTemplate: { input: S.PreviewTemplateInput, output: S.TemplatePreview },
  systemInfo: { input: none, output: S.SystemInfo },
  /** Pipeline-parallel planning for a cluster: the GPipe schedule of s stages and m micro-batches. */
  planPipeline: { input: PlanPipelineInput, output: PipelinePlan },
} as const;

/** Every LabApi event: the payload schema. Subscribed to as `on<Name>(listener)`. */
export const labEvents = {
  runProgress: S.RunProgressEvent,
  runStatus: S.Run,
  generation: S.GenerationEvent,
  pipelineStatus: S.Pipeline,
} as const;

export type LabMethod = keyof typeof labMethods;
export type LabEvent = keyof typeof labEvents;
export const LAB_METHODS = Object.keys(labMethods) as LabMethod[];
export const LAB_EVENTS = Object.keys(labEvents) as LabEvent[];

type In<M extends LabMethod> = z.input<(typeof labMethods)[M]['input']>;
type Out<M extends LabMethod> = z.output<(typeof labMethods)[M]['output']>;
export type Unsubscribe = () => void;
export type EventPayload<E extends LabEvent> = z.output<(typeof labEvents)[E]>;
type OnName<E extends string> = `on${Capitalize<E>}`;

export type LabMethods = {
  [M in LabMethod]: In<M> extends undefined ? () => Promise<Out<M>> : (input: In<M>) => Promise<Out<M>>;
};
export type LabEventSubscriptions = {
  [E in LabEvent as OnName<E>]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe;
};
/** What the renderer sees on `window.lab`, whatever the transport. */
export type LabApi = LabMethods & LabEventSubscriptions;

/** The main side implements the methods; events are emitted through a LabEvents sink. */
export type LabService = {
  [M in LabMethod]: (input: z.output<(typeof labMethods)[M]['input']>) => Promise<Out<M>>;
};
export type LabEventSink = <E extends LabEvent>(event: E, payload: EventPayload<E>) => void;

export const eventMethodName = (e: LabEvent): string => `on${e[0]!.toUpperCase()}${e.slice(1)}`;

// ── Errors ──────────────────────────────────────────────────────────────────────────────────
export type LabErrorCode = 'invalid' | 'not_found' | 'conflict' | 'unauthorized' | 'internal';
export interface FieldIssue {
  /** The field's path, e.g. `config.beta`. */
  path: string;
  message: string;
}
export const LabErrorShape = z.object({
  code: z.enum(['invalid', 'not_found', 'conflict', 'unauthorized', 'internal']),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).default([]),
});

/** An error a user can act on: a code, a sentence, and per-field issues for forms. */
export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly issues: FieldIssue[];
  constructor(code: LabErrorCode, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.issues = issues;
  }
  static fromZod(error: z.ZodError, prefix = ''): LabError {
    const issues = error.issues.map((i) => ({
      path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
      message: i.message,
    }));
    const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new LabError('invalid', message || 'invalid input', issues);
  }
  toJSON(): z.infer<typeof LabErrorShape> {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

/** HTTP status for an error code (the web host uses it; IPC carries the code itself). */
export const HTTP_STATUS: Record<LabErrorCode, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  internal: 500,
};

/** What a call returns over any transport: never a thrown error, so nothing is lost in structured cloning. */
export type Envelope = { ok: true; result: unknown } | { ok: false; error: z.infer<typeof LabErrorShape> };

/** Parse `input` with the method's schema; a bad payload becomes a LabError naming each field. */
export function parseInput<M extends LabMethod>(
  method: M,
  input: unknown,
): z.output<(typeof labMethods)[M]['input']> {
  const schema = labMethods[method].input as z.ZodType;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw LabError.fromZod(parsed.error);
  return parsed.data as z.output<(typeof labMethods)[M]['input']>;
}

/** Server side of every transport: validate, call, wrap. */
export async function dispatch(service: LabService, method: string, input: unknown): Promise<Envelope> {
  try {
    if (!Object.hasOwn(labMethods, method)) throw new LabError('not_found', `unknown method "${method}"`);
    const m = method as LabMethod;
    const args = parseInput(m, input);
    const result = await (service[m] as (a: unknown) => Promise<unknown>)(args);
    return { ok: true, result };
  } catch (e) {
    if (e instanceof LabError) return { ok: false, error: e.toJSON() };
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { code: 'internal', message, issues: [] } };
  }
}

/**
 * Client side of every transport: builds a LabApi from a `call` (method, input → envelope) and a
 * `subscribe` (event, listener → unsubscribe). Outputs and events are validated on arrival.
 */
export function createLabClient(
  call: (method: LabMethod, input: unknown) => Promise<Envelope>,
  subscribe: (event: LabEvent, listener: (payload: unknown) => void) => Unsubscribe,
  /** Electron's contextBridge keeps only the message of a thrown Error: the preload rejects with the plain shape. */
  options: { plainErrors?: boolean } = {},
): LabApi {
  const api: Record<string, unknown> = {};
  for (const method of LAB_METHODS) {
    api[method] = async (input?: unknown) => {
      const env = await call(method, input);
      if (!env.ok) {
        if (options.plainErrors) throw env.error;
        throw new LabError(env.error.code, env.error.message, env.error.issues);
      }
      const parsed = (labMethods[method].output as z.ZodType).safeParse(env.result);
      if (!parsed.success) throw LabError.fromZod(parsed.error, `${method} result`);
      return parsed.data;
    };
  }
  for (const event of LAB_EVENTS) {
    api[eventMethodName(event)] = (listener: (p: unknown) => void) =>
      subscribe(event, (payload) => {
        const parsed = (labEvents[event] as z.ZodType).safeParse(payload);
        if (parsed.success) listener(parsed.data);
        else console.error(`dropped a malformed ${event} event`, parsed.error.issues);
      });
  }
  return api as LabApi;
}

/**
 * Wraps a LabApi whose methods reject with plain `{code, message, issues}` objects (the preload's,
 * across contextBridge) so that they reject with LabError again. The renderer calls this on `window.lab`.
 */
export function withLabErrors(api: LabApi): LabApi {
  const wrapped: Record<string, unknown> = { ...api };
  for (const method of LAB_METHODS) {
    const fn = api[method] as (input?: unknown) => Promise<unknown>;
    wrapped[method] = (input?: unknown) =>
      fn(input).catch((e: unknown) => {
        const shape = LabErrorShape.safeParse(e);
        throw shape.success ? new LabError(shape.data.code, shape.data.message, shape.data.issues) : e;
      });
  }
  return wrapped as LabApi;
}

/** IPC channel names, derived from the tables (used by the Electron adapter and the preload only). */
export const ipcChannel = (method: LabMethod): string => `lab:${method}`;
export const IPC_EVENT_CHANNEL = 'lab:event';
/** Web routes, derived likewise. */
export const httpRoute = (method: LabMethod): string => `/api/${method}`;
export const HTTP_EVENTS_ROUTE = '/api/events';
