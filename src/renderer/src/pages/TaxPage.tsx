// Alignment tax: what each alignment step buys and what it costs. A pipeline's evaluated models ×
// every metric (changes against base and SFT, colour-coded, each opening its items), trade-off
// scatters across every pipeline, and a radar per model. `#/tax?pipeline=ID` preselects a pipeline.
// The data is assembled lab-side (src/main/lab/tax.ts, `taxData`); the page reloads it when a
// pipeline moves.
import { useEffect, useId, useState } from 'react';
import type { TaxData, TaxMetric, TaxModel } from '../../../shared/tax';
import { errorMessage, lab } from '../lab';
import { Link, navigate } from '../router';
import { Alert, EmptyState, LoadError, Loading } from '../components/ui';
import { TaxTable } from '../components/tax/TaxTable';
import { TaxCharts } from '../components/tax/TaxCharts';
import { TaxItemsDialog } from '../components/tax/TaxItemsDialog';
import '../components/tax/tax.css';

const QUICK = 'quick';

export function TaxPage({ query }: { query: URLSearchParams }) {
  const raw = query.get('pipeline');
  const wanted = raw && /^\d+$/.test(raw) ? Number(raw) : null;
  const [data, setData] = useState<TaxData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [open, setOpen] = useState<{ model: TaxModel; metric: TaxMetric } | null>(null);
  const [running, setRunning] = useState<{ id: number; name: string } | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const selectId = useId();

  useEffect(() => {
    let live = true;
    lab.taxData().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [tick]);
  // A pipeline that moves may have finished an evaluation: read the table again (at most every 2 s).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = lab.onPipelineStatus((p) => {
      if (p.status === 'running') setRunning((r) => r ?? { id: p.id, name: p.name });
      else setRunning((r) => (r?.id === p.id ? null : r));
      timer ??= setTimeout(() => {
        timer = null;
        setTick((t) => t + 1);
      }, 2000);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, []);

  const startQuick = async () => {
    setStartError(null);
    try {
      const p = await lab.startPipeline({ preset: QUICK });
      setRunning({ id: p.id, name: p.name });
    } catch (e) {
      setStartError(errorMessage(e));
    }
  };

  const pipelines = data?.pipelines ?? [];
  const pipeline = pipelines.find((p) => p.id === wanted) ?? pipelines[0] ?? null;

  return (
    <section className="tax-page">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Alignment tax</h1>
          <p className="muted">
            What each alignment step buys and what it costs: every model of a pipeline measured on the sandbox
            world&apos;s held-out prompts — capability, helpfulness, harmlessness, over-refusal, honesty and
            style.
          </p>
        </div>
        {pipelines.length > 0 && (
          <div className="header-actions">
            <label className="tax-select" htmlFor={selectId}>
              Pipeline
            </label>
            <select
              id={selectId}
              className="tax-select"
              value={pipeline?.id ?? ''}
              onChange={(e) => navigate(`/tax?pipeline=${e.target.value}`)}
            >
              {pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.models.length} models{p.status === 'running' ? ', running' : ''})
                </option>
              ))}
            </select>
            <Link to={`/compare?pipeline=${pipeline?.id ?? ''}`} className="button secondary">
              Compare its runs
            </Link>
          </div>
        )}
      </header>

      {running && (
        <p className="tax-running" role="status">
          <Link to={`/pipelines/${running.id}`}>{running.name}</Link> is running; its models appear here as
          each is evaluated.
        </p>
      )}
      {startError && <Alert>{startError}</Alert>}
      {!data && error === null && <Loading what="the alignment tax" />}
      {error !== null && <LoadError error={error} retry={() => setTick((t) => t + 1)} />}
      {data && pipelines.length === 0 && (
        <EmptyState>
          <p>
            No evaluated pipeline yet. Run the <strong>quick</strong> pipeline: it builds a sandbox world,
            pretrains a small model, tunes it with SFT, aligns it with RLHF (a reward model and PPO) and with
            DPO from the same SFT model, adds safety tuning, and evaluates every one of them — a few minutes
            on two cores (<code>npm run lab -- pipeline --preset quick</code> does the same headless).
          </p>
          <p>
            <button
              type="button"
              className="primary"
              onClick={() => void startQuick()}
              disabled={running !== null}
            >
              Run the quick pipeline
            </button>
          </p>
        </EmptyState>
      )}
      {data && pipeline && (
        <>
          {wanted !== null && pipeline.id !== wanted && (
            <Alert>
              Pipeline {wanted} has no finished evaluation yet; showing {pipeline.name}.
            </Alert>
          )}
          <TaxTable
            pipeline={pipeline}
            metrics={data.metrics}
            onOpen={(model, metric) => setOpen({ model, metric })}
          />
          <TaxCharts data={data} pipeline={pipeline} />
        </>
      )}
      <TaxItemsDialog target={open} onClose={() => setOpen(null)} />
    </section>
  );
}
