// Compare: two or more runs (or a whole pipeline) side by side. `#/compare?runs=1,2,3` preselects runs,
// `#/compare?pipeline=ID` every run of a pipeline (and shows the pipeline, an experiment's table).
// The data comes assembled from the lab (`compareRuns`); the page follows the runs as they go.
import { useEffect, useState } from 'react';
import type { CompareResult, Pipeline, Run } from '../../../shared/schemas';
import { lab } from '../lab';
import { navigate } from '../router';
import { Dialog } from '../components/Dialog';
import { Alert, LoadError, Loading } from '../components/ui';
import { CompareCurves } from '../components/compare/CompareCurves';
import { Frontier } from '../components/compare/Frontier';
import { ConfigDiff, Costs, EvalTable } from '../components/compare/CompareTables';
import { Generations } from '../components/compare/Generations';
import { PipelineView } from '../components/compare/PipelineView';
import { RunPicker, pipelineRuns } from '../components/compare/RunPicker';
import { SweepForm } from '../components/compare/SweepForm';
import '../compare.css';

/** How long run events are gathered before the comparison is read again. */
const RELOAD_MS = 1500;

const idList = (raw: string | null): number[] =>
  (raw ?? '')
    .split(',')
    .filter((t) => /^\d+$/.test(t.trim()))
    .map(Number)
    .filter((n) => n > 0);

export function ComparePage({ query }: { query: URLSearchParams }) {
  const runsParam = query.get('runs');
  const pipelineParam = query.get('pipeline');
  const pipelineId = pipelineParam && /^\d+$/.test(pipelineParam) ? Number(pipelineParam) : null;
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [pipelines, setPipelines] = useState<Pipeline[]>([]);
  const [result, setResult] = useState<CompareResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sweeping, setSweeping] = useState(false);
  const pipeline = pipelines.find((p) => p.id === pipelineId) ?? null;
  // The selection: `?runs=`, else the pipeline's runs.
  const selected =
    runsParam !== null ? idList(runsParam) : pipeline ? pipelineRuns(pipeline) : ([] as number[]);
  const key = selected.join(',');

  // `tick` moves when runs or pipelines change: the lists and the comparison are read again.
  const [tick, setTick] = useState(0);
  const retry = () => setTick((t) => t + 1);
  useEffect(() => {
    let live = true;
    Promise.all([lab.listRuns(), lab.listPipelines()]).then(
      ([r, p]) => {
        if (!live) return;
        setRuns(r);
        setPipelines(p);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [tick]);
  useEffect(() => {
    const ids = idList(key);
    if (ids.length === 0) return;
    let live = true;
    lab.compareRuns({ runIds: ids }).then(
      (r) => {
        if (!live) return;
        setResult(r);
        setError(null);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);

  // Runs that start, end or progress (and pipelines that move) read the comparison again, batched.
  useEffect(() => {
    const ids = idList(key);
    let timer: number | null = null;
    const soon = () => {
      if (timer !== null) return;
      timer = window.setTimeout(() => {
        timer = null;
        setTick((t) => t + 1);
      }, RELOAD_MS);
    };
    const offs = [
      lab.onRunStatus(soon),
      lab.onPipelineStatus(soon),
      lab.onRunProgress((p) => {
        if (ids.includes(p.runId)) soon();
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [key]);

  const choose = (ids: number[]) => {
    const params = new URLSearchParams();
    if (pipelineId !== null) params.set('pipeline', String(pipelineId));
    params.set('runs', ids.join(','));
    navigate(`/compare?${params.toString().replace(/%2C/g, ',')}`);
  };

  return (
    <section className="compare-page">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Compare</h1>
          <p>
            Runs side by side: their curves, what differs in their configs, their evaluations and replies,
            what they cost, and where each lands on reward against KL.
          </p>
        </div>
        <button type="button" className="primary" onClick={() => setSweeping(true)}>
          Sweep…
        </button>
      </header>
      <Dialog title="Reward–KL sweep" open={sweeping} onClose={() => setSweeping(false)} wide>
        <SweepForm onCancel={() => setSweeping(false)} />
      </Dialog>
      {pipelineId !== null && runs && !pipeline && (
        <Alert>
          <p>There is no pipeline {pipelineId}.</p>
        </Alert>
      )}
      {pipeline && runs && <PipelineView pipeline={pipeline} runs={runs} />}
      {runs === null ? (
        error ? (
          <LoadError error={error} retry={retry} />
        ) : (
          <Loading what="runs" />
        )
      ) : (
        <RunPicker runs={runs} pipelines={pipelines} selected={selected} onChange={choose} />
      )}
      {error !== null && runs !== null && <LoadError error={error} retry={retry} />}
      {selected.length === 0 && runs !== null && (
        <div className="empty">
          <p>
            Pick two or more runs above, or every run of a pipeline, to compare them. To see RLHF and DPO on
            the reward–KL frontier, start a <strong>Sweep</strong> from an SFT model.
          </p>
        </div>
      )}
      {result && selected.length > 0 && <Comparison result={result} />}
    </section>
  );
}

function Comparison({ result }: { result: CompareResult }) {
  return (
    <>
      {result.notes.length > 0 && (
        <ul className="compare-notes" aria-label="What could not be compared">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <Frontier result={result} />
      <CompareCurves result={result} />
      <EvalTable result={result} />
      <Generations result={result} />
      <ConfigDiff result={result} />
      <Costs runs={result.runs} />
    </>
  );
}
