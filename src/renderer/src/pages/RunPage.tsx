// One run: status, progress, cancel and resume, the resolved config, the latest metrics, live charts chosen by
// the algorithm (an evaluation's scores as a table), what it produced item by item (PPO rollouts,
// Constitutional AI pairs), the model it produced and what to do next.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { RESUMABLE, TERMINAL_STATUSES } from '../../../shared/schemas';
import type { Algorithm, MetricPoint, Run, RunStatus } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { Alert, LoadError, Loading, NotFound, When } from '../components/ui';
import { ProgressBar, StatusBadge, newerRun } from '../components/Progress';
import { MetricChart, formatValue } from '../components/MetricChart';
import type { Series } from '../components/MetricChart';
import { Dialog } from '../components/Dialog';
import { NewRunForm } from '../components/RunForm';
import type { RunFormInitial } from '../components/RunForm';
import { RunModel } from '../components/RunModel';
import { BatchFacts } from '../components/BatchFacts';
import { ClusterPlanner } from '../components/ClusterPlanner';
import { InferenceLabel } from '../components/InferenceLabel';
import { RunEvalResults } from '../components/RunEvalResults';
import { RunPairs, RunRollouts } from '../components/RunSamples';
import { runKindLabel } from '../components/RunKinds';
import { ExternalRunNote, TrlExportButton } from '../components/TrlHandoff';

/** The statuses from which a run can be resumed. */
const STOPPED: readonly RunStatus[] = ['cancelled', 'interrupted', 'failed'];
/** How often buffered metric points reach the charts: a few times a second, never per point. */
const FLUSH_MS = 300;
/** The charts each algorithm shows: "Loss" always, then the metric its practitioners watch. */
const CHARTS: Record<Algorithm, { label: string; names: string[] }[]> = {
  pretrain: [
    { label: 'Loss', names: ['loss', 'val/loss'] },
    { label: 'Perplexity', names: ['perplexity', 'val/perplexity'] },
  ],
  sft: [
    { label: 'Loss', names: ['loss', 'val/loss'] },
    { label: 'Token accuracy', names: ['mean_token_accuracy'] },
  ],
  reward: [
    { label: 'Loss', names: ['loss', 'eval/loss'] },
    { label: 'Accuracy', names: ['accuracy', 'eval/accuracy'] },
    { label: 'Margin', names: ['margin', 'eval/margin'] },
    { label: 'Rewards', names: ['mean_reward', 'min_reward', 'max_reward'] },
  ],
  dpo: [
    { label: 'Loss', names: ['loss', 'val/loss'] },
    { label: 'Rewards', names: ['rewards/chosen', 'rewards/rejected', 'rewards/margins'] },
  ],
  ppo: [
    { label: 'Reward', names: ['objective/rlhf_reward', 'objective/scores', 'objective/non_score_reward'] },
    { label: 'KL to the reference', names: ['objective/kl'] },
    { label: 'PPO losses', names: ['loss/policy', 'loss/value'] },
    { label: 'Clipping', names: ['policy/clipfrac', 'val/clipfrac', 'policy/approxkl'] },
  ],
  cai: [
    { label: 'Pairs', names: ['pairs'] },
    { label: 'Flag rate', names: ['flag_rate'] },
  ],
  // One point per question set: a table says more (RunEvalResults).
  eval: [],
};

/** A run's metric history, loaded once and then appended to from progress events, flushed on a timer. */
function useMetrics(runId: number) {
  const store = useRef(new Map<string, Map<number, number>>());
  const timer = useRef<number | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);

  const add = useCallback((points: MetricPoint[]) => {
    for (const p of points) {
      let byStep = store.current.get(p.name);
      if (!byStep) store.current.set(p.name, (byStep = new Map()));
      byStep.set(p.step, p.value);
    }
    if (points.length > 0 && timer.current === null) {
      timer.current = window.setTimeout(() => {
        timer.current = null;
        setVersion((v) => v + 1);
      }, FLUSH_MS);
    }
  }, []);

  const loadHistory = useCallback(async () => {
    try {
      add(await lab.runMetrics({ runId }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [runId, add]);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const series = useCallback(
    (names: string[]): Series[] =>
      names.flatMap((name) => {
        const byStep = store.current.get(name);
        if (!byStep) return [];
        return [{ name, points: [...byStep.entries()].sort((a, b) => a[0] - b[0]) }];
      }),
    // `version` is what changes when the store does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version],
  );
  /** The value at the highest step of every metric seen so far. */
  const latest = useCallback(
    (): Record<string, number> =>
      Object.fromEntries(
        [...store.current.entries()].flatMap(([name, byStep]) => {
          let last = -1;
          for (const step of byStep.keys()) if (step > last) last = step;
          const value = byStep.get(last);
          return value === undefined ? [] : [[name, value]];
        }),
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version],
  );
  /** Forget every point (a resumed run drops those after its checkpoint) and load the history again. */
  const reset = useCallback(async () => {
    store.current.clear();
    setVersion((v) => v + 1);
    await loadHistory();
  }, [loadHistory]);
  return { add, loadHistory, reset, series, latest, error };
}

function KeyValueTable({ caption, rows }: { caption: string; rows: [string, string][] }) {
  return (
    <div className="card">
      <table className="data-table kv">
        <caption>{caption}</caption>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td className="muted">Nothing yet</td>
            </tr>
          ) : (
            rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="num">{v}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

const show = (v: unknown): string =>
  typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v);

export function RunPage({ id }: { id: number }) {
  const { data, setData, reload } = useLoad(() => lab.getRun({ id }));
  const metrics = useMetrics(id);
  const { add, loadHistory, series, latest } = metrics;
  const statusLabel = useId();
  const [actionError, setActionError] = useState<string | null>(null);
  const [acting, setActing] = useState(false);
  const [form, setForm] = useState<RunFormInitial | null>(null);
  const [planning, setPlanning] = useState(false);

  const setRun = useCallback(
    (f: (r: Run) => Run) => setData((d) => (d.state === 'ready' ? { state: 'ready', value: f(d.value) } : d)),
    [setData],
  );

  // Subscribe first, then load the history, so that no point falls between the two.
  useEffect(() => {
    const offProgress = lab.onRunProgress((e) => {
      if (e.runId !== id) return;
      add(e.metrics);
      setRun((r) => (TERMINAL_STATUSES.includes(r.status) ? r : { ...r, progress: e.progress }));
    });
    const offStatus = lab.onRunStatus((run) => {
      if (run.id !== id) return;
      setRun((current) => newerRun(current, run));
      if (TERMINAL_STATUSES.includes(run.status)) void loadHistory();
    });
    void loadHistory();
    return () => {
      offProgress();
      offStatus();
    };
  }, [id, add, loadHistory, setRun]);

  // A safety net if the event stream drops: re-read an active run every few seconds.
  const active = data.state === 'ready' && !TERMINAL_STATUSES.includes(data.value.status);
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => {
      lab.getRun({ id }).then(
        (run) =>
          setRun((r) => {
            if (TERMINAL_STATUSES.includes(run.status) && !TERMINAL_STATUSES.includes(r.status))
              void loadHistory();
            return newerRun(r, run);
          }),
        () => undefined,
      );
    }, 5000);
    return () => window.clearInterval(timer);
  }, [active, id, setRun, loadHistory]);

  // Recomputed only when buffered points are flushed (a few times a second at most).
  const algorithm = data.state === 'ready' ? data.value.algorithm : null;
  const charts = useMemo(
    () => (algorithm ? CHARTS[algorithm].map((c) => ({ label: c.label, series: series(c.names) })) : []),
    [algorithm, series],
  );
  const live = useMemo(() => latest(), [latest]);

  if (data.state === 'loading') return <Loading what="the run" />;
  if (data.state === 'error') {
    if (data.notFound)
      return <NotFound what={`There is no run #${id}.`} back="/runs" backLabel="Back to the list of runs" />;
    return <LoadError error={data.error} retry={() => void reload()} />;
  }
  const run = data.value;
  const cancellable = run.status === 'queued' || run.status === 'running';

  // A stopped run of these algorithms continues from its last checkpoint (the lab says if it has none).
  const resumable = RESUMABLE.includes(run.algorithm) && STOPPED.includes(run.status);

  const act = async (what: 'cancel' | 'resume') => {
    setActing(true);
    setActionError(null);
    try {
      if (what === 'cancel') {
        const updated = await lab.cancelRun({ id });
        setRun(() => updated);
      } else {
        const updated = await lab.resumeRun({ id });
        // The resumed run is a new attempt (its status goes back to queued); its metrics reload from the checkpoint on.
        setRun(() => updated);
        void metrics.reset();
      }
    } catch (e) {
      setActionError(`Could not ${what}: ${errorMessage(e)}`);
    } finally {
      setActing(false);
    }
  };

  // While a run trains, its stored summary lags; the points streamed so far are newer.
  const terminal = TERMINAL_STATUSES.includes(run.status);
  const values = terminal ? { ...live, ...run.summary } : { ...run.summary, ...live };
  const summary = Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]): [string, string] => [k, formatValue(v)]);
  const config = Object.entries(run.config).map(([k, v]): [string, string] => [k, show(v)]);

  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">All runs</Link> <span aria-hidden="true">/</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>{run.name}</h1>
          <p className="muted">
            {runKindLabel(run)} on{' '}
            {typeof run.dataset === 'number' ? (
              <Link to={`/datasets/${run.dataset}`}>{run.datasetName}</Link>
            ) : (
              run.datasetName
            )}
          </p>
        </div>
        <div className="header-actions">
          <TrlExportButton run={run} />
          {run.external === null && (
            // An imported run has no data or inputs here to run again.
            <button
              type="button"
              className="secondary"
              onClick={() =>
                setForm({
                  algorithm: run.algorithm,
                  ...(run.dataset !== null ? { dataset: run.dataset } : {}),
                  config: run.config,
                })
              }
            >
              Run again
            </button>
          )}
          <button
            type="button"
            className="secondary"
            title="Pipeline-parallel schedule for training this model on a cluster"
            onClick={() => setPlanning(true)}
          >
            Cluster planner
          </button>
          {resumable && (
            <button
              type="button"
              className="primary"
              disabled={acting}
              title="Continue from the last checkpoint"
              onClick={() => void act('resume')}
            >
              Resume
            </button>
          )}
          {cancellable && (
            <button
              type="button"
              className="danger-outline"
              disabled={acting}
              onClick={() => void act('cancel')}
            >
              Cancel
            </button>
          )}
        </div>
      </header>
      {actionError && <Alert>{actionError}</Alert>}
      <ExternalRunNote run={run} />

      <div className="card run-overview">
        <dl className="facts">
          <div>
            <dt id={statusLabel}>Status</dt>
            <dd>
              <StatusBadge status={run.status} labelledBy={statusLabel} />
            </dd>
          </div>
          <div>
            <dt>Algorithm</dt>
            <dd>{runKindLabel(run)}</dd>
          </div>
          <div>
            <dt>Dataset</dt>
            <dd>{run.datasetName}</dd>
          </div>
          <BatchFacts run={run} />
          <div>
            <dt>Backend</dt>
            <dd>
              {run.backend ? (
                <span title={run.backend.reason}>{run.backend.name}</span>
              ) : (
                <span className="muted">not reported yet</span>
              )}
            </dd>
          </div>
          {run.backend?.training && (
            <div>
              <dt>Training engine</dt>
              <dd>
                <span title={run.backend.training.reason}>
                  {run.backend.training.engine === 'onnx'
                    ? `onnxruntime cpu ×${run.backend.training.threads ?? 1}`
                    : 'tfjs'}
                </span>
              </dd>
            </div>
          )}
          {run.inference && (
            <div>
              <dt>Inference</dt>
              <dd>
                <InferenceLabel info={run.inference} />
              </dd>
            </div>
          )}
          <div>
            <dt>Created</dt>
            <dd>
              <When iso={run.createdAt} />
            </dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>
              <When iso={run.finishedAt} />
            </dd>
          </div>
        </dl>
        <ProgressBar progress={run.progress} status={run.status} label="Training progress" />
        {run.backend && <p className="hint">Backend: {run.backend.reason}</p>}
        {run.backend?.training && <p className="hint">Training engine: {run.backend.training.reason}</p>}
        {run.inference && <p className="hint">Inference: {run.inference.reason}</p>}
      </div>

      {run.status === 'failed' && (
        <Alert>
          <strong>The run failed.</strong> {run.error ?? 'No reason was recorded.'}
        </Alert>
      )}
      {metrics.error !== null && <Alert>Could not load the metrics: {errorMessage(metrics.error)}</Alert>}

      {run.modelId !== null && (
        <RunModel
          modelId={run.modelId}
          algorithm={run.algorithm}
          onFineTune={() => setForm({ algorithm: 'sft', config: { baseModel: run.modelId } })}
          onEvaluate={() => setForm({ algorithm: 'eval', config: { model: run.modelId } })}
          onTrainPpo={() =>
            setForm({ algorithm: 'ppo', config: { rewardSource: 'model', rewardModel: run.modelId } })
          }
        />
      )}
      {run.algorithm === 'cai' && <RunPairs run={run} />}

      {run.algorithm === 'eval' ? (
        <RunEvalResults values={values} inference={run.inference} />
      ) : (
        <div className="chart-grid">
          {charts.map((c) => (
            <MetricChart key={c.label} label={c.label} series={c.series} />
          ))}
        </div>
      )}

      {run.algorithm === 'ppo' && <RunRollouts run={run} />}

      <div className="two-col">
        <KeyValueTable caption="Latest metrics" rows={summary} />
        <KeyValueTable caption="Config" rows={config} />
      </div>

      <Dialog title="Cluster planner" open={planning} onClose={() => setPlanning(false)} wide>
        {planning && (
          <ClusterPlanner
            initialMicroBatches={
              typeof run.config.gradientAccumulationSteps === 'number' &&
              run.config.gradientAccumulationSteps > 1
                ? run.config.gradientAccumulationSteps
                : 4
            }
          />
        )}
      </Dialog>
      <Dialog title="New run" open={form !== null} onClose={() => setForm(null)} wide>
        {form && <NewRunForm initial={form} onCancel={() => setForm(null)} />}
      </Dialog>
    </section>
  );
}
