// Readers for the fields of one raw record. Each checks one field and, when it is wrong, throws a
// FieldError that names the field by its path in the record (`conversations[2].value`) and says why
// in words a user can act on. The format readers are built from these.
import type { Message, NormalizedRecord, ParseOptions, RecordKind, Role } from './types';

export type Obj = Record<string, unknown>;

export class FieldError extends Error {
  constructor(
    /** Path of the field in the record; '' for the record itself. */
    readonly field: string,
    /** Sentence without location, e.g. "`chosen` is missing". */
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

export const code = (field: string) => '`' + field + '`';
export const fail = (field: string, problem: string): never => {
  throw new FieldError(field, field ? `${code(field)} ${problem}` : problem);
};

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "a number", "an array", "null", … for messages like "must be text (found a number)". */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return `${v}`;
  return `a ${typeof v}`;
}

export const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** True when the key is present with a value other than null. */
export const has = (o: Obj, key: string) => o[key] !== undefined && o[key] !== null;

function present(o: Obj, key: string, path: string): unknown {
  const field = join(path, key);
  if (!(key in o)) fail(field, 'is missing');
  if (o[key] === null) fail(field, 'is null');
  return o[key];
}

export function text(o: Obj, key: string, path = ''): string {
  const v = present(o, key, path);
  if (typeof v !== 'string') fail(join(path, key), `must be text (found ${describeValue(v)})`);
  return v as string;
}

/** Missing or null → undefined. */
export function optionalText(o: Obj, key: string, path = ''): string | undefined {
  return has(o, key) ? text(o, key, path) : undefined;
}

export function list(o: Obj, key: string, path = ''): unknown[] {
  const v = present(o, key, path);
  if (!Array.isArray(v)) fail(join(path, key), `must be a list (found ${describeValue(v)})`);
  return v as unknown[];
}

export function bool(o: Obj, key: string, path = ''): boolean {
  const v = present(o, key, path);
  if (typeof v !== 'boolean') fail(join(path, key), `must be true or false (found ${describeValue(v)})`);
  return v as boolean;
}

export function object(v: unknown, field: string): Obj {
  if (!isObj(v)) fail(field, `must be an object (found ${describeValue(v)})`);
  return v as Obj;
}

/** A list of `{role, content}` messages, as TRL and OpenAI write them. */
export function roleContentMessages(o: Obj, key: string, path = ''): Message[] {
  const field = join(path, key);
  return list(o, key, path).map((item, i) => {
    const m = object(item, join(field, i));
    const role = text(m, 'role', join(field, i));
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      const why =
        role === 'tool' ? 'tool turns are not supported' : 'must be "system", "user" or "assistant"';
      fail(join(join(field, i), 'role'), `${why} (found "${role}")`);
    }
    return { role: role as Role, content: text(m, 'content', join(field, i)) };
  });
}

/** Conversational (list) or standard (string) TRL value; a string becomes one message (none if empty). */
export function messagesOrText(o: Obj, key: string, role: Role, path = ''): Message[] {
  const v = present(o, key, path);
  if (typeof v === 'string') return v === '' ? [] : [{ role, content: v }];
  if (Array.isArray(v)) return roleContentMessages(o, key, path);
  return fail(join(path, key), `must be text or a list of messages (found ${describeValue(v)})`);
}

export const isBlank = (s: string) => s.trim() === '';

/** The last turn of a response must say something. */
export function requireResponse(messages: Message[], field: string): void {
  const last = messages.at(-1);
  if (!last) fail(field, 'is empty');
  else if (isBlank(last.content)) fail(field, messages.length > 1 ? 'ends with an empty turn' : 'is empty');
}

export function requireEndsWithAssistant(messages: Message[], field: string): void {
  const last = messages.at(-1);
  if (!last) fail(field, 'is empty');
  else if (last.role !== 'assistant')
    fail(field, `must end with an assistant turn (it ends with ${last.role})`);
  requireResponse(messages, field);
}

/** Longest shared run of equal messages at the start of both lists. */
export function sharedPrefixLength(a: Message[], b: Message[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i]!.role === b[i]!.role && a[i]!.content === b[i]!.content) i++;
  return i;
}

/** How one file format reads its records; one per format, the parser picks among them. */
export interface FormatReader {
  /** The kinds this format can hold, with the fields that mark them, for messages. */
  shapes: Partial<Record<RecordKind, string>>;
  /** The kind this record has in this format, or null when it does not look like this format. */
  classify(o: Obj): RecordKind | null;
  /** Reads one record as `kind`; throws FieldError. `kind` is one of `shapes`. */
  read(kind: RecordKind, o: Obj, opts: ParseOptions): NormalizedRecord;
}
