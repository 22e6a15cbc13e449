// One chart of the Alignment tax page: an echarts option (scatter, radar or bars), a caption, the
// sentence that says what it shows and how to read it, and the same data as a table. Follows the
// light/dark theme, as MetricChart does.
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useEChart, type echarts } from '../echart';

export const PALETTE = {
  light: ['#4f5bd5', '#16a34a', '#dc2626', '#d97706', '#0891b2', '#9333ea', '#64748b'],
  dark: ['#8b95ff', '#4ade80', '#f87171', '#fbbf24', '#22d3ee', '#c084fc', '#94a3b8'],
};

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  palette: string[];
}

const LIGHT: ChartTheme = { text: '#3f4a5a', muted: '#6b7685', grid: '#e4e8ee', palette: PALETTE.light };
const DARK: ChartTheme = { text: '#cdd5e0', muted: '#8b97a8', grid: '#2a3240', palette: PALETTE.dark };

interface Props {
  label: string;
  /** What the chart shows and how to read it, in a sentence or two. */
  reading: string;
  /** The option for the current theme. */
  option: (theme: ChartTheme) => echarts.EChartsCoreOption;
  /** The chart's data as a table: column headers and rows. */
  table: { columns: string[]; rows: (string | number)[][] };
  height?: number;
  testId?: string;
}

export function TaxChart({ label, reading, option, table, height = 300, testId }: Props) {
  const { el, chart, dark } = useEChart();
  const [showTable, setShowTable] = useState(false);

  useEffect(() => {
    const theme = dark ? DARK : LIGHT;
    chart.current?.setOption(
      {
        backgroundColor: 'transparent',
        color: theme.palette,
        animation: false,
        textStyle: { color: theme.text },
        ...option(theme),
      },
      { notMerge: true },
    );
  }, [chart, option, dark]);

  return (
    <figure className="chart-card tax-chart" data-testid={testId}>
      <figcaption>{label}</figcaption>
      <div className="chart-wrap">
        <div ref={el} className="chart" style={{ height }} role="img" aria-label={label} />
        {table.rows.length === 0 && <p className="chart-empty">No points yet</p>}
      </div>
      <p className="tax-reading">{reading}</p>
      <details onToggle={(e) => setShowTable(e.currentTarget.open)}>
        <summary>Show data as table</summary>
        {showTable && <DataTable caption={label} columns={table.columns} rows={table.rows} />}
      </details>
    </figure>
  );
}

export function DataTable({
  caption,
  columns,
  rows,
  children,
}: {
  caption: string;
  columns: string[];
  rows: (string | number | null)[][];
  children?: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className="data-table compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <td key={j}>{typeof v === 'number' ? formatNumber(v) : (v ?? '—')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {children}
    </div>
  );
}

export const formatNumber = (v: number): string =>
  Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
