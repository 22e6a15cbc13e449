// The form view of a stored example. Examples are stored as conversational records (records.ts);
// the forms edit their last exchange as plain fields ("Prompt", "Chosen response", …). Earlier turns
// and a system message are kept untouched when the last exchange is edited.
import { z } from 'zod';
import type { Message, NormalizedRecord, RecordKind, RecordOf } from './records';

/** Longest text accepted in one field of an example: large enough for real data, small enough to keep a form responsive. */
export const MAX_TEXT_CHARS = 20_000;

const text = (label: string) =>
  z
    .string({ error: `${label} must be text` })
    .max(MAX_TEXT_CHARS, { error: `${label} is longer than ${MAX_TEXT_CHARS} characters` });
const requiredText = (label: string) => text(label).refine((s) => s.trim().length > 0, `${label} is empty`);

/** The fields of each kind's form, with their labels: what the forms show and the errors name. */
export const SIMPLE_SCHEMAS = {
  preference: z.object({
    prompt: text('Prompt'),
    chosen: requiredText('Chosen response'),
    rejected: requiredText('Rejected response'),
  }),
  instruction: z.object({ prompt: requiredText('Prompt'), response: requiredText('Response') }),
  unpaired: z.object({
    prompt: text('Prompt'),
    completion: requiredText('Completion'),
    label: z.enum(['desirable', 'undesirable'], { error: 'Label must be desirable or undesirable' }),
  }),
  text: z.object({ text: requiredText('Text') }),
} as const;
export type SimpleOf<K extends RecordKind> = z.infer<(typeof SIMPLE_SCHEMAS)[K]>;

const join = (messages: Message[]) => messages.map((m) => m.content).join('\n\n');
const lastUser = (messages: Message[]) =>
  [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/** The form view of a record: its last exchange as strings. */
export function simpleView(kind: RecordKind, record: NormalizedRecord): Record<string, string> {
  switch (kind) {
    case 'preference': {
      const r = record as RecordOf<'preference'>;
      return { prompt: lastUser(r.prompt), chosen: join(r.chosen), rejected: join(r.rejected) };
    }
    case 'instruction': {
      const r = record as RecordOf<'instruction'>;
      return { prompt: lastUser(r.messages.slice(0, -1)), response: r.messages.at(-1)?.content ?? '' };
    }
    case 'unpaired': {
      const r = record as RecordOf<'unpaired'>;
      return {
        prompt: lastUser(r.prompt),
        completion: join(r.completion),
        label: r.label ? 'desirable' : 'undesirable',
      };
    }
    case 'text':
      return { text: (record as RecordOf<'text'>).text };
  }
}

/** Messages before the last exchange (system and earlier turns): what the form does not show. */
export function contextTurns(kind: RecordKind, record: NormalizedRecord): number {
  switch (kind) {
    case 'preference':
    case 'unpaired':
      return Math.max(0, (record as RecordOf<'preference'>).prompt.length - 1);
    case 'instruction':
      return Math.max(0, (record as RecordOf<'instruction'>).messages.length - 2);
    case 'text':
      return 0;
  }
}

/** Replaces the last user turn of `prompt` (or appends one), keeping what came before. */
function withPrompt(prompt: Message[], content: string): Message[] {
  const i = prompt.map((m) => m.role).lastIndexOf('user');
  const before = i >= 0 ? prompt.slice(0, i) : prompt;
  return content === '' && i < 0 ? before : [...before, { role: 'user', content }];
}
const reply = (content: string): Message[] => [{ role: 'assistant', content }];

/**
 * A record from a form's fields; with `base`, the base record's earlier turns and system message are
 * kept and only its last exchange is replaced.
 */
export function fromSimple<K extends RecordKind>(kind: K, s: SimpleOf<K>, base?: RecordOf<K>): RecordOf<K> {
  switch (kind) {
    case 'preference': {
      const f = s as SimpleOf<'preference'>;
      const b = base as RecordOf<'preference'> | undefined;
      return {
        prompt: withPrompt(b?.prompt ?? [], f.prompt),
        chosen: reply(f.chosen),
        rejected: reply(f.rejected),
      } as RecordOf<K>;
    }
    case 'instruction': {
      const f = s as SimpleOf<'instruction'>;
      const b = base as RecordOf<'instruction'> | undefined;
      const messages = [...withPrompt(b?.messages.slice(0, -1) ?? [], f.prompt), ...reply(f.response)];
      return (
        b?.alpacaInput === undefined ? { messages } : { messages, alpacaInput: b.alpacaInput }
      ) as RecordOf<K>;
    }
    case 'unpaired': {
      const f = s as SimpleOf<'unpaired'>;
      const b = base as RecordOf<'unpaired'> | undefined;
      return {
        prompt: withPrompt(b?.prompt ?? [], f.prompt),
        completion: reply(f.completion),
        label: f.label === 'desirable',
      } as RecordOf<K>;
    }
    case 'text':
      return { text: (s as SimpleOf<'text'>).text } as RecordOf<K>;
  }
  throw new Error(`unknown kind ${String(kind)}`);
}
