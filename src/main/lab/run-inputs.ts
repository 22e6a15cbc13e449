// What a run trains on, resolved from what the user chose: the dataset (checked to be of a kind the
// algorithm reads, and turned into the trainer's inputs), the config (parsed with the algorithm's
// schema, defaults filled in) and the files it names: the base model, PPO's reward model and world,
// CAI's constitution and critic. Problems are collected per field, so a form shows them all at once.
import { join } from 'node:path';
import { LabError, type FieldIssue } from '../../shared/api';
import { PrincipleRecord, type Message, type NormalizedRecord, type RecordOf } from '../../shared/records';
import {
  ALGORITHM_DATASET_KINDS,
  ALGORITHM_LABELS,
  BUILTIN_DATASET_KINDS,
  DATASET_KIND_LABELS,
  RUN_CONFIGS,
  type Algorithm,
  type DatasetKind,
  type RunDatasetRef,
} from '../../shared/schemas';
import defaultConstitution from '../../../resources/constitution.json';
import { MODEL_PRESETS, type ModelPresetName } from '../engine/model/presets';
import type { Store } from './store';
import { builtinSandboxRecords, builtinSandboxWorld } from './worlds';

export interface ResolvedRun {
  inputs: unknown;
  datasetName: string;
  config: Record<string, unknown>;
}

/** The default constitution shipped in resources/, validated. */
export function defaultPrinciples(): PrincipleRecord[] {
  return defaultConstitution.principles.map((p) => PrincipleRecord.parse(p));
}
export const DEFAULT_CONSTITUTION_NAME: string = defaultConstitution.name;

const text = (ms: { content: string }[]) => ms.map((m) => m.content).join('\n\n');
/** A conversation's prompt as plain text: its turns up to (not including) a final assistant turn. */
const promptText = (ms: Message[]) => text(ms.at(-1)?.role === 'assistant' ? ms.slice(0, -1) : ms);

interface Data {
  kind: DatasetKind | null;
  records: NormalizedRecord[];
  datasetName: string;
  /** The built-in sandbox data (its world is the default for the gold judge). */
  sandbox: boolean;
}

function loadData(store: Store, algorithm: Algorithm, ref: RunDatasetRef | null): Data {
  const accepted = ALGORITHM_DATASET_KINDS[algorithm];
  const label = ALGORITHM_LABELS[algorithm];
  if (accepted === null) {
    if (ref !== null)
      throw issue('dataset', 'an evaluation reads a sandbox world (config.world), not a dataset');
    return { kind: null, records: [], datasetName: '', sandbox: false };
  }
  if (ref === null) throw issue('dataset', `${label} needs a dataset`);
  const wrongKind = (name: string, kind: DatasetKind) =>
    issue(
      'dataset',
      `${label} reads ${accepted.map((k) => DATASET_KIND_LABELS[k].toLowerCase()).join(' or ')}; ` +
        `"${name}" holds ${DATASET_KIND_LABELS[kind].toLowerCase()}`,
    );
  if (typeof ref === 'string') {
    const kind = BUILTIN_DATASET_KINDS[ref];
    if (!accepted.includes(kind)) throw wrongKind(`${ref} (built-in)`, kind);
    if (ref === 'seed-dpo') {
      if (algorithm !== 'dpo') throw issue('dataset', `the built-in seed-dpo data is for DPO, not ${label}`);
      return { kind, records: [], datasetName: 'seed-dpo (built-in)', sandbox: false };
    }
    return { ...builtinSandboxRecords(ref), datasetName: `${ref} (built-in)`, sandbox: true };
  }
  let dataset;
  try {
    dataset = store.getDataset(ref);
  } catch {
    throw issue('dataset', `dataset ${ref} does not exist`);
  }
  if (!accepted.includes(dataset.kind)) throw wrongKind(dataset.name, dataset.kind);
  if (dataset.exampleCount === 0) throw issue('dataset', `"${dataset.name}" is empty; add examples first`);
  const records = store.listExamples(dataset.id).map((e) => e.record as unknown as NormalizedRecord);
  return { kind: dataset.kind, records, datasetName: dataset.name, sandbox: false };
}

/** The prompts of prompt, preference or instruction records, as plain text, in order. */
function promptsOf(kind: DatasetKind, records: NormalizedRecord[]): string[] {
  switch (kind) {
    case 'prompt':
      return (records as RecordOf<'prompt'>[]).map((r) => promptText(r.prompt));
    case 'preference':
      return (records as RecordOf<'preference'>[]).map((r) => promptText(r.prompt));
    case 'instruction':
      return (records as RecordOf<'instruction'>[]).map((r) => promptText(r.messages));
    default:
      throw new Error(`no prompts in a ${kind} dataset`);
  }
}

/** The trainer's inputs from the records (before model files are added). */
function trainerInputs(
  algorithm: Algorithm,
  data: Data,
): { inputs: unknown; defaults: Record<string, unknown> } {
  const { kind, records } = data;
  switch (algorithm) {
    case 'pretrain':
      return { inputs: { documents: (records as RecordOf<'text'>[]).map((r) => r.text) }, defaults: {} };
    case 'sft':
      return { inputs: { conversations: records as RecordOf<'instruction'>[] }, defaults: {} };
    case 'reward':
      return {
        inputs: {
          kind: 'text',
          pairs: (records as RecordOf<'preference'>[]).map((r) => ({
            prompt: promptText(r.prompt),
            chosen: text(r.chosen),
            rejected: text(r.rejected),
            ...(r.margin !== undefined ? { margin: r.margin } : {}),
            ...(r.flipped !== undefined ? { flipped: r.flipped } : {}),
          })),
        },
        defaults: {},
      };
    case 'dpo': {
      if (data.datasetName === 'seed-dpo (built-in)')
        return { inputs: { kind: 'seed-dpo' }, defaults: { model: 'seed-tiny' } };
      // A pair's prompt is its prompt conversation flattened to plain text: one user turn when the pairs
      // are rendered through a base model's chat template (config.baseModel), raw bytes otherwise.
      if (kind === 'unpaired')
        return {
          inputs: {
            kind: 'unpaired',
            items: (records as RecordOf<'unpaired'>[]).map((r) => ({
              prompt: promptText(r.prompt),
              completion: text(r.completion),
              label: r.label,
            })),
          },
          defaults: { model: 'byte-tiny', lossType: 'kto' },
        };
      const pairs = (records as RecordOf<'preference'>[]).map((r) => ({
        prompt: promptText(r.prompt),
        chosen: text(r.chosen),
        rejected: text(r.rejected),
      }));
      return { inputs: { kind: 'text', pairs }, defaults: { model: 'byte-tiny' } };
    }
    case 'ppo':
    case 'cai':
      return { inputs: { prompts: promptsOf(kind!, records) }, defaults: {} };
    case 'eval':
      return { inputs: {}, defaults: {} };
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
  let data: Data | null = null;
  try {
    data = loadData(store, algorithm, ref);
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    issues.push(...e.issues);
  }
  const made = data ? trainerInputs(algorithm, data) : null;
  const parsed = RUN_CONFIGS[algorithm].safeParse({ ...made?.defaults, ...rawConfig });
  if (!parsed.success) issues.push(...LabError.fromZod(parsed.error, 'config').issues);
  const config = parsed.success ? (parsed.data as Record<string, unknown>) : null;
  let inputs = made?.inputs as Record<string, unknown> | undefined;
  let datasetName = data?.datasetName ?? '';

  /** The context length of the model a run starts from: its base model's, or its preset's. */
  let contextLength: number | null = null;
  /** A stored model's weights file, or an issue at `path`; `want` says which kind of model it must be. */
  const modelFile = (id: unknown, path: string, want: 'lm' | 'reward' | 'any'): string | null => {
    if (typeof id !== 'number') return null;
    const model = store.listModels().find((m) => m.id === id);
    if (!model) {
      issues.push({ path, message: `model ${id} does not exist` });
      return null;
    }
    if (path === 'config.baseModel') contextLength = Number(model.arch['contextLength']) || null;
    if (want !== 'any' && model.kind !== want) {
      issues.push({
        path,
        message:
          want === 'reward'
            ? `"${model.name}" is a language model, not a reward model; train one with "Reward model"`
            : `"${model.name}" is a reward model; it scores responses but cannot be trained as a policy here`,
      });
      return null;
    }
    return join(dataDir, store.modelPath(model.id));
  };
  const worldData = (id: unknown, path: string): unknown => {
    if (typeof id !== 'number') return null;
    try {
      return store.getWorld(id).data;
    } catch {
      issues.push({ path, message: `world ${id} does not exist` });
      return null;
    }
  };

  if (config && inputs) {
    const lossType = config.lossType as string | undefined;
    if (config.resumeFrom !== undefined)
      issues.push({
        path: 'config.resumeFrom',
        message: 'is set by Resume on a stopped run, not by a new run; start without it',
      });
    if (algorithm === 'dpo') {
      const base = typeof config.baseModel === 'number';
      if (!base && config.model === 'seed-tiny' && inputs.kind !== 'seed-dpo')
        issues.push({
          path: 'config.model',
          message: 'seed-tiny has a 50-token vocabulary and cannot read text; use byte-tiny',
        });
      if (base && inputs.kind === 'seed-dpo')
        issues.push({
          path: 'config.baseModel',
          message:
            'the built-in seed-dpo data is abstract tokens, not text; pick a preference dataset to align a model',
        });
      if ((config.labelSmoothing as number) > 0 && !['sigmoid', 'robust', 'simpo'].includes(lossType!))
        issues.push({
          path: 'config.labelSmoothing',
          message: `label smoothing applies to the sigmoid, robust and simpo losses, not ${lossType}`,
        });
      if (inputs.kind === 'unpaired' && lossType !== 'kto')
        issues.push({
          path: 'config.lossType',
          message: `unpaired good/bad examples train with the KTO loss, not ${lossType}; pick KTO or a preference dataset`,
        });
      if (lossType === 'kto' && inputs.kind === 'seed-dpo')
        issues.push({
          path: 'dataset',
          message: 'KTO needs text examples; the seed-dpo data is abstract tokens',
        });
      if ((config.rpoAlpha as number) > 0 && (lossType === 'orpo' || lossType === 'kto'))
        issues.push({
          path: 'config.rpoAlpha',
          message:
            lossType === 'orpo'
              ? 'ORPO has its own NLL term (its Beta is λ); set RPO alpha to 0'
              : 'the RPO term needs chosen responses; KTO has none, set RPO alpha to 0',
        });
      if (lossType === 'kto' && (config.batchSize as number) < 2)
        issues.push({
          path: 'config.batchSize',
          message:
            "KTO needs a batch size of at least 2: its KL term compares each completion with another prompt's",
        });
    }
    if (['sft', 'dpo', 'reward', 'ppo', 'cai'].includes(algorithm)) {
      // SFT fine-tunes the base; DPO and PPO start the policy and the frozen reference from it; the reward
      // model starts its trunk from it; CAI generates with it.
      // A reward model may start another reward run (its score head trains on); nothing else may use one.
      const path = modelFile(config.baseModel, 'config.baseModel', algorithm === 'reward' ? 'any' : 'lm');
      if (path) inputs = { ...inputs, base: { id: config.baseModel as number, path } };
      contextLength ??=
        typeof config.model === 'string'
          ? (MODEL_PRESETS[config.model as ModelPresetName]?.contextLength ?? null)
          : null;
    }
    if (
      algorithm === 'dpo' &&
      contextLength !== null &&
      inputs.kind !== 'seed-dpo' &&
      (config.maxLength as number) > contextLength + 1
    )
      issues.push({
        path: 'config.maxLength',
        message: `must be at most ${contextLength + 1}: the model reads ${contextLength} tokens at a time`,
      });
    if (algorithm === 'ppo' || algorithm === 'cai') {
      if (contextLength !== null && (config.maxNewTokens as number) >= contextLength)
        issues.push({
          path: 'config.maxNewTokens',
          message: `must be below the model's context of ${contextLength} tokens, which also holds the prompt`,
        });
    }
    if (algorithm === 'ppo' && (config.numMiniBatches as number) > (config.batchSize as number))
      issues.push({
        path: 'config.numMiniBatches',
        message: `cannot exceed the batch size (${String(config.batchSize)}): each minibatch needs a rollout`,
      });
    if (algorithm === 'ppo') {
      const source = config.rewardSource as string;
      if (source === 'model') {
        if (config.rewardModel === undefined)
          issues.push({
            path: 'config.rewardModel',
            message:
              'PPO with a reward model needs one: train a "Reward model" run first, or pick the gold judge or a rule',
          });
        const path = modelFile(config.rewardModel, 'config.rewardModel', 'reward');
        if (path) inputs = { ...inputs, rewardModelPath: path };
      } else if (source === 'gold') {
        const world =
          config.world === undefined && data?.sandbox
            ? builtinSandboxWorld()
            : worldData(config.world, 'config.world');
        if (config.world === undefined && !data?.sandbox)
          issues.push({
            path: 'config.world',
            message: 'the gold judge needs the sandbox world the prompts come from',
          });
        if (world) inputs = { ...inputs, world };
      } else if (config.rule === 'keyword' && String(config.ruleKeywords).trim() === '') {
        issues.push({ path: 'config.ruleKeywords', message: 'the keyword rule needs at least one keyword' });
      }
      // With a proxy reward (model or rule), the gold judge of the prompts' world (config.world, the
      // built-in data's, or the world the dataset was generated from) also scores each iteration's
      // rollouts, for the `gold/score` metric: proxy against true reward.
      if (source !== 'gold') {
        const owner =
          typeof ref === 'number'
            ? store.listWorlds().find((w) => Object.values(w.datasets).includes(ref))
            : null;
        const world =
          config.world !== undefined
            ? worldData(config.world, 'config.world')
            : data?.sandbox
              ? builtinSandboxWorld()
              : owner
                ? store.getWorld(owner.id).data
                : null;
        if (world) inputs = { ...inputs, world };
      }
    }
    if (algorithm === 'cai') {
      if (config.constitution === 'default') inputs = { ...inputs, principles: defaultPrinciples() };
      else {
        const id = config.constitution as number;
        let principles: PrincipleRecord[] | null = null;
        try {
          const dataset = store.getDataset(id);
          if (dataset.kind !== 'constitution')
            issues.push({ path: 'config.constitution', message: `"${dataset.name}" is not a constitution` });
          else principles = store.listExamples(id).map((e) => e.record as unknown as PrincipleRecord);
          if (principles?.length === 0)
            issues.push({ path: 'config.constitution', message: `"${dataset.name}" has no principles` });
        } catch {
          issues.push({ path: 'config.constitution', message: `dataset ${id} does not exist` });
        }
        if (principles) inputs = { ...inputs, principles };
      }
      const usesModel = config.critic === 'model' || config.reviser === 'model';
      if (usesModel) {
        const criticId = config.criticModel ?? config.baseModel;
        if (criticId === undefined)
          issues.push({
            path: 'config.criticModel',
            message: 'a model-based critic or reviser needs a model: pick a critic model or a base model',
          });
        const path = modelFile(criticId, 'config.criticModel', 'lm');
        if (path) inputs = { ...inputs, criticModelPath: path };
      }
    }
    if (algorithm === 'eval') {
      const modelId = config.model as number;
      const model = store.listModels().find((m) => m.id === modelId);
      if (!model) issues.push({ path: 'config.model', message: `model ${modelId} does not exist` });
      else if (model.kind === 'reward')
        issues.push({
          path: 'config.model',
          message: `"${model.name}" is a reward model; it scores, it does not answer`,
        });
      let world: { summary: { name: string }; data: unknown } | null = null;
      try {
        world = store.getWorld(config.world as number);
      } catch {
        issues.push({ path: 'config.world', message: `world ${String(config.world)} does not exist` });
      }
      const referencePath = modelFile(config.referenceModel, 'config.referenceModel', 'lm');
      const winRatePath = modelFile(config.winRateAgainst, 'config.winRateAgainst', 'lm');
      const judgePath = modelFile(config.judgeRewardModel, 'config.judgeRewardModel', 'reward');
      if (config.judgeRewardModel !== undefined && config.winRateAgainst === undefined)
        issues.push({
          path: 'config.judgeRewardModel',
          message: 'a reward model judges pairs of replies: pick a model under "Win rate against" too',
        });
      if (model && world) {
        inputs = {
          modelPath: join(dataDir, store.modelPath(model.id)),
          world: world.data,
          ...(referencePath ? { referenceModelPath: referencePath } : {}),
          ...(winRatePath ? { winRateModelPath: winRatePath } : {}),
          ...(judgePath ? { judgeRewardModelPath: judgePath } : {}),
        };
        datasetName = `${model.name} on ${world.summary.name}`;
      }
    }
  }
  if (issues.length > 0 || !data || !config || !inputs) {
    throw new LabError('invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
  return { inputs, datasetName, config };
}
