// A lab run as a TRL project folder: data/train.jsonl (TRL's format, written by the lab's dataset
// exporter), model/ (and reward_model/ for PPO) as Hugging Face folders, config.json (the mapping,
// field by field, and what has no counterpart), config.yaml (the arguments, for `--config`),
// train.py, accelerate configs (one GPU is plain python; several; DeepSpeed ZeRO-2/3), a Slurm batch
// script and a README. It reads no Store: the caller hands it the run, its inputs and model files.
import type { RecordOf } from '../../../shared/records';
import type { Run } from '../../../shared/schemas';
import { MODEL_PRESETS, isModelPresetName } from '../../engine/model/presets';
import { byteTokenizerJson } from '../../engine/model/gpt2-import';
import type { TemplateName } from '../../engine/tokenizer/templates';
import { exportTrlJsonl } from '../formats';
import { hfFreshModelFiles, hfModelFiles, type OutFile } from './hf-model';
import {
  mapRunConfig,
  PROJECT_KEYS,
  TRL_DPO_LOSS_TYPES,
  type TrlAlgorithm,
  type TrlMapping,
} from './mapping';
import { launchFiles, readme } from './project-docs';
import { trainPy } from './train-py';

export interface TrlProjectInput {
  run: Pick<Run, 'id' | 'name' | 'algorithm' | 'config' | 'datasetName'> & { algorithm: TrlAlgorithm };
  /** The run's inputs snapshot (inputs.json in its folder). */
  inputs: Record<string, unknown>;
  /** The weights file of the model the run started from, when it had one. */
  baseModel: string | null;
  /** PPO: the weights file of its reward model. */
  rewardModel: string | null;
  /** Pretraining: the tokenizer.json the run trained (beside its output), if it got that far. */
  trainedTokenizer: Record<string, unknown> | null;
}

export interface TrlProject {
  files: OutFile[];
  mapping: TrlMapping;
  notes: string[];
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const user = (content: string) => [{ role: 'user' as const, content }];
const assistant = (content: string) => [{ role: 'assistant' as const, content }];
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');

/** The training data in TRL's format: conversational through a chat template, plain strings without one. */
function dataFile(p: TrlProjectInput, chat: boolean): { data: string; rows: number; format: string } {
  const { algorithm, config } = p.run;
  const inputs = p.inputs;
  switch (algorithm) {
    case 'pretrain': {
      const docs = (inputs['documents'] as string[]).map((text) => ({ text }));
      return { data: exportTrlJsonl('text', docs), rows: docs.length, format: 'language modeling: text' };
    }
    case 'sft': {
      const convs = inputs['conversations'] as RecordOf<'instruction'>[];
      return {
        data: exportTrlJsonl('instruction', convs),
        rows: convs.length,
        format: 'conversational: messages',
      };
    }
    case 'ppo': {
      const prompts = inputs['prompts'] as string[];
      if (!chat)
        return {
          data: jsonl(prompts.map((prompt) => ({ prompt }))),
          rows: prompts.length,
          format: 'prompt-only: prompt',
        };
      const recs: RecordOf<'prompt'>[] = prompts.map((t) => ({ prompt: user(t) }));
      return {
        data: exportTrlJsonl('prompt', recs),
        rows: recs.length,
        format: 'conversational prompt-only: prompt',
      };
    }
    default: {
      if (inputs['kind'] === 'seed-dpo')
        throw new Error(
          'this run trained on the built-in seed-dpo data (abstract token ids, not text), which no TRL tokenizer reads; export a run on a text dataset',
        );
      if (inputs['kind'] === 'unpaired') {
        const items = inputs['items'] as { prompt: string; completion: string; label: boolean }[];
        if (!chat)
          return {
            data: jsonl(items),
            rows: items.length,
            format: 'unpaired preference: prompt, completion, label',
          };
        const recs: RecordOf<'unpaired'>[] = items.map((i) => ({
          prompt: user(i.prompt),
          completion: assistant(i.completion),
          label: i.label,
        }));
        return {
          data: exportTrlJsonl('unpaired', recs),
          rows: recs.length,
          format: 'conversational unpaired preference',
        };
      }
      const keepMargin = algorithm === 'reward' && config['useMargin'] !== false;
      const pairs = (
        inputs['pairs'] as { prompt: string; chosen: string; rejected: string; margin?: number }[]
      ).map(({ margin, ...p }) => (keepMargin && margin !== undefined ? { ...p, margin } : p));
      if (config['lossType'] === 'kto' && algorithm === 'dpo') {
        // The lab splits pairs into unpaired examples for KTO (chosen desirable, rejected undesirable): so does this.
        const items = pairs.flatMap((q) => [
          { prompt: q.prompt, completion: q.chosen, label: true },
          { prompt: q.prompt, completion: q.rejected, label: false },
        ]);
        return dataFile({ ...p, inputs: { kind: 'unpaired', items } }, chat);
      }
      if (!chat)
        return { data: jsonl(pairs), rows: pairs.length, format: 'preference: prompt, chosen, rejected' };
      const recs: RecordOf<'preference'>[] = pairs.map((q) => ({
        prompt: user(q.prompt),
        chosen: assistant(q.chosen),
        rejected: assistant(q.rejected),
        ...('margin' in q ? { margin: q.margin } : {}),
      }));
      return {
        data: exportTrlJsonl('preference', recs),
        rows: recs.length,
        format: 'conversational preference',
      };
    }
  }
}

/** YAML is a superset of JSON: one `key: <JSON value>` line per argument. */
const yaml = (args: Record<string, unknown>, header: string) =>
  header +
  Object.entries(args)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`)
    .join('');

export async function buildTrlProject(p: TrlProjectInput): Promise<TrlProject> {
  const { run } = p;
  const config = run.config;
  if (run.algorithm === 'reward' && config['rewardKind'] === 'features')
    throw new Error(
      "this reward model is the lab's feature-based MLP, which TRL has no trainer for; export a transformer reward model run",
    );
  const mapping = mapRunConfig(run.algorithm, config);
  const notes: string[] = [];
  const files: OutFile[] = [];
  const hasBase = p.baseModel !== null;
  // The lab renders through a chat template for SFT, reward models and PPO always, for DPO from a base model.
  const chat = run.algorithm === 'dpo' ? hasBase : run.algorithm !== 'pretrain';
  const template = chat ? ((config['template'] as TemplateName | undefined) ?? 'chatml') : null;

  // model/: where training starts.
  let contextLength: number;
  if (p.baseModel) {
    const m = await hfModelFiles(p.baseModel, 'model', { template });
    files.push(...m.files);
    notes.push(...m.notes);
    contextLength = m.config.contextLength;
  } else {
    const shape = String(config['model'] ?? 'byte-tiny');
    if (!isModelPresetName(shape)) throw new Error(`config.model: unknown model shape "${shape}"`);
    const gpt = MODEL_PRESETS[shape];
    let tokenizer = byteTokenizerJson();
    if (run.algorithm === 'pretrain' && config['tokenizer'] === 'bpe') {
      if (!p.trainedTokenizer)
        throw new Error(
          'this pretraining run trains its BPE tokenizer as it starts, and has none yet: export it once it has run',
        );
      tokenizer = p.trainedTokenizer;
      notes.push("model/tokenizer.json: the BPE tokenizer the lab's run trained on its corpus");
    } else
      notes.push(
        "model/tokenizer.json: the lab's byte tokenizer, written as a byte-level BPE with no merges (same ids)",
      );
    files.push(...hfFreshModelFiles(gpt, 'model', tokenizer, template));
    notes.push(
      `model/: no weights; the run started from fresh ${shape} weights, so train.py builds the model from config.json`,
    );
    contextLength = gpt.contextLength;
  }
  const project: Record<string, unknown> = { model_name_or_path: 'model' };
  if (run.algorithm === 'ppo') {
    if (p.rewardModel) {
      const r = await hfModelFiles(p.rewardModel, 'reward_model', { template, classifier: true });
      files.push(...r.files);
      notes.push(...r.notes);
    } else
      notes.push(
        'reward_model/: none (the run scored with the gold judge or a rule); pass --reward_model_path',
      );
  }

  const data = dataFile(p, chat);
  files.push({ path: 'data/train.jsonl', data: data.data });

  // The arguments: TRL's config class gets its own; train.py's project arguments the rest.
  const trlArgs: Record<string, unknown> = { output_dir: 'output' };
  const projectKeys: readonly string[] = PROJECT_KEYS.filter(
    (k) => !(run.algorithm === 'ppo' && (k === 'sft_model_path' || k === 'reward_model_path')),
  );
  for (const [k, v] of Object.entries(mapping.args)) {
    if (!projectKeys.includes(k)) trlArgs[k] = v;
    else if (k === 'eval_fraction') project[k] = v;
  }
  if (run.algorithm === 'pretrain' || run.algorithm === 'sft') trlArgs['max_length'] = contextLength;
  if (run.algorithm === 'ppo') {
    trlArgs['sft_model_path'] = 'model';
    trlArgs['reward_model_path'] = p.rewardModel ? 'reward_model' : '';
    trlArgs['stop_token'] = 'eos'; // the lab's rollouts end at the end-of-turn token
  }
  const args = { ...project, ...trlArgs };
  const lossNote =
    mapping.trainer === 'DPOTrainer'
      ? `loss_type: the lab's ${String(config['lossType'])}; TRL's DPOTrainer also has ${TRL_DPO_LOSS_TYPES.filter((l) => l !== config['lossType']).join(', ')} (--loss_type NAME)`
      : null;
  files.push({
    path: 'config.json',
    data: json({
      exportedBy: 'Alignment Lab',
      run: { id: run.id, name: run.name, algorithm: run.algorithm, dataset: run.datasetName },
      trainer: mapping.trainer,
      configClass: mapping.configClass,
      arguments: args,
      mapping: mapping.mapped.map((m) => ({ lab: m.lab, value: m.value, trl: m.trl, sets: m.args })),
      noCounterpart: mapping.noCounterpart,
      ...(mapping.unknown.length ? { notMappedYet: mapping.unknown } : {}),
      data: { file: 'data/train.jsonl', format: data.format, rows: data.rows },
      notes: [...notes, ...(lossNote ? [lossNote] : [])],
      labConfig: config,
    }),
  });
  files.push({
    path: 'config.yaml',
    data: yaml(
      args,
      `# ${mapping.configClass} for TRL's ${mapping.trainer}, from Alignment Lab run ${run.id} (${run.name}).\n` +
        `# Values are JSON (valid YAML). The lab field behind each one, and the lab fields without a\n` +
        `# counterpart, are listed in config.json. Command-line arguments override these.\n`,
    ),
  });
  const title = `${run.name} (lab run ${run.id})`;
  files.push({
    path: 'train.py',
    data: trainPy({ trainer: mapping.trainer, configClass: mapping.configClass, title }),
  });
  files.push(...launchFiles());
  files.push({ path: 'README.md', data: readme(p, mapping, data, notes) });
  return { files, mapping, notes };
}
