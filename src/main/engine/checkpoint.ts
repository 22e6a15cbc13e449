// Model and checkpoint files. A model is `<name>.safetensors` (the weights, loadable by the
// `safetensors` Python package) plus `<name>.json` beside it: the architecture, the trainer and step
// that produced it, the resolved config, and its lineage (the parent it was trained from). A
// checkpoint is a model (heads included) plus `<name>.optim.safetensors` (Adam's moments) and the
// trainer's position (`state` in the JSON), which is everything a run needs to resume as if it had
// never stopped.
// Every file is written atomically; the JSON is written last, so a checkpoint whose JSON exists is whole.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write';
import { GPT, validateConfig, type GPTConfig, type NamedArray } from './model/gpt';
import type { ScalarHead } from './model/heads';
import { readSafetensors, writeSafetensors } from './safetensors';

/** The architecture as stored with a model: the GPT shape plus where it came from. */
export type ArchRecord = GPTConfig & { preset?: string; tokenizer?: string };

/** Where a model came from: the file it was initialised from and, when the lab knows it, its model id. */
export interface Lineage {
  parentPath: string | null;
  parentId: number | null;
}

/** A trainer's position in its run: what `resumeFrom` restores besides weights and optimizer. */
export interface TrainerState {
  /** Optimizer steps taken. */
  step: number;
  /** Epoch in progress (0-based) and how many of its shuffled rows were consumed. */
  epoch: number;
  index: number;
  /** Tokens trained on so far (for `num_tokens`). */
  numTokens: number;
  /**
   * The run's seed. The data order of epoch e is a permutation seeded by (seed, e), and nothing else
   * in a run draws random numbers, so (seed, epoch, index) is the whole RNG state.
   */
  seed: number;
}

/**
 * A checkpoint's record. A trainer may keep more of its position in `state` than TrainerState names
 * (PPO: its adaptive KL coefficient and Adam's step count): the JSON keeps every field it is given.
 */
export type CheckpointRecord<S extends TrainerState = TrainerState> = ModelRecord & { state: S };

export interface ModelRecord {
  arch: ArchRecord;
  /** The trainer that wrote it: 'pretrain', 'sft', 'dpo', … */
  trainer: string;
  step: number;
  config: Record<string, unknown>;
  lineage: Lineage;
  /** Checkpoints only. */
  state?: TrainerState;
}

/** `x.safetensors` → `x` (other paths unchanged). */
export function baseName(file: string): string {
  return file.endsWith('.safetensors') ? file.slice(0, -'.safetensors'.length) : file;
}

/**
 * Weights and their JSON record; returns the weights' path. `heads` (a reward model's `score`, a value
 * head) are saved in the same file after the GPT's weights; `loadModel` hands them back as `extras`.
 */
export async function saveModel(
  file: string,
  model: GPT,
  record: ModelRecord,
  heads: readonly ScalarHead[] = [],
): Promise<string> {
  const base = baseName(file);
  const weights = base + '.safetensors';
  const arrays = await model.toArrays();
  for (const head of heads) arrays.push(...(await head.toArrays()));
  await writeSafetensors(weights, arrays, {
    step: String(record.step),
    arch: JSON.stringify(record.arch),
  });
  await writeFileAtomic(base + '.json', JSON.stringify(record, null, 2));
  return weights;
}

/** A saved model's record: the JSON beside it, or (for a bare safetensors file) the metadata's `arch`. */
export async function readModelRecord(file: string): Promise<ModelRecord> {
  const base = baseName(file);
  let text: string | undefined;
  try {
    text = await readFile(base + '.json', 'utf8');
  } catch {
    const { metadata } = await readSafetensors(base + '.safetensors');
    if (!metadata['arch'])
      throw new Error(`${base}.safetensors has no JSON record beside it and no "arch" in its metadata`);
    const arch = JSON.parse(metadata['arch']) as ArchRecord;
    return { arch, trainer: 'unknown', step: Number(metadata['step'] ?? 0), config: {}, lineage: none() };
  }
  const raw = JSON.parse(text) as Partial<ModelRecord>;
  if (!raw.arch) throw new Error(`${base}.json has no "arch" record`);
  return {
    arch: raw.arch,
    trainer: raw.trainer ?? 'unknown',
    step: raw.step ?? 0,
    config: raw.config ?? {},
    lineage: raw.lineage ?? none(),
    ...(raw.state ? { state: raw.state } : {}),
  };
}

const none = (): Lineage => ({ parentPath: null, parentId: null });

/**
 * Load a model written by `saveModel` (or a checkpoint). `extras` are the arrays that are not GPT
 * weights (e.g. a reward model's `score.weight`/`score.bias`; see ScalarHead.fromArrays).
 */
export async function loadModel(
  file: string,
  trainable = true,
): Promise<{ model: GPT; record: ModelRecord; extras: NamedArray[] }> {
  const record = await readModelRecord(file);
  const arch = gptConfigOf(record.arch);
  const { tensors } = await readSafetensors(baseName(file) + '.safetensors');
  const model = GPT.fromArrays(arch, tensors, trainable);
  const extras = tensors.filter((t) => !model.weights.has(t.name));
  return { model, record, extras };
}

export function gptConfigOf(arch: ArchRecord): GPTConfig {
  const c: GPTConfig = {
    vocabSize: arch.vocabSize,
    contextLength: arch.contextLength,
    dModel: arch.dModel,
    nLayers: arch.nLayers,
    nHeads: arch.nHeads,
    dFF: arch.dFF,
  };
  validateConfig(c);
  return c;
}

/**
 * A checkpoint: `<name>.optim.safetensors` (Adam's moments), then the model as `saveModel` writes it,
 * `heads` included, its record carrying `state`. Returns the weights' path.
 */
export async function saveCheckpoint<S extends TrainerState>(
  file: string,
  model: GPT,
  optimizerState: NamedArray[],
  record: CheckpointRecord<S>,
  heads: readonly ScalarHead[] = [],
): Promise<string> {
  const base = baseName(file);
  await writeSafetensors(base + '.optim.safetensors', optimizerState, { step: String(record.step) });
  return saveModel(base, model, record, heads); // the JSON goes last: its presence marks a whole checkpoint
}

export interface LoadedCheckpoint {
  model: GPT;
  /** Its `state` holds whatever fields the trainer saved; a trainer reads its own as optional. */
  record: CheckpointRecord;
  optimizerState: NamedArray[];
  /** The arrays that are not GPT weights: the heads saved with it (see ScalarHead.fromArrays). */
  extras: NamedArray[];
}

/**
 * Load a checkpoint written by `saveCheckpoint`. With `expect`, a checkpoint of another trainer is
 * refused before any weights are read: "… is a sft checkpoint; it cannot resume a DPO run".
 */
export async function loadCheckpoint(
  file: string,
  expect?: { trainer: string; run: string },
): Promise<LoadedCheckpoint> {
  const base = baseName(file);
  const record = await readModelRecord(base);
  if (!record.state)
    throw new Error(`${base}.json is a model, not a checkpoint: it has no trainer state to resume from`);
  if (expect && record.trainer !== expect.trainer)
    throw new Error(`${file} is a ${record.trainer} checkpoint; it cannot resume a ${expect.run} run`);
  let optimizerState: NamedArray[];
  try {
    optimizerState = (await readSafetensors(base + '.optim.safetensors')).tensors;
  } catch (err) {
    throw new Error(
      `cannot resume from ${base}: its optimizer state is unreadable (${(err as Error).message})`,
      { cause: err },
    );
  }
  const { model, extras } = await loadModel(base);
  return { model, record: record as CheckpointRecord, optimizerState, extras };
}

export function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(6, '0')}`;
}
