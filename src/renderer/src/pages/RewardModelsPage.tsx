// Reward models: score responses to a prompt with a trained reward model and compare them. Opened
// from the navigation or from a reward run's model (`#/reward-models?model=3`).
import { useMemo } from 'react';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { EmptyState, LoadError, Loading } from '../components/ui';
import { RewardScore } from '../components/RewardScore';

export function RewardModelsPage({ initialModelId }: { initialModelId: number | null }) {
  const models = useLoad(() => lab.listModels());
  // Runs give each model its training template and held-out accuracy; the page works without them.
  const runs = useLoad(() => lab.listRuns());
  const byRun = useMemo(
    () => new Map(runs.data.state === 'ready' ? runs.data.value.map((r) => [r.id, r]) : []),
    [runs.data],
  );
  const rewardModels =
    models.data.state === 'ready'
      ? models.data.value.filter((m) => m.kind === 'reward').sort((a, b) => b.id - a.id)
      : [];

  return (
    <section>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Reward models</h1>
          <p className="muted">
            Score responses to one prompt with a trained reward model: the higher the reward, the more it
            prefers the response. PPO maximises this number.
          </p>
        </div>
        <Link to="/runs?new=reward" className="button secondary">
          Train a reward model
        </Link>
      </header>
      {(models.data.state === 'loading' || runs.data.state === 'loading') && <Loading what="reward models" />}
      {models.data.state === 'error' && (
        <LoadError error={models.data.error} retry={() => void models.reload()} />
      )}
      {models.data.state === 'ready' && runs.data.state !== 'loading' && rewardModels.length === 0 && (
        <EmptyState>
          <p>
            No reward models yet. A reward model learns from preference pairs to give a better response a
            higher score.
          </p>
          <p>
            Train one with <Link to="/runs?new=reward">New run → Reward model</Link>, on your own preference
            pairs or the built-in <code>sandbox-pairs</code>; it appears here when the run completes.
          </p>
        </EmptyState>
      )}
      {models.data.state === 'ready' && runs.data.state !== 'loading' && rewardModels.length > 0 && (
        <RewardScore models={rewardModels} runs={byRun} initialModelId={initialModelId} />
      )}
    </section>
  );
}
