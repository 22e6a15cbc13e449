// The LLaMA-Factory demo files (../shared/fixtures/llamafactory) import whole: every record, every
// character, every turn. Expected values are computed from the file itself by an independent mapping,
// plus a few literal spot checks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  detectFormat,
  exportTrlJsonl,
  parseDataset,
  RECORD_SCHEMAS,
  type Message,
  type ParseResult,
} from '../../../src/main/lab/formats';

const DIR = fileURLToPath(new URL('../../../../shared/fixtures/llamafactory', import.meta.url));
const read = (name: string) => readFileSync(`${DIR}/${name}`, 'utf8');
const raw = <T>(name: string) => JSON.parse(read(name)) as T[];

type ShareGptTurn = { from: string; value: string };
type DpoRaw = { conversations: ShareGptTurn[]; chosen: ShareGptTurn; rejected: ShareGptTurn };
type KtoRaw = { messages: Message[]; label: boolean };
type AlpacaRaw = { instruction: string; input: string; output: string };

const ROLE: Record<string, Message['role']> = { human: 'user', gpt: 'assistant', system: 'system' };
const fromShareGpt = (t: ShareGptTurn): Message => ({ role: ROLE[t.from]!, content: t.value });

/** Same text in JSON Lines, with a byte-order mark and CRLF line ends. */
const asJsonl = (records: unknown[]) =>
  '\ufeff' + records.map((r) => JSON.stringify(r)).join('\r\n') + '\r\n';

function expectClean(r: ParseResult, count: number) {
  expect(r.errors).toEqual([]);
  expect(r.refused).toBe(false);
  expect(r.records).toHaveLength(count);
  const schema = RECORD_SCHEMAS[r.kind!];
  for (const rec of r.records) expect(schema.safeParse(rec).success).toBe(true);
}

describe('dpo_en_demo.json (ShareGPT preference)', () => {
  const text = read('dpo_en_demo.json');
  const source = raw<DpoRaw>('dpo_en_demo.json');

  it('is detected as ShareGPT preference in a JSON array', () => {
    expect(detectFormat(text)).toMatchObject({
      format: 'sharegpt',
      kind: 'preference',
      container: 'json',
      confidence: 1,
    });
  });

  it('imports all 300 records exactly, system turns and multi-turn prompts kept', () => {
    const r = parseDataset(text);
    expect(r.kind).toBe('preference');
    expectClean(r, 300);
    if (r.kind !== 'preference') return;
    r.records.forEach((rec, i) => {
      const s = source[i]!;
      expect(rec.prompt).toEqual(s.conversations.map(fromShareGpt));
      expect(rec.chosen).toEqual([{ role: 'assistant', content: s.chosen.value }]);
      expect(rec.rejected).toEqual([{ role: 'assistant', content: s.rejected.value }]);
    });
    const first = r.records[0]!;
    expect(first.prompt).toEqual([
      {
        role: 'user',
        content:
          "Hi! I'd like to create a new language game simulating the first person perspective of a character named Angela.",
      },
    ]);
    expect(first.rejected[0]!.content.endsWith('your helpful, respectful, and honest assistant! 😊')).toBe(
      true,
    );
    expect(r.records[299]!.prompt).toEqual([{ role: 'user', content: 'what does abstraction mean on oop' }]);
    expect(r.records[177]!.rejected[0]!.content).toContain('🌡️💡');
    expect(r.records[1]!.prompt[0]).toMatchObject({ role: 'system' });
    expect(r.records[1]!.prompt[0]!.content.startsWith('You are a teacher. Given a task')).toBe(true);
    expect(r.records.filter((x) => x.prompt[0]?.role === 'system')).toHaveLength(80);
    expect(r.records.filter((x) => x.prompt.length >= 3)).toHaveLength(106);
    expect(r.records[224]!.prompt).toHaveLength(13);
  });

  it('reads the same from JSON Lines with a BOM and CRLF', () => {
    const a = parseDataset(text);
    const b = parseDataset(asJsonl(source));
    expect(b.container).toBe('jsonl');
    expect(b.records).toEqual(a.records);
  });

  it('survives export to TRL JSONL and back', () => {
    const a = parseDataset(text);
    if (a.kind !== 'preference') throw new Error('expected preference');
    const out = exportTrlJsonl('preference', a.records);
    expect(out.split('\n')).toHaveLength(301);
    const b = parseDataset(out);
    expect(b).toMatchObject({ format: 'trl', kind: 'preference', errors: [] });
    expect(b.records).toEqual(a.records);
  });
});

describe('kto_en_demo.json (ShareGPT/OpenAI messages with label)', () => {
  const text = read('kto_en_demo.json');
  const source = raw<KtoRaw>('kto_en_demo.json');

  it('is detected as ShareGPT unpaired preference', () => {
    expect(detectFormat(text)).toMatchObject({ format: 'sharegpt', kind: 'unpaired', confidence: 1 });
  });

  it('imports all 300 records: the last assistant turn is the completion, the rest the prompt', () => {
    const r = parseDataset(text);
    expectClean(r, 300);
    if (r.kind !== 'unpaired') throw new Error('expected unpaired');
    r.records.forEach((rec, i) => {
      const s = source[i]!;
      const messages = s.messages.map(({ role, content }) => ({ role, content }));
      expect(rec.prompt).toEqual(messages.slice(0, -1));
      expect(rec.completion).toEqual(messages.slice(-1));
      expect(rec.label).toBe(s.label);
    });
    expect(r.records.filter((x) => x.label)).toHaveLength(150);
    expect(r.records.filter((x) => x.prompt.length === 1)).toHaveLength(223);
    expect(Math.max(...r.records.map((x) => x.prompt.length + x.completion.length))).toBe(12);
    expect(r.records[0]!.label).toBe(true);
    expect(r.records[0]!.completion[0]!.content.startsWith('Ooh ooh ah ah! *giggle*')).toBe(true);
    expect(r.records[14]!.completion[0]!.content).toContain('#ChooseCompassion #TimeToChange 🌍💔');
    const last = r.records[299]!;
    expect(last.prompt[0]!.content).toContain('રેબારી (તા. દેવગઢબારિયા) <MASK>');
  });

  it('survives export to TRL JSONL and back', () => {
    const a = parseDataset(text);
    if (a.kind !== 'unpaired') throw new Error('expected unpaired');
    const b = parseDataset(exportTrlJsonl('unpaired', a.records));
    expect(b).toMatchObject({ format: 'trl', kind: 'unpaired', errors: [] });
    expect(b.records).toEqual(a.records);
  });
});

describe('alpaca_en_demo.json (Alpaca SFT)', () => {
  const text = read('alpaca_en_demo.json');
  const source = raw<AlpacaRaw>('alpaca_en_demo.json');

  it('is detected as Alpaca instruction data', () => {
    expect(detectFormat(text)).toMatchObject({ format: 'alpaca', kind: 'instruction', confidence: 1 });
  });

  it('imports all 999 records; input joined after "\\n\\n" and also kept apart', () => {
    const r = parseDataset(text);
    expectClean(r, 999);
    if (r.kind !== 'instruction') throw new Error('expected instruction');
    r.records.forEach((rec, i) => {
      const s = source[i]!;
      const user = s.input === '' ? s.instruction : `${s.instruction}\n\n${s.input}`;
      expect(rec.messages).toEqual([
        { role: 'user', content: user },
        { role: 'assistant', content: s.output },
      ]);
      expect(rec.alpacaInput).toBe(s.input === '' ? undefined : s.input);
    });
    expect(r.records.filter((x) => x.alpacaInput === undefined)).toHaveLength(587);
    expect(r.records[0]!.messages[0]!.content).toBe('Describe a process of making crepes.');
    expect(r.records[998]!.messages).toEqual([
      { role: 'user', content: 'Paraphrase the sentence to remove the cliche.\n\nTime waits for no one.' },
      { role: 'assistant', content: 'No one can stop time from moving forward.' },
    ]);
    expect(r.records[6]!.messages[1]!.content.startsWith('🚀Ready for takeoff!')).toBe(true);
    expect(r.records[347]!.messages[1]!.content).toContain('Les Misérables');
  });

  it('joins with LLaMA-Factory\'s "\\n" or keeps the input apart when asked', () => {
    const lf = parseDataset(text, { alpacaSeparator: '\n' });
    const apart = parseDataset(text, { alpacaInput: 'separate' });
    if (lf.kind !== 'instruction' || apart.kind !== 'instruction') throw new Error('expected instruction');
    expect(lf.records[998]!.messages[0]!.content).toBe(
      'Paraphrase the sentence to remove the cliche.\nTime waits for no one.',
    );
    expect(apart.records[998]!.messages[0]!.content).toBe('Paraphrase the sentence to remove the cliche.');
    expect(apart.records[998]!.alpacaInput).toBe('Time waits for no one.');
  });

  it('survives export to TRL JSONL and back (messages; the Alpaca-only input field is not a TRL column)', () => {
    const a = parseDataset(text);
    if (a.kind !== 'instruction') throw new Error('expected instruction');
    const b = parseDataset(exportTrlJsonl('instruction', a.records));
    expect(b).toMatchObject({ format: 'trl', kind: 'instruction', errors: [] });
    expect(b.records).toEqual(a.records.map(({ messages }) => ({ messages })));
  });
});
