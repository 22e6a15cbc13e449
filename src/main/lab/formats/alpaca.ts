// LLaMA-Factory's alpaca format (data/README.md): `instruction` (required), `input` (optional),
// `output`, optional `system` and `history` (a list of [instruction, response] pairs, earlier turns).
// Preference records carry `chosen` and `rejected` strings instead of `output`; KTO records add
// `kto_tag` (or `label`); a record with no `output` (nor `chosen`/`rejected`) is a prompt, for PPO
// and Constitutional AI. The user turn is the instruction and, unless asked to keep it apart, the
// input after a separator; the raw input is also kept in `alpacaInput` for Alpaca prompt templates.
import {
  bool,
  describeValue,
  fail,
  has,
  isBlank,
  join,
  list,
  optionalText,
  text,
  type FormatReader,
  type Obj,
} from './fields';
import type { Message, ParseOptions } from './types';

/** Default between instruction and input (LLaMA-Factory joins with "\n"; see ParseOptions). */
export const ALPACA_SEPARATOR = '\n\n';

export const alpaca: FormatReader = {
  shapes: {
    instruction: 'Alpaca (`instruction`, `input`, `output`)',
    preference: 'Alpaca preference (`instruction`, `chosen`, `rejected`)',
    unpaired: 'Alpaca KTO (`instruction`, `output`, `kto_tag`)',
    prompt: 'Alpaca prompts (`instruction`, `input`, no `output`)',
  },

  classify(o) {
    if (!('instruction' in o) && !('output' in o)) return null;
    if ('chosen' in o && 'rejected' in o) return 'preference';
    if ('kto_tag' in o || 'label' in o) return 'unpaired';
    if (!('output' in o)) return 'prompt';
    return 'instruction';
  },

  read(kind, o, opts) {
    const { prompt, input } = promptOf(o, opts);
    const answer = (key: string): Message[] => {
      const t = text(o, key);
      if (isBlank(t)) fail(key, 'is empty');
      return [{ role: 'assistant', content: t }];
    };
    switch (kind) {
      case 'instruction': {
        const messages = [...prompt, ...answer('output')];
        return input === '' ? { messages } : { messages, alpacaInput: input };
      }
      case 'preference':
        return { prompt, chosen: answer('chosen'), rejected: answer('rejected') };
      case 'unpaired':
        return { prompt, completion: answer('output'), label: bool(o, 'kto_tag' in o ? 'kto_tag' : 'label') };
      case 'prompt':
        return { prompt };
      case 'text':
        return fail('', 'Alpaca records cannot be read as plain text');
      case 'constitution':
        return fail('', 'Alpaca records cannot be read as a constitution');
    }
  },
};

/** [system?, ...history, user] and the raw input ('' when none). */
function promptOf(o: Obj, opts: ParseOptions): { prompt: Message[]; input: string } {
  const instruction = text(o, 'instruction');
  const input = optionalText(o, 'input') ?? '';
  const user =
    opts.alpacaInput === 'separate'
      ? instruction
      : [instruction, input].filter((s) => s !== '').join(opts.alpacaSeparator ?? ALPACA_SEPARATOR);
  if (isBlank(instruction) && isBlank(input)) fail('instruction', 'is empty');

  const prompt: Message[] = [];
  const system = optionalText(o, 'system');
  if (system !== undefined && system !== '') prompt.push({ role: 'system', content: system });
  if (has(o, 'history')) {
    list(o, 'history').forEach((pair, i) => {
      const path = join('history', i);
      if (!Array.isArray(pair) || pair.length !== 2) {
        const found = Array.isArray(pair) ? `a list of ${pair.length}` : describeValue(pair);
        fail(path, `must be an [instruction, response] pair (found ${found})`);
      }
      const [q, a] = pair as unknown[];
      if (typeof q !== 'string') fail(join(path, 0), `must be text (found ${describeValue(q)})`);
      if (typeof a !== 'string') fail(join(path, 1), `must be text (found ${describeValue(a)})`);
      prompt.push({ role: 'user', content: q as string }, { role: 'assistant', content: a as string });
    });
  }
  prompt.push({ role: 'user', content: user });
  return { prompt, input };
}
