// GPT-2 checkpoints ↔ the lab's GPT. The lab's model is GPT-2's architecture (biases on every linear
// layer, LayerNorm ε 1e-5, tanh GELU, learned positions, pre-LN blocks, a final ln_f, the output head
// tied to the token embedding, attention scaled by 1/√head), so a Hugging Face GPT-2 checkpoint maps
// onto it weight for weight: `c_attn` (HF's Conv1D, stored [in, out] like the lab's matrices) is split
// column-wise into q, k and v; `c_proj`/`c_fc` are renamed. A checkpoint saved from nn.Linear layers
// ([out, in]) is recognised by its shapes and transposed. This file reads a folder (config.json,
// model.safetensors with or without the `transformer.` prefix, tokenizer.json or vocab.json +
// merges.txt), writes the lab's model files without tfjs, and writes the inverse (an HF GPT-2 folder).
// It does not know the Store: the lab registers what it writes.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import type { ArchRecord, ModelRecord } from '../checkpoint';
import { encodeSafetensors } from '../safetensors';
import { decodeFloatSafetensors } from './float-safetensors';
import { BpeTokenizer } from '../tokenizer/bpe';
import { SPECIAL_TOKENS } from '../tokenizer/byte';
import { fromTokenizerJson, toTokenizerJson } from '../tokenizer/hf';
import { validateConfig, type GPTConfig, type NamedArray } from './gpt';

export { decodeFloatSafetensors };

/** HF GPT-2 `config.json` → the lab's GPT config; errors name the field. */
export function gptConfigFromHf(hf: Record<string, unknown>): GPTConfig {
  const num = (key: string, fallback?: number): number => {
    const v = hf[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new Error(`config.json: "${key}" must be a positive whole number (got ${JSON.stringify(v)})`);
    return v;
  };
  const type = hf['model_type'];
  if (type !== undefined && type !== 'gpt2')
    throw new Error(
      `config.json: "model_type" is "${String(type)}"; only GPT-2-family models ("gpt2") import`,
    );
  const act = hf['activation_function'] ?? 'gelu_new';
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh')
    throw new Error(
      `config.json: "activation_function" is "${String(act)}"; the lab's GPT uses GPT-2's tanh GELU (gelu_new)`,
    );
  const eps = hf['layer_norm_epsilon'] ?? 1e-5;
  if (typeof eps !== 'number' || Math.abs(eps - 1e-5) > 1e-12)
    throw new Error(`config.json: "layer_norm_epsilon" is ${String(eps)}; the lab's LayerNorm uses 1e-5`);
  if (hf['tie_word_embeddings'] === false)
    throw new Error('config.json: "tie_word_embeddings" is false; the lab ties the output head to wte');
  for (const key of ['scale_attn_by_inverse_layer_idx', 'add_cross_attention'])
    if (hf[key] === true) throw new Error(`config.json: "${key}" is true; the lab's GPT does not support it`);
  if (hf['scale_attn_weights'] === false)
    throw new Error('config.json: "scale_attn_weights" is false; the lab scales attention by 1/√head');
  const dModel = num('n_embd');
  const config: GPTConfig = {
    vocabSize: num('vocab_size'),
    contextLength: num('n_positions', typeof hf['n_ctx'] === 'number' ? hf['n_ctx'] : undefined),
    dModel,
    nLayers: num('n_layer'),
    nHeads: num('n_head'),
    dFF: hf['n_inner'] === null || hf['n_inner'] === undefined ? 4 * dModel : num('n_inner'),
  };
  validateConfig(config);
  return config;
}

/** The lab's GPT config → an HF GPT-2 `config.json` (GPT2LMHeadModel, or a 1-label classifier). */
export function hfConfigOf(c: GPTConfig, opts: { classifier?: boolean; eosId?: number } = {}) {
  return {
    architectures: [opts.classifier ? 'GPT2ForSequenceClassification' : 'GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_ctx: c.contextLength,
    n_embd: c.dModel,
    n_layer: c.nLayers,
    n_head: c.nHeads,
    n_inner: c.dFF,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    initializer_range: 0.02,
    ...(opts.eosId === undefined ? {} : { bos_token_id: opts.eosId, eos_token_id: opts.eosId }),
    ...(opts.classifier
      ? { num_labels: 1, id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 }, pad_token_id: opts.eosId ?? 0 }
      : {}),
    torch_dtype: 'float32',
  };
}

const IGNORED = /(^|\.)attn\.(bias|masked_bias)$/; // GPT-2's causal-mask buffers, not weights

/** HF GPT-2 tensors (any prefix) → the lab's named arrays. Every lab weight must be found. */
export function fromGpt2Tensors(c: GPTConfig, tensors: readonly NamedArray[]): NamedArray[] {
  const byName = new Map<string, NamedArray>();
  for (const t of tensors) byName.set(t.name.replace(/^transformer\./, ''), t);
  const get = (name: string): NamedArray => {
    const t = byName.get(name);
    if (!t) throw new Error(`model.safetensors: "${name}" (or "transformer.${name}") is missing`);
    return t;
  };
  // nn.Linear layout ([out, in]) shows in the MLP's first matrix; Conv1D stores [in, out].
  const fc0 = get('h.0.mlp.c_fc.weight');
  const linear = c.dFF !== c.dModel && fc0.shape[0] === c.dFF && fc0.shape[1] === c.dModel;
  const matrix = (name: string, rows: number, cols: number): NamedArray => {
    const t = get(name);
    const want = linear ? [cols, rows] : [rows, cols];
    if (t.shape.join() !== want.join())
      throw new Error(`model.safetensors: "${name}" has shape [${t.shape}], expected [${want}]`);
    return { name, shape: [rows, cols], data: linear ? transpose(t.data, cols, rows) : t.data };
  };
  const vector = (name: string, n: number, as = name): NamedArray => {
    const t = get(name);
    if (t.shape.join() !== String(n))
      throw new Error(`model.safetensors: "${name}" has shape [${t.shape}], expected [${n}]`);
    return { name: as, shape: [n], data: t.data };
  };
  const { vocabSize: V, contextLength: T, dModel: D, nLayers, dFF: F } = c;
  const wte = get('wte.weight');
  const wpe = get('wpe.weight');
  if (wte.shape.join() !== [V, D].join())
    throw new Error(`model.safetensors: "wte.weight" has shape [${wte.shape}], expected [${V},${D}]`);
  if (wpe.shape.join() !== [T, D].join())
    throw new Error(`model.safetensors: "wpe.weight" has shape [${wpe.shape}], expected [${T},${D}]`);
  const head = byName.get('lm_head.weight');
  if (head && !sameData(head.data, wte.data))
    throw new Error(
      'model.safetensors: "lm_head.weight" differs from "wte.weight"; an untied head does not import',
    );
  const out: NamedArray[] = [
    { name: 'wte', shape: [V, D], data: wte.data },
    { name: 'wpe', shape: [T, D], data: wpe.data },
  ];
  for (let i = 0; i < nLayers; i++) {
    const p = `h.${i}.`;
    const attn = matrix(p + 'attn.c_attn.weight', D, 3 * D);
    const attnBias = vector(p + 'attn.c_attn.bias', 3 * D);
    out.push(vector(p + 'ln_1.weight', D), vector(p + 'ln_1.bias', D));
    ['q', 'k', 'v'].forEach((name, j) => {
      out.push(
        { name: `${p}attn.${name}.weight`, shape: [D, D], data: columns(attn.data, D, 3 * D, j * D, D) },
        { name: `${p}attn.${name}.bias`, shape: [D], data: attnBias.data.slice(j * D, (j + 1) * D) },
      );
    });
    const rename = (a: NamedArray, name: string): NamedArray => ({ ...a, name });
    out.push(
      rename(matrix(p + 'attn.c_proj.weight', D, D), p + 'attn.proj.weight'),
      vector(p + 'attn.c_proj.bias', D, p + 'attn.proj.bias'),
      vector(p + 'ln_2.weight', D),
      vector(p + 'ln_2.bias', D),
      rename(matrix(p + 'mlp.c_fc.weight', D, F), p + 'mlp.fc.weight'),
      vector(p + 'mlp.c_fc.bias', F, p + 'mlp.fc.bias'),
      rename(matrix(p + 'mlp.c_proj.weight', F, D), p + 'mlp.proj.weight'),
      vector(p + 'mlp.c_proj.bias', D, p + 'mlp.proj.bias'),
    );
  }
  out.push(vector('ln_f.weight', D), vector('ln_f.bias', D));
  const known = new Set([...byName.keys()].filter((n) => !IGNORED.test(n) && n !== 'lm_head.weight'));
  for (const n of expectedHfNames(c)) known.delete(n);
  if (known.size > 0)
    throw new Error(
      `model.safetensors: unexpected tensors ${[...known].slice(0, 5).join(', ')}: not a GPT-2 language model`,
    );
  return out;
}

function expectedHfNames(c: GPTConfig): string[] {
  const names = ['wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias'];
  for (let i = 0; i < c.nLayers; i++)
    for (const n of [
      'ln_1.weight',
      'ln_1.bias',
      'attn.c_attn.weight',
      'attn.c_attn.bias',
      'attn.c_proj.weight',
      'attn.c_proj.bias',
      'ln_2.weight',
      'ln_2.bias',
      'mlp.c_fc.weight',
      'mlp.c_fc.bias',
      'mlp.c_proj.weight',
      'mlp.c_proj.bias',
    ])
      names.push(`h.${i}.${n}`);
  return names;
}

/**
 * The lab's arrays → HF GPT-2 tensors as `save_pretrained` writes them for GPT2LMHeadModel
 * (`transformer.` prefix, no `lm_head.weight`: it is tied). With a scalar head `score` (a reward
 * model), HF's GPT2ForSequenceClassification `score.weight` [1, D] (it has no bias).
 */
export function toGpt2Tensors(c: GPTConfig, arrays: readonly NamedArray[]): NamedArray[] {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  const get = (name: string): Float32Array => {
    const a = byName.get(name);
    if (!a) throw new Error(`weights: "${name}" is missing`);
    return a.data;
  };
  const { vocabSize: V, contextLength: T, dModel: D, nLayers, dFF: F } = c;
  const t = (name: string, shape: number[], data: Float32Array): NamedArray => ({
    name: `transformer.${name}`,
    shape,
    data,
  });
  const out = [t('wte.weight', [V, D], get('wte')), t('wpe.weight', [T, D], get('wpe'))];
  for (let i = 0; i < nLayers; i++) {
    const p = `h.${i}.`;
    const qkv = new Float32Array(D * 3 * D);
    ['q', 'k', 'v'].forEach((n, j) => {
      const w = get(`${p}attn.${n}.weight`);
      for (let r = 0; r < D; r++) qkv.set(w.subarray(r * D, (r + 1) * D), r * 3 * D + j * D);
    });
    const qkvBias = new Float32Array(3 * D);
    ['q', 'k', 'v'].forEach((n, j) => qkvBias.set(get(`${p}attn.${n}.bias`), j * D));
    out.push(
      t(p + 'ln_1.weight', [D], get(p + 'ln_1.weight')),
      t(p + 'ln_1.bias', [D], get(p + 'ln_1.bias')),
      t(p + 'attn.c_attn.weight', [D, 3 * D], qkv),
      t(p + 'attn.c_attn.bias', [3 * D], qkvBias),
      t(p + 'attn.c_proj.weight', [D, D], get(p + 'attn.proj.weight')),
      t(p + 'attn.c_proj.bias', [D], get(p + 'attn.proj.bias')),
      t(p + 'ln_2.weight', [D], get(p + 'ln_2.weight')),
      t(p + 'ln_2.bias', [D], get(p + 'ln_2.bias')),
      t(p + 'mlp.c_fc.weight', [D, F], get(p + 'mlp.fc.weight')),
      t(p + 'mlp.c_fc.bias', [F], get(p + 'mlp.fc.bias')),
      t(p + 'mlp.c_proj.weight', [F, D], get(p + 'mlp.proj.weight')),
      t(p + 'mlp.c_proj.bias', [D], get(p + 'mlp.proj.bias')),
    );
  }
  out.push(t('ln_f.weight', [D], get('ln_f.weight')), t('ln_f.bias', [D], get('ln_f.bias')));
  const score = byName.get('score.weight');
  if (score) out.push({ name: 'score.weight', shape: [1, D], data: score.data }); // [D, 1] → [1, D]: same order
  return out;
}

/** vocab.json + merges.txt (GPT-2's original files) → a tokenizer.json object the lab and HF read. */
export function tokenizerJsonFromVocab(vocab: Record<string, number>, mergesText: string) {
  const merges = mergesText
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !l.startsWith('#version'))
    .map((l) => l.replace(/\r$/, ''));
  const specials = Object.entries(vocab)
    .filter(([t]) => /^<\|[^|]+\|>$/.test(t))
    .map(([content, id]) => ({ id, content, special: true, normalized: false }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, fuse_unk: false, vocab, merges },
  };
}

/** The byte tokenizer as a tokenizer.json with the same ids (byte b → b, specials 256…), for HF. */
export function byteTokenizerJson(): Record<string, unknown> {
  const tokens = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  const specials = new Map(SPECIAL_TOKENS.map((s, i) => [s as string, 256 + i]));
  return toTokenizerJson(new BpeTokenizer({ tokens, merges: [], specials }));
}

export interface Gpt2Folder {
  config: GPTConfig;
  /** The lab's arrays. */
  arrays: NamedArray[];
  /** tokenizer.json (as found, or built from vocab.json + merges.txt). */
  tokenizerJson: Record<string, unknown>;
  /** The checkpoint's own config.json. */
  hfConfig: Record<string, unknown>;
  /** Which files were read, for the record. */
  files: string[];
}

/** Reads a GPT-2 folder; every problem names the file and the field. */
export async function readGpt2Folder(dir: string): Promise<Gpt2Folder> {
  const file = (name: string) => join(dir, name);
  if (!existsSync(file('config.json'))) throw new Error(`${dir}: no config.json (is this a model folder?)`);
  const hfConfig = JSON.parse(await readFile(file('config.json'), 'utf8')) as Record<string, unknown>;
  const config = gptConfigFromHf(hfConfig);
  if (!existsSync(file('model.safetensors')))
    throw new Error(
      `${dir}: no model.safetensors (a pytorch_model.bin cannot be read here; convert it with the safetensors package)`,
    );
  const tensors = decodeFloatSafetensors(new Uint8Array(await readFile(file('model.safetensors'))));
  const arrays = fromGpt2Tensors(config, tensors);
  const files = ['config.json', 'model.safetensors'];
  let tokenizerJson: Record<string, unknown>;
  if (existsSync(file('tokenizer.json'))) {
    tokenizerJson = JSON.parse(await readFile(file('tokenizer.json'), 'utf8')) as Record<string, unknown>;
    files.push('tokenizer.json');
  } else if (existsSync(file('vocab.json')) && existsSync(file('merges.txt'))) {
    const vocab = JSON.parse(await readFile(file('vocab.json'), 'utf8')) as Record<string, number>;
    tokenizerJson = tokenizerJsonFromVocab(vocab, await readFile(file('merges.txt'), 'utf8'));
    files.push('vocab.json', 'merges.txt');
  } else throw new Error(`${dir}: no tokenizer.json, and no vocab.json + merges.txt`);
  const tokenizer = fromTokenizerJson(tokenizerJson); // validates, naming the field
  if (tokenizer.vocabSize > config.vocabSize)
    throw new Error(
      `the tokenizer has ${tokenizer.vocabSize} ids but config.json's vocab_size is ${config.vocabSize}`,
    );
  return { config, arrays, tokenizerJson, hfConfig, files };
}

/**
 * Writes the lab's model files for an imported checkpoint into `outDir`: `model.safetensors` (the lab's
 * names), `model.json` (its record) and `tokenizer.json`. Returns the weights' path and the arch record.
 */
export async function writeImportedModel(
  outDir: string,
  folder: Gpt2Folder,
  source: string,
): Promise<{ path: string; arch: ArchRecord }> {
  await mkdir(outDir, { recursive: true });
  const arch: ArchRecord = { ...folder.config, tokenizer: 'tokenizer.json', preset: 'gpt2-import' };
  await writeFileAtomic(join(outDir, 'tokenizer.json'), JSON.stringify(folder.tokenizerJson));
  const path = join(outDir, 'model.safetensors');
  await writeFileAtomic(path, encodeSafetensors(folder.arrays, { step: '0', arch: JSON.stringify(arch) }));
  const record: ModelRecord = {
    arch,
    trainer: 'gpt2-import',
    step: 0,
    config: { source, files: folder.files, hfConfig: folder.hfConfig },
    lineage: { parentPath: null, parentId: null },
  };
  await writeFileAtomic(join(outDir, 'model.json'), JSON.stringify(record, null, 2));
  return { path, arch };
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** Columns [from, from + n) of a row-major [rows, cols] matrix. */
function columns(data: Float32Array, rows: number, cols: number, from: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + from, r * cols + from + n), r * n);
  return out;
}

function sameData(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
