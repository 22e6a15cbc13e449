// One pipeline: its status, its stages (live progress of the running one), cancel, and once the
// evaluations have run, what SFT changed.
import { useCallback, useEffect, useId, useState } from 'react';
import type { Pipeline } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { Alert, LoadError, Loading, NotFound, When } from '../components/ui';
import { PipelineBadge, newerPipeline, stageText } from '../components/PipelineStatus';
import { PipelineStages } from '../components/PipelineStages';
import { PipelineResults } from '../components/PipelineResults';
import { ExperimentSummary } from '../components/ExperimentSummary';

/** How often a running pipeline is re-read, in case the event stream dropped an event. */
const SAFETY_POLL_MS = 5000;

export function PipelinePage({ id }: { id: number }) {
  const { data, setData, reload } = useLoad(() => lab.getPipeline({ id }));
  const statusLabel = useId();
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);

  const merge = useCallback(
    (incoming: Pipeline) =>
      setData((d) => (d.state === 'ready' ? { state: 'ready', value: newerPipeline(d.value, incoming) } : d)),
    [setData],
  );

  useEffect(
    () =>
      lab.onPipelineStatus((p) => {
        if (p.id === id) merge(p);
      }),
    [id, merge],
  );

  // A safety net if the event stream drops (or an event came while the first read was on its way).
  const running = data.state === 'ready' && data.value.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      lab.getPipeline({ id }).then(merge, () => undefined);
    }, SAFETY_POLL_MS);
    return () => window.clearInterval(timer);
  }, [running, id, merge]);

  if (data.state === 'loading') return <Loading what="the pipeline" />;
  if (data.state === 'error') {
    if (data.notFound)
      return (
        <NotFound
          what={`There is no pipeline #${id}.`}
          back="/pipelines"
          backLabel="Back to the list of pipelines"
        />
      );
    return <LoadError error={data.error} retry={() => void reload()} />;
  }
  const pipeline = data.value;
  const seed = pipeline.config.seed;
  const description = pipeline.config.description;

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      merge(await lab.cancelPipeline({ id }));
    } catch (e) {
      setCancelError(errorMessage(e));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/pipelines">All pipelines</Link> <span aria-hidden="true">/</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>{pipeline.name}</h1>
          {typeof description === 'string' && <p className="muted">{description}</p>}
        </div>
        {pipeline.status === 'running' && (
          <div className="header-actions">
            <button
              type="button"
              className="danger-outline"
              disabled={cancelling}
              onClick={() => void cancel()}
            >
              Cancel
            </button>
          </div>
        )}
      </header>
      {cancelError && <Alert>Could not cancel: {cancelError}</Alert>}
      <ExperimentSummary pipeline={pipeline} />
      {pipeline.stages.some((s) => s.name.startsWith('eval-') && s.status === 'completed') && (
        <p>
          <Link to={`/tax?pipeline=${pipeline.id}`}>Alignment tax of its models</Link>: every evaluated model
          × every metric, with the change against base and SFT.
        </p>
      )}

      <div className="card run-overview pipeline-overview">
        <dl className="facts">
          <div>
            <dt id={statusLabel}>Status</dt>
            <dd>
              <PipelineBadge status={pipeline.status} labelledBy={statusLabel} />
            </dd>
          </div>
          <div>
            <dt>Progress</dt>
            <dd>{stageText(pipeline)}</dd>
          </div>
          <div>
            <dt>Preset</dt>
            <dd>{pipeline.preset}</dd>
          </div>
          <div>
            <dt>Seed</dt>
            <dd>{typeof seed === 'number' ? seed : '—'}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <When iso={pipeline.createdAt} />
            </dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>
              <When iso={pipeline.finishedAt} />
            </dd>
          </div>
        </dl>
      </div>

      {pipeline.status === 'failed' && (
        <Alert>
          <strong>The pipeline failed.</strong> {pipeline.error ?? 'No reason was recorded.'}
        </Alert>
      )}
      {pipeline.status === 'cancelled' && (
        <p className="hint pipeline-stopped">
          Cancelled{pipeline.error ? ` (${pipeline.error})` : ''}. The stages that finished, and their worlds
          and models, are kept.
        </p>
      )}

      <h2 className="section-title">Stages</h2>
      <div className="card pipeline-stages-card">
        <PipelineStages pipeline={pipeline} />
      </div>

      <PipelineResults pipeline={pipeline} />
    </section>
  );
}
