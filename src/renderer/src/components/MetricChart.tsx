// A line chart of metric series against step (echarts, tree-shaken), with the same data readable
// as a table for screen readers and for copying. Follows the light/dark theme.
import { useEffect, useState } from 'react';
import { useEChart } from './echart';

export interface Series {
  name: string;
  /** [step, value], sorted by step. */
  points: [number, number][];
}

const LIGHT = {
  text: '#3f4a5a',
  muted: '#6b7685',
  grid: '#e4e8ee',
  palette: ['#4f5bd5', '#16a34a', '#dc2626', '#d97706', '#0891b2', '#9333ea', '#be185d', '#4d7c0f'],
};
const DARK = {
  text: '#cdd5e0',
  muted: '#8b97a8',
  grid: '#2a3240',
  palette: ['#8b95ff', '#4ade80', '#f87171', '#fbbf24', '#22d3ee', '#c084fc', '#f472b6', '#a3e635'],
};

export const formatValue = (v: number): string =>
  Number.isInteger(v) && Math.abs(v) < 1e6
    ? String(v)
    : Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0)
      ? v.toExponential(3)
      : v.toPrecision(4);

/** The chart colours of the current theme, in series order (the Compare page's other charts use them too). */
export const chartPalette = (dark: boolean): string[] => (dark ? DARK : LIGHT).palette;

export function MetricChart({
  label,
  series,
  xLabel = 'step',
  tableSeries = series,
  tableNote,
}: {
  label: string;
  series: Series[];
  /** What the table shows, when not the drawn series (e.g. raw values under smoothed curves). */
  tableSeries?: Series[];
  /** A sentence under the table's toggle, e.g. "raw values, unsmoothed". */
  tableNote?: string;
  /** The x-axis: `step` (whole numbers) by default, or e.g. tokens seen, epoch, seconds. */
  xLabel?: string;
}) {
  const { el, chart, dark } = useEChart();
  const [showTable, setShowTable] = useState(false);

  useEffect(() => {
    const colors = dark ? DARK : LIGHT;
    chart.current?.setOption(
      {
        backgroundColor: 'transparent',
        color: colors.palette,
        animation: false,
        textStyle: { color: colors.text },
        grid: { left: 56, right: 16, top: 36, bottom: 32 },
        tooltip: {
          trigger: 'axis',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v) : String(v)),
        },
        legend: { top: 0, textStyle: { color: colors.text } },
        xAxis: {
          type: 'value',
          name: xLabel,
          nameLocation: 'end',
          nameTextStyle: { color: colors.muted },
          minInterval: xLabel === 'step' ? 1 : 0,
          axisLine: { onZero: false, lineStyle: { color: colors.grid } },
          axisLabel: { color: colors.muted },
          splitLine: { show: false },
        },
        yAxis: {
          type: 'value',
          scale: true,
          axisLabel: { color: colors.muted },
          splitLine: { lineStyle: { color: colors.grid } },
        },
        series: series.map((s) => ({
          name: s.name,
          type: 'line',
          // A series of a few points (e.g. val/loss measured once or twice) shows its points.
          showSymbol: s.points.length < 3,
          data: s.points,
          lineStyle: { width: 2 },
        })),
      },
      { notMerge: true },
    );
  }, [chart, series, dark, xLabel]);

  const steps = [...new Set(tableSeries.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const lookup = tableSeries.map((s) => new Map(s.points));
  const empty = steps.length === 0;

  return (
    <figure className="chart-card">
      <figcaption>{label}</figcaption>
      <div className="chart-wrap">
        <div ref={el} className="chart" role="img" aria-label={label} />
        {empty && <p className="chart-empty">No points yet</p>}
      </div>
      <details onToggle={(e) => setShowTable(e.currentTarget.open)}>
        <summary>Show data as table</summary>
        {showTable && tableNote && <p className="hint">{tableNote}</p>}
        {showTable && (
          <div className="table-scroll">
            <table className="data-table compact">
              <caption className="visually-hidden">
                {label} by {xLabel}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{xLabel}</th>
                  {tableSeries.map((s) => (
                    <th scope="col" key={s.name}>
                      {s.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {steps.map((step) => (
                  <tr key={step}>
                    <th scope="row">{xLabel === 'step' ? step : formatValue(step)}</th>
                    {lookup.map((m, i) => {
                      const v = m.get(step);
                      return <td key={tableSeries[i]?.name ?? i}>{v === undefined ? '' : formatValue(v)}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </figure>
  );
}
