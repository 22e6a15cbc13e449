// What a run trains on, resolved from what the user chose: the dataset (checked to be of the kind
// the algorithm needs), the config (parsed with the algorithm's schema, defaults filled in) and, for
// SFT and DPO, the base model's weights. Problems are collected per field, so a form shows them all
// at once.
import { join } from 'node:path';
import { LabError, type FieldIssue } from '../../shared/api';
import type { InstructionRecord, RecordOf } from '../../shared/records';
import {
  ALGORITHM_DATASET_KIND,
  ALGORITHM_LABELS,
  DATASET_KIND_LABELS,
  RUN_CONFIGS,
  type Algorithm,
  type RunDatasetRef,
} from '../../shared/schemas';
import type { Store } from './store';

export interface ResolvedRun {
  inputs: unknown;
  datasetName: string;
  config: Record<string, unknown>;
}

const text = (ms: { content: string }[]) => ms.map((m) => m.content).join('\n\n');

function datasetInputs(
  store: Store,
  algorithm: Algorithm,
  ref: RunDatasetRef | null,
): { inputs: unknown; datasetName: string; defaults: Record<string, unknown> } {
  const want = ALGORITHM_DATASET_KIND[algorithm];
  if (want === null) {
    if (ref !== null)
      throw issue('dataset', 'an evaluation reads a sandbox world (config.world), not a dataset');
    return { inputs: {}, datasetName: '', defaults: {} };
  }
  if (ref === null) throw issue('dataset', `${ALGORITHM_LABELS[algorithm]} needs a dataset`);
  if (ref === 'seed-dpo') {
    if (algorithm !== 'dpo')
      throw issue('dataset', `the built-in seed-dpo data is for DPO, not ${ALGORITHM_LABELS[algorithm]}`);
    return {
      inputs: { kind: 'seed-dpo' },
      datasetName: 'seed-dpo (built-in)',
      defaults: { model: 'seed-tiny' },
    };
  }
  let dataset;
  try {
    dataset = store.getDataset(ref);
  } catch {
    throw issue('dataset', `dataset ${ref} does not exist`);
  }
  if (dataset.kind !== want) {
    throw issue(
      'dataset',
      `${ALGORITHM_LABELS[algorithm]} trains on ${DATASET_KIND_LABELS[want].toLowerCase()}; "${dataset.name}" holds ${DATASET_KIND_LABELS[dataset.kind].toLowerCase()}`,
    );
  }
  if (dataset.exampleCount === 0) throw issue('dataset', `"${dataset.name}" is empty; add examples first`);
  const records = store.listExamples(dataset.id).map((e) => e.record as unknown);
  const name = dataset.name;
  switch (algorithm) {
    case 'pretrain':
      return {
        inputs: { documents: (records as RecordOf<'text'>[]).map((r) => r.text) },
        datasetName: name,
        defaults: {},
      };
    case 'sft':
      return { inputs: { conversations: records as InstructionRecord[] }, datasetName: name, defaults: {} };
    case 'dpo': {
      // A pair's prompt is its prompt conversation flattened to plain text: one user turn when the pairs
      // are rendered through a base model's chat template (config.baseModel), raw bytes otherwise.
      const pairs = (records as RecordOf<'preference'>[]).map((r) => ({
        prompt: text(r.prompt),
        chosen: text(r.chosen),
        rejected: text(r.rejected),
      }));
      return { inputs: { kind: 'text', pairs }, datasetName: name, defaults: { model: 'byte-tiny' } };
    }
    case 'eval':
      throw new Error('an evaluation has no dataset');
  }
}

function issue(path: string, message: string): LabError {
  return new LabError('invalid', `${path}: ${message}`, [{ path, message }]);
}

export function resolveRun(
  store: Store,
  dataDir: string,
  algorithm: Algorithm,
  ref: RunDatasetRef | null,
  rawConfig: Record<string, unknown>,
): ResolvedRun {
  const issues: FieldIssue[] = [];
  let data: ReturnType<typeof datasetInputs> | null = null;
  try {
    data = datasetInputs(store, algorithm, ref);
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    issues.push(...e.issues);
  }
  const parsed = RUN_CONFIGS[algorithm].safeParse({ ...data?.defaults, ...rawConfig });
  if (!parsed.success) issues.push(...LabError.fromZod(parsed.error, 'config').issues);
  const config = parsed.success ? (parsed.data as Record<string, unknown>) : null;
  let inputs = data?.inputs;

  const dpoBase = algorithm === 'dpo' && typeof config?.baseModel === 'number';
  if (
    config &&
    algorithm === 'dpo' &&
    !dpoBase &&
    config.model === 'seed-tiny' &&
    (inputs as { kind: string }).kind === 'text'
  ) {
    issues.push({
      path: 'config.model',
      message: 'seed-tiny has a 50-token vocabulary and cannot read text; use byte-tiny',
    });
  }
  if (dpoBase && (inputs as { kind?: string } | undefined)?.kind === 'seed-dpo')
    issues.push({
      path: 'config.baseModel',
      message:
        'the built-in seed-dpo data is abstract tokens, not text; pick a preference dataset to align a model',
    });
  if (
    config &&
    algorithm === 'dpo' &&
    (config.labelSmoothing as number) > 0 &&
    !['sigmoid', 'robust', 'simpo'].includes(config.lossType as string)
  )
    issues.push({
      path: 'config.labelSmoothing',
      message: `label smoothing applies to the sigmoid, robust and simpo losses, not ${String(config.lossType)}`,
    });
  if (config && (algorithm === 'sft' || algorithm === 'dpo') && typeof config.baseModel === 'number') {
    // SFT fine-tunes the base; DPO starts its policy and its frozen reference from it.
    const model = store.listModels().find((m) => m.id === config.baseModel);
    if (!model)
      issues.push({ path: 'config.baseModel', message: `model ${config.baseModel} does not exist` });
    else
      inputs = {
        ...(inputs as object),
        base: { id: model.id, path: join(dataDir, store.modelPath(model.id)) },
      };
  }
  if (config && algorithm === 'eval') {
    const modelId = config.model as number;
    const worldId = config.world as number;
    const model = store.listModels().find((m) => m.id === modelId);
    if (!model) issues.push({ path: 'config.model', message: `model ${modelId} does not exist` });
    let world: { summary: { name: string }; data: unknown } | null = null;
    try {
      world = store.getWorld(worldId);
    } catch {
      issues.push({ path: 'config.world', message: `world ${worldId} does not exist` });
    }
    if (model && world && data) {
      inputs = { modelPath: join(dataDir, store.modelPath(model.id)), world: world.data };
      data = { ...data, datasetName: `${model.name} on ${world.summary.name}` };
    }
  }
  if (issues.length > 0 || !data || !config) {
    throw new LabError('invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
  return { inputs, datasetName: data.datasetName, config };
}
