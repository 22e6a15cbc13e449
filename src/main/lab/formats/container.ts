// Splits a file's text into raw records, each with where it came from, before any format is applied.
// Reads a JSON array (or an object holding one under `data`) and JSON Lines, told apart by content;
// tolerates a byte-order mark, CRLF line ends and blank lines.
import { isObj } from './fields';
import type { Container, ImportIssue } from './types';

export interface RawRecord {
  value: unknown;
  /** 0-based index among the file's records. */
  record: number;
  /** 1-based line where the record starts, when known. */
  line?: number;
}

export interface RawFile {
  container: Container;
  records: RawRecord[];
  /** Records that are not JSON, each with its place. */
  errors: ImportIssue[];
  /** Set when the file as a whole cannot be read; then `records` is empty. */
  fatal?: ImportIssue;
}

/** "line 12" (JSON Lines) or "record 5 (line 120)" (JSON). */
export function where(container: Container, record: number, line?: number): string {
  if (record < 0) return line === undefined ? 'file' : `line ${line}`;
  if (container === 'jsonl') return line === undefined ? `record ${record}` : `line ${line}`;
  return line === undefined ? `record ${record}` : `record ${record} (line ${line})`;
}

function fileError(container: Container, message: string, line?: number): RawFile {
  const at = line === undefined ? '' : `line ${line}: `;
  return {
    container,
    records: [],
    errors: [],
    fatal: { line, record: -1, field: '', message: at + message },
  };
}

export function readContainer(input: string): RawFile {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const start = text.search(/\S/);
  if (start < 0) return fileError('jsonl', 'the file is empty');

  if (text[start] === '[' || text[start] === '{') {
    let whole: unknown;
    let error: unknown;
    try {
      whole = JSON.parse(text);
    } catch (e) {
      error = e;
    }
    if (Array.isArray(whole)) {
      const { elements } = splitArray(text, start);
      const records = whole.map((value, record) => ({ value, record, line: elements[record]?.line }));
      return { container: 'json', records, errors: [] };
    }
    if (isObj(whole) && Array.isArray(whole['data'])) {
      const data = whole['data'] as unknown[];
      return { container: 'json', records: data.map((value, record) => ({ value, record })), errors: [] };
    }
    if (isObj(whole) && text.slice(start).trimEnd().includes('\n'))
      return {
        container: 'json',
        records: [{ value: whole, record: 0, line: lineAt(text, start) }],
        errors: [],
      };
    if (text[start] === '[') return brokenArray(text, start, error);
  }

  const file: RawFile = { container: 'jsonl', records: [], errors: [] };
  const lines = text.split('\n');
  let record = 0;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    try {
      file.records.push({ value: JSON.parse(raw), record, line });
    } catch (e) {
      const message = `line ${line}: not valid JSON (${jsonError(e, raw).message})`;
      file.errors.push({ line, record, field: '', message });
    }
    record++;
  });
  if (file.records.length === 0 && file.errors.length > 1) {
    // Not one line is JSON: this is not a JSON Lines file, so report the file once, not every line.
    const whole = (() => {
      try {
        JSON.parse(text);
        return { message: 'the top level must be a list of records', line: undefined };
      } catch (e) {
        return jsonError(e, text);
      }
    })();
    return fileError('jsonl', `neither JSON nor JSON Lines (${whole.message})`, whole.line);
  }
  return file;
}

/** An array that is not valid JSON: read element by element, reporting the bad ones by place. */
function brokenArray(text: string, start: number, error: unknown): RawFile {
  const { elements, ok } = splitArray(text, start);
  const file: RawFile = { container: 'json', records: [], errors: [] };
  elements.forEach(({ from, to, line }, record) => {
    try {
      file.records.push({ value: JSON.parse(text.slice(from, to)), record, line });
    } catch (e) {
      const why =
        from === to ? 'empty (two commas in a row?)' : `not valid JSON (${jsonError(e, '').message})`;
      file.errors.push({ line, record, field: '', message: `record ${record} (line ${line}): ${why}` });
    }
  });
  if (ok) return file; // element by element, or only a trailing comma that JSON forbids
  const first = file.errors[0];
  if (first) {
    const message = `the list of records is broken, first at ${first.message}`;
    return { container: 'json', records: [], errors: [], fatal: { ...first, record: -1, message } };
  }
  const { message, line } = jsonError(error, text);
  return fileError('json', `not valid JSON (${message})`, line);
}

/** A JSON.parse error as a short message, and the line it points at when the engine says. */
function jsonError(e: unknown, source: string): { message: string; line?: number } {
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
  const pos = /at position (\d+)/.exec(message);
  return { message, line: pos ? lineAt(source, Number(pos[1])) : undefined };
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

interface Element {
  from: number;
  to: number;
  line: number;
}

/**
 * The top-level elements of the array starting at `start`, found by bracket and string tracking alone
 * so that a broken element does not hide the others; `ok` is false when the array's outline itself is
 * broken (unclosed, or text after it). An empty element after a trailing comma is dropped.
 */
function splitArray(text: string, start: number): { elements: Element[]; ok: boolean } {
  const elements: Element[] = [];
  let line = lineAt(text, start);
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current: Element | null = null;
  let i = start;
  const close = (end: number) => {
    if (current) elements.push({ ...current, to: end });
    current = null;
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    const space = ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t';
    if (depth === 1 && !current && !space && ch !== ',' && ch !== ']') current = { from: i, to: i, line };
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      if (--depth === 0) {
        close(i);
        break;
      }
    } else if (ch === ',' && depth === 1) {
      if (!current) elements.push({ from: i, to: i, line }); // an empty element: `[a,,b]`
      close(i);
    }
  }
  const ok = depth === 0 && i < text.length && text.slice(i + 1).trim() === '';
  return { elements, ok };
}
