// The form view of a stored example. Examples are stored as conversational records (records.ts);
// the forms edit their last exchange as plain fields ("Prompt", "Chosen response", …). Earlier turns
// and a system message are kept untouched when the last exchange is edited. A constitution's
// principle is not a conversation: its form edits every field, its trigger patterns one per line.
import { z } from 'zod';
import type { Message, NormalizedRecord, PrincipleRecord, RecordKind, RecordOf } from './records';

/** Longest text accepted in one field of an example: large enough for real data, small enough to keep a form responsive. */
export const MAX_TEXT_CHARS = 20_000;

const text = (label: string) =>
  z
    .string({ error: `${label} must be text` })
    .max(MAX_TEXT_CHARS, { error: `${label} is longer than ${MAX_TEXT_CHARS} characters` });
const requiredText = (label: string) => text(label).refine((s) => s.trim().length > 0, `${label} is empty`);

/** A whole number of 0 or more, typed in a form ('' is 0) or given as a number. */
const wholeNumber = (label: string) =>
  z
    .union([z.string(), z.number()], { error: `${label} must be a whole number` })
    .default('')
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : v.trim() === '' ? 0 : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (Number.isSafeInteger(n) && n >= 0) return n;
      ctx.addIssue({ code: 'custom', message: `${label} must be a whole number, 0 or more` });
      return z.NEVER;
    });

/** A principle's trigger patterns: one a line, blank lines skipped, each end's spaces dropped. */
export const patternLines = (s: string): string[] =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/**
 * Why a trigger pattern is not a regular expression the rule-based critic can use (it compiles each
 * with `new RegExp(p, 'i')`), or null when it is one.
 */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'i');
    return null;
  } catch (e) {
    // V8: "Invalid regular expression: /(a/i: Unterminated group" → "unterminated group".
    const why = (e instanceof Error ? e.message : String(e)).replace(
      /^Invalid regular expression: \/.*\/\w*: /s,
      '',
    );
    return why.charAt(0).toLowerCase() + why.slice(1);
  }
}

/** Every bad pattern, named by its line in the field as the user sees it. */
function checkPatterns(value: string, ctx: z.RefinementCtx): void {
  value.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const problem = line === '' ? null : patternProblem(line);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: `Trigger patterns, line ${i + 1}: \`${line}\` is not a valid regular expression: ${problem}`,
      });
  });
}

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
  prompt: z.object({ prompt: requiredText('Prompt') }),
  constitution: z.object({
    name: requiredText('Name'),
    critique: requiredText('Critique request'),
    revision: requiredText('Revision request'),
    triggers: text('Trigger patterns').default('').superRefine(checkPatterns),
    triggerOn: z
      .enum(['prompt', 'response'], { error: 'Triggers match must be prompt or response' })
      .default('response'),
    minWords: wholeNumber('Minimum words'),
    strategy: z
      .enum(['refuse', 'hedge', 'expand', 'none'], {
        error: 'Revision strategy must be refuse, hedge, expand or none',
      })
      .default('none'),
  }),
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
    case 'prompt':
      return { prompt: lastUser((record as RecordOf<'prompt'>).prompt) };
    case 'constitution': {
      const r = record as PrincipleRecord;
      return {
        name: r.name,
        critique: r.critique,
        revision: r.revision,
        triggers: (r.triggers ?? []).join('\n'),
        triggerOn: r.triggerOn ?? 'response',
        minWords: String(r.minWords ?? 0),
        strategy: r.strategy ?? 'none',
      };
    }
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
    case 'prompt':
      return Math.max(0, (record as RecordOf<'prompt'>).prompt.length - 1);
    case 'text':
    case 'constitution':
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
      const pair = {
        prompt: withPrompt(b?.prompt ?? [], f.prompt),
        chosen: reply(f.chosen),
        rejected: reply(f.rejected),
      };
      // The form does not show a margin; editing the texts keeps the one the pair came with.
      return (b?.margin === undefined ? pair : { ...pair, margin: b.margin }) as RecordOf<K>;
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
    case 'prompt': {
      const b = base as RecordOf<'prompt'> | undefined;
      return { prompt: withPrompt(b?.prompt ?? [], (s as SimpleOf<'prompt'>).prompt) } as RecordOf<K>;
    }
    case 'constitution': {
      const f = s as SimpleOf<'constitution'>;
      const principle: PrincipleRecord = {
        name: f.name.trim(),
        critique: f.critique.trim(),
        revision: f.revision.trim(),
        triggers: patternLines(f.triggers),
        triggerOn: f.triggerOn,
        minWords: f.minWords,
        strategy: f.strategy,
      };
      return principle as RecordOf<K>;
    }
  }
  throw new Error(`unknown kind ${String(kind)}`);
}
