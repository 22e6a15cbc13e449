// A run's progress: a determinate progressbar plus "step X of N · ~M s left".
import type { RunProgress, RunStatus } from '../../../shared/schemas';

export function percent(progress: RunProgress | null): number {
  if (!progress || progress.totalSteps === 0) return 0;
  return Math.min(100, Math.round((progress.step / progress.totalSteps) * 100));
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function progressText(progress: RunProgress | null, status: RunStatus): string {
  if (!progress) return status === 'queued' ? 'waiting to start' : 'no steps yet';
  const steps = `step ${progress.step} of ${progress.totalSteps}`;
  if (status !== 'running') return steps;
  return progress.etaMs === null
    ? `${steps} · estimating time left`
    : `${steps} · ~${formatDuration(progress.etaMs)} left`;
}

interface ProgressProps {
  progress: RunProgress | null;
  status: RunStatus;
  label: string;
  compact?: boolean;
}

export function ProgressBar({ progress, status, label, compact = false }: ProgressProps) {
  const value = percent(progress);
  const text = progressText(progress, status);
  return (
    <div className={`progress${compact ? ' progress-compact' : ''} progress-${status}`}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={`${value}% (${text})`}
      >
        <div className="progress-fill" style={{ width: `${value}%` }} />
      </div>
      <span className="progress-text">{compact ? `${value}%` : text}</span>
    </div>
  );
}

export function StatusBadge({ status, labelledBy }: { status: RunStatus; labelledBy?: string }) {
  return (
    <span
      className={`badge badge-${status}`}
      {...(labelledBy ? { role: 'status', 'aria-labelledby': labelledBy } : {})}
    >
      {status}
    </span>
  );
}

const RANK: Record<RunStatus, number> = {
  queued: 0,
  running: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
  interrupted: 2,
};

/** The newer of two snapshots of a run: events can arrive out of order, and a status never goes back. */
export function newerRun<R extends { status: RunStatus; attempt?: number }>(current: R, incoming: R): R {
  const [a, b] = [current.attempt ?? 1, incoming.attempt ?? 1];
  if (a !== b) return b > a ? incoming : current; // a resumed run starts over: its new attempt wins
  return RANK[incoming.status] < RANK[current.status] ? current : incoming;
}
