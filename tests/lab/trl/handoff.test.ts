// The hand-off to TRL end to end through the lab: a GPT-2-shaped checkpoint (written by the test)
// imports as a base model, chats in the playground and fine-tunes (SFT); DPO, a reward model and PPO
// train from it; the DPO and PPO runs export as TRL projects whose train.py compiles
// (`python3 -m py_compile`), whose config.yaml is the mapping's arguments, and whose model/ folder
// is the lab's model as a Hugging Face GPT-2 (read back by the importer, weight for weight).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationEvent, Model, Run } from '../../../src/shared/schemas';
import { parseInput, type LabApi } from '../../../src/shared/api';
import type { Lab } from '../../../src/main/lab/lab';
import { readGpt2Folder } from '../../../src/main/engine/model/gpt2-import';
import { readSafetensors } from '../../../src/main/engine/safetensors';
import { trlProjectOfRun, writeTrlProject } from '../../../src/main/lab/trl/export';
import { clientOf, testLab, waitForRun } from '../../helpers/lab';
import { tempDir } from '../../helpers/tmp';
import { writeTinyGpt2 } from '../../engine/gpt2-fixture';

const PYTHON = spawnSync('python3', ['--version']).status === 0;
const PYYAML = PYTHON && spawnSync('python3', ['-c', 'import yaml']).status === 0;
if (!PYTHON) console.warn('python3 is absent: the py_compile checks of train.py are skipped');

let lab: Lab;
let api: LabApi;
let dataDir: string;
let work: string;
let base: Model;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const data = tempDir();
  const w = tempDir('lab-gpt2-');
  cleanups.push(data.cleanup, w.cleanup);
  dataDir = data.dir;
  work = w.dir;
  lab = testLab(dataDir, 2);
  api = clientOf(lab);
  writeTinyGpt2(work, { prefix: 'transformer.', seed: 21, positions: 128 });
  base = await api.importModel({ path: work, name: 'tiny gpt2' });
});
afterAll(async () => {
  await lab.close();
  cleanups.forEach((c) => c());
});

const done = (id: number) =>
  waitForRun(lab, id, (r) => r.status !== 'queued' && r.status !== 'running', 180_000);

function reply(requestId: string): Promise<{ text: string; error: string | null }> {
  return new Promise((resolve) => {
    let text = '';
    const off = lab.subscribe((event, payload) => {
      const e = payload as GenerationEvent;
      if (event !== 'generation' || e.requestId !== requestId) return;
      text += e.delta;
      if (e.done) {
        off();
        resolve({ text, error: e.error });
      }
    });
  });
}

function python(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('python3', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe('a GPT-2 checkpoint as a base model', () => {
  it('imports: listed as a language model with its shape and tokenizer', () => {
    expect(base.kind).toBe('lm');
    expect(base.name).toBe('tiny gpt2');
    expect(base.arch).toMatchObject({
      vocabSize: 259,
      contextLength: 128,
      dModel: 16,
      nLayers: 2,
      nHeads: 2,
      dFF: 64,
    });
    expect(base.arch['tokenizer']).toBe('tokenizer.json');
    expect(existsSync(join(dataDir, 'models'))).toBe(true);
  });

  it('refuses a folder that is not a model, naming the path', async () => {
    await expect(api.importModel({ path: join(work, 'nope') })).rejects.toThrow(/path: .*does not exist/);
    await expect(api.importModel({ path: dataDir })).rejects.toThrow(/path: .*config\.json/);
  });

  it('chats in the playground (base-model mode and through a template)', async () => {
    for (const template of ['none', 'plain'] as const) {
      const { requestId } = await lab.generate(
        parseInput('generate', {
          modelId: base.id,
          messages: [{ role: 'user', content: 'the cat' }],
          template,
          temperature: 0,
          maxNewTokens: 6,
        }),
      );
      const r = await reply(requestId);
      expect(r.error).toBeNull();
      expect(r.text.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it('fine-tunes: an SFT run from it trains a few steps and produces a child model', async () => {
    const run = await api.startRun({
      algorithm: 'sft',
      dataset: 'sandbox-sft',
      config: { baseModel: base.id, maxSteps: 3, batchSize: 4, template: 'plain', learningRate: 1e-3 },
    });
    const end = await done(run.id);
    expect(end.error).toBeNull();
    expect(end.status).toBe('completed');
    expect(Number.isFinite(end.summary['loss'])).toBe(true);
    const child = (await api.listModels()).find((m) => m.runId === run.id)!;
    expect(child.parentId).toBe(base.id);
  }, 180_000);
});

describe('export as a TRL project', () => {
  let dpo: Run;
  let ppo: Run;
  let rewardModel: Model;

  beforeAll(async () => {
    const common = { baseModel: base.id, template: 'plain', epochs: 1, batchSize: 16, maxLength: 128 };
    const d = await api.startRun({
      algorithm: 'dpo',
      dataset: 'sandbox-pairs',
      config: { ...common, beta: 0.2 },
    });
    const r = await api.startRun({ algorithm: 'reward', dataset: 'sandbox-pairs', config: common });
    dpo = await done(d.id);
    const rw = await done(r.id);
    expect([dpo.status, dpo.error, rw.status, rw.error]).toEqual(['completed', null, 'completed', null]);
    rewardModel = (await api.listModels()).find((m) => m.runId === rw.id)!;
    const p = await api.startRun({
      algorithm: 'ppo',
      dataset: 'sandbox-prompts',
      config: {
        baseModel: base.id,
        template: 'plain',
        rewardSource: 'model',
        rewardModel: rewardModel.id,
        iterations: 2,
        batchSize: 4,
        ppoEpochs: 1,
        maxNewTokens: 6,
      },
    });
    ppo = await done(p.id);
    expect([ppo.status, ppo.error]).toEqual(['completed', null]);
  }, 360_000);

  it('a DPO run: data, the base model as HF GPT-2, the mapping, a train.py that compiles', async () => {
    const out = join(work, 'dpo-project');
    const project = await trlProjectOfRun(lab.store, dataDir, dpo.id);
    const files = await writeTrlProject(out, project.files);
    expect(files).toEqual(
      expect.arrayContaining([
        'data/train.jsonl',
        'model/model.safetensors',
        'model/config.json',
        'model/tokenizer.json',
        'model/tokenizer_config.json',
        'config.json',
        'config.yaml',
        'train.py',
        'accelerate/multi_gpu.yaml',
        'accelerate/deepspeed_zero2.yaml',
        'accelerate/deepspeed_zero3.yaml',
        'slurm.sbatch',
        'README.md',
      ]),
    );
    // The data: every pair the run trained on, conversational (the run rendered them through a template).
    const inputs = JSON.parse(readFileSync(join(dataDir, 'runs', String(dpo.id), 'inputs.json'), 'utf8')) as {
      pairs: { prompt: string; chosen: string }[];
    };
    const rows = readFileSync(join(out, 'data/train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(inputs.pairs.length);
    expect(rows[0]).toEqual({
      prompt: [{ role: 'user', content: inputs.pairs[0]!.prompt }],
      chosen: [{ role: 'assistant', content: inputs.pairs[0]!.chosen }],
      rejected: expect.any(Array),
    });
    // model/ is the base model, weight for weight, readable as a GPT-2 checkpoint.
    const back = await readGpt2Folder(join(out, 'model'));
    const original = (await readSafetensors(join(dataDir, lab.store.modelPath(base.id)))).tensors;
    for (const a of original) {
      const b = back.arrays.find((x) => x.name === a.name)!;
      expect(Array.from(b.data), a.name).toEqual(Array.from(a.data));
    }
    const tokConfig = JSON.parse(readFileSync(join(out, 'model/tokenizer_config.json'), 'utf8'));
    expect(tokConfig.eos_token).toBe('<|endoftext|>');
    expect(tokConfig.chat_template).toContain('{% generation %}');
    // The mapping, with what has no counterpart.
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg.trainer).toBe('DPOTrainer');
    expect(cfg.arguments).toMatchObject({
      model_name_or_path: 'model',
      beta: 0.2,
      loss_type: 'sigmoid',
      num_train_epochs: 1,
      per_device_train_batch_size: 16,
      max_length: 128,
      output_dir: 'output',
    });
    expect(cfg.mapping.find((m: { lab: string }) => m.lab === 'beta').trl).toMatch(/beta/);
    expect(cfg.noCounterpart.map((m: { lab: string }) => m.lab)).toContain('backend');
    expect(cfg.data.rows).toBe(inputs.pairs.length);
    const train = readFileSync(join(out, 'train.py'), 'utf8');
    expect(train).toContain('trl_class("DPOTrainer")');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(
      /accelerate launch[\s\S]*sbatch slurm\.sbatch/,
    );
    if (PYTHON) {
      const c = python(['-m', 'py_compile', join(out, 'train.py')]);
      expect(c.ok, c.out).toBe(true);
    }
    if (PYYAML) {
      const y = python([
        '-c',
        `import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])))); [yaml.safe_load(open(f)) for f in sys.argv[2:]]`,
        join(out, 'config.yaml'),
        join(out, 'accelerate/multi_gpu.yaml'),
        join(out, 'accelerate/deepspeed_zero3.yaml'),
      ]);
      expect(y.ok, y.out).toBe(true);
      expect(JSON.parse(y.out)).toEqual(cfg.arguments);
    }
  });

  it('a PPO run: the reward model as GPT2ForSequenceClassification, PPOTrainer arguments, a train.py that compiles', async () => {
    const out = join(work, 'ppo-project');
    const project = await trlProjectOfRun(lab.store, dataDir, ppo.id);
    await writeTrlProject(out, project.files);
    const rmConfig = JSON.parse(readFileSync(join(out, 'reward_model/config.json'), 'utf8'));
    expect(rmConfig).toMatchObject({
      architectures: ['GPT2ForSequenceClassification'],
      num_labels: 1,
      n_embd: 16,
    });
    const rm = (await readSafetensors(join(out, 'reward_model/model.safetensors'))).tensors;
    expect(rm.find((t) => t.name === 'score.weight')?.shape).toEqual([1, 16]);
    expect(rm.find((t) => t.name === 'transformer.h.1.attn.c_attn.weight')?.shape).toEqual([16, 48]);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg.trainer).toBe('PPOTrainer');
    expect(cfg.arguments).toMatchObject({
      total_episodes: 8,
      per_device_train_batch_size: 4,
      num_ppo_epochs: 1,
      response_length: 6,
      kl_coef: 0.05,
      sft_model_path: 'model',
      reward_model_path: 'reward_model',
    });
    const prompts = readFileSync(join(out, 'data/train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(prompts[0].prompt[0].role).toBe('user');
    const train = readFileSync(join(out, 'train.py'), 'utf8');
    expect(train).toContain('trl.experimental.ppo');
    expect(train).toContain('value_model=value_model');
    if (PYTHON) {
      const c = python(['-m', 'py_compile', join(out, 'train.py')]);
      expect(c.ok, c.out).toBe(true);
    }
  });

  it('the LabApi hands the project to a browser as one zip', async () => {
    const z = await api.exportTrl({ runId: dpo.id });
    expect(z.filename).toMatch(/^trl-\d+-.*\.zip$/);
    expect(z.trainer).toBe('DPOTrainer');
    expect(z.files).toContain('train.py');
    const file = join(work, z.filename);
    writeFileSync(file, Buffer.from(z.base64, 'base64'));
    if (PYTHON) {
      const root = z.filename.replace(/\.zip$/, '');
      const r = python([
        '-c',
        'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(z.namelist()))',
        file,
      ]);
      expect(r.ok, r.out).toBe(true);
      expect(r.out.split('\n')).toEqual(
        expect.arrayContaining([`${root}/train.py`, `${root}/model/model.safetensors`]),
      );
    }
    // Runs without a TRL trainer, or without text data, are refused with a reason.
    const seed = await api.startRun({
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      config: { epochs: 1, batchSize: 64 },
    });
    await expect(api.exportTrl({ runId: seed.id })).rejects.toThrow(/runId: .*seed-dpo/);
    await api.cancelRun({ id: seed.id });
    await done(seed.id);
  }, 120_000);
});
