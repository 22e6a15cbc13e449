// Human-readable rows of the lab workloads (lab-workloads.ts): fixed column widths, printed as they come.
import type { LabBenchResult } from './lab-workloads';

/** 3 significant digits below 1000 (0.312, 4.28, 29.5), whole numbers above (12650). */
const num = (x: number) => (Math.abs(x) >= 1000 ? String(Math.round(x)) : x.toPrecision(3));

const COLS: { head: string; width: number; right?: boolean; cell: (r: LabBenchResult) => string }[] = [
  { head: 'workload', width: 9, cell: (r) => r.workload },
  { head: 'impl', width: 52, cell: (r) => r.impl },
  { head: 'thr', width: 3, right: true, cell: (r) => String(r.threads) },
  { head: 'params', width: 8, right: true, cell: (r) => String(r.params) },
  { head: 'rate', width: 9, right: true, cell: (r) => num(r.rate) },
  { head: 'unit', width: 12, cell: (r) => r.unit },
  {
    head: 'runs (min–max)',
    width: 15,
    right: true,
    cell: (r) => `${num(r.runs[0] ?? NaN)}–${num(r.runs.at(-1) ?? NaN)}`,
  },
  { head: 'runs', width: 4, right: true, cell: (r) => String(r.runs.length) },
  { head: 'vs tfjs', width: 7, right: true, cell: (r) => `${r.vsTfjs.toFixed(2)}×` },
  { head: 'detail', width: 0, cell: detail },
];

function detail(r: LabBenchResult): string {
  const parts = r.parts
    ? ' = ' +
      Object.entries(r.parts)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(' + ')
    : '';
  if (r.secondsPerIteration !== undefined)
    return `${r.secondsPerIteration.toFixed(2)} s/iteration${parts}; ${r.tokensPerSec} rollout tok/s`;
  if (r.items !== undefined) return `${r.items} items, ${r.tokensPerSec} generated tok/s`;
  return '';
}

const line = (r: LabBenchResult | null) =>
  COLS.map((c) => {
    const s = r ? c.cell(r) : c.head;
    return c.right ? s.padStart(c.width) : s.padEnd(c.width);
  })
    .join('  ')
    .trimEnd();

export const labResultHeader = (): string => line(null);
export const labResultRow = (r: LabBenchResult): string => line(r);
