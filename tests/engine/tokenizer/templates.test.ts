// Chat templates: the exact published strings, a mask on the assistant's reply and its end-of-turn
// token only, prompts that are a prefix of the training sequence, and any Tokenizer accepted.
import { describe, expect, it } from 'vitest';
import { BpeTokenizer } from '../../../src/main/engine/tokenizer/bpe';
import * as byte from '../../../src/main/engine/tokenizer/byte';
import type { Tokenizer } from '../../../src/main/engine/tokenizer/types';
import {
  ALPACA_PREAMBLE,
  ALPACA_PREAMBLE_WITH_INPUT,
  renderConversation,
  renderPrompt,
  renderWithTokens,
  type ChatMessage,
  type CustomTemplate,
  type TemplateName,
} from '../../../src/main/engine/tokenizer/templates';
import { englishCorpus } from './corpus';

const bpe = BpeTokenizer.train(englishCorpus(40_000), { vocabSize: 400 });
const byteTokenizer: Tokenizer = {
  vocabSize: byte.BYTE_VOCAB_SIZE,
  encode: byte.encode,
  decode: byte.decode,
  specialId: (name) =>
    (byte.SPECIAL_TOKENS as readonly string[]).includes(name)
      ? byte.specialId(name as byte.SpecialToken)
      : undefined,
};

const turn: ChatMessage[] = [
  { role: 'user', content: 'Hi there' },
  { role: 'assistant', content: 'Hello!' },
];
const withSystem: ChatMessage[] = [{ role: 'system', content: 'Be brief.' }, ...turn];
const id = (name: string) => bpe.specialId(name) as number;
const trainedIds = (r: { ids: number[]; mask: number[] }) => r.ids.filter((_, i) => r.mask[i] === 1);

// [template, conversation, exact text, exact trained text]
const EXACT: [TemplateName, ChatMessage[], string, string][] = [
  [
    'chatml',
    turn,
    '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n',
    'Hello!<|im_end|>',
  ],
  [
    'chatml',
    withSystem,
    '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n',
    'Hello!<|im_end|>',
  ],
  ['llama2', turn, '<s>[INST] Hi there [/INST] Hello! </s>', ' Hello! </s>'],
  [
    'llama2',
    withSystem,
    '<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST] Hello! </s>',
    ' Hello! </s>',
  ],
  ['mistral', turn, '<s>[INST] Hi there [/INST]Hello!</s>', 'Hello!</s>'],
  ['mistral', withSystem, '<s>[INST] Be brief.\n\nHi there [/INST]Hello!</s>', 'Hello!</s>'],
  [
    'alpaca',
    turn,
    'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
      '### Instruction:\nHi there\n\n### Response:\nHello!<|endoftext|>',
    'Hello!<|endoftext|>',
  ],
  [
    'alpaca',
    [
      { role: 'user', content: 'Add them.', input: '2, 3' },
      { role: 'assistant', content: '5' },
    ],
    'Below is an instruction that describes a task, paired with an input that provides further context. ' +
      'Write a response that appropriately completes the request.\n\n' +
      '### Instruction:\nAdd them.\n\n### Input:\n2, 3\n\n### Response:\n5<|endoftext|>',
    '5<|endoftext|>',
  ],
  [
    'alpaca',
    withSystem,
    'Be brief.\n\n### Instruction:\nHi there\n\n### Response:\nHello!<|endoftext|>',
    'Hello!<|endoftext|>',
  ],
  ['plain', turn, 'Hi there\nHello!<|endoftext|>', 'Hello!<|endoftext|>'],
  ['plain', withSystem, 'Be brief.\n\nHi there\nHello!<|endoftext|>', 'Hello!<|endoftext|>'],
];

describe('renderConversation', () => {
  it.each(EXACT)(
    '%s renders the exact string and masks only the reply (%#)',
    (template, conv, text, trained) => {
      const r = renderConversation(bpe, template, conv);
      expect(r.text).toBe(text);
      expect(r.mask).toHaveLength(r.ids.length);
      expect(bpe.decode(r.ids)).toBe(text);
      expect(bpe.decode(trainedIds(r))).toBe(trained);
      expect(r.segments.map((s) => s.text).join('')).toBe(text);
      expect(r.segments.filter((s) => s.trained).map((s) => s.text)).toEqual([trained]);
      expect(r.warnings).toEqual([]);
      // The trained tokens are one run at the end or right before untrained trailing text.
      const first = r.mask.indexOf(1);
      expect(r.mask.slice(first, first + trainedIds(r).length).every((m) => m === 1)).toBe(true);
    },
  );

  it('uses the special tokens, ids for ids', () => {
    const r = renderConversation(bpe, 'chatml', turn);
    const [start, end] = [id('<|im_start|>'), id('<|im_end|>')];
    expect(r.ids).toEqual([
      start,
      ...bpe.encode('user\nHi there'),
      end,
      ...bpe.encode('\n'),
      start,
      ...bpe.encode('assistant\n'),
      ...bpe.encode('Hello!'),
      end,
      ...bpe.encode('\n'),
    ]);
    expect(trainedIds(r)).toEqual([...bpe.encode('Hello!'), end]);
    expect(r.segments).toEqual([
      { text: '<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n', trained: false },
      { text: 'Hello!<|im_end|>', trained: true },
      { text: '\n', trained: false },
    ]);
    const llama = renderConversation(bpe, 'llama2', turn);
    expect(llama.ids[0]).toBe(id('<s>'));
    expect(llama.ids.at(-1)).toBe(id('</s>'));
    expect(llama.mask.at(-1)).toBe(1);
  });

  it('keeps message content plain text, even when it spells a marker', () => {
    const r = renderConversation(bpe, 'chatml', [
      { role: 'user', content: '<|im_end|><|endoftext|>' },
      { role: 'assistant', content: '</s><|im_start|>' },
    ]);
    expect(r.ids.filter((x) => x === id('<|im_end|>'))).toHaveLength(2); // the template's two, not the user's
    expect([id('<|endoftext|>'), id('</s>')].some((x) => r.ids.includes(x))).toBe(false);
    expect(bpe.decode(r.ids)).toBe(r.text);
  });

  it('trains every assistant turn, or only the last', () => {
    const conv: ChatMessage[] = [
      ...turn,
      { role: 'user', content: 'And?' },
      { role: 'assistant', content: 'Bye.' },
    ];
    const all = renderConversation(bpe, 'chatml', conv);
    expect(all.segments.filter((s) => s.trained).map((s) => s.text)).toEqual([
      'Hello!<|im_end|>',
      'Bye.<|im_end|>',
    ]);
    const last = renderConversation(bpe, 'chatml', conv, { lastTurnOnly: true });
    expect(last.ids).toEqual(all.ids);
    expect(bpe.decode(trainedIds(last))).toBe('Bye.<|im_end|>');
    expect(renderConversation(bpe, 'llama2', conv).text).toBe(
      '<s>[INST] Hi there [/INST] Hello! </s><s>[INST] And? [/INST] Bye. </s>',
    );
    expect(renderConversation(bpe, 'mistral', conv).text).toBe(
      '<s>[INST] Hi there [/INST]Hello!</s>[INST] And? [/INST]Bye.</s>',
    );
  });

  it('works with the byte tokenizer, encoding missing markers as text with a warning', () => {
    const r = renderConversation(byteTokenizer, 'chatml', turn);
    expect(r.text).toBe('<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n');
    expect(r.ids.every((x) => x < 256)).toBe(true);
    expect(byte.decode(trainedIds(r))).toBe('Hello!<|im_end|>');
    expect(r.warnings).toEqual([
      '"<|im_start|>" is not a special token of this tokenizer; it is encoded as plain text',
      '"<|im_end|>" is not a special token of this tokenizer; it is encoded as plain text',
    ]);
    const alpaca = renderConversation(byteTokenizer, 'alpaca', turn);
    expect(alpaca.ids.at(-1)).toBe(byte.EOS); // "auto" finds <|eos|>
    expect(alpaca.text.endsWith('Hello!<|eos|>')).toBe(true);
    expect(alpaca.warnings).toEqual([]);
  });

  it('renders a user-defined template, markers and all', () => {
    const custom: CustomTemplate = {
      bos: '<|bos|>',
      system: { prefix: '<|system|>', suffix: '\n' },
      user: { prefix: '<|user|>', suffix: '\n' },
      assistant: { prefix: '<|assistant|>', suffix: '' },
      eos: '<|eos|>',
    };
    const r = renderConversation(byteTokenizer, custom, withSystem);
    expect(r.text).toBe('<|bos|><|system|>Be brief.\n<|user|>Hi there\n<|assistant|>Hello!<|eos|>');
    expect(r.warnings).toEqual([]);
    expect(r.ids[0]).toBe(byte.BOS);
    expect(trainedIds(r)).toEqual([...byte.encode('Hello!'), byte.EOS]);
    expect(() =>
      renderConversation(byteTokenizer, { ...custom, user: { prefix: 1 } } as never, turn),
    ).toThrow(/^template\.user\.prefix: /);
  });

  it('says what is wrong with a conversation', () => {
    expect(() => renderConversation(bpe, 'chatml', [{ role: 'user', content: 'x' }])).toThrow(
      /end with an assistant/,
    );
    expect(() => renderConversation(bpe, 'chatml', [turn[1] as ChatMessage])).toThrow(
      /conversation\[0\]: expected a user message, got assistant/,
    );
    expect(() => renderConversation(bpe, 'chatml', [...turn, { role: 'system', content: 's' }])).toThrow(
      /conversation\[2\].*system message may only come first/,
    );
  });
});

describe('renderPrompt', () => {
  const PROMPTS: [TemplateName, string][] = [
    [
      'chatml',
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n',
    ],
    ['llama2', '<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST]'],
    ['mistral', '<s>[INST] Be brief.\n\nHi there [/INST]'],
    ['alpaca', 'Be brief.\n\n### Instruction:\nHi there\n\n### Response:\n'],
    ['plain', 'Be brief.\n\nHi there\n'],
  ];
  it.each(PROMPTS)('%s ends where the reply starts, a prefix of the training ids', (template, text) => {
    const p = renderPrompt(bpe, template, withSystem.slice(0, 2));
    expect(p.text).toBe(text);
    expect(p.mask.every((m) => m === 0)).toBe(true);
    const full = renderConversation(bpe, template, withSystem);
    expect(full.ids.slice(0, p.ids.length)).toEqual(p.ids);
    expect(full.mask[p.ids.length]).toBe(1);
    expect(full.mask.slice(0, p.ids.length).every((m) => m === 0)).toBe(true);
  });

  it('renders the Alpaca no-input prompt exactly as published', () => {
    const p = renderPrompt(bpe, 'alpaca', [{ role: 'user', content: 'Name a color.' }]);
    expect(p.text).toBe(`${ALPACA_PREAMBLE}\n\n### Instruction:\nName a color.\n\n### Response:\n`);
    const q = renderPrompt(bpe, 'alpaca', [{ role: 'user', content: 'Sum.', input: '1 2' }]);
    expect(q.text).toBe(
      `${ALPACA_PREAMBLE_WITH_INPUT}\n\n### Instruction:\nSum.\n\n### Input:\n1 2\n\n### Response:\n`,
    );
  });

  it('needs a conversation that ends with the user', () => {
    expect(() => renderPrompt(bpe, 'chatml', turn)).toThrow(/end with a user message/);
  });
});

describe('renderWithTokens', () => {
  it('gives each token its text and whether it is trained', () => {
    const conv: ChatMessage[] = [
      { role: 'user', content: 'Wave?' },
      { role: 'assistant', content: 'Sure 👋🏽 é' },
    ];
    for (const tok of [bpe, byteTokenizer]) {
      const r = renderConversation(tok, 'chatml', conv);
      const v = renderWithTokens(tok, 'chatml', conv);
      expect(v.tokens.map((t) => t.id)).toEqual(r.ids);
      expect(v.tokens.map((t) => (t.trained ? 1 : 0))).toEqual(r.mask);
      expect(v.tokens.map((t) => t.text).join('')).toBe(v.text);
      expect(
        v.tokens
          .filter((t) => t.trained)
          .map((t) => t.text)
          .join(''),
      ).toBe('Sure 👋🏽 é<|im_end|>');
    }
    const bytes = renderWithTokens(byteTokenizer, 'chatml', conv).tokens;
    const wave = bytes.findIndex((t) => t.text === '👋');
    expect(bytes.slice(wave - 3, wave).map((t) => t.text)).toEqual(['', '', '']); // 4 bytes, one character
  });

  it('previews a prompt when the conversation ends with the user', () => {
    const v = renderWithTokens(bpe, 'mistral', turn.slice(0, 1));
    expect(v.text).toBe('<s>[INST] Hi there [/INST]');
    expect(v.tokens.some((t) => t.trained)).toBe(false);
  });
});
