// One dataset: a form to add examples, the examples in a paged table with inline edit and delete,
// and its export as TRL JSONL (a constitution as JSONL of principle objects).
import { useState } from 'react';
import { DATASET_KIND_LABELS } from '../../../shared/schemas';
import type { DatasetKind, DatasetWithExamples, Example, RunKind } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { saveTextFile } from '../files';
import { Alert, EmptyState, LoadError, Loading, NotFound, When } from '../components/ui';
import { Dialog } from '../components/Dialog';
import { AddExampleForm } from '../components/Examples';
import { NOUN } from '../components/ExampleFields';
import { ExampleTable } from '../components/ExampleTable';

/** The run kind (RUN_KINDS) "Train on it" opens the New run form with, per dataset kind. */
const TRAINS: Record<DatasetKind, RunKind | null> = {
  text: 'pretrain',
  instruction: 'sft',
  preference: 'dpo',
  unpaired: 'kto',
  prompt: 'ppo',
  constitution: null,
};

/** What Export writes, per dataset kind. */
const EXPORT_HINTS: Record<DatasetKind, string> = {
  text: 'Export saves it as TRL language-modeling JSONL: one {"text": …} record per line.',
  instruction: 'Export saves it as TRL conversational JSONL: one record per line, with every turn.',
  preference: 'Export saves it as TRL conversational JSONL: one record per line, with every turn.',
  unpaired: 'Export saves it as TRL conversational JSONL: one record per line, with every turn.',
  prompt: 'Export saves it as TRL prompt-only JSONL: one {"prompt": [turns]} record per line.',
  constitution:
    'Export saves it as JSONL: one principle per line ({"name", "critique", "revision", "triggers", …}). ' +
    'Choose it as the Constitution of a Constitutional AI run.',
};

/** Downloads the dataset as TRL conversational JSONL (one record per line). */
function ExportButton({ id }: { id: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const file = await lab.exportDataset({ id });
      saveTextFile(file.filename, file.content);
    } catch (e) {
      setError(`Export failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        aria-describedby="export-format"
        onClick={() => void run()}
      >
        {busy ? 'Exporting…' : 'Export'}
      </button>
      {error && <Alert>{error}</Alert>}
    </>
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
  const [page, setPage] = useState<number | 'last'>(0);

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
          <p className="hint" id="export-format">
            {EXPORT_HINTS[dataset.kind]}
          </p>
        </div>
        <div className="header-actions">
          <ExportButton id={dataset.id} />
          {TRAINS[dataset.kind] && (
            <Link to={`/runs?new=${TRAINS[dataset.kind]}&dataset=${dataset.id}`} className="button secondary">
              Train on it
            </Link>
          )}
          <DeleteDataset id={dataset.id} name={dataset.name} />
        </div>
      </header>

      <AddExampleForm
        datasetId={dataset.id}
        kind={dataset.kind}
        onAdded={(e) => {
          update((v) => ({ dataset: count([...v.examples, e]), examples: [...v.examples, e] }));
          setPage('last'); // where the new one is
        }}
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
        <ExampleTable
          dataset={dataset}
          examples={examples}
          page={page}
          onPage={setPage}
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
      )}
    </section>
  );
}
