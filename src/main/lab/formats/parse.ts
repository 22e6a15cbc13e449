// Reads a dataset file into normalized records: finds the container and the format (or takes the one
// asked for), reads every record with that format's reader and reports each bad one by its place and
// field, keeping the good ones (or none, with `onError: 'refuse'`).
import { readContainer, where } from './container';
import { classifyRecord, describeShape, detectRecords, READERS, type Shape } from './detect';
import { FieldError, describeValue, isObj } from './fields';
import { FORMAT_LABELS } from './types';
import type { ImportIssue, NormalizedRecord, ParseOptions, ParseResult, RecordKind } from './types';

export function parseDataset(text: string, opts: ParseOptions = {}): ParseResult {
  const file = readContainer(text);
  const { container } = file;
  const refuse = (errors: ImportIssue[]): ParseResult => ({
    kind: null,
    format: null,
    container,
    records: [],
    errors,
    refused: true,
  });
  if (file.fatal) return refuse([file.fatal]);

  const shape = chooseShape(
    file.records.map((r) => r.value),
    opts,
  );
  if ('problem' in shape) return refuse([...file.errors, { record: -1, field: '', message: shape.problem }]);
  const { format, kind } = shape;
  const reader = READERS[format];

  const records: NormalizedRecord[] = [];
  const errors = [...file.errors];
  for (const { value, record, line } of file.records) {
    const report = (field: string, problem: string) =>
      errors.push({ line, record, field, message: `${where(container, record, line)}: ${problem}` });
    if (!isObj(value)) {
      report('', `must be a JSON object (found ${describeValue(value)})`);
      continue;
    }
    // The record's own shape: among the named format's kinds, or among all formats when detecting.
    const ownKind = opts.format ? reader.classify(value) : null;
    const own: Shape | null = opts.format ? ownKind && { format, kind: ownKind } : classifyRecord(value);
    const differs = own !== null && (own.format !== format || own.kind !== kind);
    const hint = differs ? ` (this record looks like ${describeShape(own)})` : '';
    try {
      const normalized = reader.read(kind, value, opts);
      if (differs) {
        report('', `this record is ${describeShape(own)}, but the file holds ${describeShape(shape)}`);
        continue;
      }
      records.push(normalized);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      report(e.field, e.message + hint);
    }
  }
  errors.sort((a, b) => a.record - b.record);

  const refused = errors.length > 0 && (opts.onError === 'refuse' || records.length === 0);
  return {
    kind,
    format,
    container,
    records: refused ? [] : records,
    errors,
    refused,
  } as ParseResult;
}

/** The format asked for (with its most common kind among the records) or the detected one. */
function chooseShape(values: unknown[], opts: ParseOptions): Shape | { problem: string } {
  if (!opts.format) {
    const found = detectRecords(values.map((value, record) => ({ value, record })));
    if (found.format && found.kind) return { format: found.format, kind: found.kind };
    return { problem: found.reason };
  }
  const reader = READERS[opts.format];
  const counts = new Map<RecordKind, number>();
  for (const v of values) {
    const k = isObj(v) ? reader.classify(v) : null;
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (best) return { format: opts.format, kind: best[0] };
  const expected = Object.values(reader.shapes).join('; or ');
  const found = detectRecords(values.map((value, record) => ({ value, record })));
  if (!found.format || !found.kind) return { problem: `no record has the fields of ${expected}` };
  // Say what the records are instead, and whether the format asked for can hold that kind at all.
  const label = FORMAT_LABELS[opts.format];
  const them = describeShape({ format: found.format, kind: found.kind });
  if (!(found.kind in reader.shapes))
    return {
      problem:
        `${label} files cannot hold ${KIND_WORDS[found.kind]}: not supported for this kind ` +
        `(the records are ${them}; import them as ${FORMAT_LABELS[found.format]})`,
    };
  return { problem: `no record has the fields of ${expected}; the records are ${them}` };
}

/** A kind in the words of "ShareGPT files cannot hold …". */
const KIND_WORDS: Record<RecordKind, string> = {
  instruction: 'instruction data',
  preference: 'preference pairs',
  unpaired: 'unpaired examples',
  text: 'plain text documents',
  prompt: 'prompt-only records',
  constitution: 'constitution principles',
};
