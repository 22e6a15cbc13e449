// The form view of prompt sets and constitutions (src/shared/examples.ts): fields to record and back,
// errors named by field (a bad trigger pattern by its line), and, through a real Lab on a temporary
// folder, form → stored example → export → import giving back the same principle.
import { describe, expect, it } from 'vitest';
import {
  contextTurns,
  fromSimple,
  SIMPLE_SCHEMAS,
  simpleView,
  type SimpleOf,
} from '../../../src/shared/examples';
import { LabError } from '../../../src/shared/api';
import { labFixtures } from '../../helpers/lab';
import { a, s, u } from './samples';

const issues = (kind: 'prompt' | 'constitution', data: unknown) => {
  const r = SIMPLE_SCHEMAS[kind].safeParse(data);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};
const principleForm = {
  name: ' harmlessness ',
  critique: 'Identify ways in which the response is harmful.',
  revision: 'Rewrite it to remove anything harmful.',
  triggers: '\\bbomb\\b\n\n  pick a lock  \r\n',
  triggerOn: 'prompt',
  minWords: '3',
  strategy: 'refuse',
};

describe('prompt examples', () => {
  it('edit the last user turn and keep the turns before it', () => {
    const base = { prompt: [s('sys'), u('q1'), a('r1'), u('q2')] };
    expect(simpleView('prompt', base)).toEqual({ prompt: 'q2' });
    expect(contextTurns('prompt', base)).toBe(3);
    const f = SIMPLE_SCHEMAS.prompt.parse({ prompt: 'new' });
    expect(fromSimple('prompt', f, base)).toEqual({ prompt: [s('sys'), u('q1'), a('r1'), u('new')] });
    expect(fromSimple('prompt', f)).toEqual({ prompt: [u('new')] });
    expect(issues('prompt', { prompt: '  ' })).toEqual([['prompt', 'Prompt is empty']]);
  });
});

describe('constitution examples', () => {
  it('turn the form into a principle (patterns one a line) and back', () => {
    const f = SIMPLE_SCHEMAS.constitution.parse(principleForm);
    const principle = fromSimple('constitution', f);
    expect(principle).toEqual({
      name: 'harmlessness',
      critique: 'Identify ways in which the response is harmful.',
      revision: 'Rewrite it to remove anything harmful.',
      triggers: ['\\bbomb\\b', 'pick a lock'],
      triggerOn: 'prompt',
      minWords: 3,
      strategy: 'refuse',
    });
    expect(simpleView('constitution', principle)).toEqual({
      ...principleForm,
      name: 'harmlessness',
      triggers: '\\bbomb\\b\npick a lock',
    });
    expect(contextTurns('constitution', principle)).toBe(0);
  });

  it('fill in the optional fields', () => {
    const f: SimpleOf<'constitution'> = SIMPLE_SCHEMAS.constitution.parse({
      name: 'n',
      critique: 'c',
      revision: 'r',
    });
    expect(fromSimple('constitution', f)).toEqual({
      name: 'n',
      critique: 'c',
      revision: 'r',
      triggers: [],
      triggerOn: 'response',
      minWords: 0,
      strategy: 'none',
    });
  });

  it('name each bad field, and a bad pattern by its line', () => {
    expect(
      issues('constitution', {
        ...principleForm,
        name: '',
        triggers: 'ok\n\n(unclosed\n[a-',
        triggerOn: 'both',
        minWords: '2.5',
        strategy: 'delete',
      }),
    ).toEqual([
      ['name', 'Name is empty'],
      [
        'triggers',
        'Trigger patterns, line 3: `(unclosed` is not a valid regular expression: unterminated group',
      ],
      [
        'triggers',
        'Trigger patterns, line 4: `[a-` is not a valid regular expression: unterminated character class',
      ],
      ['triggerOn', 'Triggers match must be prompt or response'],
      ['minWords', 'Minimum words must be a whole number, 0 or more'],
      ['strategy', 'Revision strategy must be refuse, hedge, expand or none'],
    ]);
  });
});

describe('through the Lab', () => {
  const fixtures = labFixtures();

  it('stores a principle from the form, reports a bad pattern by field, and round-trips it through export', async () => {
    const { lab } = fixtures.open();
    const d = await lab.createDataset({ name: 'Mine', kind: 'constitution' });
    const added = await lab.addExample({ datasetId: d.id, data: principleForm });
    expect(added.data).toMatchObject({
      name: 'harmlessness',
      triggers: '\\bbomb\\b\npick a lock',
      minWords: '3',
    });

    const bad = await lab.addExample({ datasetId: d.id, data: { ...principleForm, triggers: 'a\n(b' } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(LabError);
    expect((bad as LabError).issues).toEqual([
      {
        path: 'triggers',
        message: 'Trigger patterns, line 2: `(b` is not a valid regular expression: unterminated group',
      },
    ]);

    const file = await lab.exportDataset({ id: d.id });
    const back = await lab.importDataset({ text: file.content, name: 'Back', onError: 'refuse' });
    expect(back).toMatchObject({ kind: 'constitution', format: 'trl', imported: 1, errors: [] });
    const copy = await lab.getDataset({ id: back.dataset!.id });
    expect(copy.examples[0]!.record).toEqual(added.record);
  });

  it('keeps a pair’s margin when its texts are edited', async () => {
    const { lab } = fixtures.open();
    const text = JSON.stringify({ prompt: 'q', chosen: 'c', rejected: 'r', margin: 2 }) + '\n';
    const imported = await lab.importDataset({ text, name: 'Margins', onError: 'refuse' });
    const [example] = (await lab.getDataset({ id: imported.dataset!.id })).examples;
    const edited = await lab.updateExample({
      id: example!.id,
      data: { prompt: 'q', chosen: 'better', rejected: 'r' },
    });
    expect(edited.record).toEqual({ prompt: [u('q')], chosen: [a('better')], rejected: [a('r')], margin: 2 });
  });
});
