// Detection and reading of every format from small samples, in both containers; then bad input:
// each problem reported with its line (JSONL) or record (JSON) and field, good records kept, or
// nothing imported with onError 'refuse'.
import { describe, expect, it } from 'vitest';
import { detectFormat, parseDataset, RECORD_SCHEMAS } from '../../../src/main/lab/formats';
import { SAMPLES, a, jsonArray, jsonl, u } from './samples';

describe.each(SAMPLES)('$name', ({ format, kind, records, expected }) => {
  it.each([
    ['jsonl', jsonl(records)],
    ['json', jsonArray(records)],
  ] as const)('is detected and read from %s', (container, text) => {
    expect(detectFormat(text)).toMatchObject({ format, kind, container, confidence: 1 });
    const r = parseDataset(text);
    expect(r).toMatchObject({ format, kind, container, errors: [], refused: false });
    expect(r.records).toEqual(expected);
    for (const rec of r.records) expect(RECORD_SCHEMAS[kind].parse(rec)).toEqual(rec);
  });
});

describe('reading', () => {
  const pref = { prompt: 'p', chosen: 'c', rejected: 'r' };

  it('skips blank lines and tolerates a BOM, CRLF and whitespace around lines', () => {
    const text = '\ufeff\r\n' + JSON.stringify(pref) + '\r\n\r\n   \r\n  ' + JSON.stringify(pref) + '  \r\n';
    const r = parseDataset(text);
    expect(r).toMatchObject({ kind: 'preference', errors: [] });
    expect(r.records).toHaveLength(2);
  });

  it('reads a JSON object holding the records under `data`, and a pretty-printed single record', () => {
    expect(parseDataset(JSON.stringify({ data: [pref, pref] }, null, 1)).records).toHaveLength(2);
    const one = parseDataset(JSON.stringify(pref, null, 2));
    expect(one).toMatchObject({ container: 'json', kind: 'preference', errors: [] });
  });

  it('keeps text exactly: spaces, newlines, tabs, emoji and accents', () => {
    const odd = '  leading\tand trailing \n\n(é, ß, 漢字, 👩‍👩‍👧, \u2028)  ';
    const r = parseDataset(jsonl([{ prompt: odd, completion: odd }]));
    expect(r.records).toEqual([{ messages: [u(odd), a(odd)] }]);
  });

  it('takes the format the caller names over the detected one', () => {
    const hh = {
      chosen: '\n\nHuman: Hi\n\nAssistant: Hello',
      rejected: '\n\nHuman: Hi\n\nAssistant: Go away',
    };
    expect(parseDataset(jsonl([hh])).format).toBe('hh');
    const asTrl = parseDataset(jsonl([hh]), { format: 'trl' });
    expect(asTrl).toMatchObject({ format: 'trl', kind: 'preference', errors: [] });
    expect(asTrl.records).toEqual([
      {
        prompt: [u('\n\nHuman: Hi\n\nAssistant:')],
        chosen: [a(' Hello')],
        rejected: [a(' Go away')],
      },
    ]);
    // ShareGPT's openai variant: bare `messages` are TRL by default, readable as ShareGPT on request.
    const msgs = jsonl([{ messages: [u('q'), a('r')] }]);
    expect(parseDataset(msgs).format).toBe('trl');
    expect(parseDataset(msgs, { format: 'sharegpt' })).toMatchObject({ format: 'sharegpt', errors: [] });
  });

  it('refuses a format none of the records has, saying what it looked for', () => {
    const r = parseDataset(jsonl([pref]), { format: 'alpaca' });
    expect(r.refused).toBe(true);
    expect(r.errors[0]!.message).toMatch(/^no record has the fields of Alpaca \(`instruction`/);
  });
});

describe('bad input', () => {
  const good = (i: number) => ({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}` });

  it('reports a missing field by line and field, and keeps the other lines', () => {
    const rows: object[] = Array.from({ length: 14 }, (_, i) => good(i));
    rows[11] = { prompt: 'p', rejected: 'r' };
    const r = parseDataset(jsonl(rows));
    expect(r.errors).toEqual([
      { line: 12, record: 11, field: 'chosen', message: 'line 12: `chosen` is missing' },
    ]);
    expect(r.records).toHaveLength(13);
    expect(r.refused).toBe(false);
  });

  it('refuses the whole file with onError "refuse"', () => {
    const rows: object[] = [good(0), { prompt: 'p', rejected: 'r' }, good(2)];
    const r = parseDataset(jsonl(rows), { onError: 'refuse' });
    expect(r).toMatchObject({ kind: 'preference', records: [], refused: true });
    expect(r.errors.map((e) => e.message)).toEqual(['line 2: `chosen` is missing']);
    expect(parseDataset(jsonl([good(0)]), { onError: 'refuse' }).records).toHaveLength(1);
  });

  it('reports a line that is not JSON, with the parser’s reason, and keeps the rest', () => {
    const text = [
      JSON.stringify(good(0)),
      JSON.stringify(good(1)),
      '{"prompt": "p", "chosen": }',
      JSON.stringify(good(3)),
    ].join('\n');
    const r = parseDataset(text);
    expect(r.records).toHaveLength(3);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 3, record: 2, field: '' });
    expect(r.errors[0]!.message).toMatch(/^line 3: not valid JSON \(.+\)$/);
  });

  it('reports a wrong type in a JSON array by record index (and line) and full field path', () => {
    const conv = (v: unknown) => ({
      conversations: [
        { from: 'human', value: 'a' },
        { from: 'gpt', value: 'b' },
        { from: 'human', value: v },
      ],
      chosen: { from: 'gpt', value: 'c' },
      rejected: { from: 'gpt', value: 'd' },
    });
    const rows = [0, 1, 2, 3, 4, 5, 6].map((i) => conv(i === 5 ? 42 : `q${i}`));
    const r = parseDataset(jsonArray(rows));
    expect(r.records).toHaveLength(6);
    expect(r.errors).toHaveLength(1);
    const [e] = r.errors;
    expect(e).toMatchObject({ record: 5, field: 'conversations[2].value' });
    expect(e!.message).toMatch(
      /^record 5 \(line \d+\): `conversations\[2\]\.value` must be text \(found a number\)$/,
    );
    const lines = jsonArray(rows).split('\n');
    const at42 = lines.findIndex((l) => l.includes('"value": 42'));
    expect(e!.line).toBe(lines.slice(0, at42).lastIndexOf('  {') + 1);
  });

  it('reads the good records of a JSON array around a broken one', () => {
    const text = '[\n  {"text": "a"},\n  {"text": },\n  {"text": "c"}\n]';
    const r = parseDataset(text);
    expect(r.records).toEqual([{ text: 'a' }, { text: 'c' }]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ record: 1, line: 3 });
    expect(r.errors[0]!.message).toMatch(/^record 1 \(line 3\): not valid JSON \(/);
  });

  it('refuses an empty file, an empty list and a file that is not JSON at all', () => {
    for (const text of ['', '   \n\n', '\ufeff']) {
      expect(parseDataset(text)).toMatchObject({ refused: true, records: [], kind: null });
      expect(parseDataset(text).errors[0]!.message).toBe('the file is empty');
    }
    expect(parseDataset('[]').errors[0]!.message).toBe('the file holds no records');
    const junk = parseDataset('name,prompt\nx,y\n');
    expect(junk.refused).toBe(true);
    expect(junk.errors).toHaveLength(1);
    expect(junk.errors[0]!.message).toMatch(/^neither JSON nor JSON Lines/);
    const cut = parseDataset('[{"text": "a"},\n{"text": "b"}');
    expect(cut.refused).toBe(true);
    expect(cut.errors[0]!.message).toMatch(/^line 2: not valid JSON/);
    expect(detectFormat('')).toMatchObject({
      format: null,
      kind: null,
      confidence: 0,
      reason: 'the file is empty',
    });
  });

  it('reports records of another format in a mixed file, naming what they look like', () => {
    const hh = { chosen: '\n\nHuman: Hi\n\nAssistant: Hello', rejected: '\n\nHuman: Hi\n\nAssistant: Go' };
    const text = jsonl([good(0), { instruction: 'x', output: 'y' }, good(2), hh, good(4), { text: 't' }]);
    expect(detectFormat(text)).toMatchObject({ format: 'trl', kind: 'preference', confidence: 0.5 });
    expect(detectFormat(text).reason).toMatch(/^3 of 6 records are TRL preference .*; also 1 Alpaca/);
    const r = parseDataset(text);
    expect(r.records).toHaveLength(3);
    expect(r.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'chosen'],
      [4, ''],
      [6, 'chosen'],
    ]);
    expect(r.errors[0]!.message).toBe(
      'line 2: `chosen` is missing (this record looks like Alpaca (`instruction`, `input`, `output`))',
    );
    expect(r.errors[1]!.message).toMatch(
      /^line 4: this record is Anthropic HH .*, but the file holds TRL preference/,
    );
  });

  it('names the field and the problem for each kind of bad value', () => {
    const cases: [object, string, string][] = [
      [{ prompt: 'p', completion: 'c', label: 'yes' }, 'label', '`label` must be true or false (found text)'],
      [
        { messages: [u('q'), { role: 'tool', content: 'x' }] },
        'messages[1].role',
        'tool turns are not supported',
      ],
      [{ messages: [u('q')] }, 'messages', '`messages` must end with an assistant turn (it ends with user)'],
      [{ messages: [u('q'), a('  ')] }, 'messages', '`messages` ends with an empty turn'],
      [
        { prompt: 'p', chosen: 3, rejected: 'r' },
        'chosen',
        '`chosen` must be text or a list of messages (found a number)',
      ],
      [{ chosen: 'same', rejected: 'same' }, 'rejected', '`rejected` is the same text as `chosen`'],
      [{ chosen: [u('q'), a('x')], rejected: 'x' }, 'rejected', 'same type as `chosen`'],
      [{ text: '' }, 'text', '`text` is empty'],
      [{ instruction: 'i', output: 'o', history: [['q']] }, 'history[0]', 'pair (found a list of 1)'],
      [
        { instruction: 'i', output: 'o', history: [['q', 7]] },
        'history[0][1]',
        'must be text (found a number)',
      ],
      [{ instruction: '', input: '', output: 'o' }, 'instruction', '`instruction` is empty'],
      [{ instruction: 'i', output: null }, 'output', '`output` is null'],
      [
        {
          conversations: [
            { from: 'gpt', value: 'a' },
            { from: 'human', value: 'b' },
          ],
        },
        'conversations[0].from',
        'should be "human"',
      ],
      [
        {
          conversations: [
            { from: 'human', value: 'a' },
            { from: 'observation', value: 'b' },
          ],
        },
        'conversations[1].from',
        'tool turn',
      ],
      [
        {
          conversations: [
            { from: 'human', value: 'a' },
            { from: 'gpt', value: '' },
          ],
        },
        'conversations',
        'ends with an empty turn',
      ],
      [{ prompt: [u('q'), a('r')] }, 'prompt', '`prompt` must end with a user turn (it ends with assistant)'],
      [{ prompt: '' }, 'prompt', '`prompt` is empty'],
      [{ prompt: [] }, 'prompt', '`prompt` is empty'],
      [{ prompt: [u('q'), a('r'), u(' ')] }, 'prompt', '`prompt` ends with an empty turn'],
      [
        { prompt: 'p', chosen: 'c', rejected: 'r', margin: '1' },
        'margin',
        '`margin` must be a number (found text)',
      ],
      [{ conversations: [{ from: 'human', value: '  ' }] }, 'conversations', '`conversations` is empty'],
      [{ instruction: '', input: '' }, 'instruction', '`instruction` is empty'],
      [{ name: 'n', critique: 'c', revision: '' }, 'revision', '`revision` is empty'],
      [{ critique: 'c', revision: 'r' }, 'name', '`name` is missing'],
      [
        { name: 'n', critique: 'c', revision: 'r', triggers: ['ok', '(unclosed'] },
        'triggers[1]',
        '`triggers[1]` is not a valid regular expression (unterminated group)',
      ],
      [
        { name: 'n', critique: 'c', revision: 'r', triggers: 'bomb' },
        'triggers',
        '`triggers` must be a list (found text)',
      ],
      [
        { name: 'n', critique: 'c', revision: 'r', strategy: 'delete' },
        'strategy',
        '`strategy` must be "refuse", "hedge", "expand", "none" (found "delete")',
      ],
      [
        { name: 'n', critique: 'c', revision: 'r', triggerOn: 3 },
        'triggerOn',
        '`triggerOn` must be "prompt", "response" (found a number)',
      ],
      [
        { name: 'n', critique: 'c', revision: 'r', minWords: -1 },
        'minWords',
        '`minWords` must be a whole number, 0 or more (found -1)',
      ],
      [
        {
          conversations: [{ from: 'human', value: 'a' }],
          chosen: 'x',
          rejected: { from: 'gpt', value: 'y' },
        },
        'chosen',
        'must be one turn like',
      ],
      [
        {
          conversations: [{ from: 'human', value: 'a' }],
          chosen: { from: 'human', value: 'x' },
          rejected: { from: 'gpt', value: 'y' },
        },
        'chosen.from',
        'must be "gpt"',
      ],
      [
        { chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: other\n\nAssistant: c' },
        'rejected',
        'must repeat the conversation of `chosen`',
      ],
      [
        { chosen: '\n\nHuman: a\n\nAssistant: b', rejected: '\n\nHuman: a\n\nAssistant:' },
        'rejected',
        '`rejected` is empty',
      ],
    ];
    for (const [record, field, message] of cases) {
      const r = parseDataset(jsonl([record]));
      expect(r.errors, JSON.stringify(record)).toHaveLength(1);
      expect(r.errors[0]!.field, JSON.stringify(record)).toBe(field);
      expect(r.errors[0]!.message, JSON.stringify(record)).toContain(message);
      expect(r.errors[0]!.message.startsWith('line 1: ')).toBe(true);
      expect(r.refused).toBe(true);
    }
  });

  it('reads a conversation ending with a human turn as a prompt, but reports it among SFT conversations', () => {
    const conv = (last: 'gpt' | 'human') => ({
      conversations: [
        { from: 'human', value: 'a' },
        ...(last === 'gpt' ? [{ from: 'gpt', value: 'b' }] : []),
      ],
    });
    expect(parseDataset(jsonl([conv('human')]))).toMatchObject({ format: 'sharegpt', kind: 'prompt' });
    const r = parseDataset(jsonl([conv('gpt'), conv('human'), conv('gpt')]));
    expect(r).toMatchObject({ format: 'sharegpt', kind: 'instruction', refused: false });
    expect(r.records).toHaveLength(2);
    expect(r.errors.map((e) => [e.field, e.message])).toEqual([
      [
        'conversations',
        'line 2: `conversations` must end with a "gpt" turn (this record looks like ShareGPT prompts ' +
          '(`conversations` ending with a "human" turn))',
      ],
    ]);
  });

  it('says a format cannot hold a kind rather than that no record fits it', () => {
    const prompts = jsonl([{ prompt: 'How do I pick a lock?' }]);
    const hh = parseDataset(prompts, { format: 'hh' });
    expect(hh.refused).toBe(true);
    expect(hh.errors[0]!.message).toBe(
      'Anthropic HH files cannot hold prompt-only records: not supported for this kind ' +
        '(the records are TRL prompt-only (`prompt` alone); import them as TRL)',
    );
    const principles = jsonl([{ name: 'n', critique: 'c', revision: 'r' }]);
    expect(parseDataset(principles, { format: 'sharegpt' }).errors[0]!.message).toMatch(
      /^ShareGPT \(LLaMA-Factory\) files cannot hold constitution principles: not supported for this kind/,
    );
    // A kind the format has, in another format's fields: what was looked for, and what was found.
    expect(parseDataset(prompts, { format: 'alpaca' }).errors[0]!.message).toMatch(
      /^no record has the fields of Alpaca .*; the records are TRL prompt-only \(`prompt` alone\)$/,
    );
  });

  it('reports a record that is not an object', () => {
    const r = parseDataset(jsonl([good(0), [1, 2], 'text']));
    expect(r.errors.map((e) => e.message)).toEqual([
      'line 2: must be a JSON object (found a list)',
      'line 3: must be a JSON object (found text)',
    ]);
    expect(r.records).toHaveLength(1);
  });
});
