// Which format and kind a file holds, decided by the fields of its records: each record is given the
// most specific shape it fits, and the shape most records share wins.
import { alpaca } from './alpaca';
import { readContainer, type RawRecord } from './container';
import { isObj, type FormatReader, type Obj } from './fields';
import { hh } from './hh';
import { sharegpt } from './sharegpt';
import { trl } from './trl';
import type { Detection, FormatName, RecordKind } from './types';

export const READERS: Record<FormatName, FormatReader> = { trl, sharegpt, alpaca, hh };

export interface Shape {
  format: FormatName;
  kind: RecordKind;
}

/** "ShareGPT preference (`conversations`, `chosen`, `rejected`)". */
export const describeShape = ({ format, kind }: Shape): string =>
  READERS[format].shapes[kind] ?? `${format} ${kind}`;

/**
 * The shape of one record, most specific first: ShareGPT (`conversations`; `messages` with a KTO label
 * or a `chosen` turn object), Alpaca (`instruction`), HH transcripts, then TRL's plain columns.
 */
export function classifyRecord(o: Obj): Shape | null {
  if ('conversations' in o) return { format: 'sharegpt', kind: sharegpt.classify(o) ?? 'instruction' };
  if ('messages' in o && ('label' in o || 'kto_tag' in o)) return { format: 'sharegpt', kind: 'unpaired' };
  if ('messages' in o && isObj(o['chosen']) && 'rejected' in o)
    return { format: 'sharegpt', kind: 'preference' };
  if ('instruction' in o) return { format: 'alpaca', kind: alpaca.classify(o) ?? 'instruction' };
  if (hh.classify(o)) return { format: 'hh', kind: 'preference' };
  const kind = trl.classify(o);
  return kind ? { format: 'trl', kind } : null;
}

/** Majority shape of the records (all of them: a count is cheap next to parsing the file). */
export function detectRecords(records: RawRecord[]): Omit<Detection, 'container'> {
  const counts = new Map<string, { shape: Shape; n: number }>();
  for (const { value } of records) {
    const shape = isObj(value) ? classifyRecord(value) : null;
    if (!shape) continue;
    const key = `${shape.format}/${shape.kind}`;
    const entry = counts.get(key) ?? { shape, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  const ranked = [...counts.values()].sort((a, b) => b.n - a.n);
  const best = ranked[0];
  const total = records.length;
  if (!best) {
    const reason =
      total === 0
        ? 'the file holds no records'
        : 'no record has the fields of a known format (TRL, ShareGPT, Alpaca or Anthropic HH)';
    return { format: null, kind: null, confidence: 0, reason };
  }
  const also = ranked
    .slice(1)
    .map((r) => `${r.n} ${describeShape(r.shape)}`)
    .join(', ');
  const reason =
    `${best.n} of ${total} record${total === 1 ? ' is' : 's are'} ${describeShape(best.shape)}` +
    (also ? `; also ${also}` : '');
  return { ...best.shape, confidence: best.n / total, reason };
}

export function detectFormat(text: string): Detection {
  const file = readContainer(text);
  if (file.fatal)
    return { format: null, kind: null, container: file.container, confidence: 0, reason: file.fatal.message };
  const found = detectRecords(file.records);
  const total = file.records.length + file.errors.length;
  // Lines that are not JSON count against confidence too.
  return {
    ...found,
    container: file.container,
    confidence: total ? (found.confidence * file.records.length) / total : 0,
  };
}
