// What each kind's form edits: its fields and labels, the words for its examples, and the control
// for one field (a textarea for a text, a select for an unpaired example's label).
import type { KeyboardEvent } from 'react';
import type { DatasetKind } from '../../../shared/schemas';

export interface FieldSpec {
  key: string;
  label: string;
  /** A free text, or the desirable/undesirable choice of an unpaired example. */
  input?: 'text' | 'label';
}
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
    { key: 'label', label: 'Label', input: 'label' },
  ],
  text: [{ key: 'text', label: 'Text' }],
};
export const NOUN: Record<DatasetKind, { add: string; one: string; many: string }> = {
  preference: { add: 'Add pair', one: 'pair', many: 'pairs' },
  instruction: { add: 'Add example', one: 'example', many: 'examples' },
  unpaired: { add: 'Add example', one: 'example', many: 'examples' },
  text: { add: 'Add document', one: 'document', many: 'documents' },
};

export const TITLES: Record<DatasetKind, string> = {
  preference: 'Add a preference pair',
  instruction: 'Add an example',
  unpaired: 'Add an example',
  text: 'Add a document',
};
const LABELS = [
  { value: 'desirable', label: 'Desirable' },
  { value: 'undesirable', label: 'Undesirable' },
];

export type Values = Record<string, string>;
export const blank = (fields: FieldSpec[]): Values =>
  Object.fromEntries(fields.map((f) => [f.key, f.input === 'label' ? 'desirable' : '']));
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

/** The control for one field: a select for a label, a textarea for any text. */
export function FieldInput({ spec, value, onChange, control, rows, form, autoFocus }: InputProps) {
  if (spec.input === 'label')
    return (
      <select
        {...control}
        form={form}
        autoFocus={autoFocus}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {LABELS.map((l) => (
          <option key={l.value} value={l.value}>
            {l.label}
          </option>
        ))}
      </select>
    );
  return (
    <textarea
      {...control}
      form={form}
      rows={rows}
      autoFocus={autoFocus}
      value={value}
      onKeyDown={submitOnModEnter}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** How a stored value reads in the table. */
export function CellText({ spec, value }: { spec: FieldSpec; value: string | undefined }) {
  if (spec.input === 'label')
    return (
      <span className={`label label-${value ?? 'none'}`}>
        {LABELS.find((l) => l.value === value)?.label ?? value}
      </span>
    );
  if (!value) return <span className="muted">(empty)</span>;
  return <span className="clamp">{value}</span>;
}
