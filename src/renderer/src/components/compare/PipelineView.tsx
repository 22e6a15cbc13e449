// The pipeline a comparison was opened on (`#/compare?pipeline=ID`): its status, and, for an
// experiment, the claim under test with its table and a chart of each compared metric per stage.
import type { Pipeline, Run } from '../../../../shared/schemas';
import { experimentTable } from '../../../../shared/experiments';
import { Link } from '../../router';
import { formatValue } from '../MetricChart';
import { PipelineBadge, stageText } from '../PipelineStatus';
import { ProgressBar } from '../Progress';
import { XYChart } from './XYChart';

export function PipelineView({ pipeline, runs }: { pipeline: Pipeline; runs: Run[] }) {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const table = experimentTable(pipeline, byId);
  const running = pipeline.stages.flatMap((s) => {
    const run = s.runId ? byId.get(s.runId) : undefined;
    return s.status === 'running' && run && ['queued', 'running'].includes(run.status) ? [{ s, run }] : [];
  });
  return (
    <section className="compare-section card" aria-labelledby="pipeline-h">
      <h2 id="pipeline-h">
        <Link to={`/pipelines/${pipeline.id}`}>{pipeline.name}</Link>{' '}
        <PipelineBadge status={pipeline.status} />
      </h2>
      <p className="muted">
        {stageText(pipeline)}
        {pipeline.error ? ` — ${pipeline.error}` : ''}. Its runs are compared below; the page follows it as it
        goes.
      </p>
      {running.map(({ s, run }) => (
        <ProgressBar
          key={s.name}
          progress={run.progress}
          status={run.status}
          label={`${s.label}: progress`}
        />
      ))}
      {table && (
        <>
          {table.claim && (
            <p>
              <strong>Claim under test:</strong> {table.claim}
            </p>
          )}
          <div className="table-scroll">
            <table className="data-table compact" aria-label="Experiment results">
              <thead>
                <tr>
                  <th scope="col">stage</th>
                  {table.metrics.map((m) => (
                    <th scope="col" key={m} className="num">
                      <code>{m}</code>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r) => (
                  <tr key={r.stage}>
                    <th scope="row">
                      {r.runId ? <Link to={`/runs/${r.runId}`}>{r.label}</Link> : r.label}{' '}
                      <span className="muted">({r.status})</span>
                    </th>
                    {r.values.map((v, i) => (
                      <td key={table.metrics[i]} className="num">
                        {v === null ? '—' : formatValue(v)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="chart-grid">
            {table.metrics.map((m, i) => (
              <XYChart
                key={m}
                label={`${m} by stage`}
                xLabel="stage"
                yLabel={m}
                xType="category"
                series={[
                  {
                    name: m,
                    type: 'bar',
                    color: i,
                    points: table.rows.flatMap((r) =>
                      r.values[i] === null || r.values[i] === undefined
                        ? []
                        : [{ x: r.label, y: r.values[i], source: r.stage }],
                    ),
                  },
                ]}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
