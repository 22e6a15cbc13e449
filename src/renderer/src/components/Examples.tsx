// The example editors of a dataset page: the add form, and a table row with inline edit and delete.
// Both edit the form view of an example (its last exchange); earlier turns are shown, never edited.
// A kind with compact columns (a constitution) is edited in a form that spans the row.
import { Fragment, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { DatasetKind, Example } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';
import { Conversation } from './Conversation';
import { blank, CellText, COLUMNS, FieldInput, FIELDS, keysOf, NOUN, plural, TITLES } from './ExampleFields';
import type { FieldSpec, Values } from './ExampleFields';
import '../cai.css';

const ADD_ROWS = 4;

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
      form.current?.querySelector<HTMLElement>('textarea, input')?.focus();
    } catch (error) {
      setErrors(formErrors(error, keysOf(fields))); // what the user typed stays
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
      <h2>{TITLES[kind]}</h2>
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className={`add-grid add-grid-${kind}`}>
        {fields.map((f) => (
          <Field
            key={f.key}
            label={f.label}
            error={errors.fields[f.key]}
            {...(f.hint ? { hint: f.hint } : {})}
          >
            {(p) => (
              <FieldInput
                spec={f}
                control={p}
                rows={f.rows ?? ADD_ROWS}
                value={values[f.key] ?? ''}
                onChange={(value) => setValues((v) => ({ ...v, [f.key]: value }))}
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
  kind: DatasetKind;
  example: Example;
  index: number;
  fields: FieldSpec[];
  noun: string;
  onChanged: (e: Example) => void;
  onDeleted: (id: number) => void;
  /** A cell shown before the actions in every mode (the quality score; QualityColumn.tsx). */
  extraCell?: ReactNode;
}

export function ExampleRow({
  kind,
  example,
  index,
  fields,
  noun,
  onChanged,
  onDeleted,
  extraCell,
}: RowProps) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirmDelete'>('view');
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const formId = `edit-example-${example.id}`;
  const conversationId = `conversation-${example.id}`;
  const earlier = plural(example.context, 'earlier turn', 'earlier turns');

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
      setErrors(formErrors(error, keysOf(fields)));
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

  const badge = example.context > 0 && (
    <button
      type="button"
      className="turns-badge"
      aria-expanded={expanded}
      aria-controls={expanded ? conversationId : undefined}
      onClick={() => setExpanded((x) => !x)}
    >
      +{earlier}
    </button>
  );
  const conversation = expanded && (
    <tr className="conversation-row" id={conversationId}>
      <td colSpan={(COLUMNS[kind]?.length ?? fields.length) + 2 + (extraCell ? 1 : 0)}>
        <Conversation kind={kind} record={example.record} title={`Conversation of ${noun} ${index}`} />
      </td>
    </tr>
  );

  const columns = COLUMNS[kind];
  const actions = (
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
  );

  if (mode === 'edit' && columns) {
    return (
      <tr className="editing" onKeyDown={(e) => e.key === 'Escape' && stop()}>
        <th scope="row" className="num">
          {index}
        </th>
        <td colSpan={columns.length}>
          <div className={`add-grid add-grid-${kind}`}>
            {fields.map((f, i) => (
              <Field key={f.key} label={f.label} error={errors.fields[f.key]}>
                {(p) => (
                  <FieldInput
                    spec={f}
                    control={p}
                    form={formId}
                    rows={f.rows ?? 3}
                    autoFocus={i === 0}
                    value={values[f.key] ?? ''}
                    onChange={(value) => setValues((v) => ({ ...v, [f.key]: value }))}
                  />
                )}
              </Field>
            ))}
          </div>
        </td>
        {extraCell}
        {actions}
      </tr>
    );
  }

  if (mode === 'edit') {
    return (
      <Fragment>
        <tr className="editing" onKeyDown={(e) => e.key === 'Escape' && stop()}>
          <th scope="row" className="num">
            {index}
          </th>
          {fields.map((f, i) => (
            <td key={f.key}>
              {i === 0 && badge}
              <Field
                label={`Edit ${f.label.toLowerCase()}`}
                hideLabel
                error={errors.fields[f.key]}
                {...(i === 0 && example.context > 0
                  ? {
                      hint: `Editing the last exchange; ${earlier} ${example.context === 1 ? 'is' : 'are'} kept.`,
                    }
                  : {})}
              >
                {(p) => (
                  <FieldInput
                    spec={f}
                    control={p}
                    form={formId}
                    rows={kind === 'text' ? 8 : 3}
                    autoFocus={i === 0}
                    value={values[f.key] ?? ''}
                    onChange={(value) => setValues((v) => ({ ...v, [f.key]: value }))}
                  />
                )}
              </Field>
            </td>
          ))}
          {extraCell}
          {actions}
        </tr>
        {conversation}
      </Fragment>
    );
  }

  return (
    <Fragment>
      <tr>
        <th scope="row" className="num">
          {index}
        </th>
        {columns
          ? columns.map((c, i) => (
              <td key={c.label} className={c.text ? 'text-cell' : undefined}>
                {i === 0 && badge}
                {c.cell(example.data)}
              </td>
            ))
          : fields.map((f, i) => (
              <td key={f.key} className={f.input === 'select' ? undefined : 'text-cell'}>
                {i === 0 && badge}
                <CellText spec={f} value={example.data[f.key]} />
              </td>
            ))}
        {extraCell}
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
      {conversation}
    </Fragment>
  );
}
