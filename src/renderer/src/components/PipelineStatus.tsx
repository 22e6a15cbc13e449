// A pipeline's status in a word: badges for pipelines and stages, "stage 3 of 5", and which of two
// snapshots of a pipeline is the newer.
import type { Pipeline, PipelineStage } from '../../../shared/schemas';
import '../pipelines.css';

type PipelineStatus = Pipeline['status'];
type StageStatus = PipelineStage['status'];

export function PipelineBadge({
  status,
  labelledBy,
}: {
  status: PipelineStatus | StageStatus;
  labelledBy?: string;
}) {
  return (
    <span
      className={`badge badge-${status}`}
      {...(labelledBy ? { role: 'status', 'aria-labelledby': labelledBy } : {})}
    >
      {status}
    </span>
  );
}

/** The stage a pipeline is at (the first one not completed), or null when every stage is done. */
export function currentStage(p: Pipeline): { index: number; stage: PipelineStage } | null {
  const index = p.stages.findIndex((s) => s.status !== 'completed' && s.status !== 'skipped');
  const stage = p.stages[index];
  return stage ? { index, stage } : null;
}

/** "stage 3 of 5", or "all 5 stages" when done, "stopped at stage 3 of 5" when it stopped. */
export function stageText(p: Pipeline): string {
  const n = p.stages.length;
  const at = currentStage(p);
  if (!at) return `all ${n} stages done`;
  const where = `stage ${at.index + 1} of ${n}`;
  return p.status === 'running' ? where : `stopped at ${where}`;
}

const STAGE_RANK: Record<StageStatus, number> = {
  pending: 0,
  running: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
  skipped: 2,
};

/** How far a snapshot has got: events may arrive out of order, and no stage ever goes back. */
const rank = (p: Pipeline): number =>
  (p.status === 'running' ? 0 : 100) + p.stages.reduce((a, s) => a + STAGE_RANK[s.status], 0);

/** The newer of two snapshots of the same pipeline (ties go to the incoming one). */
export function newerPipeline(current: Pipeline, incoming: Pipeline): Pipeline {
  return rank(incoming) < rank(current) ? current : incoming;
}
