// tokenizer.json: a hand-made GPT-2-style file encodes to hand-computed ids (both merges shapes), and
// a trained tokenizer survives the trip through JSON text unchanged.
import { describe, expect, it } from 'vitest';
import { BpeTokenizer } from '../../../src/main/engine/tokenizer/bpe';
import { BYTE_TO_UNICODE, fromTokenizerJson, toTokenizerJson } from '../../../src/main/engine/tokenizer/hf';
import { TRICKY, englishCorpus } from './corpus';

// GPT-2 numbers its 256 byte tokens in code-point order of their visible characters: "!" is 0,
// "Ġ" (space) 220, "Ċ" (newline) 198 — as in the real gpt2 vocab.json.
const byteChars = [...BYTE_TO_UNICODE].sort(
  (a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number),
);
const byteId = (ch: string) => byteChars.indexOf(ch);

function handMade(mergesShape: 'strings' | 'pairs', extra: Record<string, unknown> = {}) {
  const vocab: Record<string, number> = Object.fromEntries(byteChars.map((ch, id) => [ch, id]));
  Object.assign(vocab, { Ġt: 256, he: 257, Ġthe: 258, Ġh: 259, '<|endoftext|>': 260, Ġhat: 261 });
  const merges = [
    ['Ġ', 't'],
    ['h', 'e'],
    ['Ġt', 'he'],
    ['Ġ', 'h'],
  ];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    added_tokens: [{ id: 260, content: '<|endoftext|>', special: true, normalized: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      vocab,
      merges: mergesShape === 'strings' ? merges.map((m) => m.join(' ')) : merges,
      ...extra,
    },
  };
}

describe('byte-to-unicode mapping', () => {
  it('matches GPT-2: printable bytes stand for themselves, the rest move to U+0100…', () => {
    expect(BYTE_TO_UNICODE[0x41]).toBe('A');
    expect(BYTE_TO_UNICODE[0x20]).toBe('Ġ');
    expect(BYTE_TO_UNICODE[0x0a]).toBe('Ċ');
    expect(BYTE_TO_UNICODE[0xad]).toBe('Ń'); // U+0143: soft hyphen, the 68th and last byte moved
    expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
    expect([byteId('!'), byteId('Ġ'), byteId('Ċ')]).toEqual([0, 220, 198]);
  });
});

describe('fromTokenizerJson', () => {
  it.each(['strings', 'pairs'] as const)('encodes like HF with %s merges', (shape) => {
    const t = fromTokenizerJson(handMade(shape));
    const [h, a, tt] = [byteId('h'), byteId('a'), byteId('t')];
    expect([h, a, tt]).toEqual([71, 64, 83]);
    // " the" → Ġ t h e → Ġt h e → Ġt he → Ġthe;  " hat" → Ġh a t;  "\n" → Ċ
    expect(t.encode(' the hat\n')).toEqual([258, 259, a, tt, 198]);
    // "the": no leading space, so t+h never merge with Ġ; "he" merges
    expect(t.encode('the')).toEqual([tt, 257]);
    expect(t.decode([258, 259, a, tt, 198])).toBe(' the hat\n');
    expect(t.vocabSize).toBe(262);
    expect(t.specialId('<|endoftext|>')).toBe(260);
    expect(t.encode('<|endoftext|>')).not.toContain(260);
    expect(t.encodeWithSpecials(' the<|endoftext|>')).toEqual([258, 260]);
    expect(t.decode([258, 260])).toBe(' the<|endoftext|>');
  });

  it('honours add_prefix_space and ignore_merges', () => {
    const spaced = handMade('pairs');
    spaced.pre_tokenizer = { ...spaced.pre_tokenizer, add_prefix_space: true };
    expect(fromTokenizerJson(spaced).encode('the')).toEqual([258]);
    const a = byteId('a');
    const t = byteId('t');
    expect(fromTokenizerJson(handMade('pairs')).encode(' hat')).toEqual([259, a, t]);
    expect(fromTokenizerJson(handMade('pairs', { ignore_merges: true })).encode(' hat')).toEqual([261]);
  });

  it.each([
    [(j: ReturnType<typeof handMade>) => void (j.model.type = 'WordPiece'), /^tokenizer.json: model.type: /],
    [(j: ReturnType<typeof handMade>) => void (j.model.merges = ['Ġ t', 'nope']), /model.merges\[1\]/],
    [
      (j: ReturnType<typeof handMade>) => void (j.model.merges = [['Ġ', 'q']]),
      /model.merges\[0\]: the merged token "Ġq"/,
    ],
    [(j: ReturnType<typeof handMade>) => void (j.model.merges = [[1, 2]] as never), /model.merges\[0\]/],
    [
      (j: ReturnType<typeof handMade>) => void (j.pre_tokenizer = { type: 'Metaspace' } as never),
      /pre_tokenizer.type/,
    ],
    [(j: ReturnType<typeof handMade>) => void (j.normalizer = { type: 'NFC' } as never), /normalizer/],
    [
      (j: ReturnType<typeof handMade>) => void delete (j.model.vocab as Record<string, number>)['Ā'],
      /byte 0x0/,
    ],
    [(j: ReturnType<typeof handMade>) => void (j.model.vocab = { 'a b': 1 }), /model.vocab\["a b"\]/],
  ])('names the field in its errors (%#)', (spoil, message) => {
    const json = handMade('strings');
    spoil(json);
    expect(() => fromTokenizerJson(json)).toThrow(message);
  });

  it('rejects what is not an object', () => {
    expect(() => fromTokenizerJson('{}')).toThrow(/tokenizer.json: \(root\)/);
  });
});

describe('toTokenizerJson', () => {
  const trained = BpeTokenizer.train(englishCorpus(60_000), { vocabSize: 512 });

  it.each(['pairs', 'strings'] as const)(
    'round-trips a trained tokenizer through JSON text (%s)',
    (merges) => {
      const json = JSON.parse(JSON.stringify(toTokenizerJson(trained, { merges })));
      const back = fromTokenizerJson(json);
      expect(back.vocabSize).toBe(trained.vocabSize);
      expect(back.merges).toEqual(trained.merges);
      expect([...back.specialTokens]).toEqual([...trained.specialTokens]);
      for (const s of [...TRICKY, englishCorpus(5000, 9)]) {
        expect(back.encode(s)).toEqual(trained.encode(s));
        expect(back.decode(back.encode(s))).toBe(s);
      }
      expect(toTokenizerJson(back, { merges })).toEqual(json);
    },
  );

  it('writes the GPT-2 shape HF expects', () => {
    const json = toTokenizerJson(trained) as { model: { vocab: Record<string, number>; merges: unknown[] } };
    expect(json).toMatchObject({
      pre_tokenizer: { type: 'ByteLevel', use_regex: true, add_prefix_space: false },
      decoder: { type: 'ByteLevel' },
      model: { type: 'BPE' },
    });
    expect(json.model.vocab['Ġ']).toBe(32);
    expect(json.model.vocab['<|im_end|>']).toBe(trained.specialId('<|im_end|>'));
    expect(json.model.merges[0]).toHaveLength(2);
    expect(typeof (toTokenizerJson(trained, { merges: 'strings' }) as typeof json).model.merges[0]).toBe(
      'string',
    );
  });
});
