// One dataset: a form to add examples, and the examples in a table with inline edit and delete.
import { useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { DATASET_KIND_LABELS } from '../../../shared/schemas';
import type { DatasetKind, DatasetWithExamples, Example } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, EmptyState, Field, LoadError, Loading, NotFound, When } from '../components/ui';
import { Dialog } from '../components/Dialog';

interface FieldSpec {
  key: string;
  label: string;
}
const FIELDS: Record<DatasetKind, FieldSpec[]> = {
  preference: [
    { key: 'prompt', label: 'Prompt' },
    { key: 'chosen', label: 'Chosen response' },
    { key: 'rejected', label: 'Rejected response' },
  ],
  instruction: [
    { key: 'prompt', label: 'Prompt' },
    { key: 'response', label: 'Response' },
  ],
};
const NOUN: Record<DatasetKind, { add: string; one: string; many: string }> = {
  preference: { add: 'Add pair', one: 'pair', many: 'pairs' },
  instruction: { add: 'Add example', one: 'example', many: 'examples' },
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

function AddExampleForm({
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

function ExampleRow({ example, index, fields, noun, onChanged, onDeleted }: RowProps) {
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

function DeleteDataset({ id, name }: { id: number; name: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    try {
      await lab.deleteDataset({ id });
      navigate('/datasets');
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <>
      <button type="button" className="danger-outline" onClick={() => setOpen(true)}>
        Delete dataset
      </button>
      <Dialog title="Delete dataset?" open={open} onClose={() => setOpen(false)}>
        <p>“{name}” and all its examples will be deleted. Runs that used it keep their results.</p>
        {error && <Alert>{error}</Alert>}
        <div className="form-actions">
          <button type="button" className="secondary" autoFocus onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => void confirm()}>
            Delete permanently
          </button>
        </div>
      </Dialog>
    </>
  );
}

export function DatasetPage({ id }: { id: number }) {
  const { data, setData, reload } = useLoad(() => lab.getDataset({ id }));

  if (data.state === 'loading') return <Loading what="the dataset" />;
  if (data.state === 'error') {
    if (data.notFound)
      return (
        <NotFound
          what={`There is no dataset #${id}. It may have been deleted.`}
          back="/datasets"
          backLabel="Back to the list of datasets"
        />
      );
    return <LoadError error={data.error} retry={() => void reload()} />;
  }

  const { dataset, examples } = data.value;
  const fields = FIELDS[dataset.kind];
  const noun = NOUN[dataset.kind];
  const update = (f: (v: DatasetWithExamples) => DatasetWithExamples) =>
    setData((d) => (d.state === 'ready' ? { state: 'ready', value: f(d.value) } : d));
  const count = (list: Example[]) => ({ ...dataset, exampleCount: list.length });

  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/datasets">All datasets</Link> <span aria-hidden="true">/</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>{dataset.name}</h1>
          <p className="muted">
            <span className={`kind kind-${dataset.kind}`}>{DATASET_KIND_LABELS[dataset.kind]}</span> ·{' '}
            {examples.length} {examples.length === 1 ? noun.one : noun.many} · created{' '}
            <When iso={dataset.createdAt} />
          </p>
        </div>
        <div className="header-actions">
          {dataset.kind === 'preference' && (
            <Link to="/runs" className="button secondary">
              Train on it
            </Link>
          )}
          <DeleteDataset id={dataset.id} name={dataset.name} />
        </div>
      </header>

      <AddExampleForm
        datasetId={dataset.id}
        kind={dataset.kind}
        onAdded={(e) => update((v) => ({ dataset: count([...v.examples, e]), examples: [...v.examples, e] }))}
      />

      <h2 className="section-title">
        {noun.many[0]!.toUpperCase() + noun.many.slice(1)} <span className="count">{examples.length}</span>
      </h2>
      {examples.length === 0 ? (
        <EmptyState>
          <p>
            No {noun.many} yet. Fill in the form above and press {noun.add}.
          </p>
        </EmptyState>
      ) : (
        <div className="card table-scroll">
          <table className="data-table examples">
            <caption className="visually-hidden">
              {noun.many} in {dataset.name}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                {fields.map((f) => (
                  <th scope="col" key={f.key}>
                    {f.label}
                  </th>
                ))}
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {examples.map((e, i) => (
                <ExampleRow
                  key={e.id}
                  example={e}
                  index={i + 1}
                  fields={fields}
                  noun={noun.one}
                  onChanged={(changed) =>
                    update((v) => ({
                      ...v,
                      examples: v.examples.map((x) => (x.id === changed.id ? changed : x)),
                    }))
                  }
                  onDeleted={(gone) =>
                    update((v) => {
                      const list = v.examples.filter((x) => x.id !== gone);
                      return { dataset: count(list), examples: list };
                    })
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
