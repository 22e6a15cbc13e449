// The payloads that cross a process boundary, as zod schemas. Types are inferred from them, so a
// schema and its type can never disagree. Imports nothing but zod.
import { z } from 'zod';

/** Longest text accepted in one field of an example: large enough for real data, small enough to keep a form responsive. */
export const MAX_TEXT_CHARS = 20_000;

const text = (label: string) =>
  z
    .string({ error: `${label} must be text` })
    .max(MAX_TEXT_CHARS, { error: `${label} is longer than ${MAX_TEXT_CHARS} characters` });
const requiredText = (label: string) => text(label).refine((s) => s.trim().length > 0, `${label} is empty`);
export const Id = z.number({ error: 'must be a number' }).int().positive();

// ── Datasets ────────────────────────────────────────────────────────────────────────────────
export const DatasetKind = z.enum(['preference', 'instruction']);
export type DatasetKind = z.infer<typeof DatasetKind>;
export const DATASET_KIND_LABELS: Record<DatasetKind, string> = {
  preference: 'Preference pairs',
  instruction: 'Instruction/response pairs',
};

/** A preference pair: the prompt may be empty (implicit prompt), the two responses may not. */
export const PreferenceExample = z.object({
  prompt: text('Prompt'),
  chosen: requiredText('Chosen response'),
  rejected: requiredText('Rejected response'),
});
export type PreferenceExample = z.infer<typeof PreferenceExample>;

export const InstructionExample = z.object({
  prompt: requiredText('Prompt'),
  response: requiredText('Response'),
});
export type InstructionExample = z.infer<typeof InstructionExample>;

export const EXAMPLE_SCHEMAS = { preference: PreferenceExample, instruction: InstructionExample } as const;
export type ExampleData = PreferenceExample | InstructionExample;

export const Dataset = z.object({
  id: Id,
  name: z.string(),
  kind: DatasetKind,
  exampleCount: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Dataset = z.infer<typeof Dataset>;

export const Example = z.object({
  id: Id,
  datasetId: Id,
  data: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Example = z.infer<typeof Example>;

export const CreateDatasetInput = z.object({
  name: z
    .string({ error: 'Name must be text' })
    .trim()
    .min(1, 'Name is empty')
    .max(200, 'Name is longer than 200 characters'),
  kind: DatasetKind,
});
export const DatasetRef = z.object({ id: Id });
export const DatasetWithExamples = z.object({ dataset: Dataset, examples: z.array(Example) });
export type DatasetWithExamples = z.infer<typeof DatasetWithExamples>;
/** The example's fields are validated against its dataset's kind by the Lab (the kind is stored). */
export const AddExampleInput = z.object({ datasetId: Id, data: z.record(z.string(), z.unknown()) });
export const UpdateExampleInput = z.object({ id: Id, data: z.record(z.string(), z.unknown()) });
export const ExampleRef = z.object({ id: Id });

// ── Runs ────────────────────────────────────────────────────────────────────────────────────
export const Algorithm = z.enum(['dpo']);
export type Algorithm = z.infer<typeof Algorithm>;
export const ALGORITHM_LABELS: Record<Algorithm, string> = { dpo: 'DPO' };

/** Built-in datasets a run can use without building one first. */
export const BUILTIN_DATASETS = ['seed-dpo'] as const;
export const RunDatasetRef = z.union([Id, z.enum(BUILTIN_DATASETS)], {
  error: 'Dataset must be a stored dataset id or a built-in dataset name',
});
export type RunDatasetRef = z.infer<typeof RunDatasetRef>;

export const ModelPreset = z.enum(['seed-tiny', 'byte-tiny']);
export type ModelPreset = z.infer<typeof ModelPreset>;

const positive = (label: string) =>
  z
    .number({ error: `${label} must be a number` })
    .refine((v) => Number.isFinite(v) && v > 0, `${label} must be greater than 0`);
const int = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max}`);

/** DPO (Rafailov et al. 2023), sigmoid loss. Every field has a default; a run stores the resolved record. */
export const DpoConfig = z.object({
  /** Temperature of the implicit reward; larger keeps the policy closer to the reference. TRL default 0.1. */
  beta: positive('Beta').pipe(z.number().max(100, 'Beta must be at most 100')).default(0.1),
  /** Adam step size. */
  learningRate: positive('Learning rate')
    .pipe(z.number().max(1, 'Learning rate must be at most 1'))
    .default(1e-4),
  /** Passes over the dataset. */
  epochs: int('Epochs', 1, 10_000).default(20),
  /** Pairs per optimizer step. */
  batchSize: int('Batch size', 1, 4096).default(32),
  /** Seeds weight init, shuffling and everything random in the run. */
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
  /** Model shape: `seed-tiny` is the tutorial's (vocab 50); `byte-tiny` reads text through the byte tokenizer. */
  model: ModelPreset.optional(),
  /** Longest prompt+response in tokens; longer sequences keep their start and are cut, and the cut is counted. */
  maxLength: int('Max length', 4, 4096).default(64),
  /** Steps between checkpoints (0 = only at the end). */
  checkpointEvery: int('Checkpoint every', 0, 1_000_000).default(0),
  /** Compute backend: `auto` picks tensorflow → wasm → cpu, the first that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
});
export type DpoConfig = z.infer<typeof DpoConfig>;
export type DpoConfigInput = z.input<typeof DpoConfig>;

export const StartRunInput = z.object({
  algorithm: Algorithm,
  dataset: RunDatasetRef,
  name: z.string().trim().max(200, 'Name is longer than 200 characters').optional(),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type StartRunInput = z.input<typeof StartRunInput>;

export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted'];

export const BackendInfo = z.object({
  name: z.enum(['tensorflow', 'wasm', 'cpu']),
  reason: z.string(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

export const RunProgress = z.object({
  step: z.number().int().nonnegative(),
  totalSteps: z.number().int().nonnegative(),
  epoch: z.number().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  /** Estimated time left, from the mean step time so far; null before the first step. */
  etaMs: z.number().nonnegative().nullable(),
});
export type RunProgress = z.infer<typeof RunProgress>;

export const Run = z.object({
  id: Id,
  name: z.string(),
  algorithm: Algorithm,
  status: RunStatus,
  dataset: RunDatasetRef,
  datasetName: z.string(),
  /** The fully resolved config, as the trainer ran it. */
  config: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  backend: BackendInfo.nullable(),
  error: z.string().nullable(),
  progress: RunProgress.nullable(),
  /** Latest value of each metric. */
  summary: z.record(z.string(), z.number()),
  modelId: Id.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Run = z.infer<typeof Run>;

export const RunRef = z.object({ id: Id });
export const MetricPoint = z.object({
  step: z.number().int().nonnegative(),
  name: z.string(),
  value: z.number(),
  time: z.number(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;
export const MetricsQuery = z.object({ runId: Id, sinceStep: z.number().int().optional() });

// ── Models ──────────────────────────────────────────────────────────────────────────────────
export const Model = z.object({
  id: Id,
  name: z.string(),
  /** The architecture record (vocabSize, dModel, …). */
  arch: z.record(z.string(), z.unknown()),
  runId: Id.nullable(),
  parentId: Id.nullable(),
  createdAt: z.string(),
});
export type Model = z.infer<typeof Model>;

// ── System ──────────────────────────────────────────────────────────────────────────────────
export const SystemInfo = z.object({
  version: z.string(),
  host: z.enum(['electron', 'web', 'cli']),
  platform: z.string(),
  cores: z.number().int(),
  poolSize: z.number().int(),
  dataDir: z.string(),
  backend: BackendInfo,
});
export type SystemInfo = z.infer<typeof SystemInfo>;

// ── Events ──────────────────────────────────────────────────────────────────────────────────
/** A batch of progress for one run: sent a few times a second, never once per step. */
export const RunProgressEvent = z.object({ runId: Id, progress: RunProgress, metrics: z.array(MetricPoint) });
export type RunProgressEvent = z.infer<typeof RunProgressEvent>;
