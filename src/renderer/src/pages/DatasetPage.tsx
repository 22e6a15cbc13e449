// One dataset: a form to add examples, and the examples in a table with inline edit and delete.
import { useState } from 'react';
import { DATASET_KIND_LABELS } from '../../../shared/schemas';
import type { DatasetWithExamples, Example } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { Alert, EmptyState, LoadError, Loading, NotFound, When } from '../components/ui';
import { Dialog } from '../components/Dialog';
import { AddExampleForm, ExampleRow, FIELDS, NOUN } from '../components/Examples';
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
