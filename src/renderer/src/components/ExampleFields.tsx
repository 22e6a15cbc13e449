// What each kind's form edits: its fields and labels, the words for its examples, the control for
// one field (a textarea for a text, a one-line input, a whole number, or a choice), and, for a
// constitution, the compact columns its table shows instead of every field.
import type { KeyboardEvent, ReactNode } from 'react';
import { patternLines } from '../../../shared/examples';
import type { DatasetKind } from '../../../shared/schemas';

export interface Option {
  value: string;
  label: string;
}
export interface FieldSpec {
  key: string;
  label: string;
  /** A free text (the default), one line, a whole number, or one of `options`. */
  input?: 'text' | 'line' | 'number' | 'select';
  options?: readonly Option[];
  /** Shown under the control in the add form. */
  hint?: string;
  /** Textarea height in the add form. */
  rows?: number;
  /** What a blank form starts with ('' for a text, the first option for a choice). */
  initial?: string;
}

const LABELS: Option[] = [
  { value: 'desirable', label: 'Desirable' },
  { value: 'undesirable', label: 'Undesirable' },
];
const TRIGGER_ON: Option[] = [
  { value: 'response', label: 'The response' },
  { value: 'prompt', label: 'The prompt' },
];
const STRATEGIES: Option[] = [
  { value: 'refuse', label: 'Refuse' },
  { value: 'hedge', label: 'Hedge (add uncertainty)' },
  { value: 'expand', label: 'Expand (answer fully)' },
  { value: 'none', label: 'None' },
];

export const FIELDS: Record<DatasetKind, FieldSpec[]> = {
  preference: [
    { key: 'prompt', label: 'Prompt' },
    { key: 'chosen', label: 'Chosen response' },
    { key: 'rejected', label: 'Rejected response' },
  ],
  instruction: [
    { key: 'prompt', label: 'Prompt' },
    { key: 'response', label: 'Response' },
  ],
  unpaired: [
    { key: 'prompt', label: 'Prompt' },
    { key: 'completion', label: 'Completion' },
    { key: 'label', label: 'Label', input: 'select', options: LABELS },
  ],
  text: [{ key: 'text', label: 'Text', rows: 12 }],
  prompt: [{ key: 'prompt', label: 'Prompt' }],
  constitution: [
    { key: 'name', label: 'Name', input: 'line' },
    { key: 'critique', label: 'Critique request', rows: 3 },
    { key: 'revision', label: 'Revision request', rows: 3 },
    {
      key: 'triggers',
      label: 'Trigger patterns (one per line)',
      rows: 3,
      hint: 'Regular expressions, case-insensitive: any match flags the principle (rule-based critic).',
    },
    { key: 'triggerOn', label: 'Triggers match', input: 'select', options: TRIGGER_ON },
    {
      key: 'minWords',
      label: 'Minimum words',
      input: 'number',
      initial: '0',
      hint: 'A shorter response is flagged; 0 for no length rule.',
    },
    { key: 'strategy', label: 'Revision strategy', input: 'select', options: STRATEGIES, initial: 'none' },
  ],
};
export const NOUN: Record<DatasetKind, { add: string; one: string; many: string }> = {
  preference: { add: 'Add pair', one: 'pair', many: 'pairs' },
  instruction: { add: 'Add example', one: 'example', many: 'examples' },
  unpaired: { add: 'Add example', one: 'example', many: 'examples' },
  text: { add: 'Add document', one: 'document', many: 'documents' },
  prompt: { add: 'Add prompt', one: 'prompt', many: 'prompts' },
  constitution: { add: 'Add principle', one: 'principle', many: 'principles' },
};

export const TITLES: Record<DatasetKind, string> = {
  preference: 'Add a preference pair',
  instruction: 'Add an example',
  unpaired: 'Add an example',
  text: 'Add a document',
  prompt: 'Add a prompt',
  constitution: 'Add a principle',
};

export type Values = Record<string, string>;
export const blank = (fields: FieldSpec[]): Values =>
  Object.fromEntries(fields.map((f) => [f.key, f.initial ?? f.options?.[0]?.value ?? '']));
export const keysOf = (fields: FieldSpec[]) => fields.map((f) => f.key);
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Ctrl/Cmd+Enter submits a form from a textarea (plain Enter makes a new line). */
function submitOnModEnter(e: KeyboardEvent<HTMLTextAreaElement>) {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    e.currentTarget.form?.requestSubmit();
  }
}

interface InputProps {
  spec: FieldSpec;
  value: string;
  onChange: (value: string) => void;
  control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };
  rows: number;
  form?: string;
  autoFocus?: boolean;
}

/** The control for one field: a select for a choice, an input for a line or a number, else a textarea. */
export function FieldInput({ spec, value, onChange, control, rows, form, autoFocus }: InputProps) {
  const common = { ...control, form, autoFocus, value };
  if (spec.input === 'select')
    return (
      <select {...common} onChange={(e) => onChange(e.target.value)}>
        {(spec.options ?? []).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  if (spec.input === 'line' || spec.input === 'number')
    return (
      <input
        {...common}
        {...(spec.input === 'number'
          ? { type: 'number', min: 0, step: 1, inputMode: 'numeric' }
          : { type: 'text' })}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  return (
    <textarea
      {...common}
      rows={rows}
      onKeyDown={submitOnModEnter}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** How a stored value reads in the table. */
export function CellText({ spec, value }: { spec: FieldSpec; value: string | undefined }) {
  if (spec.input === 'select')
    return (
      <span className={`label label-${value ?? 'none'}`}>
        {spec.options?.find((o) => o.value === value)?.label ?? value}
      </span>
    );
  if (!value) return <span className="muted">(empty)</span>;
  return <span className="clamp">{value}</span>;
}

// ── Compact columns ──────────────────────────────────────────────────────────────────────────

export interface Column {
  label: string;
  cell: (data: Values) => ReactNode;
  /** Long text, clamped (the row's text-cell style). */
  text?: boolean;
}

/** How many trigger patterns a table cell lists before "+N more", and how much of each. */
const SHOWN_PATTERNS = 2;
const PATTERN_CHARS = 28;
const shorten = (p: string) => (p.length > PATTERN_CHARS ? `${p.slice(0, PATTERN_CHARS - 1)}…` : p);

/** A principle's rule-based critic in a line or two: its patterns, what they match, its word rule. */
function Triggers({ data }: { data: Values }) {
  const patterns = patternLines(data['triggers'] ?? '');
  const minWords = Number(data['minWords'] ?? 0);
  if (patterns.length === 0 && !(minWords > 0)) return <span className="muted">none</span>;
  return (
    <span className="principle-triggers">
      {patterns.length > 0 && (
        <span>
          <span className="muted">on the {data['triggerOn'] === 'prompt' ? 'prompt' : 'response'}:</span>{' '}
          {patterns.slice(0, SHOWN_PATTERNS).map((p, i) => (
            <code key={i} className="pattern" title={p}>
              {shorten(p)}
            </code>
          ))}
          {patterns.length > SHOWN_PATTERNS && (
            <span className="muted"> +{patterns.length - SHOWN_PATTERNS} more</span>
          )}
        </span>
      )}
      {minWords > 0 && <span>under {plural(minWords, 'word', 'words')}</span>}
    </span>
  );
}

const field = (kind: DatasetKind, key: string) => FIELDS[kind].find((f) => f.key === key)!;

/** Kinds whose table shows these columns instead of one per field; their rows are edited in a wide form. */
export const COLUMNS: Partial<Record<DatasetKind, Column[]>> = {
  constitution: [
    { label: 'Name', cell: (d) => <strong>{d['name']}</strong> },
    { label: 'Critique request', text: true, cell: (d) => <span className="clamp">{d['critique']}</span> },
    {
      label: 'Strategy',
      cell: (d) => <CellText spec={field('constitution', 'strategy')} value={d['strategy']} />,
    },
    { label: 'Triggers', cell: (d) => <Triggers data={d} /> },
  ],
};
