// Chat templates: a conversation → the exact string a model family was trained on, its token ids,
// and a loss mask that is 1 on the assistant's tokens (its reply and the end-of-turn/EOS that closes
// it) and 0 everywhere else. Works with any Tokenizer: a marker such as "<|im_start|>" or "</s>"
// becomes that special token's id when the tokenizer has it, and is otherwise encoded as plain text
// with a warning. Message content is always plain text: a user who types "<|im_end|>" gets text.
// Not a Jinja engine: the built-in formats are written out below, and a custom one is four slots.
import { z } from 'zod';
import type { Tokenizer } from './types';

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
  /** Alpaca's "### Input:" for a user message (ignored by other templates). */
  input?: string;
}

export type TemplateName = 'chatml' | 'llama2' | 'mistral' | 'alpaca' | 'plain';

/** Text around one message. Markers like "<|im_start|>", "<s>", "</s>" inside become special tokens. */
export interface RoleSlots {
  prefix: string;
  suffix: string;
}

export interface CustomTemplate {
  /** Once, at the very start (e.g. "<s>"); not trained. */
  bos?: string;
  system: RoleSlots;
  user: RoleSlots;
  /** prefix is not trained; content + suffix are (the suffix ends the turn, e.g. "<|im_end|>"). */
  assistant: RoleSlots & {
    /** Trained text before the content, which the model itself writes (Llama-2's space after "[/INST]"). */
    lead?: string;
    /** Untrained text after the turn (ChatML's "\n"): the model stops before it. */
    after?: string;
  };
  /** Trained end-of-sequence after each assistant suffix: a marker, or "auto" for the tokenizer's EOS. */
  eos?: string;
  /** Put the system message inside the first user turn, right after its prefix (Llama-2, Mistral). */
  systemInFirstUser?: boolean;
}

export const customTemplateSchema = z.object({
  bos: z.string().optional(),
  system: z.object({ prefix: z.string(), suffix: z.string() }),
  user: z.object({ prefix: z.string(), suffix: z.string() }),
  assistant: z.object({
    prefix: z.string(),
    suffix: z.string(),
    lead: z.string().optional(),
    after: z.string().optional(),
  }),
  eos: z.string().optional(),
  systemInFirstUser: z.boolean().optional(),
});

/** Names tried, in order, for `eos: "auto"`. */
export const EOS_CANDIDATES = ['<|endoftext|>', '</s>', '<|eos|>'] as const;

export const ALPACA_PREAMBLE =
  'Below is an instruction that describes a task. Write a response that appropriately completes the request.';
export const ALPACA_PREAMBLE_WITH_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. ' +
  'Write a response that appropriately completes the request.';

/** The built-in formats, as slots. Alpaca's preamble is its system message, and "### Input:" is added by the renderer. */
export const TEMPLATES: Readonly<Record<TemplateName, CustomTemplate>> = {
  // ChatML, as in HF's chat-templating guide and Qwen/SmolLM tokenizer_config.json:
  // "<|im_start|>{role}\n{content}<|im_end|>\n", generation prompt "<|im_start|>assistant\n".
  chatml: {
    system: { prefix: '<|im_start|>system\n', suffix: '<|im_end|>\n' },
    user: { prefix: '<|im_start|>user\n', suffix: '<|im_end|>\n' },
    assistant: { prefix: '<|im_start|>assistant\n', suffix: '<|im_end|>', after: '\n' },
  },
  // Llama-2 chat (facebookresearch/llama generation.py; https://huggingface.co/blog/llama2#how-to-prompt-llama-2):
  // "<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s>", each turn opening with <s>.
  llama2: {
    system: { prefix: '<<SYS>>\n', suffix: '\n<</SYS>>\n\n' },
    user: { prefix: '<s>[INST] ', suffix: ' [/INST]' },
    assistant: { prefix: '', lead: ' ', suffix: ' </s>' },
    systemInFirstUser: true,
  },
  // Mistral-7B-Instruct (model card): "<s>[INST] {user} [/INST]{assistant}</s>[INST] …". It has no
  // system role; as its HF chat template does, a system message opens the first user turn.
  mistral: {
    bos: '<s>',
    system: { prefix: '', suffix: '\n\n' },
    user: { prefix: '[INST] ', suffix: ' [/INST]' },
    assistant: { prefix: '', suffix: '</s>' },
    systemInFirstUser: true,
  },
  // Stanford Alpaca (tatsu-lab/stanford_alpaca train.py PROMPT_DICT), then EOS as its training appends.
  alpaca: {
    system: { prefix: '', suffix: '\n\n' },
    user: { prefix: '### Instruction:\n', suffix: '\n\n### Response:\n' },
    assistant: { prefix: '', suffix: '' },
    eos: 'auto',
  },
  // No markup: "{system}\n\n{user}\n{assistant}<eos>".
  plain: {
    system: { prefix: '', suffix: '\n\n' },
    user: { prefix: '', suffix: '\n' },
    assistant: { prefix: '', suffix: '' },
    eos: 'auto',
  },
};

export interface RenderOptions {
  /** Train only the last assistant turn (default: every assistant turn). */
  lastTurnOnly?: boolean;
}

export interface Segment {
  text: string;
  trained: boolean;
}

export interface Rendered {
  /** Token ids of the whole conversation. */
  ids: number[];
  /** Same length as ids: 1 where ids[i] is an assistant token the loss is taken on, else 0. */
  mask: number[];
  /** The rendered string (markers written as their names). */
  text: string;
  /** text cut into runs that are trained or not, in order; their texts join to `text`. */
  segments: Segment[];
  /** Markers this tokenizer lacks (encoded as text instead), and the like. */
  warnings: string[];
}

export interface TokenView {
  id: number;
  /** What this token adds to the text; "" for a token that only starts a character the next completes. */
  text: string;
  trained: boolean;
}

const MARKER = /(<\|[^<>|\s]+\|>|<\/?s>)/;

interface Piece {
  text: string;
  trained: boolean;
  id?: number; // a special token
}

/** A conversation ending with an assistant message → ids, mask, text, segments. */
export function renderConversation(
  tokenizer: Tokenizer,
  template: TemplateName | CustomTemplate,
  conversation: readonly ChatMessage[],
  options: RenderOptions = {},
): Rendered {
  checkConversation(conversation, 'assistant');
  return assemble(tokenizer, (out) => layout(out, template, conversation, false, options));
}

/** A conversation ending with a user message → the generation prompt, which ends where the reply starts. */
export function renderPrompt(
  tokenizer: Tokenizer,
  template: TemplateName | CustomTemplate,
  conversation: readonly ChatMessage[],
): Rendered {
  checkConversation(conversation, 'user');
  return assemble(tokenizer, (out) => layout(out, template, conversation, true, {}));
}

/** Token by token, for the template preview: a conversation ending with a user message renders as a prompt. */
export function renderWithTokens(
  tokenizer: Tokenizer,
  template: TemplateName | CustomTemplate,
  conversation: readonly ChatMessage[],
  options: RenderOptions = {},
): { tokens: TokenView[]; text: string; warnings: string[] } {
  const last = conversation[conversation.length - 1];
  const r =
    last?.role === 'assistant'
      ? renderConversation(tokenizer, template, conversation, options)
      : renderPrompt(tokenizer, template, conversation);
  // A character split over several tokens decodes to U+FFFD on its own; hold up to 4 tokens until it is whole.
  const tokens: TokenView[] = r.ids.map((id, i) => ({ id, text: '', trained: r.mask[i] === 1 }));
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    const text = tokenizer.decode(r.ids.slice(start, i + 1));
    if (text.endsWith('\uFFFD') && i - start < 3 && i + 1 < tokens.length) continue;
    (tokens[i] as TokenView).text = text;
    start = i + 1;
  }
  return { tokens, text: r.text, warnings: r.warnings };
}

type Emit = (text: string, trained: boolean, isTemplate: boolean) => void;

function layout(
  emit: Emit,
  template: TemplateName | CustomTemplate,
  conversation: readonly ChatMessage[],
  prompt: boolean,
  options: RenderOptions,
): void {
  const t = typeof template === 'string' ? TEMPLATES[template] : parseTemplate(template);
  const alpaca = template === 'alpaca';
  const given = conversation[0]?.role === 'system' ? conversation[0].content : undefined;
  // Alpaca: the published preamble, or the system message in its place.
  const withInput = conversation.some((m) => m.role === 'user' && m.input);
  const system = alpaca ? (given ?? (withInput ? ALPACA_PREAMBLE_WITH_INPUT : ALPACA_PREAMBLE)) : given;
  const lastAssistant = conversation.map((m) => m.role).lastIndexOf('assistant');
  if (t.bos) emit(t.bos, false, true);
  if (system !== undefined && !t.systemInFirstUser) {
    emit(t.system.prefix, false, true);
    emit(system, false, false);
    emit(t.system.suffix, false, true);
  }
  let firstUser = true;
  conversation.forEach((m, i) => {
    if (m.role === 'user') {
      if (alpaca && !firstUser) emit('\n\n', false, true);
      emit(t.user.prefix, false, true);
      if (firstUser && system !== undefined && t.systemInFirstUser) {
        emit(t.system.prefix, false, true);
        emit(system, false, false);
        emit(t.system.suffix, false, true);
      }
      emit(m.content, false, false);
      if (alpaca && m.input) {
        emit('\n\n### Input:\n', false, true);
        emit(m.input, false, false);
      }
      emit(t.user.suffix, false, true);
      firstUser = false;
    } else if (m.role === 'assistant') {
      const trained = !options.lastTurnOnly || i === lastAssistant;
      emit(t.assistant.prefix, false, true);
      if (t.assistant.lead) emit(t.assistant.lead, trained, true);
      emit(m.content, trained, false);
      emit(t.assistant.suffix, trained, true);
      if (t.eos) emit(t.eos, trained, true);
      if (t.assistant.after) emit(t.assistant.after, false, true);
    }
  });
  if (prompt) emit(t.assistant.prefix, false, true);
}

function assemble(tokenizer: Tokenizer, build: (emit: Emit) => void): Rendered {
  const pieces: Piece[] = [];
  const warnings = new Set<string>();
  build((text, trained, isTemplate) => {
    if (!isTemplate) return void (text && pieces.push({ text, trained }));
    if (text === 'auto') {
      const name = EOS_CANDIDATES.find((n) => tokenizer.specialId(n) !== undefined);
      if (name) pieces.push({ text: name, trained, id: tokenizer.specialId(name) as number });
      else warnings.add(`this tokenizer has no end-of-sequence token (tried ${EOS_CANDIDATES.join(', ')})`);
      return;
    }
    text.split(MARKER).forEach((part, k) => {
      if (part === '') return;
      if (k % 2 === 0) return void pieces.push({ text: part, trained });
      const id = tokenizer.specialId(part);
      if (id !== undefined) return void pieces.push({ text: part, trained, id });
      warnings.add(`"${part}" is not a special token of this tokenizer; it is encoded as plain text`);
      pieces.push({ text: part, trained });
    });
  });
  // Neighbouring text of the same kind is encoded together, as a tokenizer would see it; a trained
  // run never shares a token with an untrained one, so the mask is exact.
  const ids: number[] = [];
  const mask: number[] = [];
  const segments: Segment[] = [];
  let run = '';
  let runTrained = false;
  const flush = () => {
    for (const id of tokenizer.encode(run)) {
      ids.push(id);
      mask.push(runTrained ? 1 : 0);
    }
    run = '';
  };
  for (const p of pieces) {
    if (p.id !== undefined || p.trained !== runTrained) flush();
    runTrained = p.trained;
    if (p.id !== undefined) {
      ids.push(p.id);
      mask.push(p.trained ? 1 : 0);
    } else run += p.text;
    const seg = segments[segments.length - 1];
    if (seg && seg.trained === p.trained) seg.text += p.text;
    else segments.push({ text: p.text, trained: p.trained });
  }
  flush();
  return { ids, mask, text: segments.map((s) => s.text).join(''), segments, warnings: [...warnings] };
}

function checkConversation(conversation: readonly ChatMessage[], last: Role): void {
  let expected: Role = 'user';
  conversation.forEach((m, i) => {
    if (m.role === 'system' && i === 0) return;
    if (m.role !== expected)
      throw new Error(
        `conversation[${i}]: expected a ${expected} message, got ${m.role}` +
          (m.role === 'system' ? ' (a system message may only come first)' : ''),
      );
    expected = expected === 'user' ? 'assistant' : 'user';
  });
  const end = conversation[conversation.length - 1];
  if (end?.role !== last)
    throw new Error(
      `conversation: must end with a${last === 'user' ? ' user' : 'n assistant'} message` +
        (last === 'user' ? ' (the prompt ends where the reply starts)' : ' (its reply is what is trained)'),
    );
}

function parseTemplate(template: CustomTemplate): CustomTemplate {
  const r = customTemplateSchema.safeParse(template);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`template.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
}
