// Datasets: the list, its empty state, the "New dataset" form, the Import dialog, a copy of the default
// constitution to edit, and the sandbox worlds (generate one; the list of those generated).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { DATASET_KIND_LABELS, DatasetKind } from '../../../shared/schemas';
import type { DatasetKind as Kind } from '../../../shared/schemas';
import { errorMessage, lab } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, EmptyState, Field, LoadError, Loading, When } from '../components/ui';
import { Dialog } from '../components/Dialog';
import { ImportForm } from '../components/ImportDialog';
import { GenerateWorldForm, WorldList } from '../components/WorldGenerate';

const KINDS = DatasetKind.options;

function NewDatasetForm({ onCancel }: { onCancel: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('preference');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const dataset = await lab.createDataset({ name, kind });
      navigate(`/datasets/${dataset.id}`);
    } catch (error) {
      setErrors(formErrors(error, ['name', 'kind']));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {errors.general && <Alert>{errors.general}</Alert>}
      <Field label="Name" error={errors.fields.name}>
        {(p) => <input {...p} type="text" value={name} autoFocus onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Kind" error={errors.fields.kind}>
        {(p) => (
          <select {...p} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {DATASET_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
      </div>
    </form>
  );
}

/** Makes an editable copy of the constitution shipped with the lab, and opens it. */
function CopyConstitution({ onError }: { onError: (message: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const copy = async () => {
    setBusy(true);
    onError(null);
    try {
      const dataset = await lab.copyDefaultConstitution({});
      navigate(`/datasets/${dataset.id}`);
    } catch (e) {
      onError(`Could not copy the default constitution: ${errorMessage(e)}`);
      setBusy(false);
    }
  };
  return (
    <button type="button" className="secondary" disabled={busy} onClick={() => void copy()}>
      {busy ? 'Copying…' : 'Copy the default constitution'}
    </button>
  );
}

export function DatasetsPage() {
  const { data, reload } = useLoad(() => lab.listDatasets());
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [generating, setGenerating] = useState(false);
  const [copyError, setCopyError] = useState<string | null>(null);

  return (
    <section>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Datasets</h1>
          <p className="muted">
            Preference pairs, instruction data, good/bad examples, documents, prompts and constitutions, built
            by hand or imported from TRL, ShareGPT, Alpaca or Anthropic HH files. Kept on this machine.
          </p>
        </div>
        <div className="header-actions">
          <button type="button" className="secondary" onClick={() => setGenerating(true)}>
            Generate from sandbox world
          </button>
          <CopyConstitution onError={setCopyError} />
          <button type="button" className="secondary" onClick={() => setImporting(true)}>
            Import
          </button>
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New dataset
          </button>
        </div>
      </header>

      {copyError && <Alert>{copyError}</Alert>}
      {data.state === 'loading' && <Loading what="datasets" />}
      {data.state === 'error' && <LoadError error={data.error} retry={() => void reload()} />}
      {data.state === 'ready' && data.value.length === 0 && (
        <EmptyState>
          <p>
            No datasets yet — create one with New dataset, import a file with Import, generate a whole set
            (corpus, SFT, preferences, safety) from a sandbox world, or start a run on the built-in seed-dpo
            data.
          </p>
          <p>
            <Link to="/runs">Go to runs</Link>
          </p>
        </EmptyState>
      )}
      {data.state === 'ready' && data.value.length > 0 && (
        <div className="card table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Datasets</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Examples
                </th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.value.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <Link to={`/datasets/${d.id}`}>{d.name}</Link>
                  </th>
                  <td>
                    <span className={`kind kind-${d.kind}`}>{DATASET_KIND_LABELS[d.kind]}</span>
                  </td>
                  <td className="num">{d.exampleCount}</td>
                  <td>
                    <When iso={d.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <WorldList />

      <Dialog title="Generate from sandbox world" open={generating} onClose={() => setGenerating(false)}>
        <GenerateWorldForm onCancel={() => setGenerating(false)} />
      </Dialog>
      <Dialog title="New dataset" open={creating} onClose={() => setCreating(false)}>
        <NewDatasetForm onCancel={() => setCreating(false)} />
      </Dialog>
      <Dialog title="Import a dataset" open={importing} onClose={() => setImporting(false)} wide>
        <ImportForm onCancel={() => setImporting(false)} onImported={() => void reload()} />
      </Dialog>
    </section>
  );
}
