// The payloads that cross a process boundary, as zod schemas. Types are inferred from them, so a
// schema and its type can never disagree. Imports nothing but zod.
import { z } from 'zod';
import { FormatName, Message, RecordKind } from './records';

export const Id = z.number({ error: 'must be a number' }).int().positive();

// ── Datasets ────────────────────────────────────────────────────────────────────────────────
/** A dataset's kind is the kind of record its examples are (records.ts). */
export const DatasetKind = RecordKind;
export type DatasetKind = RecordKind;
export const DATASET_KIND_LABELS: Record<DatasetKind, string> = {
  preference: 'Preference pairs',
  instruction: 'Instruction/response pairs',
  unpaired: 'Unpaired good/bad examples',
  text: 'Text documents (pretraining)',
  prompt: 'Prompts (for PPO and Constitutional AI)',
  constitution: 'Constitution (principles)',
};

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
  /** The form view: the last exchange as plain fields (see examples.ts). */
  data: z.record(z.string(), z.string()),
  /** The stored record, conversational (records.ts). */
  record: z.record(z.string(), z.unknown()),
  /** Turns before the last exchange (system message, earlier turns) that the form view does not show. */
  context: z.number().int().nonnegative(),
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
/** The form fields, validated against the dataset's kind by the Lab (SIMPLE_SCHEMAS, examples.ts). */
export const AddExampleInput = z.object({ datasetId: Id, data: z.record(z.string(), z.unknown()) });
/** Editing replaces the last exchange; earlier turns and the system message are kept. */
export const UpdateExampleInput = z.object({ id: Id, data: z.record(z.string(), z.unknown()) });

// ── Import and export ───────────────────────────────────────────────────────────────────────
/** Largest file the lab imports in one go. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
export const ImportInput = z.object({
  /** The file's text (JSON array or JSONL). */
  text: z.string().max(MAX_IMPORT_BYTES, 'The file is larger than 64 MB'),
  /** Name of the new dataset; defaults to the file name. */
  name: z.string().trim().min(1, 'Name is empty').max(200, 'Name is longer than 200 characters'),
  /** Read as this format instead of detecting it. */
  format: FormatName.optional(),
  /** `skip` keeps the good records; `refuse` imports nothing when any record is bad. */
  onError: z.enum(['skip', 'refuse']).default('skip'),
});
export type ImportInput = z.input<typeof ImportInput>;
export const ImportIssueShape = z.object({
  line: z.number().int().optional(),
  record: z.number().int(),
  field: z.string(),
  message: z.string(),
});
export const ImportResult = z.object({
  /** The new dataset, or null when nothing was imported. */
  dataset: Dataset.nullable(),
  format: FormatName.nullable(),
  kind: RecordKind.nullable(),
  imported: z.number().int(),
  errors: z.array(ImportIssueShape),
  refused: z.boolean(),
});
export type ImportResult = z.infer<typeof ImportResult>;
export const InspectImportInput = z.object({
  text: z.string().max(MAX_IMPORT_BYTES, 'The file is larger than 64 MB'),
});
export const Detection = z.object({
  format: FormatName.nullable(),
  container: z.enum(['json', 'jsonl']),
  kind: RecordKind.nullable(),
  confidence: z.number(),
  reason: z.string(),
});
export const ExportResult = z.object({
  filename: z.string(),
  content: z.string(),
  records: z.number().int(),
});
export const ExampleRef = z.object({ id: Id });

// ── Sandbox worlds ──────────────────────────────────────────────────────────────────────────
export const WorldSize = z.enum(['tiny', 'small', 'medium']);
export const GenerateWorldInput = z.object({
  /** Seeds every random choice: the same seed and size always give the same world. */
  seed: z
    .number({ error: 'Seed must be a number' })
    .int('Seed must be a whole number')
    .min(0, 'Seed must be at least 0')
    .max(2 ** 31 - 1, 'Seed is too large'),
  /** tiny: 8 places and 8 creatures; small: 24 and 24; medium: 64 and 64. */
  size: WorldSize.default('small'),
  /** Restatements of each fact in the pretraining corpus; by default the size's (tiny 3, small 6, medium 5). */
  corpusRepeats: z
    .number({ error: 'Corpus repeats must be a number' })
    .int('Corpus repeats must be a whole number')
    .min(1, 'Corpus repeats must be at least 1')
    .max(100, 'Corpus repeats must be at most 100')
    .optional(),
  /**
   * Share (0–1) of the SFT pairs whose response is replaced by generated noise (spam, repetition,
   * boilerplate, word salad), each tagged `noise` with its kind; absent or 0 for clean data.
   */
  sftNoise: z
    .number({ error: 'Noisy SFT share must be a number' })
    .min(0, 'Noisy SFT share must be at least 0 (0 %)')
    .max(1, 'Noisy SFT share must be at most 1 (100 %)')
    .optional(),
});
export const WorldSummary = z.object({
  id: Id,
  name: z.string(),
  seed: z.number().int(),
  size: WorldSize,
  createdAt: z.string(),
  /** How much of each thing the world holds (places, creatures, facts, corpus documents, …). */
  counts: z.record(z.string(), z.number()),
  /** The datasets generated from it, by role: corpus, sft, preferences, safety, unanswerable. */
  datasets: z.record(z.string(), Id),
});
export type WorldSummary = z.infer<typeof WorldSummary>;
const Row = z.record(z.string(), z.union([z.string(), z.number()]));
export const WorldDetail = z.object({
  summary: WorldSummary,
  places: z.array(Row),
  creatures: z.array(Row),
  /** Every fact with its split: train (in SFT data), heldout or pretrain-only (in the corpus only). */
  facts: z.array(
    z.object({
      id: z.string(),
      subject: z.string(),
      attribute: z.string(),
      value: z.string(),
      split: z.string(),
    }),
  ),
  /** The held-out evaluation sets, by name. */
  evalSets: z.record(
    z.string(),
    z.array(z.object({ prompt: z.string(), expected: z.string().optional(), kind: z.string() })),
  ),
});
export type WorldDetail = z.infer<typeof WorldDetail>;
export const WorldRef = z.object({ id: Id });

// ── Runs ────────────────────────────────────────────────────────────────────────────────────
export const Algorithm = z.enum(['pretrain', 'sft', 'reward', 'dpo', 'ppo', 'cai', 'eval']);
export type Algorithm = z.infer<typeof Algorithm>;
export const ALGORITHM_LABELS: Record<Algorithm, string> = {
  pretrain: 'Pretraining',
  sft: 'SFT',
  reward: 'Reward model',
  dpo: 'DPO',
  ppo: 'PPO (RLHF)',
  cai: 'Constitutional AI',
  eval: 'Evaluation',
};
/**
 * The dataset kinds each algorithm reads, the first being what it is made for (an evaluation reads a
 * sandbox world's held-out sets instead). DPO reads unpaired data with the KTO loss; PPO and CAI read
 * the prompts of prompt sets, preference pairs or instruction data.
 */
export const ALGORITHM_DATASET_KINDS: Record<Algorithm, readonly DatasetKind[] | null> = {
  pretrain: ['text'],
  sft: ['instruction'],
  reward: ['preference'],
  dpo: ['preference', 'unpaired'],
  ppo: ['prompt', 'preference', 'instruction'],
  cai: ['prompt', 'preference', 'instruction'],
  eval: null,
};

/**
 * What the "New run" form and `npm run lab -- run <kind>` offer: each algorithm, and the DPO family's
 * losses under their own names (a kind fixes the loss; the run is stored as its algorithm).
 */
export const RUN_KINDS = {
  pretrain: { algorithm: 'pretrain', label: 'Pretraining', config: {} },
  sft: { algorithm: 'sft', label: 'SFT', config: {} },
  reward: { algorithm: 'reward', label: 'Reward model', config: {} },
  dpo: { algorithm: 'dpo', label: 'DPO', config: {} },
  ipo: { algorithm: 'dpo', label: 'IPO', config: { lossType: 'ipo' } },
  kto: { algorithm: 'dpo', label: 'KTO', config: { lossType: 'kto' } },
  orpo: { algorithm: 'dpo', label: 'ORPO', config: { lossType: 'orpo' } },
  simpo: { algorithm: 'dpo', label: 'SimPO', config: { lossType: 'simpo' } },
  ppo: { algorithm: 'ppo', label: 'PPO (RLHF)', config: {} },
  cai: { algorithm: 'cai', label: 'Constitutional AI', config: {} },
  eval: { algorithm: 'eval', label: 'Evaluation', config: {} },
} as const satisfies Record<string, { algorithm: Algorithm; label: string; config: Record<string, unknown> }>;
export type RunKind = keyof typeof RUN_KINDS;
export const RunKindName = z.enum(Object.keys(RUN_KINDS) as [RunKind, ...RunKind[]]);

/**
 * Built-in datasets a run can use without building one first: the DPO tutorial's abstract token pairs,
 * and data rendered from the built-in sandbox world (tiny, seed 0): its SFT pairs, preference pairs, the
 * same pairs unpaired (KTO), their prompts, and its harmful requests (for Constitutional AI).
 */
export const BUILTIN_DATASETS = [
  'seed-dpo',
  'sandbox-sft',
  'sandbox-pairs',
  'sandbox-unpaired',
  'sandbox-prompts',
  'sandbox-harmful',
] as const;
export type BuiltinDataset = (typeof BUILTIN_DATASETS)[number];
export const BUILTIN_DATASET_KINDS: Record<BuiltinDataset, DatasetKind> = {
  'seed-dpo': 'preference',
  'sandbox-sft': 'instruction',
  'sandbox-pairs': 'preference',
  'sandbox-unpaired': 'unpaired',
  'sandbox-prompts': 'prompt',
  'sandbox-harmful': 'prompt',
};
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

/**
 * Where a run's inference (generation, reference and reward scoring) runs: `auto` follows the
 * environment variable LAB_INFERENCE (onnx or tfjs) and is onnxruntime without it; `tfjs` is the
 * reference implementation, slower. Training always runs on tfjs.
 */
export const InferenceChoice = z.enum(['auto', 'onnx', 'tfjs']);
export type InferenceChoice = z.infer<typeof InferenceChoice>;
const inferenceField = InferenceChoice.default('auto');

/**
 * Where a trainer's steps run: `tfjs` (the reference), `onnx` (the generated training graph on
 * onnxruntime, engine/onnx-train), or `auto` = onnx when its self-check passes and the run's loss has an
 * onnx step, else tfjs.
 */
export const TrainingEngineChoice = z.enum(['auto', 'tfjs', 'onnx']);
export type TrainingEngineChoice = z.infer<typeof TrainingEngineChoice>;
const trainingEngineField = TrainingEngineChoice.default('auto');

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
  /** Pairs per forward/backward pass (a micro-batch). */
  batchSize: int('Batch size', 1, 4096).default(32),
  /** Micro-batches accumulated into one optimizer step (effective batch = batch size × this; same result, less memory). */
  gradientAccumulationSteps: int('Gradient accumulation steps', 1, 1024).default(1),
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
  /** Where the reference log-probs are computed (see InferenceChoice). */
  inference: inferenceField,
  /** Where the training steps run (see TrainingEngineChoice). */
  trainingEngine: trainingEngineField,
  /**
   * The preference loss (TRL `loss_type`): `sigmoid` (DPO, Rafailov 2023), `robust` (Chowdhury 2024),
   * `hinge` (SLiC, Zhao 2023), `ipo` (Azar 2023, per-token-averaged log-probs), against a frozen
   * reference; `orpo` (Hong 2024; Beta is λ) and `simpo` (Meng 2024), averaged and reference-free.
   */
  lossType: z.enum(['sigmoid', 'robust', 'hinge', 'ipo', 'kto', 'orpo', 'simpo']).default('sigmoid'),
  /** KTO (Ethayarajh 2024; TRL `desirable_weight`): weight of the desirable completions' losses. */
  desirableWeight: z.number({ error: 'Desirable weight must be a number' }).min(0).max(100).default(1),
  /** KTO (TRL `undesirable_weight`): weight of the undesirable completions' losses. */
  undesirableWeight: z.number({ error: 'Undesirable weight must be a number' }).min(0).max(100).default(1),
  /** ε, how likely a preference label is flipped (cDPO; `sigmoid`, `robust`, `simpo` only). TRL default 0. */
  labelSmoothing: z
    .number({ error: 'Label smoothing must be a number' })
    .min(0, 'Label smoothing must be at least 0')
    .lt(0.5, 'Label smoothing must be below 0.5')
    .default(0),
  /**
   * RPO (Pang et al. 2024; TRL `rpo_alpha`): add α × the chosen responses' per-token NLL to the loss, so
   * the policy raises the chosen likelihood instead of only pushing the rejected down. 0 = off; ORPO
   * has its own NLL term (its Beta is λ).
   */
  rpoAlpha: z.number({ error: 'RPO alpha must be a number' }).min(0).max(100).default(0),
  /** SimPO's target reward margin γ (TRL `simpo_gamma`, default 0.5). */
  gamma: z.number({ error: 'Gamma must be a number' }).min(0).max(100).default(0.5),
  /** Start the policy and the frozen reference from this model (usually an SFT one) and read with its tokenizer. */
  baseModel: Id.optional(),
  /** With a base model: the chat template each pair is rendered with (the loss covers the assistant reply). */
  template: z.enum(['chatml', 'llama2', 'mistral', 'alpaca', 'plain']).default('chatml'),
  /** Continue a stopped run from this checkpoint (set by the lab's "Resume", not by the form). */
  resumeFrom: z.string().optional(),
});
export type DpoConfig = z.infer<typeof DpoConfig>;
export type DpoConfigInput = z.input<typeof DpoConfig>;

/** Model shapes for language-model training (vocabulary 262 for byte-tiny, 1024 for the lab's). */
export const LmModelPreset = z.enum(['byte-tiny', 'lab-small', 'lab-base']);
export const TemplateName = z.enum(['chatml', 'llama2', 'mistral', 'alpaca', 'plain']);
export type TemplateName = z.infer<typeof TemplateName>;
export const TEMPLATE_LABELS: Record<TemplateName, string> = {
  chatml: 'ChatML',
  llama2: 'Llama-2',
  mistral: 'Mistral',
  alpaca: 'Alpaca',
  plain: 'Plain',
};

/** Fields every language-model run shares (pretraining and SFT): the optimizer and the schedule. */
const lmRunFields = {
  /** Peak learning rate, after a linear warm-up, then cosine decay to a tenth of it. */
  learningRate: positive('Learning rate').pipe(z.number().max(1, 'Learning rate must be at most 1')),
  /** Steps of linear warm-up from 0 to the learning rate. */
  warmupSteps: int('Warm-up steps', 0, 1_000_000).default(0),
  /** Sequences per forward/backward pass. */
  batchSize: int('Batch size', 1, 4096),
  /** Passes accumulated into one optimizer step (effective batch = batch size × this). */
  gradientAccumulationSteps: int('Gradient accumulation steps', 1, 1024).default(1),
  /** Passes over the data. */
  epochs: int('Epochs', 1, 100_000),
  /** Stop after this many optimizer steps, cycling epochs as needed (0 = epochs decide). */
  maxSteps: int('Max steps', 0, 10_000_000).default(0),
  /** Clip the gradient's global norm to this (0 = off). */
  maxGradNorm: z.number({ error: 'Max gradient norm must be a number' }).min(0).max(1e6).default(1),
  /** Seeds weight init and the data order. */
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
  /** Steps between checkpoints (0 = only on cancel and at the end). */
  checkpointEvery: int('Checkpoint every', 0, 1_000_000).default(0),
  /** Compute backend: `auto` picks tensorflow → wasm → cpu, the first that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Where the training steps run (see TrainingEngineChoice). */
  trainingEngine: trainingEngineField,
  /** Continue a stopped run from this checkpoint (set by the lab's "Resume", not by the form). */
  resumeFrom: z.string().optional(),
};

/** Pretraining: next-token prediction on a text dataset, every token scored. */
export const PretrainConfig = z.object({
  ...lmRunFields,
  /** Model shape. */
  model: LmModelPreset.default('lab-small'),
  /** `bpe`: train a byte-level BPE on this corpus to the model's vocabulary size; `byte`: one token per byte. */
  tokenizer: z.enum(['bpe', 'byte']).default('bpe'),
  learningRate: lmRunFields.learningRate.default(1e-3),
  warmupSteps: lmRunFields.warmupSteps.default(20),
  batchSize: lmRunFields.batchSize.default(16),
  epochs: lmRunFields.epochs.default(1),
  /** AdamW weight decay on matrices (nanoGPT uses 0.1). */
  weightDecay: z.number({ error: 'Weight decay must be a number' }).min(0).max(10).default(0.1),
  /**
   * Feed the corpus as repeated passes, each in a new seeded document order, instead of cycling the same
   * windows every epoch: each fact is then seen in ever new contexts (needs `maxSteps`).
   */
  reshuffle: z.boolean().default(false),
  /** Share of the corpus (its end) held out for `val/loss`. */
  valFraction: z.number({ error: 'Validation fraction must be a number' }).min(0).max(0.5).default(0.05),
});
export type PretrainConfig = z.infer<typeof PretrainConfig>;

/** SFT: instruction/response conversations through a chat template, loss on assistant tokens only. */
export const SftConfig = z.object({
  ...lmRunFields,
  /** Start from this model (usually a pretrained one); without it, a fresh `model` with the byte tokenizer. */
  baseModel: Id.optional(),
  /** Model shape when there is no base model. */
  model: LmModelPreset.default('byte-tiny'),
  /** How conversations become tokens; the loss covers the assistant's turns and their end-of-turn token. */
  template: TemplateName.default('chatml'),
  learningRate: lmRunFields.learningRate.default(3e-4),
  batchSize: lmRunFields.batchSize.default(8),
  epochs: lmRunFields.epochs.default(3),
  /** Concatenate examples into full windows instead of padding each one. */
  packing: z.boolean().default(false),
});
export type SftConfig = z.infer<typeof SftConfig>;

/** The evaluation sets of a sandbox world (see engine/world/render-eval.ts). */
export const EvalSetName = z.enum([
  'factsPretrainOnly',
  'factsHeldOut',
  'arithmetic',
  'harmful',
  'benign',
  'unanswerable',
]);
export type EvalSetName = z.infer<typeof EvalSetName>;

/** Evaluation: ask a model a world's held-out questions and score the replies with the gold judge. */
export const EvalConfig = z.object({
  /** The model to evaluate. */
  model: Id,
  /** The sandbox world whose held-out sets and gold judge are used. */
  world: Id,
  /** Which sets: facts seen only in pretraining, held-out facts of trained subjects, arithmetic. */
  sets: z.array(EvalSetName).min(1, 'Pick at least one set').default(['factsPretrainOnly', 'factsHeldOut']),
  /** The chat template the model was tuned with, or `none` for a base model (the question as plain text). */
  template: z.union([TemplateName, z.literal('none')]).default('chatml'),
  /** Most tokens per reply (greedy decoding). */
  maxNewTokens: int('Max new tokens', 1, 256).default(32),
  /** Also measure `kl_to_reference`: the mean per-token KL(model ‖ reference) on the model's own replies. */
  referenceModel: Id.optional(),
  /** Also measure `win_rate/gold`: this model answers the same prompts and the gold judge picks the better reply. */
  winRateAgainst: Id.optional(),
  /** The template the win-rate model answers through (default: `template`). */
  winRateTemplate: z.union([TemplateName, z.literal('none')]).optional(),
  /** A reward model that judges the same pairs of replies too: `win_rate/reward_model` (the proxy beside the gold). */
  judgeRewardModel: Id.optional(),
  /** Perplexity on held-out text of the world (`heldout_text/perplexity`). */
  perplexity: z.boolean().default(true),
  /** Each reply's confidence (mean token probability) and calibration over the answers (`calibration/ece`). */
  calibration: z.boolean().default(true),
  /** Compute backend: `auto` picks tensorflow → wasm → cpu, the first that loads. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Where replies are generated and scored (see InferenceChoice). */
  inference: inferenceField,
});
export type EvalConfig = z.infer<typeof EvalConfig>;

const backendField = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto');
const unit = (label: string) =>
  z
    .number({ error: `${label} must be a number` })
    .min(0, `${label} must be at least 0`)
    .max(1, `${label} must be at most 1`);

/**
 * Reward model (Ouyang et al. 2022; TRL RewardTrainer): the base model's trunk plus a scalar head read
 * at the last token, trained on preference pairs with the Bradley-Terry loss −log σ(r_c − r_r − m).
 */
export const RewardConfig = z.object({
  /**
   * `transformer`: trunk + scalar head (the fields above `hiddenSize`); `features`: a 2-layer MLP over
   * text features of (prompt, response) (engine/feature-reward), with `hiddenSize`, `featureLearningRate`
   * and `featureEpochs`. Both share the loss, `batchSize`, `valFraction`, `seed` and the metric names.
   */
  rewardKind: z.enum(['transformer', 'features']).default('transformer'),
  /** Feature-based: hidden units of the MLP. */
  hiddenSize: int('Hidden size', 1, 1024).default(16),
  /** Feature-based: Adam step size (the MLP is tiny; it wants a much larger one than a transformer). */
  featureLearningRate: positive('Learning rate')
    .pipe(z.number().max(1, 'Learning rate must be at most 1'))
    .default(0.01),
  /** Feature-based: passes over the pairs. */
  featureEpochs: int('Epochs', 1, 10_000).default(30),
  /** Start the trunk from this model (usually the SFT model) and read with its tokenizer and template. */
  baseModel: Id.optional(),
  /** Model shape when there is no base model (fresh weights, byte tokenizer). */
  model: LmModelPreset.default('byte-tiny'),
  /** The chat template each (prompt, response) is rendered with. */
  template: TemplateName.default('chatml'),
  /** Adam step size. */
  learningRate: positive('Learning rate')
    .pipe(z.number().max(1, 'Learning rate must be at most 1'))
    .default(1e-4),
  epochs: int('Epochs', 1, 10_000).default(2),
  /** Pairs per forward/backward pass (a micro-batch). */
  batchSize: int('Batch size', 1, 4096).default(16),
  /** Micro-batches accumulated into one optimizer step (effective batch = batch size × this; same result, less memory). */
  gradientAccumulationSteps: int('Gradient accumulation steps', 1, 1024).default(1),
  /** Longest prompt+response in tokens; longer ones are cut (and counted). */
  maxLength: int('Max length', 4, 4096).default(96),
  /** c in c·(r_c + r_r)², pulling rewards toward mean 0 (TRL `center_rewards_coefficient`; 0 = off). */
  centerRewardsCoefficient: z
    .number({ error: 'Centering coefficient must be a number' })
    .min(0)
    .max(10)
    .default(0),
  /** Use each pair's `margin` (when the data has one) inside the loss, as Llama 2 did. */
  useMargin: z.boolean().default(true),
  /** Share of the pairs held out for `eval/accuracy` (the last ones after a seeded shuffle). */
  valFraction: unit('Validation fraction')
    .pipe(z.number().max(0.5, 'Validation fraction must be at most 0.5'))
    .default(0.1),
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
  checkpointEvery: int('Checkpoint every', 0, 1_000_000).default(0),
  backend: backendField,
  /** Where the transformer's training steps run (see TrainingEngineChoice). */
  trainingEngine: trainingEngineField,
  /** Continue a stopped run from this checkpoint (set by the lab's "Resume", not by the form). */
  resumeFrom: z.string().optional(),
});
export type RewardConfig = z.infer<typeof RewardConfig>;

/**
 * RLHF with PPO (Schulman 2017; Ouyang 2022; TRL PPOTrainer): rollouts from the policy, a reward from
 * the chosen source, a per-token KL penalty to the frozen reference, GAE with a value head, clipped
 * policy and value losses. Field names follow TRL's PPOConfig where it has one.
 */
export const PpoConfig = z.object({
  /** The policy to align (usually the SFT model); the frozen reference is a copy of it. */
  baseModel: Id.optional(),
  /** Model shape when there is no base model (fresh weights, byte tokenizer; for smoke tests). */
  model: LmModelPreset.default('byte-tiny'),
  template: TemplateName.default('chatml'),
  /** Where the score of a rollout comes from: a trained reward model, the sandbox's gold judge, or a rule. */
  rewardSource: z.enum(['model', 'gold', 'rule']).default('model'),
  /** The reward model (rewardSource `model`). */
  rewardModel: Id.optional(),
  /** The sandbox world whose gold judge scores (rewardSource `gold`). */
  world: Id.optional(),
  /** rewardSource `rule`: reward length (words, up to `ruleTargetLength`) or the presence of keywords. */
  rule: z.enum(['length', 'keyword']).default('length'),
  ruleTargetLength: int('Target length', 1, 1000).default(20),
  /** Comma-separated keywords for the keyword rule. */
  ruleKeywords: z.string().default(''),
  /** PPO iterations (each: one batch of rollouts, then `ppoEpochs` passes over it). */
  iterations: int('Iterations', 1, 100_000).default(20),
  /** Prompts (rollouts) per iteration (TRL `batch_size`). */
  batchSize: int('Batch size', 2, 1024).default(16),
  /** Minibatches each pass splits the rollouts into (TRL `num_mini_batches`). */
  numMiniBatches: int('Minibatches', 1, 1024).default(1),
  /** Micro-batches each minibatch's update is split into (one forward/backward each, one optimizer step). */
  gradientAccumulationSteps: int('Gradient accumulation steps', 1, 1024).default(1),
  /** Passes over each batch of rollouts (TRL `num_ppo_epochs`). */
  ppoEpochs: int('PPO epochs', 1, 100).default(4),
  learningRate: positive('Learning rate')
    .pipe(z.number().max(1, 'Learning rate must be at most 1'))
    .default(1e-5),
  /** Most tokens per rollout (TRL `response_length`). */
  maxNewTokens: int('Max new tokens', 1, 512).default(24),
  /** Sampling temperature of the rollouts (TRL `temperature`). */
  temperature: z
    .number({ error: 'Temperature must be a number' })
    .gt(0, 'Temperature must be greater than 0')
    .max(5)
    .default(0.7),
  /** β of the per-token KL penalty to the reference (TRL `kl_coef`). */
  klCoef: z.number({ error: 'KL coefficient must be a number' }).min(0).max(100).default(0.05),
  /** KL estimator (Schulman's k1 = log r, k3 = (r − 1) − log r; TRL `kl_estimator`). */
  klEstimator: z.enum(['k1', 'k3']).default('k1'),
  /** Adapt β toward `targetKl` (Ziegler et al. 2019) instead of keeping it fixed. */
  adaptiveKl: z.boolean().default(false),
  /** The KL (per sequence, nats) the adaptive controller aims for. */
  targetKl: positive('Target KL').default(6),
  /** Horizon of the adaptive KL controller, in rollouts. */
  klHorizon: int('KL horizon', 1, 10_000_000).default(10_000),
  /** ε of the clipped policy objective (TRL `cliprange`). */
  clipRange: unit('Clip range').default(0.2),
  /** ε of the clipped value loss (TRL `cliprange_value`). */
  clipRangeValue: unit('Value clip range').default(0.2),
  /** Weight of the value loss (TRL `vf_coef`). */
  vfCoef: z.number({ error: 'Value loss coefficient must be a number' }).min(0).max(100).default(0.1),
  /** GAE discount γ and λ (TRL `gamma`, `lam`). */
  gamma: unit('Gamma').default(1),
  lam: unit('Lambda').default(0.95),
  /** Subtracted from the score of a rollout that ends without the end-of-turn token (TRL `missing_eos_penalty`; 0 = off). */
  missingEosPenalty: z.number({ error: 'Missing-EOS penalty must be a number' }).min(0).max(100).default(0),
  /** Clip the gradient's global norm (0 = off). */
  maxGradNorm: z.number().min(0).max(1e6).default(1),
  /** Sample rollouts stored per iteration for the run page. */
  samplesPerIteration: int('Samples per iteration', 0, 64).default(4),
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
  checkpointEvery: int('Checkpoint every', 0, 1_000_000).default(0),
  backend: backendField,
  /** Where rollouts are sampled and reference and reward-model scores computed (see InferenceChoice). */
  inference: inferenceField,
  /** Where the PPO updates run (see TrainingEngineChoice). */
  trainingEngine: trainingEngineField,
  /** Continue a stopped run from this checkpoint (set by the lab's "Resume", not by the form). */
  resumeFrom: z.string().optional(),
});
export type PpoConfig = z.infer<typeof PpoConfig>;

/**
 * Constitutional AI (Bai et al. 2022), the supervised half turned into preference data: generate a
 * response, critique it against each principle, revise it, keep (revised ≻ original) as a pair.
 */
export const CaiConfig = z.object({
  /** The model whose responses are critiqued (usually the SFT model); a fresh `model` when absent. */
  baseModel: Id.optional(),
  model: LmModelPreset.default('byte-tiny'),
  template: TemplateName.default('chatml'),
  /** A stored constitution (dataset of principles), or the default one shipped with the lab. */
  constitution: z.union([Id, z.literal('default')]).default('default'),
  /** The rule-based critic works with tiny models; `model` prompts `criticModel` with each critique request. */
  critic: z.enum(['rule', 'model']).default('rule'),
  /** The template-guided reviser, or `model` (prompts `criticModel` with each revision request). */
  reviser: z.enum(['template', 'model']).default('template'),
  /** The model that critiques and revises when critic or reviser is `model` (default: the base model). */
  criticModel: Id.optional(),
  /** Most prompts to take from the dataset (0 = all). */
  maxPrompts: int('Max prompts', 0, 100_000).default(0),
  maxNewTokens: int('Max new tokens', 1, 512).default(48),
  temperature: z.number({ error: 'Temperature must be a number' }).min(0).max(5).default(0.7),
  /** Keep only pairs with at least one flagged principle (an unflagged response has nothing to revise). */
  flaggedOnly: z.boolean().default(true),
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
  backend: backendField,
  /** Where responses (and model critiques and revisions) are generated (see InferenceChoice). */
  inference: inferenceField,
});
export type CaiConfig = z.infer<typeof CaiConfig>;

/** Each algorithm's config schema: the run form's fields, defaults and validation. */
export const RUN_CONFIGS = {
  pretrain: PretrainConfig,
  sft: SftConfig,
  reward: RewardConfig,
  dpo: DpoConfig,
  ppo: PpoConfig,
  cai: CaiConfig,
  eval: EvalConfig,
} as const;

export const StartRunInput = z.object({
  algorithm: Algorithm,
  /** What the run trains on; none for an evaluation. */
  dataset: RunDatasetRef.nullable().default(null),
  name: z.string().trim().max(200, 'Name is longer than 200 characters').optional(),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type StartRunInput = z.input<typeof StartRunInput>;

/** Algorithms whose stopped runs continue from their last checkpoint ("Resume"). */
export const RESUMABLE: readonly Algorithm[] = ['pretrain', 'sft', 'reward', 'dpo', 'ppo'];

export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted'];

/** The engine a run's training steps ran on, its threads (onnx) and why. */
export const TrainingEngineInfo = z.object({
  engine: z.enum(['tfjs', 'onnx']),
  threads: z.number().int().positive().nullable(),
  /** onnx: the execution provider (absent in runs recorded before CUDA training: cpu). */
  provider: z.enum(['cpu', 'cuda']).optional(),
  reason: z.string(),
});
export type TrainingEngineInfo = z.infer<typeof TrainingEngineInfo>;

export const BackendInfo = z.object({
  name: z.enum(['tensorflow', 'wasm', 'cpu']),
  reason: z.string(),
  /** Trainers that can train on onnxruntime say where they did (absent: tfjs, on `name`). */
  training: TrainingEngineInfo.optional(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

/** Where a run's inference ran: the engine, onnxruntime's execution provider and threads, and why. */
export const InferenceInfo = z.object({
  engine: z.enum(['onnx', 'tfjs']),
  /** onnxruntime's execution provider; null on tfjs. */
  provider: z.enum(['cpu', 'cuda']).nullable(),
  /** onnxruntime's intra-op threads; null on tfjs. */
  threads: z.number().int().positive().nullable(),
  /** e.g. "CUDA provider unavailable (not installed …); using cpu (1 thread)", or why tfjs. */
  reason: z.string(),
});
export type InferenceInfo = z.infer<typeof InferenceInfo>;

export const RunProgress = z.object({
  step: z.number().int().nonnegative(),
  totalSteps: z.number().int().nonnegative(),
  epoch: z.number().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  /** Estimated time left, from the mean step time so far; null before the first step. */
  etaMs: z.number().nonnegative().nullable(),
});
export type RunProgress = z.infer<typeof RunProgress>;

/** Where an external run's metrics came from (an imported `trainer_state.json` or a TRL log). */
export const ExternalSource = z.object({
  /** The file it was read from (its name, as the user gave it). */
  source: z.string(),
  format: z.enum(['trainer_state', 'log_lines']),
  importedAt: z.string(),
  /** What the file said about the run besides its metrics (global_step, epochs, train_runtime, …). */
  info: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
export type ExternalSource = z.infer<typeof ExternalSource>;
export const Run = z.object({
  id: Id,
  name: z.string(),
  algorithm: Algorithm,
  status: RunStatus,
  dataset: RunDatasetRef.nullable(),
  datasetName: z.string(),
  /** The fully resolved config, as the trainer ran it. */
  config: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  backend: BackendInfo.nullable(),
  /** Where the run's inference ran (runs that generate or score); null when it did none or not yet. */
  inference: InferenceInfo.nullable().default(null),
  error: z.string().nullable(),
  progress: RunProgress.nullable(),
  /** Latest value of each metric. */
  summary: z.record(z.string(), z.number()),
  modelId: Id.nullable(),
  /** 1, plus one for each time the run was resumed: events of an earlier attempt are older than any of this one. */
  attempt: z.number().int().positive().default(1),
  /** A run trained outside the lab (e.g. TRL) whose logs were imported: its metrics only, no model, no inputs. */
  external: ExternalSource.nullable().default(null),
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

/**
 * Something a run produced that a user reads item by item: a PPO rollout (prompt, response, reward,
 * KL), a Constitutional AI pair (prompt, original, revised, critiques), an evaluation answer. `data`
 * is the item as the engine wrote it; `review` is the user's verdict where one is asked for (CAI pairs).
 */
export const RunSample = z.object({
  id: Id,
  runId: Id,
  step: z.number().int().nonnegative(),
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
  review: z.enum(['approved', 'rejected']).nullable(),
});
export type RunSample = z.infer<typeof RunSample>;
export const SamplesQuery = z.object({
  runId: Id,
  /** Only this step's samples (PPO iteration); all when absent. */
  step: z.number().int().nonnegative().optional(),
  limit: int('Limit', 1, 10_000).default(500),
});
export const ReviewSampleInput = z.object({ id: Id, review: z.enum(['approved', 'rejected']).nullable() });
/** A Constitutional AI run's pairs as a preference dataset (revised chosen, original rejected). */
export const SamplesToDatasetInput = z.object({
  runId: Id,
  name: z.string().trim().min(1, 'Name the dataset').max(200),
  /** `approved`: only pairs a user approved; `unrejected`: every pair not rejected. */
  include: z.enum(['approved', 'unrejected']).default('approved'),
});

/** The reward model's scoring view: one prompt, several responses, a reward each. */
export const ScoreInput = z.object({
  modelId: Id,
  prompt: z.string().max(20_000),
  responses: z.array(z.string().min(1, 'A response is empty').max(20_000)).min(1, 'Add a response').max(16),
  /** The chat template to render with; by default the one the reward model was trained with. */
  template: TemplateName.optional(),
});
export type ScoreInput = z.input<typeof ScoreInput>;
export const ScoreResult = z.object({
  rewards: z.array(z.number()),
  /** Where the reward model ran; null when no network ran (a feature reward model). */
  inference: InferenceInfo.nullable().default(null),
});
export type ScoreResult = z.infer<typeof ScoreResult>;

// ── Models ──────────────────────────────────────────────────────────────────────────────────
export const Model = z.object({
  id: Id,
  name: z.string(),
  /** The architecture record (vocabSize, dModel, …). */
  arch: z.record(z.string(), z.unknown()),
  runId: Id.nullable(),
  parentId: Id.nullable(),
  /** `reward`: a reward model (trunk + scalar head), which scores rather than chats. From `arch.head`. */
  kind: z.enum(['lm', 'reward']).default('lm'),
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
  /** Where run processes will run inference (probed without opening a session). */
  inference: InferenceInfo,
});
export type SystemInfo = z.infer<typeof SystemInfo>;

// ── Events ──────────────────────────────────────────────────────────────────────────────────
/** A batch of progress for one run: sent a few times a second, never once per step. */
export const RunProgressEvent = z.object({ runId: Id, progress: RunProgress, metrics: z.array(MetricPoint) });
export type RunProgressEvent = z.infer<typeof RunProgressEvent>;

// ── Playground and template preview ─────────────────────────────────────────────────────────
export const GenerateInput = z.object({
  modelId: Id,
  /** The conversation so far; it ends with the user's message. */
  messages: z
    .array(Message)
    .min(1, 'Write a message first')
    .refine((ms) => ms.at(-1)?.role === 'user', "The last message must be the user's"),
  /** A chat template, or `none` to continue the last message as plain text (what a base model does). */
  template: z.union([TemplateName, z.literal('none')]).default('chatml'),
  maxNewTokens: int('Max new tokens', 1, 1024).default(64),
  /** 0 = greedy. */
  temperature: z
    .number({ error: 'Temperature must be a number' })
    .min(0, 'Temperature must be at least 0')
    .max(5, 'Temperature must be at most 5')
    .default(0.7),
  /** 0 = no limit. */
  topK: int('Top-k', 0, 100_000).default(0),
  topP: z
    .number({ error: 'Top-p must be a number' })
    .gt(0, 'Top-p must be greater than 0')
    .max(1, 'Top-p must be at most 1')
    .default(1),
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
});
export type GenerateInput = z.input<typeof GenerateInput>;
export const GenerationRef = z.object({ requestId: z.string().min(1) });
/** Streamed text of a generation: deltas, then one event with `done`. */
export const GenerationEvent = z.object({
  requestId: z.string(),
  delta: z.string(),
  done: z.boolean(),
  error: z.string().nullable(),
  /** Where the reply was generated, on the closing event (null before, or when unknown). */
  inference: InferenceInfo.nullable().default(null),
});
export type GenerationEvent = z.infer<typeof GenerationEvent>;

export const PreviewTemplateInput = z.object({
  template: TemplateName,
  messages: z.array(Message).min(1, 'Add a message'),
  /** Whose tokenizer to use; the byte tokenizer when absent. */
  modelId: Id.optional(),
});
export const TemplatePreview = z.object({
  tokens: z.array(z.object({ id: z.number().int(), text: z.string(), trained: z.boolean() })),
  text: z.string(),
  warnings: z.array(z.string()),
});
export type TemplatePreview = z.infer<typeof TemplatePreview>;

// ── Pipelines ───────────────────────────────────────────────────────────────────────────────
export const PipelineStatus = z.enum(['running', 'completed', 'failed', 'cancelled']);
export const PipelineStage = z.object({
  /** e.g. `world`, `pretrain`, `eval-base`, `sft`, `eval-sft`. */
  name: z.string(),
  /** What the stage does, in a few words. */
  label: z.string(),
  /** 'skipped': there was nothing for it to do (a Constitutional AI run revised nothing); see `note`. */
  status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled', 'skipped']),
  /** Why the stage was skipped. */
  note: z.string().nullable().optional(),
  /** The run of this stage (the latest, when it was restarted). */
  runId: Id.nullable(),
  worldId: Id.nullable(),
  modelId: Id.nullable(),
  /** A dataset the stage made (e.g. Constitutional AI pairs turned into preference data). */
  datasetId: Id.nullable().default(null),
});
export type PipelineStage = z.infer<typeof PipelineStage>;
export const Pipeline = z.object({
  id: Id,
  name: z.string(),
  preset: z.string(),
  status: PipelineStatus,
  error: z.string().nullable(),
  stages: z.array(PipelineStage),
  /** The pipeline's settings, resolved from its preset. */
  config: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Pipeline = z.infer<typeof Pipeline>;
export const StartPipelineInput = z.object({
  preset: z.string().min(1, 'Pick a preset'),
  /** Overrides the preset's world seed. */
  seed: int('Seed', 0, 2 ** 31 - 1).optional(),
});
export const PipelineRef = z.object({ id: Id });
/**
 * What an experiment compares (see src/shared/experiments.ts): the stages whose runs are put side by
 * side, and the run-summary metrics shown for each (a table and a chart on the Compare page).
 */
export const ExperimentCompare = z.object({
  stages: z.array(z.string()).min(1),
  metrics: z.array(z.string()).min(1),
});
export type ExperimentCompare = z.infer<typeof ExperimentCompare>;
export const PipelinePresetInfo = z.object({
  name: z.string(),
  description: z.string(),
  seed: z.number().int(),
  stages: z.array(z.object({ name: z.string(), label: z.string() })),
  /** `experiment`: a preset that tests one claim and ends in a comparison (`compare`). */
  group: z.enum(['pipeline', 'experiment']).default('pipeline'),
  /** An experiment's claim under test, in one sentence. */
  claim: z.string().optional(),
  compare: ExperimentCompare.optional(),
});
export type PipelinePresetInfo = z.infer<typeof PipelinePresetInfo>;

// ── Compare ─────────────────────────────────────────────────────────────────────────────────
/** Runs to compare side by side (the Compare page); an evaluation run is shown with its model's run. */
export const CompareInput = z.object({
  runIds: z.array(Id).min(1, 'Pick at least one run').max(24, 'Compare at most 24 runs at once'),
});
const nullableNumber = z.number().nullable();
/** One point of a metric: [step, value, seconds since the run's first metric, tokens seen, epoch]. */
export const ComparePoint = z.tuple([z.number(), z.number(), z.number(), nullableNumber, nullableNumber]);
export type ComparePoint = z.infer<typeof ComparePoint>;
export const CompareRun = z.object({
  id: Id,
  name: z.string(),
  /** The run's algorithm (a string: imported runs may carry one the lab does not train). */
  algorithm: z.string(),
  /** A readable kind: "DPO", "IPO", "PPO (RLHF)", … */
  kind: z.string(),
  status: z.string(),
  modelId: Id.nullable(),
  /** The language model that answers for this run (its own, or the one an evaluation run evaluated). */
  chatModelId: Id.nullable(),
  /** The chat template the run read its data with (`none` for plain text), when it has one. */
  template: z.string().nullable(),
  /** The pipeline whose stage this run is, if any. */
  pipelineId: Id.nullable(),
  /** Which x-axes this run's metrics have: tokens seen and epoch come from logged metrics. */
  axes: z.object({ tokens: z.boolean(), epoch: z.boolean(), time: z.boolean() }),
  cost: z.object({
    /** Wall time from start to end (or to the last metric of a run still going), seconds. */
    wallSeconds: nullableNumber,
    /** Tokens processed (the last `num_tokens` or `num_input_tokens_seen`), when the run logs them. */
    tokens: nullableNumber,
    steps: z.number().int().nonnegative(),
  }),
});
export type CompareRun = z.infer<typeof CompareRun>;
export const CompareMetric = z.object({
  name: z.string(),
  /** Runs that logged it, with their points sorted by step. */
  series: z.array(z.object({ runId: Id, points: z.array(ComparePoint) })),
});
export type CompareMetric = z.infer<typeof CompareMetric>;
/** An evaluation of a compared run's model: every value its run stored. */
export const CompareEval = z.object({
  runId: Id,
  evalRunId: Id,
  evalName: z.string(),
  referenceModelId: Id.nullable(),
  values: z.record(z.string(), z.number()),
});
export type CompareEval = z.infer<typeof CompareEval>;
/** A point of the reward–KL frontier: gold score against KL to the reference (nats per reply). */
export const FrontierPoint = z.object({
  kl: z.number(),
  gold: z.number(),
  /** The reward source's score (PPO's `objective/scores`) at the same point, when there is one. */
  proxy: nullableNumber,
  /** The PPO iteration, or null for an evaluation. */
  step: nullableNumber,
  /** The evaluation run it comes from, or null for training rollouts. */
  evalRunId: Id.nullable(),
});
export type FrontierPoint = z.infer<typeof FrontierPoint>;
export const FrontierCurve = z.object({
  runId: Id,
  /** `training`: PPO's rollouts each iteration (sampled, training prompts); `evaluation`: held-out sets, greedy. */
  source: z.enum(['training', 'evaluation']),
  points: z.array(FrontierPoint),
});
export type FrontierCurve = z.infer<typeof FrontierCurve>;
/** The same held-out prompt answered by each compared model (from their evaluations). */
export const CompareGeneration = z.object({
  set: z.string(),
  prompt: z.string(),
  /** Run id → the reply its model gave, with the gold judge's score. */
  replies: z.record(z.string(), z.object({ response: z.string(), score: z.number().nullable() })),
});
export type CompareGeneration = z.infer<typeof CompareGeneration>;
export const CompareResult = z.object({
  runs: z.array(CompareRun),
  /** Every metric (other than the axes) logged by at least one run. */
  metrics: z.array(CompareMetric),
  /** Metrics every run with metrics logged: the curves to overlay. */
  shared: z.array(z.string()),
  /** Config fields whose values differ between the runs (JSON text; null where a run has no such field). */
  configDiff: z.array(z.object({ field: z.string(), values: z.record(z.string(), z.string().nullable()) })),
  evals: z.array(CompareEval),
  frontier: z.array(FrontierCurve),
  generations: z.array(CompareGeneration),
  /** Sentences on what could not be compared and why. */
  notes: z.array(z.string()),
});
export type CompareResult = z.infer<typeof CompareResult>;

/**
 * The reward–KL sweep (DPO paper, Fig. 2): from one SFT model and one preference dataset, DPO at
 * several betas and PPO at several KL coefficients, each result evaluated against the SFT model as
 * the reference; stored and resumed as one pipeline.
 */
export const SweepInput = z.object({
  /** The SFT model: policy start and frozen reference of every run, and the evaluations' reference. */
  baseModel: Id,
  /** Preference pairs: DPO trains on them, PPO samples their prompts (and the reward model's data). */
  dataset: RunDatasetRef,
  /** The sandbox world whose held-out sets evaluate each model (and whose gold judge PPO may use). */
  world: Id,
  betas: z.array(positive('Beta')).max(8, 'At most 8 betas').default([0.05, 0.1, 0.5]),
  klCoefs: z
    .array(z.number({ error: 'KL coefficient must be a number' }).min(0).max(100))
    .max(8, 'At most 8 KL coefficients')
    .default([0.01, 0.05, 0.2]),
  /** PPO's reward source: a reward model (the proxy; gold is logged beside it) or the gold judge. */
  rewardModel: Id.optional(),
  template: TemplateName.default('chatml'),
  dpoEpochs: int('DPO epochs', 1, 100).default(1),
  ppoIterations: int('PPO iterations', 1, 10_000).default(10),
  /** Extra DPO and PPO settings (learning rate, batch size, …) applied to every run of the sweep. */
  dpoConfig: z.record(z.string(), z.unknown()).default({}),
  ppoConfig: z.record(z.string(), z.unknown()).default({}),
  evalSets: z
    .array(EvalSetName)
    .min(1, 'Pick at least one set')
    .default(['factsHeldOut', 'harmful', 'benign']),
  evalMaxNewTokens: int('Max new tokens', 1, 256).default(24),
  seed: int('Seed', 0, 2 ** 31 - 1).default(0),
});
export type SweepInput = z.input<typeof SweepInput>;

// ── Hand-off to TRL ─────────────────────────────────────────────────────────────────────────
/** A run as a TRL project (data, HF model, config, train.py, accelerate configs, README), zipped. */
export const ExportTrlInput = z.object({ runId: Id });
export const ExportTrlResult = z.object({
  filename: z.string(),
  /** The zip, base64. */
  base64: z.string(),
  files: z.array(z.string()),
  trainer: z.string(),
  /** Lab fields without a TRL counterpart (also in the project's config.json and README). */
  noCounterpart: z.array(z.object({ lab: z.string(), reason: z.string() })),
});
export type ExportTrlResult = z.infer<typeof ExportTrlResult>;
export const ImportRunInput = z.object({
  /** The text of a trainer_state.json, or of TRL's logged dicts one a line. */
  text: z.string().min(1, 'The file is empty').max(MAX_IMPORT_BYTES, 'The file is larger than 64 MB'),
  name: z.string().trim().min(1, 'Name is empty').max(200, 'Name is longer than 200 characters'),
  /** The file's name, kept as the run's source. */
  source: z.string().trim().min(1).max(500).default('trainer_state.json'),
  /** The kind of run the logs are of; guessed from the metric names when absent. */
  algorithm: Algorithm.optional(),
});
export type ImportRunInput = z.input<typeof ImportRunInput>;
/** A GPT-2-family checkpoint folder on this machine (config.json, model.safetensors, tokenizer files). */
export const ImportModelInput = z.object({
  path: z.string().trim().min(1, 'Give the folder path').max(4096),
  name: z.string().trim().min(1, 'Name is empty').max(200).optional(),
});
