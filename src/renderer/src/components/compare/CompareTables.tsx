// The Compare page's tables: the config fields that differ, the evaluations side by side, and what
// each run cost.
import type { CompareResult, CompareRun } from '../../../../shared/schemas';
import { Link } from '../../router';
import { formatValue } from '../MetricChart';
import { runLabel } from './series';

const FIRST = ['overall/mean_score', 'kl_to_reference', 'kl_to_reference_seq'];

function DiffTable({
  result,
  rows,
  caption,
}: {
  result: CompareResult;
  rows: CompareResult['configDiff'];
  caption: string;
}) {
  return (
    <div className="table-scroll">
      <table className="data-table compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">field</th>
            {result.runs.map((r) => (
              <th scope="col" key={r.id}>
                {runLabel(r)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.field}>
              <th scope="row">
                <code>{d.field}</code>
              </th>
              {result.runs.map((r) => {
                const v = d.values[String(r.id)];
                return (
                  <td key={r.id} className={v === null || v === undefined ? 'muted' : undefined}>
                    {v ?? '—'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ConfigDiff({ result }: { result: CompareResult }) {
  // Settings every run has but with different values come first; those only some runs have (another
  // algorithm's settings) are folded away.
  const everywhere = result.configDiff.filter((d) =>
    result.runs.every((r) => d.values[String(r.id)] !== null && d.values[String(r.id)] !== undefined),
  );
  const some = result.configDiff.filter((d) => !everywhere.includes(d));
  return (
    <section className="compare-section" aria-labelledby="config-h">
      <h2 id="config-h">Config: what differs</h2>
      {result.runs.length < 2 ? (
        <p className="muted">Pick a second run to see what differs.</p>
      ) : result.configDiff.length === 0 ? (
        <p className="muted">The runs share every setting.</p>
      ) : (
        <>
          {everywhere.length > 0 ? (
            <DiffTable result={result} rows={everywhere} caption="Settings of every run that differ" />
          ) : (
            <p className="muted">No setting that every run has differs between them.</p>
          )}
          {some.length > 0 && (
            <details className="config-some">
              <summary>
                {some.length} setting{some.length === 1 ? '' : 's'} only some runs have
              </summary>
              <DiffTable result={result} rows={some} caption="Settings only some runs have" />
            </details>
          )}
        </>
      )}
    </section>
  );
}

export function EvalTable({ result }: { result: CompareResult }) {
  const runs = new Map(result.runs.map((r) => [r.id, r]));
  const keys = [...new Set(result.evals.flatMap((e) => Object.keys(e.values)))].sort((a, b) => {
    const ia = FIRST.indexOf(a);
    const ib = FIRST.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a.localeCompare(b);
  });
  return (
    <section className="compare-section" aria-labelledby="evals-h">
      <h2 id="evals-h">Evaluations side by side</h2>
      {result.evals.length === 0 ? (
        <p className="muted">
          No evaluation of these models yet. Start an Evaluation run for each model (Runs → New run →
          Evaluation, with the SFT model as the reference) and its scores appear here.
        </p>
      ) : (
        <>
          <div className="table-scroll">
            <table className="data-table compact" aria-label="Evaluation results">
              <thead>
                <tr>
                  <th scope="col">metric</th>
                  {result.evals.map((e) => {
                    const run = runs.get(e.runId);
                    return (
                      <th scope="col" key={e.evalRunId}>
                        {run ? runLabel(run) : `#${e.runId}`}{' '}
                        <Link to={`/runs/${e.evalRunId}`} className="muted">
                          (evaluation #{e.evalRunId})
                        </Link>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k}>
                    <th scope="row">
                      <code>{k}</code>
                    </th>
                    {result.evals.map((e) => {
                      const v = e.values[k];
                      return (
                        <td key={e.evalRunId} className="num">
                          {v === undefined ? '—' : formatValue(v)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="hint">
            Each column is one evaluation run (open it for every reply behind its numbers). Scores are the
            sandbox gold judge’s, from 0 to 1; rates are shares of replies; <code>kl_to_reference_seq</code>{' '}
            is nats per reply from the reference model named in the evaluation, <code>kl_to_reference</code>{' '}
            the same per token.
          </p>
        </>
      )}
    </section>
  );
}

const duration = (s: number | null): string =>
  s === null ? '—' : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;

export function Costs({ runs }: { runs: CompareRun[] }) {
  return (
    <section className="compare-section" aria-labelledby="cost-h">
      <h2 id="cost-h">Cost</h2>
      <div className="table-scroll">
        <table className="data-table compact">
          <caption className="visually-hidden">What each run cost</caption>
          <thead>
            <tr>
              <th scope="col">run</th>
              <th scope="col">kind</th>
              <th scope="col">status</th>
              <th scope="col" className="num">
                wall time
              </th>
              <th scope="col" className="num">
                tokens processed
              </th>
              <th scope="col" className="num">
                steps
              </th>
              <th scope="col" className="num">
                tokens / s
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <Link to={`/runs/${r.id}`}>{runLabel(r)}</Link>
                </th>
                <td>{r.kind}</td>
                <td>{r.status}</td>
                <td className="num">{duration(r.cost.wallSeconds)}</td>
                <td className="num">{r.cost.tokens === null ? 'not logged' : formatValue(r.cost.tokens)}</td>
                <td className="num">{r.cost.steps}</td>
                <td className="num">
                  {r.cost.tokens !== null && r.cost.wallSeconds
                    ? formatValue(Math.round(r.cost.tokens / r.cost.wallSeconds))
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">
        Wall time from start to finish on this machine (queueing excluded). Tokens: what the run logged as
        processed (PPO: response tokens sampled; SFT and pretraining: tokens trained on); runs that log no
        count say so.
      </p>
    </section>
  );
}
