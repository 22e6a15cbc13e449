// A small random GPT-2-shaped checkpoint as Hugging Face writes one: config.json, model.safetensors
// (HF names, fused `c_attn`, Conv1D [in, out] matrices, the causal-mask buffers GPT-2 checkpoints
// carry), and GPT-2's original tokenizer files vocab.json + merges.txt (256 byte tokens, two merges,
// <|endoftext|>). Used by the engine's import test and the lab's import → chat → fine-tune test.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src/main/engine/random';
import { encodeSafetensors } from '../../src/main/engine/safetensors';
import { BYTE_TO_UNICODE } from '../../src/main/engine/tokenizer/hf';

export const HF_TINY = {
  model_type: 'gpt2',
  architectures: ['GPT2LMHeadModel'],
  vocab_size: 259,
  n_positions: 16,
  n_embd: 16,
  n_layer: 2,
  n_head: 2,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  tie_word_embeddings: true,
} as const;

export type HfTensors = Map<string, { shape: number[]; data: Float32Array }>;

/** Writes the checkpoint into `dir`; returns its tensors by HF name (without the prefix), Conv1D layout unless `linearLayout`. */
export function writeTinyGpt2(
  dir: string,
  o: { prefix: string; seed: number; lmHead?: boolean; linearLayout?: boolean; positions?: number },
): HfTensors {
  const { n_embd: D, n_layer: L, vocab_size: V } = HF_TINY;
  const T = o.positions ?? HF_TINY.n_positions;
  const F = 4 * D;
  const rng = mulberry32(o.seed);
  const t: HfTensors = new Map();
  const rand = (shape: number[], std = 0.3, mean = 0) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = mean + rng.normal() * std;
    return { shape, data };
  };
  /** A Conv1D weight [in, out], or its nn.Linear form [out, in]. */
  const matrix = (inp: number, out: number) => {
    const m = rand([inp, out]);
    if (!o.linearLayout) return m;
    const d = new Float32Array(m.data.length);
    for (let r = 0; r < inp; r++) for (let c = 0; c < out; c++) d[c * inp + r] = m.data[r * out + c]!;
    return { shape: [out, inp], data: d };
  };
  t.set('wte.weight', rand([V, D]));
  t.set('wpe.weight', rand([T, D], 0.1));
  for (let i = 0; i < L; i++) {
    const p = `h.${i}.`;
    t.set(p + 'ln_1.weight', rand([D], 0.1, 1));
    t.set(p + 'ln_1.bias', rand([D], 0.1));
    t.set(p + 'attn.c_attn.weight', matrix(D, 3 * D));
    t.set(p + 'attn.c_attn.bias', rand([3 * D], 0.1));
    t.set(p + 'attn.c_proj.weight', matrix(D, D));
    t.set(p + 'attn.c_proj.bias', rand([D], 0.1));
    t.set(p + 'ln_2.weight', rand([D], 0.1, 1));
    t.set(p + 'ln_2.bias', rand([D], 0.1));
    t.set(p + 'mlp.c_fc.weight', matrix(D, F));
    t.set(p + 'mlp.c_fc.bias', rand([F], 0.1));
    t.set(p + 'mlp.c_proj.weight', matrix(F, D));
    t.set(p + 'mlp.c_proj.bias', rand([D], 0.1));
  }
  t.set('ln_f.weight', rand([D], 0.1, 1));
  t.set('ln_f.bias', rand([D], 0.1));
  const stored = [...t].map(([name, v]) => ({ name: o.prefix + name, ...v }));
  // GPT-2 checkpoints carry the causal mask as a buffer; the importer skips it.
  for (let i = 0; i < L; i++)
    stored.push({
      name: `${o.prefix}h.${i}.attn.bias`,
      shape: [1, 1, T, T],
      data: new Float32Array(T * T).fill(1),
    });
  if (o.lmHead) stored.push({ name: 'lm_head.weight', shape: [V, D], data: t.get('wte.weight')!.data });
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(stored, { format: 'pt' }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...HF_TINY, n_positions: T }));
  const vocab: Record<string, number> = {};
  BYTE_TO_UNICODE.forEach((ch, b) => (vocab[ch] = b));
  vocab['Ġt'] = 256;
  vocab['he'] = 257;
  vocab['<|endoftext|>'] = 258;
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\nĠ t\nh e\n');
  return t;
}
