// Runs: the list (kept live by run events) and the "New run" form.
import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { ALGORITHM_LABELS, Algorithm, BUILTIN_DATASETS } from '../../../shared/schemas';
import type { Algorithm as Algo, Run } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, EmptyState, Field, LoadError, Loading, When } from '../components/ui';
import { Dialog } from '../components/Dialog';
import { ProgressBar, StatusBadge, newerRun } from '../components/Progress';

/** The DPO hyperparameters the form asks for, with the defaults of the DpoConfig schema. */
const NUMBER_FIELDS = [
  {
    key: 'beta',
    label: 'Beta',
    initial: '0.1',
    step: 'any',
    hint: 'Reward temperature; larger stays closer to the reference.',
  },
  { key: 'learningRate', label: 'Learning rate', initial: '1e-4', step: 'any', hint: 'Adam step size.' },
  { key: 'epochs', label: 'Epochs', initial: '20', step: '1', hint: 'Passes over the data.' },
  { key: 'batchSize', label: 'Batch size', initial: '32', step: '1', hint: 'Pairs per optimizer step.' },
  { key: 'seed', label: 'Seed', initial: '0', step: '1', hint: 'Same seed, same run.' },
] as const;
type NumberKey = (typeof NUMBER_FIELDS)[number]['key'];

/** A number when the text is one; otherwise the raw text, so the server names the field and why. */
const toNumber = (raw: string): number | string => {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
};

function NewRunForm({ onCancel }: { onCancel: () => void }) {
  const datasets = useLoad(() => lab.listDatasets());
  const [algorithm, setAlgorithm] = useState<Algo>('dpo');
  const [dataset, setDataset] = useState<string>('');
  const [name, setName] = useState('');
  const [numbers, setNumbers] = useState<Record<NumberKey, string>>(
    () => Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, f.initial])) as Record<NumberKey, string>,
  );
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const preference =
    datasets.data.state === 'ready' ? datasets.data.value.filter((d) => d.kind === 'preference') : [];
  const selected = dataset || (preference[0] ? String(preference[0].id) : BUILTIN_DATASETS[0]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const config = Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, toNumber(numbers[f.key])]));
      const ref = /^\d+$/.test(selected) ? Number(selected) : (selected as (typeof BUILTIN_DATASETS)[number]);
      const run = await lab.startRun({ algorithm, dataset: ref, config, ...(name.trim() ? { name } : {}) });
      navigate(`/runs/${run.id}`);
    } catch (error) {
      setErrors(
        formErrors(error, ['algorithm', 'dataset', 'name', ...NUMBER_FIELDS.map((f) => `config.${f.key}`)]),
      );
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="form-grid">
        <Field label="Algorithm" error={errors.fields.algorithm}>
          {(p) => (
            <select {...p} value={algorithm} onChange={(e) => setAlgorithm(e.target.value as Algo)}>
              {Algorithm.options.map((a) => (
                <option key={a} value={a}>
                  {ALGORITHM_LABELS[a]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Dataset"
          error={errors.fields.dataset}
          hint={
            datasets.data.state === 'error'
              ? 'Could not load your datasets; the built-in data is still available.'
              : undefined
          }
        >
          {(p) => (
            <select {...p} value={selected} onChange={(e) => setDataset(e.target.value)}>
              {preference.length > 0 && (
                <optgroup label="Your preference datasets">
                  {preference.map((d) => (
                    <option key={d.id} value={String(d.id)}>
                      {d.name}
                    </option>
                  ))}
                </optgroup>
              )}
              <optgroup label="Built in">
                {BUILTIN_DATASETS.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </optgroup>
            </select>
          )}
        </Field>
        <Field label="Run name" error={errors.fields.name} hint="Optional; the lab picks one otherwise.">
          {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {NUMBER_FIELDS.map((f) => (
          <Field key={f.key} label={f.label} error={errors.fields[`config.${f.key}`]} hint={f.hint}>
            {(p) => (
              <input
                {...p}
                type="number"
                inputMode="decimal"
                step={f.step}
                value={numbers[f.key]}
                onChange={(e) => setNumbers((n) => ({ ...n, [f.key]: e.target.value }))}
              />
            )}
          </Field>
        ))}
      </div>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Start run
        </button>
      </div>
    </form>
  );
}

/** Keeps a list of runs current from the run events. */
function useLiveRuns(setRuns: (f: (runs: Run[]) => Run[]) => void) {
  useEffect(() => {
    const offStatus = lab.onRunStatus((run) =>
      setRuns((runs) =>
        runs.some((r) => r.id === run.id)
          ? runs.map((r) => (r.id === run.id ? newerRun(r, run) : r))
          : [run, ...runs],
      ),
    );
    const offProgress = lab.onRunProgress((p) =>
      setRuns((runs) => runs.map((r) => (r.id === p.runId ? { ...r, progress: p.progress } : r))),
    );
    return () => {
      offStatus();
      offProgress();
    };
  }, [setRuns]);
}

export function RunsPage() {
  const { data, setData, reload } = useLoad(() => lab.listRuns());
  const [creating, setCreating] = useState(false);
  const setRuns = useCallback(
    (f: (runs: Run[]) => Run[]) =>
      setData((d) => (d.state === 'ready' ? { state: 'ready', value: f(d.value) } : d)),
    [setData],
  );
  useLiveRuns(setRuns);

  return (
    <section>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Runs</h1>
          <p className="muted">Training runs on this machine; each runs in its own process.</p>
        </div>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New run
        </button>
      </header>

      {data.state === 'loading' && <Loading what="runs" />}
      {data.state === 'error' && <LoadError error={data.error} retry={() => void reload()} />}
      {data.state === 'ready' && data.value.length === 0 && (
        <EmptyState>
          <p>
            No runs yet — start one with New run. The built-in seed-dpo data works without building a dataset.
          </p>
        </EmptyState>
      )}
      {data.state === 'ready' && data.value.length > 0 && (
        <div className="card table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Runs</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Algorithm</th>
                <th scope="col">Dataset</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Progress</th>
              </tr>
            </thead>
            <tbody>
              {data.value.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/runs/${r.id}`}>{r.name}</Link>
                  </th>
                  <td>{ALGORITHM_LABELS[r.algorithm]}</td>
                  <td>{r.datasetName}</td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>
                    <When iso={r.createdAt} />
                  </td>
                  <td>
                    <ProgressBar
                      progress={r.progress}
                      status={r.status}
                      label={`Progress of ${r.name}`}
                      compact
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Dialog title="New run" open={creating} onClose={() => setCreating(false)}>
        <NewRunForm onCancel={() => setCreating(false)} />
      </Dialog>
    </section>
  );
}
