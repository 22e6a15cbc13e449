// A chart of (x, y) points for the Compare page: lines, scatters or bars, an optional second y-axis,
// labelled axes, and its data readable as a table (one row per point, with where each point comes from).
import { useEffect, useState } from 'react';
import { useEChart } from '../echart';
import { chartPalette, formatValue } from '../MetricChart';

export interface XYPoint {
  x: number | string;
  y: number;
  /** Where the point comes from, for the table (e.g. "iteration 3", "evaluation #12"). */
  source?: string;
}
export interface XYSeries {
  name: string;
  type: 'line' | 'scatter' | 'bar';
  points: XYPoint[];
  /** 1: drawn against the right-hand y-axis. */
  yAxis?: 0 | 1;
  dashed?: boolean;
  /** An index into the palette, so that a run keeps its colour across series. */
  color?: number;
}

interface Props {
  label: string;
  xLabel: string;
  yLabel: string;
  /** The right-hand axis' name, when a series uses it. */
  y2Label?: string;
  series: XYSeries[];
  /** `category`: the x values are names (bars of an experiment). */
  xType?: 'value' | 'category';
  empty?: string;
}

export function XYChart({ label, xLabel, yLabel, y2Label, series, xType = 'value', empty }: Props) {
  const { el, chart, dark } = useEChart();
  const [showTable, setShowTable] = useState(false);

  useEffect(() => {
    const palette = chartPalette(dark);
    const text = dark ? '#cdd5e0' : '#3f4a5a';
    const muted = dark ? '#8b97a8' : '#6b7685';
    const grid = dark ? '#2a3240' : '#e4e8ee';
    const axis = (name: string) => ({
      type: 'value' as const,
      name,
      nameTextStyle: { color: muted },
      scale: true,
      axisLabel: { color: muted },
      splitLine: { lineStyle: { color: grid } },
    });
    const categories = [...new Set(series.flatMap((s) => s.points.map((p) => String(p.x))))];
    chart.current?.setOption(
      {
        backgroundColor: 'transparent',
        animation: false,
        textStyle: { color: text },
        grid: { left: 60, right: y2Label ? 60 : 20, top: 48, bottom: 40 },
        tooltip: {
          trigger: xType === 'category' ? 'axis' : 'item',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v) : String(v)),
        },
        legend: { top: 0, type: 'scroll', textStyle: { color: text } },
        xAxis: {
          type: xType,
          name: xLabel,
          nameLocation: 'middle',
          nameGap: 26,
          nameTextStyle: { color: muted },
          ...(xType === 'category' ? { data: categories } : { scale: true }),
          axisLine: { onZero: false, lineStyle: { color: grid } },
          axisLabel: { color: muted },
          splitLine: { show: false },
        },
        yAxis: y2Label ? [axis(yLabel), { ...axis(y2Label), splitLine: { show: false } }] : axis(yLabel),
        series: series.map((s, i) => {
          const color = palette[(s.color ?? i) % palette.length];
          return {
            name: s.name,
            type: s.type,
            yAxisIndex: s.yAxis ?? 0,
            data: s.points.map((p) => [p.x, p.y]),
            itemStyle: { color },
            lineStyle: { color, width: 2, type: s.dashed ? 'dashed' : 'solid' },
            symbolSize: s.type === 'scatter' ? 11 : 6,
            showSymbol: true,
          };
        }),
      },
      { notMerge: true },
    );
  }, [chart, series, dark, xLabel, yLabel, y2Label, xType]);

  const rows = series.flatMap((s) => s.points.map((p) => ({ series: s, p })));
  const yName = (s: XYSeries) => (s.yAxis === 1 && y2Label ? y2Label : yLabel);

  return (
    <figure className="chart-card">
      <figcaption>{label}</figcaption>
      <div className="chart-wrap">
        <div ref={el} className="chart" role="img" aria-label={label} />
        {rows.length === 0 && <p className="chart-empty">{empty ?? 'No points yet'}</p>}
      </div>
      <details onToggle={(e) => setShowTable(e.currentTarget.open)}>
        <summary>Show data as table</summary>
        {showTable && (
          <div className="table-scroll">
            <table className="data-table compact">
              <caption className="visually-hidden">{label}</caption>
              <thead>
                <tr>
                  <th scope="col">series</th>
                  <th scope="col">{xLabel}</th>
                  <th scope="col">value</th>
                  <th scope="col">of</th>
                  <th scope="col">from</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ series: s, p }, i) => (
                  <tr key={i}>
                    <th scope="row">{s.name}</th>
                    <td>{typeof p.x === 'number' ? formatValue(p.x) : p.x}</td>
                    <td>{formatValue(p.y)}</td>
                    <td>{yName(s)}</td>
                    <td>{p.source ?? ''}</td>
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
