// A lab model as a Hugging Face model folder, the inverse of the GPT-2 import: `model.safetensors`
// (GPT2LMHeadModel's names; a reward model as GPT2ForSequenceClassification), `config.json`,
// `tokenizer.json`, `tokenizer_config.json` (with the lab's chat template as Jinja, so TRL renders
// conversations as the lab did) and `special_tokens_map.json`. `transformers` loads the folder with
// AutoModelForCausalLM / AutoModelForSequenceClassification and AutoTokenizer.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gptConfigOf, readModelRecord } from '../../engine/checkpoint';
import type { GPTConfig, NamedArray } from '../../engine/model/gpt';
import { byteTokenizerJson, hfConfigOf, toGpt2Tensors } from '../../engine/model/gpt2-import';
import { encodeSafetensors, readSafetensors } from '../../engine/safetensors';
import { BYTE_TOKENIZER } from '../../engine/tokenizer/load';
import { EOS_CANDIDATES, TEMPLATES, type TemplateName } from '../../engine/tokenizer/templates';

export interface OutFile {
  path: string;
  data: Uint8Array | string;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const lit = (s: string) => `{{ ${JSON.stringify(s)} }}`;

/**
 * The lab's chat template as a Jinja chat_template (transformers' dialect: `{% generation %}` marks
 * the assistant tokens the lab's SFT loss trains, which TRL's `assistant_only_loss` reads).
 */
export function jinjaTemplate(name: TemplateName, eos: string | null): string {
  const t = TEMPLATES[name];
  const sif = t.systemInFirstUser === true;
  const alpaca = name === 'alpaca';
  const system = (v: string) => `${lit(t.system.prefix)}{{ ${v} }}${lit(t.system.suffix)}`;
  const eosText = t.eos === 'auto' ? (eos ?? '') : (t.eos ?? '');
  return [
    `{%- set ns = namespace(system=${alpaca ? JSON.stringify('Below is an instruction that describes a task. Write a response that appropriately completes the request.') : 'none'}, first=true) -%}`,
    "{%- if messages and messages[0]['role'] == 'system' -%}{%- set ns.system = messages[0]['content'] -%}{%- endif -%}",
    t.bos ? lit(t.bos) : '',
    sif ? '' : `{%- if ns.system is not none -%}${system('ns.system')}{%- endif -%}`,
    '{%- for message in messages -%}',
    "{%- if message['role'] == 'user' -%}",
    alpaca ? `{%- if not ns.first -%}${lit('\n\n')}{%- endif -%}` : '',
    lit(t.user.prefix),
    sif ? `{%- if ns.first and ns.system is not none -%}${system('ns.system')}{%- endif -%}` : '',
    `{{ message['content'] }}${lit(t.user.suffix)}{%- set ns.first = false -%}`,
    "{%- elif message['role'] == 'assistant' -%}",
    `${lit(t.assistant.prefix)}{% generation %}${t.assistant.lead ? lit(t.assistant.lead) : ''}{{ message['content'] }}${lit(t.assistant.suffix + eosText)}{% endgeneration %}${t.assistant.after ? lit(t.assistant.after) : ''}`,
    '{%- endif -%}',
    '{%- endfor -%}',
    `{%- if add_generation_prompt -%}${lit(t.assistant.prefix)}{%- endif -%}`,
  ].join('');
}

/** The token that ends an assistant turn under `template`, among the tokenizer's specials. */
function endOfTurn(template: TemplateName | null, specials: Set<string>): string | null {
  const t = template ? TEMPLATES[template] : null;
  const marker = t?.assistant.suffix.match(/<\|[^|]+\|>|<\/s>/)?.[0];
  if (marker && specials.has(marker)) return marker;
  return EOS_CANDIDATES.find((c) => specials.has(c)) ?? null;
}

function tokenizerFiles(
  dir: string,
  tokenizerJson: Record<string, unknown>,
  contextLength: number,
  template: TemplateName | null,
): OutFile[] {
  const added = (tokenizerJson['added_tokens'] as { content: string }[] | undefined) ?? [];
  const specials = new Set(added.map((a) => a.content));
  const eos = endOfTurn(template, specials);
  const docEos = EOS_CANDIDATES.find((c) => specials.has(c)) ?? eos;
  const pad = specials.has('<|pad|>') ? '<|pad|>' : eos;
  const config: Record<string, unknown> = {
    tokenizer_class: 'GPT2TokenizerFast',
    model_max_length: contextLength,
    clean_up_tokenization_spaces: false,
    add_prefix_space: false,
    bos_token: docEos,
    eos_token: eos,
    pad_token: pad,
    unk_token: null,
    ...(template ? { chat_template: jinjaTemplate(template, docEos) } : {}),
  };
  return [
    { path: `${dir}/tokenizer.json`, data: JSON.stringify(tokenizerJson) },
    { path: `${dir}/tokenizer_config.json`, data: json(config) },
    {
      path: `${dir}/special_tokens_map.json`,
      data: json({ bos_token: docEos, eos_token: eos, pad_token: pad }),
    },
  ];
}

function eosIdOf(tokenizerJson: Record<string, unknown>, template: TemplateName | null): number | undefined {
  const added = (tokenizerJson['added_tokens'] as { content: string; id: number }[] | undefined) ?? [];
  const eos = endOfTurn(template, new Set(added.map((a) => a.content)));
  return added.find((a) => a.content === eos)?.id;
}

/** A stored lab model (its weights file) → an HF folder `dir` (weights, config, tokenizer). */
export async function hfModelFiles(
  weightsFile: string,
  dir: string,
  opts: { template: TemplateName | null; classifier?: boolean },
): Promise<{ files: OutFile[]; config: GPTConfig; notes: string[] }> {
  const record = await readModelRecord(weightsFile);
  const config = gptConfigOf(record.arch);
  const notes: string[] = [];
  const spec = record.arch.tokenizer ?? BYTE_TOKENIZER;
  let tokenizerJson: Record<string, unknown>;
  if (spec === BYTE_TOKENIZER) {
    tokenizerJson = byteTokenizerJson();
    notes.push(
      `${dir}/tokenizer.json: the lab's byte tokenizer, written as a byte-level BPE with no merges (same ids)`,
    );
  } else if (spec.endsWith('.json')) {
    tokenizerJson = JSON.parse(await readFile(join(dirname(weightsFile), spec), 'utf8')) as Record<
      string,
      unknown
    >;
  } else throw new Error(`this model reads "${spec}" tokens, not text; TRL cannot train it on text data`);
  const { tensors } = await readSafetensors(weightsFile);
  const arrays: NamedArray[] = tensors;
  if (opts.classifier && !arrays.some((a) => a.name === 'score.weight'))
    throw new Error(`${weightsFile} has no score head: it is not a reward model`);
  const hf = toGpt2Tensors(
    config,
    opts.classifier ? arrays : arrays.filter((a) => !a.name.startsWith('score.')),
  );
  if (opts.classifier && arrays.some((a) => a.name === 'score.bias'))
    notes.push(
      `${dir}: the reward head's bias is dropped (HF's GPT2ForSequenceClassification has none): every reward shifts by the same constant, which the Bradley-Terry loss ignores`,
    );
  const eosId = eosIdOf(tokenizerJson, opts.template);
  return {
    config,
    notes,
    files: [
      { path: `${dir}/model.safetensors`, data: encodeSafetensors(hf, { format: 'pt' }) },
      { path: `${dir}/config.json`, data: json(hfConfigOf(config, { classifier: opts.classifier, eosId })) },
      ...tokenizerFiles(dir, tokenizerJson, config.contextLength, opts.template),
    ],
  };
}

/** A fresh model (no weights yet): its config.json and the tokenizer it reads with; from_config in train.py. */
export function hfFreshModelFiles(
  config: GPTConfig,
  dir: string,
  tokenizerJson: Record<string, unknown>,
  template: TemplateName | null,
): OutFile[] {
  return [
    {
      path: `${dir}/config.json`,
      data: json(hfConfigOf(config, { eosId: eosIdOf(tokenizerJson, template) })),
    },
    ...tokenizerFiles(dir, tokenizerJson, config.contextLength, template),
  ];
}
