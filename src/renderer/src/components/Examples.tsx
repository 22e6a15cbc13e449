// The example editors of a dataset page: the add form, and a table row with inline edit and delete.
import { useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import type { DatasetKind, Example } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';

export interface FieldSpec {
  key: string;
  label: string;
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
    { key: 'label', label: 'Label' },
  ],
  text: [{ key: 'text', label: 'Text' }],
};
export const NOUN: Record<DatasetKind, { add: string; one: string; many: string }> = {
  preference: { add: 'Add pair', one: 'pair', many: 'pairs' },
  instruction: { add: 'Add example', one: 'example', many: 'examples' },
  unpaired: { add: 'Add example', one: 'example', many: 'examples' },
  text: { add: 'Add document', one: 'document', many: 'documents' },
};

type Values = Record<string, string>;
const blank = (fields: FieldSpec[]): Values => Object.fromEntries(fields.map((f) => [f.key, '']));

/** Ctrl/Cmd+Enter submits a form from a textarea (plain Enter makes a new line). */
function submitOnModEnter(e: KeyboardEvent<HTMLTextAreaElement>) {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    e.currentTarget.form?.requestSubmit();
  }
}

export function AddExampleForm({
  datasetId,
  kind,
  onAdded,
}: {
  datasetId: number;
  kind: DatasetKind;
  onAdded: (e: Example) => void;
}) {
  const fields = FIELDS[kind];
  const [values, setValues] = useState<Values>(() => blank(fields));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const example = await lab.addExample({ datasetId, data: values });
      onAdded(example);
      setValues(blank(fields));
      setErrors(NO_ERRORS);
      form.current?.querySelector('textarea')?.focus();
    } catch (error) {
      setErrors(
        formErrors(
          error,
          fields.map((f) => f.key),
        ),
      ); // what the user typed stays
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      className="card add-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={NOUN[kind].add}
    >
      <h2>{kind === 'preference' ? 'Add a preference pair' : 'Add an example'}</h2>
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className={`add-grid add-grid-${fields.length}`}>
        {fields.map((f) => (
          <Field key={f.key} label={f.label} error={errors.fields[f.key]}>
            {(p) => (
              <textarea
                {...p}
                rows={4}
                value={values[f.key] ?? ''}
                onKeyDown={submitOnModEnter}
                onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
              />
            )}
          </Field>
        ))}
      </div>
      <div className="form-actions">
        <span className="hint">Ctrl+Enter adds it too.</span>
        <button type="submit" className="primary" disabled={busy}>
          {NOUN[kind].add}
        </button>
      </div>
    </form>
  );
}

interface RowProps {
  example: Example;
  index: number;
  fields: FieldSpec[];
  noun: string;
  onChanged: (e: Example) => void;
  onDeleted: (id: number) => void;
}

export function ExampleRow({ example, index, fields, noun, onChanged, onDeleted }: RowProps) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirmDelete'>('view');
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const formId = `edit-example-${example.id}`;

  const startEdit = () => {
    setValues(Object.fromEntries(fields.map((f) => [f.key, example.data[f.key] ?? ''])));
    setErrors(NO_ERRORS);
    setMode('edit');
  };
  const stop = () => {
    setMode('view');
    setErrors(NO_ERRORS);
    requestAnimationFrame(() => editButton.current?.focus());
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onChanged(await lab.updateExample({ id: example.id, data: values }));
      stop();
    } catch (error) {
      setErrors(
        formErrors(
          error,
          fields.map((f) => f.key),
        ),
      );
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await lab.deleteExample({ id: example.id });
      onDeleted(example.id);
    } catch (error) {
      setErrors({ fields: {}, general: errorMessage(error) });
      setBusy(false);
    }
  };

  if (mode === 'edit') {
    return (
      <tr className="editing" onKeyDown={(e) => e.key === 'Escape' && stop()}>
        <th scope="row">{index}</th>
        {fields.map((f, i) => (
          <td key={f.key}>
            <Field label={`Edit ${f.label.toLowerCase()}`} hideLabel error={errors.fields[f.key]}>
              {(p) => (
                <textarea
                  {...p}
                  form={formId}
                  rows={3}
                  autoFocus={i === 0}
                  value={values[f.key] ?? ''}
                  onKeyDown={submitOnModEnter}
                  onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
                />
              )}
            </Field>
          </td>
        ))}
        <td className="row-actions">
          <form id={formId} onSubmit={(e) => void save(e)} noValidate>
            {errors.general && <Alert>{errors.general}</Alert>}
            <button type="submit" className="primary small" disabled={busy}>
              Save
            </button>
            <button type="button" className="secondary small" onClick={stop}>
              Cancel
            </button>
          </form>
        </td>
      </tr>
    );
  }

  return (
    <tr>
      <th scope="row">{index}</th>
      {fields.map((f) => (
        <td key={f.key} className="text-cell">
          {example.data[f.key] ? (
            <span className="clamp">{example.data[f.key]}</span>
          ) : (
            <span className="muted">(empty)</span>
          )}
        </td>
      ))}
      <td className="row-actions">
        {mode === 'view' ? (
          <>
            <button type="button" className="secondary small" ref={editButton} onClick={startEdit}>
              Edit
            </button>
            <button type="button" className="danger-outline small" onClick={() => setMode('confirmDelete')}>
              Delete
            </button>
          </>
        ) : (
          <div className="confirm" role="group" aria-label={`Delete ${noun} ${index}?`}>
            <span>Delete this {noun}?</span>
            <button
              type="button"
              className="danger small"
              autoFocus
              disabled={busy}
              onClick={() => void remove()}
            >
              Confirm delete
            </button>
            <button type="button" className="secondary small" onClick={() => setMode('view')}>
              Keep
            </button>
          </div>
        )}
        {errors.general && <Alert>{errors.general}</Alert>}
      </td>
    </tr>
  );
}
