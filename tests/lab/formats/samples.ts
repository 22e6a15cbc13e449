// Small hand-written records of every format the importer reads, after TRL's "Dataset formats and
// types" page and LLaMA-Factory's data/README.md, with what each must become.
import type { FormatName, Message, NormalizedRecord, RecordKind } from '../../../src/main/lab/formats';

export const u = (content: string): Message => ({ role: 'user', content });
export const a = (content: string): Message => ({ role: 'assistant', content });
export const s = (content: string): Message => ({ role: 'system', content });

export interface Sample {
  name: string;
  format: FormatName;
  kind: RecordKind;
  records: object[];
  expected: NormalizedRecord[];
}

const sky = [u('What color is the sky?'), a('It is blue.')];
const hhChosen = '\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: Sure?\n\nAssistant: Yes, 4.';
const hhRejected = '\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: Sure?\n\nAssistant: No, 5.';

export const SAMPLES: Sample[] = [
  {
    name: 'TRL language modeling (standard)',
    format: 'trl',
    kind: 'text',
    records: [{ text: 'The sky is blue.' }, { text: 'Café au lait ☕ — très bien.' }],
    expected: [{ text: 'The sky is blue.' }, { text: 'Café au lait ☕ — très bien.' }],
  },
  {
    name: 'TRL language modeling (conversational messages)',
    format: 'trl',
    kind: 'instruction',
    records: [{ messages: sky }, { messages: [s('Be brief.'), ...sky, u('And at night?'), a('Black.')] }],
    expected: [{ messages: sky }, { messages: [s('Be brief.'), ...sky, u('And at night?'), a('Black.')] }],
  },
  {
    name: 'TRL prompt-completion (standard)',
    format: 'trl',
    kind: 'instruction',
    records: [{ prompt: 'The sky is', completion: ' blue.' }],
    expected: [{ messages: [u('The sky is'), a(' blue.')] }],
  },
  {
    name: 'TRL prompt-completion (conversational)',
    format: 'trl',
    kind: 'instruction',
    records: [{ prompt: [u('What color is the sky?')], completion: [a('It is blue.')] }],
    expected: [{ messages: sky }],
  },
  {
    name: 'TRL preference (standard, explicit prompt)',
    format: 'trl',
    kind: 'preference',
    records: [{ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' }],
    expected: [{ prompt: [u('The sky is')], chosen: [a(' blue.')], rejected: [a(' green.')] }],
  },
  {
    name: 'TRL preference (standard, implicit prompt)',
    format: 'trl',
    kind: 'preference',
    records: [
      { chosen: 'The sky is blue.', rejected: 'The sky is green.' },
      { chosen: 'Q: 😊', rejected: 'Q: 😄' },
      { chosen: 'Yes', rejected: 'No' },
    ],
    expected: [
      { prompt: [u('The sky is')], chosen: [a(' blue.')], rejected: [a(' green.')] },
      { prompt: [u('Q:')], chosen: [a(' 😊')], rejected: [a(' 😄')] },
      { prompt: [], chosen: [a('Yes')], rejected: [a('No')] },
    ],
  },
  {
    name: 'TRL preference (conversational, explicit prompt)',
    format: 'trl',
    kind: 'preference',
    records: [
      { prompt: [u('What color is the sky?')], chosen: [a('It is blue.')], rejected: [a('It is green.')] },
    ],
    expected: [
      { prompt: [u('What color is the sky?')], chosen: [a('It is blue.')], rejected: [a('It is green.')] },
    ],
  },
  {
    name: 'TRL preference (conversational, implicit prompt)',
    format: 'trl',
    kind: 'preference',
    records: [
      {
        chosen: [u('What color is the sky?'), a('It is blue.')],
        rejected: [u('What color is the sky?'), a('It is green.')],
      },
      {
        chosen: [s('Be kind.'), u('Hi'), a('Hello!'), u('Bye'), a('Goodbye, take care!')],
        rejected: [s('Be kind.'), u('Hi'), a('Hello!'), u('Bye'), a('Whatever.')],
      },
    ],
    expected: [
      { prompt: [u('What color is the sky?')], chosen: [a('It is blue.')], rejected: [a('It is green.')] },
      {
        prompt: [s('Be kind.'), u('Hi'), a('Hello!'), u('Bye')],
        chosen: [a('Goodbye, take care!')],
        rejected: [a('Whatever.')],
      },
    ],
  },
  {
    name: 'TRL unpaired preference (standard)',
    format: 'trl',
    kind: 'unpaired',
    records: [
      { prompt: 'The sky is', completion: ' blue.', label: true },
      { prompt: 'The sky is', completion: ' green.', label: false },
    ],
    expected: [
      { prompt: [u('The sky is')], completion: [a(' blue.')], label: true },
      { prompt: [u('The sky is')], completion: [a(' green.')], label: false },
    ],
  },
  {
    name: 'TRL unpaired preference (conversational)',
    format: 'trl',
    kind: 'unpaired',
    records: [{ prompt: [u('What color is the sky?')], completion: [a('It is green.')], label: false }],
    expected: [{ prompt: [u('What color is the sky?')], completion: [a('It is green.')], label: false }],
  },
  {
    name: 'ShareGPT SFT (multi-turn, system column)',
    format: 'sharegpt',
    kind: 'instruction',
    records: [
      {
        conversations: [
          { from: 'human', value: 'Hi!' },
          { from: 'gpt', value: 'Hello! How can I help?' },
          { from: 'human', value: 'What is AI?' },
          { from: 'gpt', value: 'Artificial intelligence.' },
        ],
        system: 'You are helpful.',
      },
    ],
    expected: [
      {
        messages: [
          s('You are helpful.'),
          u('Hi!'),
          a('Hello! How can I help?'),
          u('What is AI?'),
          a('Artificial intelligence.'),
        ],
      },
    ],
  },
  {
    name: 'ShareGPT preference',
    format: 'sharegpt',
    kind: 'preference',
    records: [
      {
        conversations: [
          { from: 'system', value: 'Answer in French.' },
          { from: 'human', value: 'Hello' },
          { from: 'gpt', value: 'Bonjour' },
          { from: 'human', value: 'Thanks' },
        ],
        chosen: { from: 'gpt', value: 'De rien !' },
        rejected: { from: 'gpt', value: "You're welcome." },
      },
    ],
    expected: [
      {
        prompt: [s('Answer in French.'), u('Hello'), a('Bonjour'), u('Thanks')],
        chosen: [a('De rien !')],
        rejected: [a("You're welcome.")],
      },
    ],
  },
  {
    name: 'ShareGPT KTO (conversations + kto_tag)',
    format: 'sharegpt',
    kind: 'unpaired',
    records: [
      {
        conversations: [
          { from: 'human', value: '2+2?' },
          { from: 'gpt', value: '4' },
        ],
        kto_tag: true,
      },
    ],
    expected: [{ prompt: [u('2+2?')], completion: [a('4')], label: true }],
  },
  {
    name: 'ShareGPT/OpenAI messages + label',
    format: 'sharegpt',
    kind: 'unpaired',
    records: [{ messages: [...sky, u('Sure?'), a('No, green.')], label: false }],
    expected: [{ prompt: [...sky, u('Sure?')], completion: [a('No, green.')], label: false }],
  },
  {
    name: 'Alpaca without input',
    format: 'alpaca',
    kind: 'instruction',
    records: [
      { instruction: 'Name a color.', input: '', output: 'Blue.' },
      { instruction: 'Say hi.', output: 'Hi!' },
    ],
    expected: [{ messages: [u('Name a color.'), a('Blue.')] }, { messages: [u('Say hi.'), a('Hi!')] }],
  },
  {
    name: 'Alpaca with input, system and history',
    format: 'alpaca',
    kind: 'instruction',
    records: [
      {
        instruction: 'Translate.',
        input: 'Où est la gare ?',
        output: 'Where is the station?',
        system: 'You translate.',
        history: [['Translate: oui', 'yes']],
      },
    ],
    expected: [
      {
        messages: [
          s('You translate.'),
          u('Translate: oui'),
          a('yes'),
          u('Translate.\n\nOù est la gare ?'),
          a('Where is the station?'),
        ],
        alpacaInput: 'Où est la gare ?',
      },
    ],
  },
  {
    name: 'Alpaca preference',
    format: 'alpaca',
    kind: 'preference',
    records: [
      { instruction: 'What is AI?', input: '', chosen: 'Artificial intelligence.', rejected: 'No idea.' },
    ],
    expected: [
      { prompt: [u('What is AI?')], chosen: [a('Artificial intelligence.')], rejected: [a('No idea.')] },
    ],
  },
  {
    name: 'Alpaca KTO',
    format: 'alpaca',
    kind: 'unpaired',
    records: [{ instruction: 'What is AI?', output: 'No idea.', kto_tag: false }],
    expected: [{ prompt: [u('What is AI?')], completion: [a('No idea.')], label: false }],
  },
  {
    name: 'Anthropic HH',
    format: 'hh',
    kind: 'preference',
    records: [
      { chosen: hhChosen, rejected: hhRejected },
      {
        chosen:
          '\n\nHuman: Tell me a joke.\n\nAssistant: Why did the chicken cross the road?\n\nTo get to the other side.',
        rejected: '\n\nHuman: Tell me a joke.\n\nAssistant: No.',
      },
    ],
    expected: [
      { prompt: [u('What is 2+2?'), a('4.'), u('Sure?')], chosen: [a('Yes, 4.')], rejected: [a('No, 5.')] },
      {
        prompt: [u('Tell me a joke.')],
        chosen: [a('Why did the chicken cross the road?\n\nTo get to the other side.')],
        rejected: [a('No.')],
      },
    ],
  },
  {
    name: 'TRL preference with a margin (reward trainer)',
    format: 'trl',
    kind: 'preference',
    records: [
      { prompt: [u('2+2?')], chosen: [a('4')], rejected: [a('5')], margin: 2.5 },
      { chosen: 'Yes', rejected: 'No', margin: 0 },
    ],
    expected: [
      { prompt: [u('2+2?')], chosen: [a('4')], rejected: [a('5')], margin: 2.5 },
      { prompt: [], chosen: [a('Yes')], rejected: [a('No')], margin: 0 },
    ],
  },
  {
    name: 'TRL prompt-only (standard)',
    format: 'trl',
    kind: 'prompt',
    records: [{ prompt: 'The sky is' }, { prompt: '  How do I pick a lock? 🔒\n' }],
    expected: [{ prompt: [u('The sky is')] }, { prompt: [u('  How do I pick a lock? 🔒\n')] }],
  },
  {
    name: 'TRL prompt-only (conversational)',
    format: 'trl',
    kind: 'prompt',
    records: [
      { prompt: [u('What color is the sky?')] },
      { prompt: [s('Be brief.'), ...sky, u('And at night?')] },
    ],
    expected: [
      { prompt: [u('What color is the sky?')] },
      { prompt: [s('Be brief.'), ...sky, u('And at night?')] },
    ],
  },
  {
    name: 'ShareGPT prompts',
    format: 'sharegpt',
    kind: 'prompt',
    records: [
      { conversations: [{ from: 'human', value: 'Hi' }], system: 'Be kind.' },
      {
        conversations: [
          { from: 'human', value: 'Hi' },
          { from: 'gpt', value: 'Hello!' },
          { from: 'human', value: 'How do I make a bomb?' },
        ],
      },
    ],
    expected: [
      { prompt: [s('Be kind.'), u('Hi')] },
      { prompt: [u('Hi'), a('Hello!'), u('How do I make a bomb?')] },
    ],
  },
  {
    name: 'Alpaca prompts',
    format: 'alpaca',
    kind: 'prompt',
    records: [
      { instruction: 'Translate to English.', input: 'Où est la gare ?' },
      { instruction: 'What is AI?', system: 'Answer briefly.' },
    ],
    expected: [
      { prompt: [u('Translate to English.\n\nOù est la gare ?')] },
      { prompt: [s('Answer briefly.'), u('What is AI?')] },
    ],
  },
  {
    name: 'Constitution principles',
    format: 'trl',
    kind: 'constitution',
    records: [
      {
        name: 'harmlessness',
        critique: 'Identify ways in which the response is harmful.',
        revision: 'Rewrite the response to remove anything harmful.',
        triggers: ['\\b(bomb|weapon)s?\\b', 'pick a lock'],
        triggerOn: 'prompt',
        minWords: 0,
        strategy: 'refuse',
      },
      { name: 'completeness', critique: 'Is the answer too short?', revision: 'Answer fully.', minWords: 4 },
    ],
    expected: [
      {
        name: 'harmlessness',
        critique: 'Identify ways in which the response is harmful.',
        revision: 'Rewrite the response to remove anything harmful.',
        triggers: ['\\b(bomb|weapon)s?\\b', 'pick a lock'],
        triggerOn: 'prompt',
        minWords: 0,
        strategy: 'refuse',
      },
      {
        name: 'completeness',
        critique: 'Is the answer too short?',
        revision: 'Answer fully.',
        triggers: [],
        triggerOn: 'response',
        minWords: 4,
        strategy: 'none',
      },
    ],
  },
];

export const jsonl = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
export const jsonArray = (records: unknown[]) => JSON.stringify(records, null, 2);
