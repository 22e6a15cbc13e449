// Runs: the list (kept live by run events) and the "New run" form.
import { useCallback, useEffect, useState } from 'react';
import { RUN_KINDS, RunKindName } from '../../../shared/schemas';
import type { Run } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { EmptyState, LoadError, Loading, When } from '../components/ui';
import { Dialog } from '../components/Dialog';
import { NewRunForm } from '../components/RunForm';
import type { RunFormInitial } from '../components/RunForm';
import { ProgressBar, StatusBadge, newerRun } from '../components/Progress';
import { runKindLabel } from '../components/RunKinds';
import { TrlImportButtons } from '../components/TrlHandoff';

/**
 * What `#/runs?new=sft&base=3&dataset=7` asks for: the New run form, opened with that run kind (an
 * algorithm, or `ipo`, `kto`, …), base model and dataset (links from a run, a dataset or the
 * playground use it). Null without `new`.
 */
function requestedForm(): RunFormInitial | null {
  const query = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  const kind = RunKindName.safeParse(query.get('new'));
  if (!kind.success) return null;
  const id = (key: string) => (/^\d+$/.test(query.get(key) ?? '') ? Number(query.get(key)) : undefined);
  const base = id('base');
  const dataset = id('dataset');
  return {
    algorithm: RUN_KINDS[kind.data].algorithm,
    kind: kind.data,
    ...(dataset !== undefined ? { dataset } : {}),
    ...(base !== undefined ? { config: { baseModel: base } } : {}),
  };
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
  const [creating, setCreating] = useState<RunFormInitial | true | false>(() => requestedForm() ?? false);
  const setRuns = useCallback(
    (f: (runs: Run[]) => Run[]) =>
      setData((d) => (d.state === 'ready' ? { state: 'ready', value: f(d.value) } : d)),
    [setData],
  );
  useLiveRuns(setRuns);
  // A link to `#/runs?new=…` while this page is open opens the form too.
  useEffect(() => {
    const onChange = () => {
      const requested = requestedForm();
      if (requested) setCreating(requested);
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const close = () => {
    setCreating(false);
    // Drop `?new=…` so that a reload does not open the form again.
    if (window.location.hash.includes('?')) window.history.replaceState(window.history.state, '', '#/runs');
  };

  return (
    <section>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Runs</h1>
          <p className="muted">Training runs on this machine; each runs in its own process.</p>
        </div>
        <div className="header-actions">
          <TrlImportButtons onImported={() => void reload()} />
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New run
          </button>
        </div>
      </header>

      {data.state === 'loading' && <Loading what="runs" />}
      {data.state === 'error' && <LoadError error={data.error} retry={() => void reload()} />}
      {data.state === 'ready' && data.value.length === 0 && (
        <EmptyState>
          <p>
            No runs yet — start one with New run. The built-in datasets (seed-dpo, sandbox-pairs and others)
            work without building one.
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
                    {r.external && (
                      <span className="badge badge-external" title={`Imported from ${r.external.source}`}>
                        external
                      </span>
                    )}
                  </th>
                  <td>{runKindLabel(r)}</td>
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

      <Dialog title="New run" open={creating !== false} onClose={close} wide>
        <NewRunForm onCancel={close} {...(typeof creating === 'object' ? { initial: creating } : {})} />
      </Dialog>
    </section>
  );
}
