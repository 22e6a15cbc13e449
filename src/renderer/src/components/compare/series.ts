// Pure helpers of the Compare page: a metric's points against the chosen x-axis, EMA smoothing, and
// the short label of a run.
import type { ComparePoint, CompareRun } from '../../../../shared/schemas';

export type XAxis = 'step' | 'tokens' | 'epoch' | 'time';
export const X_AXES: { value: XAxis; label: string; axis: string }[] = [
  { value: 'step', label: 'Step', axis: 'step' },
  { value: 'tokens', label: 'Tokens seen', axis: 'tokens seen' },
  { value: 'epoch', label: 'Epoch', axis: 'epoch' },
  { value: 'time', label: 'Wall time', axis: 'seconds' },
];
/** Where each axis sits in a ComparePoint: [step, value, seconds, tokens, epoch]. */
const X_INDEX: Record<XAxis, 0 | 2 | 3 | 4> = { step: 0, time: 2, tokens: 3, epoch: 4 };

/** [x, value] for the chosen axis; points without that axis (null) are left out. */
export function againstX(points: readonly ComparePoint[], axis: XAxis): [number, number][] {
  const i = X_INDEX[axis];
  const out: [number, number][] = [];
  for (const p of points) {
    const x = p[i];
    if (x !== null && x !== undefined) out.push([x, p[1]]);
  }
  return out;
}

/** Whether a run can be drawn against an axis. */
export const hasAxis = (run: CompareRun, axis: XAxis): boolean =>
  axis === 'step' ? true : run.axes[axis === 'time' ? 'time' : axis];

/**
 * Exponential moving average, debiased as TensorBoard's smoothing slider is: s_t = w·s_{t−1} +
 * (1 − w)·x_t, divided by 1 − w^t so that the first points are not pulled toward 0. `weight` 0 is none.
 */
export function ema(points: readonly [number, number][], weight: number): [number, number][] {
  if (weight <= 0) return points.map((p) => [p[0], p[1]]);
  let s = 0;
  return points.map(([x, v], t) => {
    s = weight * s + (1 - weight) * v;
    return [x, s / (1 - weight ** (t + 1))];
  });
}

/** "#12 DPO β 0.1" style: the id and the run's name, cut to fit a legend. */
export function runLabel(run: Pick<CompareRun, 'id' | 'name'>): string {
  const name = run.name.length > 40 ? `${run.name.slice(0, 39)}…` : run.name;
  return `#${run.id} ${name}`;
}
