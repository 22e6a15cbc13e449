// Human-readable tables of benchmark results: fixed column widths, so rows can be printed as they come.
import type { BenchRatio, BenchResult } from './run';

type Col<T> = { head: string; width: number; right?: boolean; cell: (x: T) => string };

function row<T>(cols: Col<T>[], x: T | null): string {
  return cols
    .map((c) => {
      const s = x === null ? c.head : c.cell(x);
      return c.right ? s.padStart(c.width) : s.padEnd(c.width);
    })
    .join('  ')
    .trimEnd();
}

const fixed = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
/** A rate with 3 significant digits (0.0162, 4.70, 21.7). */
const rate = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : String(x));
const mb = (x: number | null) => (x === null ? '—' : `${x} MB`);

const RESULT_COLS: Col<BenchResult>[] = [
  { head: 'workload', width: 9, cell: (r) => r.workload },
  { head: 'impl', width: 24, cell: (r) => r.impl },
  { head: 'thr', width: 3, right: true, cell: (r) => String(r.threads) },
  { head: 'params', width: 8, right: true, cell: (r) => String(r.params) },
  { head: 'steps/s', width: 8, right: true, cell: (r) => fixed(r.stepsPerSec, 3) },
  { head: 'tokens/s', width: 8, right: true, cell: (r) => String(r.tokensPerSec) },
  {
    head: 'runs (min–max)',
    width: 15,
    right: true,
    cell: (r) => `${rate(r.runs[0] ?? NaN)}–${rate(r.runs.at(-1) ?? NaN)}`,
  },
  { head: 'runs×steps', width: 10, right: true, cell: (r) => `${r.runs.length}×${r.steps}` },
  { head: 'first loss', width: 10, right: true, cell: (r) => fixed(r.firstLoss, 4) },
  { head: 'last loss', width: 10, right: true, cell: (r) => fixed(r.lastLoss, 4) },
  { head: 'peak RSS', width: 8, right: true, cell: (r) => mb(r.peakRssMB) },
];

export const resultHeader = (): string => row(RESULT_COLS, null);
export const resultRow = (r: BenchResult): string => row(RESULT_COLS, r);

const RATIO_COLS: Col<BenchRatio>[] = [
  { head: 'workload', width: 9, cell: (r) => r.workload },
  { head: 'ours', width: 24, cell: (r) => r.impl },
  { head: 'ours steps/s', width: 12, right: true, cell: (r) => fixed(r.oursStepsPerSec, 3) },
  { head: 'torch steps/s', width: 13, right: true, cell: (r) => fixed(r.torchStepsPerSec, 3) },
  { head: 'ours/torch', width: 10, right: true, cell: (r) => fixed(r.ratio, 3) },
  {
    head: 'params ours/torch',
    width: 17,
    right: true,
    cell: (r) => (r.paramsOurs === r.paramsTorch ? `${r.paramsOurs} =` : `${r.paramsOurs}/${r.paramsTorch}`),
  },
  {
    head: 'peak RSS ours/torch',
    width: 19,
    right: true,
    cell: (r) => `${mb(r.peakRssMBOurs)} / ${mb(r.peakRssMBTorch)}`,
  },
];

export function ratioTable(ratios: BenchRatio[]): string {
  return [row(RATIO_COLS, null), ...ratios.map((r) => row(RATIO_COLS, r))].join('\n');
}
