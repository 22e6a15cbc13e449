// Export to TRL JSON Lines: the exact columns TRL documents (and a constitution's principle objects),
// and export → import gives back the same records for every kind; the single-turn bridges to the
// lab's current examples.
import { describe, expect, it } from 'vitest';
import {
  exportTrlJsonl,
  fromSimpleInstruction,
  fromSimplePair,
  parseDataset,
  toSimpleInstruction,
  toSimplePair,
  type KindedRecords,
} from '../../../src/main/lab/formats';
import { SAMPLES, a, s, u } from './samples';

describe('exportTrlJsonl', () => {
  it('writes TRL conversational columns, one record a line', () => {
    expect(exportTrlJsonl('instruction', [{ messages: [u('q'), a('r')], alpacaInput: 'x' }])).toBe(
      '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"r"}]}\n',
    );
    expect(exportTrlJsonl('preference', [{ prompt: [u('q')], chosen: [a('c')], rejected: [a('r')] }])).toBe(
      '{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"c"}],' +
        '"rejected":[{"role":"assistant","content":"r"}]}\n',
    );
    // No prompt: TRL's implicit-prompt form rather than an empty list.
    expect(exportTrlJsonl('preference', [{ prompt: [], chosen: [a('c')], rejected: [a('r')] }])).toBe(
      '{"chosen":[{"role":"assistant","content":"c"}],"rejected":[{"role":"assistant","content":"r"}]}\n',
    );
    expect(exportTrlJsonl('unpaired', [{ prompt: [u('q')], completion: [a('c')], label: false }])).toBe(
      '{"prompt":[{"role":"user","content":"q"}],"completion":[{"role":"assistant","content":"c"}],"label":false}\n',
    );
    expect(exportTrlJsonl('text', [{ text: 'Él dijo "hola" 👋\n' }])).toBe(
      '{"text":"Él dijo \\"hola\\" 👋\\n"}\n',
    );
    expect(exportTrlJsonl('text', [])).toBe('');
  });

  it('writes prompt-only rows, a preference margin, and a constitution as principle objects', () => {
    expect(exportTrlJsonl('prompt', [{ prompt: [s('sys'), u('q')] }])).toBe(
      '{"prompt":[{"role":"system","content":"sys"},{"role":"user","content":"q"}]}\n',
    );
    expect(
      exportTrlJsonl('preference', [{ prompt: [u('q')], chosen: [a('c')], rejected: [a('r')], margin: 1.5 }]),
    ).toBe(
      '{"prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"c"}],' +
        '"rejected":[{"role":"assistant","content":"r"}],"margin":1.5}\n',
    );
    const principle = {
      name: 'honesty',
      critique: 'Does it claim what it cannot know?',
      revision: 'Add uncertainty.',
      triggers: ['\\bdefinitely\\b'],
      triggerOn: 'response' as const,
      minWords: 0,
      strategy: 'hedge' as const,
    };
    expect(exportTrlJsonl('constitution', [principle])).toBe(JSON.stringify(principle) + '\n');
  });

  const sets: KindedRecords[] = [
    {
      kind: 'instruction',
      records: [
        { messages: [u('q'), a('r')] },
        { messages: [s('sys'), u('q1'), a('r1'), u('q2 ✓'), a('  r2\n')] },
        { messages: [a('just an answer')] },
      ],
    },
    {
      kind: 'preference',
      records: [
        { prompt: [u('q')], chosen: [a('c')], rejected: [a('r')] },
        {
          prompt: [s('sys'), u('q1'), a('r1'), u('q2')],
          chosen: [a('c'), u('more'), a('c2')],
          rejected: [a('r')],
        },
        { prompt: [], chosen: [a('Yes')], rejected: [a('No')] },
      ],
    },
    {
      kind: 'unpaired',
      records: [
        { prompt: [u('q')], completion: [a('c')], label: true },
        { prompt: [s('sys'), u('q1'), a('r1'), u('q2')], completion: [a('bad 💥')], label: false },
      ],
    },
    { kind: 'text', records: [{ text: 'one' }, { text: 'two\r\nlines\u2028and more' }] },
    {
      kind: 'preference',
      records: [
        { prompt: [u('q')], chosen: [a('c')], rejected: [a('r')], margin: -0.25 },
        { prompt: [], chosen: [a('Yes')], rejected: [a('No')], margin: 3 },
      ],
    },
    { kind: 'prompt', records: [{ prompt: [u('q')] }, { prompt: [s('sys'), u('q1'), a('r1'), u('q2 ✓')] }] },
    {
      kind: 'constitution',
      records: [
        {
          name: 'harmlessness',
          critique: 'Identify harm.',
          revision: 'Remove it.',
          triggers: ['(?:kill|hurt)s?', 'bomb'],
          triggerOn: 'prompt',
          minWords: 0,
          strategy: 'refuse',
        },
        {
          name: 'helpfulness',
          critique: 'Too short?',
          revision: 'Answer fully.',
          triggers: [],
          triggerOn: 'response',
          minWords: 5,
          strategy: 'expand',
        },
      ],
    },
  ];

  it.each(sets)('round-trips $kind records', (set) => {
    const text = exportTrlJsonl(set.kind, set.records as never[]);
    const back = parseDataset(text);
    expect(back).toMatchObject({ format: 'trl', kind: set.kind, container: 'jsonl', errors: [] });
    expect(back.records).toEqual(set.records);
  });

  it.each(SAMPLES)('round-trips what was read from $name', (sample) => {
    const first = parseDataset(JSON.stringify(sample.records));
    if (first.kind === null) throw new Error('nothing read');
    const back = parseDataset(exportTrlJsonl(first.kind, first.records as never[]));
    expect(back.kind).toBe(sample.kind);
    const withoutAlpacaInput = first.records.map((r) => {
      if (!('alpacaInput' in r)) return r;
      const { alpacaInput: _, ...rest } = r;
      return rest;
    });
    expect(back.records).toEqual(withoutAlpacaInput);
  });
});

describe('simple (single-turn) shapes', () => {
  it('turns single-turn pairs into strings and back', () => {
    const pair = { prompt: 'What color is the sky?', chosen: 'Blue.', rejected: 'Green.' };
    expect(fromSimplePair(pair)).toEqual({
      prompt: [u('What color is the sky?')],
      chosen: [a('Blue.')],
      rejected: [a('Green.')],
    });
    expect(toSimplePair(fromSimplePair(pair))).toEqual(pair);
    const implicit = { prompt: '', chosen: 'Yes', rejected: 'No' };
    expect(fromSimplePair(implicit).prompt).toEqual([]);
    expect(toSimplePair(fromSimplePair(implicit))).toEqual(implicit);
  });

  it('refuses to flatten what would lose turns', () => {
    expect(toSimplePair({ prompt: [s('sys'), u('q')], chosen: [a('c')], rejected: [a('r')] })).toBeNull();
    expect(
      toSimplePair({ prompt: [u('q'), a('x'), u('q2')], chosen: [a('c')], rejected: [a('r')] }),
    ).toBeNull();
    expect(
      toSimplePair({ prompt: [u('q')], chosen: [a('c'), u('more'), a('c2')], rejected: [a('r')] }),
    ).toBeNull();
    expect(toSimplePair({ prompt: [a('q')], chosen: [a('c')], rejected: [a('r')] })).toBeNull();
  });

  it('does the same for instruction records', () => {
    const ex = { prompt: 'Name a color.', response: 'Blue.' };
    expect(toSimpleInstruction(fromSimpleInstruction(ex))).toEqual(ex);
    expect(toSimpleInstruction({ messages: [s('sys'), u('q'), a('r')] })).toBeNull();
    expect(toSimpleInstruction({ messages: [u('q'), a('r'), u('q2'), a('r2')] })).toBeNull();
  });
});
