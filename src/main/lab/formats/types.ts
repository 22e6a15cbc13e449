// Types of the import/export layer. The records themselves are part of the contract (src/shared/records.ts):
// every dataset's examples are stored as these normalized, conversational records.
export * from '../../../shared/records';
import type { FormatName, KindedRecords, RecordKind } from '../../../shared/records';

// ── Files ───────────────────────────────────────────────────────────────────────────────────

/** `jsonl`: one JSON object a line; `json`: one array of objects (or `{"data": [...]}`). */
export type Container = 'jsonl' | 'json';

export interface Detection {
  /** null when no record has a recognizable shape (or the file holds none). */
  format: FormatName | null;
  container: Container;
  kind: RecordKind | null;
  /** Share of records whose shape agrees with the detected format and kind, 0..1. */
  confidence: number;
  /** One sentence for the user, e.g. "300 of 300 records have `conversations`, `chosen` and `rejected` …". */
  reason: string;
}

/** A problem with one record (or with the whole file: `record` -1). */
export interface ImportIssue {
  /** 1-based line in the file: the record's line (JSONL) or the line its object starts on (JSON). */
  line?: number;
  /** 0-based index of the record: its position among non-blank lines (JSONL) or in the array (JSON). */
  record: number;
  /** The offending field, as a path into the record (`conversations[2].value`); '' for the record itself. */
  field: string;
  /** Complete sentence with its location, ready to show: "line 12: `chosen` is missing". */
  message: string;
}

export interface ParseOptions {
  /** Read the file as this format instead of detecting it. */
  format?: FormatName;
  /** `skip` (default) keeps the good records; `refuse` imports nothing when any record is bad. */
  onError?: 'skip' | 'refuse';
  /** Alpaca `input`: `append` (default) adds it to the user turn after `alpacaSeparator`; `separate`
   * leaves the user turn as the instruction alone. Either way it is also kept in `alpacaInput`. */
  alpacaInput?: 'append' | 'separate';
  /** Joins instruction and input when appending. Default "\n\n"; LLaMA-Factory itself uses "\n". */
  alpacaSeparator?: string;
}

export type ParseResult = (KindedRecords | { kind: null; records: [] }) & {
  format: FormatName | null;
  container: Container;
  errors: ImportIssue[];
  /** True when nothing was imported because of errors: `onError: 'refuse'`, every record bad, or an unreadable file. */
  refused: boolean;
};
