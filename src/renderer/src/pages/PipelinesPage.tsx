// Pipelines: the list (kept live by pipeline events) and the "Run pipeline" form.
import { useCallback, useEffect, useState } from 'react';
import type { Pipeline } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { EmptyState, LoadError, Loading, When } from '../components/ui';
import { Dialog } from '../components/Dialog';
import { PipelineStartForm } from '../components/PipelineStartForm';
import { PipelineBadge, currentStage, newerPipeline, stageText } from '../components/PipelineStatus';

export function PipelinesPage() {
  const { data, setData, reload } = useLoad(() => lab.listPipelines());
  const [starting, setStarting] = useState<false | 'pipeline' | 'experiment'>(false);
  const setPipelines = useCallback(
    (f: (ps: Pipeline[]) => Pipeline[]) =>
      setData((d) => (d.state === 'ready' ? { state: 'ready', value: f(d.value) } : d)),
    [setData],
  );
  useEffect(
    () =>
      lab.onPipelineStatus((p) =>
        setPipelines((ps) =>
          ps.some((x) => x.id === p.id)
            ? ps.map((x) => (x.id === p.id ? newerPipeline(x, p) : x))
            : [p, ...ps],
        ),
      ),
    [setPipelines],
  );
  const pipelines = data.state === 'ready' ? [...data.value].sort((a, b) => b.id - a.id) : [];

  return (
    <section>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Pipelines</h1>
          <p className="muted">
            The whole recipe, from a sandbox world to an evaluated assistant, as one run.
          </p>
        </div>
        <div className="header-actions">
          <button
            type="button"
            className="secondary"
            title="Presets that test one claim of the tutorial and end on the Compare page"
            onClick={() => setStarting('experiment')}
          >
            Run experiment
          </button>
          <button type="button" className="primary" onClick={() => setStarting('pipeline')}>
            Run pipeline
          </button>
        </div>
      </header>

      {data.state === 'loading' && <Loading what="pipelines" />}
      {data.state === 'error' && <LoadError error={data.error} retry={() => void reload()} />}
      {data.state === 'ready' && pipelines.length === 0 && (
        <EmptyState>
          <p>
            No pipelines yet. A pipeline runs the post-training recipe — world → tokenizer → pretraining → SFT
            → evaluation, as one object that survives a restart: finished stages are kept, and the stage that
            was running starts again. Each stage is an ordinary world or run you can open.
          </p>
          <p>Start one with Run pipeline; the smoke preset finishes in seconds.</p>
        </EmptyState>
      )}
      {pipelines.length > 0 && (
        <div className="card table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Pipelines</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Preset</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Progress</th>
              </tr>
            </thead>
            <tbody>
              {pipelines.map((p) => {
                const at = currentStage(p);
                return (
                  <tr key={p.id}>
                    <th scope="row">
                      <Link to={`/pipelines/${p.id}`}>{p.name}</Link>
                    </th>
                    <td>{p.preset}</td>
                    <td>
                      <PipelineBadge status={p.status} />
                    </td>
                    <td>
                      <When iso={p.createdAt} />
                    </td>
                    <td>
                      {stageText(p)}
                      {at && p.status === 'running' && <span className="muted"> · {at.stage.label}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <Dialog
        title={starting === 'experiment' ? 'Run experiment' : 'Run pipeline'}
        open={starting !== false}
        onClose={() => setStarting(false)}
      >
        {starting !== false && (
          <PipelineStartForm
            onCancel={() => setStarting(false)}
            {...(starting === 'experiment' ? { group: 'experiment' as const } : {})}
          />
        )}
      </Dialog>
    </section>
  );
}
