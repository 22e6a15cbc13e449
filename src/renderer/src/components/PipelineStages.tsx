// A pipeline's stages as a vertical stepper: each stage's label, status and world or run, and for the
// running stage its live progress (from the run's progress events) and latest loss.
import { useEffect, useState } from 'react';
import { TERMINAL_STATUSES } from '../../../shared/schemas';
import type { Pipeline, PipelineStage, Run, RunProgress } from '../../../shared/schemas';
import { lab } from '../lab';
import { Link } from '../router';
import { ProgressBar, newerRun } from './Progress';
import { formatValue } from './MetricChart';
import { PipelineBadge } from './PipelineStatus';

interface Live {
  run: Run | null;
  progress: RunProgress | null;
  loss: { step: number; value: number } | null;
}

/** A run's status, progress and loss, kept current from its events. */
function useLiveRun(runId: number): Live {
  const [live, setLive] = useState<Live>({ run: null, progress: null, loss: null });
  // Subscribe first, then load, so that no event falls between the two.
  useEffect(() => {
    let alive = true;
    const offProgress = lab.onRunProgress((e) => {
      if (e.runId !== runId) return;
      setLive((l) => {
        let loss = l.loss;
        for (const m of e.metrics)
          if (m.name === 'loss' && (loss === null || m.step >= loss.step))
            loss = { step: m.step, value: m.value };
        return { ...l, progress: e.progress, loss };
      });
    });
    const offStatus = lab.onRunStatus((run) => {
      if (run.id === runId) setLive((l) => ({ ...l, run: l.run ? newerRun(l.run, run) : run }));
    });
    lab.getRun({ id: runId }).then(
      (run) => {
        if (!alive) return;
        setLive((l) => ({
          run: l.run ? newerRun(run, l.run) : run,
          progress: l.progress ?? run.progress,
          loss: l.loss ?? (run.summary.loss === undefined ? null : { step: -1, value: run.summary.loss }),
        }));
      },
      () => undefined, // the stage's link still leads to the run, which says what is wrong
    );
    return () => {
      alive = false;
      offProgress();
      offStatus();
    };
  }, [runId]);
  return live;
}

function StageProgress({ stage, runId }: { stage: PipelineStage; runId: number }) {
  const { run, progress, loss } = useLiveRun(runId);
  const status = run?.status ?? 'running';
  return (
    <div className="pipeline-stage-live">
      <ProgressBar
        progress={TERMINAL_STATUSES.includes(status) ? (run?.progress ?? progress) : progress}
        status={status}
        label={`Progress of ${stage.label}`}
      />
      {loss !== null && (
        <p className="hint">
          Latest loss <strong className="num">{formatValue(loss.value)}</strong>
        </p>
      )}
    </div>
  );
}

const MARKS: Record<PipelineStage['status'], string> = {
  pending: '',
  running: '',
  completed: '✓',
  failed: '✕',
  cancelled: '–',
  skipped: '–',
};

export function PipelineStages({ pipeline }: { pipeline: Pipeline }) {
  return (
    <ol className="pipeline-stages" aria-label="Stages">
      {pipeline.stages.map((s, i) => (
        <li
          key={s.name}
          className={`pipeline-stage pipeline-stage-${s.status}${
            s.runId === null && s.worldId === null && (s.datasetId ?? null) === null
              ? ' pipeline-stage-unstarted'
              : ''
          }`}
          aria-current={s.status === 'running' ? 'step' : undefined}
        >
          <span className="pipeline-stage-mark" aria-hidden="true">
            {MARKS[s.status] || i + 1}
          </span>
          <div className="pipeline-stage-body">
            <div className="pipeline-stage-head">
              <h3 className="pipeline-stage-label">{s.label}</h3>
              <PipelineBadge status={s.status} />
              {s.worldId !== null && <Link to={`/worlds/${s.worldId}`}>World #{s.worldId}</Link>}
              {(s.datasetId ?? null) !== null && (
                <Link to={`/datasets/${s.datasetId}`}>Dataset #{s.datasetId}</Link>
              )}
              {s.runId !== null && <Link to={`/runs/${s.runId}`}>Run #{s.runId}</Link>}
              {s.modelId !== null && <span className="muted">model #{s.modelId}</span>}
            </div>
            {s.status === 'skipped' && s.note && <p className="muted">{s.note}</p>}
            {s.status === 'running' && s.runId !== null && (
              <StageProgress key={s.runId} stage={s} runId={s.runId} />
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
