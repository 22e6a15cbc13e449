// The compared runs' metric curves overlaid: one chart per metric (those every run logs, or every
// metric), against step, tokens seen, epoch or wall time, with EMA smoothing. The tables under the
// charts hold the stored values, unsmoothed.
import { useId, useMemo, useState } from 'react';
import type { CompareResult } from '../../../../shared/schemas';
import { MetricChart } from '../MetricChart';
import type { Series } from '../MetricChart';
import { METRIC_NOTES } from './notes';
import { X_AXES, againstX, ema, hasAxis, runLabel, type XAxis } from './series';

export function CompareCurves({ result }: { result: CompareResult }) {
  const [axis, setAxis] = useState<XAxis>('step');
  const [smoothing, setSmoothing] = useState(0);
  const [everyMetric, setEveryMetric] = useState(false);
  const ids = { axis: useId(), smoothing: useId(), every: useId() };
  const runs = useMemo(() => new Map(result.runs.map((r) => [r.id, r])), [result.runs]);
  const axisInfo = X_AXES.find((a) => a.value === axis)!;
  const lacking = result.runs.filter((r) => r.axes.time && !hasAxis(r, axis));
  const names = everyMetric ? result.metrics.map((m) => m.name) : result.shared;
  const charts = useMemo(
    () =>
      names.flatMap((name) => {
        const metric = result.metrics.find((m) => m.name === name);
        if (!metric) return [];
        const raw: Series[] = metric.series.flatMap((s) => {
          const run = runs.get(s.runId);
          if (!run || !hasAxis(run, axis)) return [];
          return [{ name: runLabel(run), points: againstX(s.points, axis) }];
        });
        const drawn = raw.map((s) => ({ ...s, points: ema(s.points, smoothing) }));
        return [{ name, raw, drawn }];
      }),
    [names, result.metrics, runs, axis, smoothing],
  );

  return (
    <section className="compare-section" aria-labelledby={`${ids.axis}-h`}>
      <h2 id={`${ids.axis}-h`}>Curves</h2>
      <div className="compare-controls">
        <div className="field">
          <label htmlFor={ids.axis}>X-axis</label>
          <select id={ids.axis} value={axis} onChange={(e) => setAxis(e.target.value as XAxis)}>
            {X_AXES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.smoothing}>Smoothing (EMA) {smoothing.toFixed(2)}</label>
          <input
            id={ids.smoothing}
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
          />
        </div>
        <div className="field checkbox-field">
          <input
            id={ids.every}
            type="checkbox"
            checked={everyMetric}
            onChange={(e) => setEveryMetric(e.target.checked)}
          />
          <label htmlFor={ids.every}>Every metric, not only those all runs log</label>
        </div>
      </div>
      {lacking.length > 0 && (
        <p className="hint" role="note">
          {lacking.map(runLabel).join(', ')} {lacking.length === 1 ? 'logs' : 'log'} no{' '}
          {axis === 'tokens' ? 'token counts' : axis === 'epoch' ? 'epochs' : axisInfo.axis}:{' '}
          {lacking.length === 1 ? 'it is' : 'they are'} left out of charts against {axisInfo.axis}.
        </p>
      )}
      {charts.length === 0 ? (
        <p className="muted">
          {result.metrics.length === 0
            ? 'None of these runs has metrics to draw.'
            : 'No metric is logged by every run; tick “Every metric” to see each run’s own.'}
        </p>
      ) : (
        <div className="chart-grid">
          {charts.map((c) => (
            <div key={c.name} className="compare-chart">
              <MetricChart
                label={`${c.name} against ${axisInfo.axis}`}
                xLabel={axisInfo.axis}
                series={c.drawn}
                tableSeries={c.raw}
                {...(smoothing > 0 ? { tableNote: 'Stored values, unsmoothed.' } : {})}
              />
              {METRIC_NOTES[c.name] && <p className="hint metric-note">{METRIC_NOTES[c.name]}</p>}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
