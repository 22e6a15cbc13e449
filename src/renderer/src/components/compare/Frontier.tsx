// The reward–KL frontier (Rafailov et al. 2023, Fig. 2) and PPO's over-optimisation (Gao et al. 2022):
// gold score against KL to the reference, one curve per run; and, for PPO against a proxy reward, the
// proxy and the gold score of the same rollouts against KL on one chart.
import type { CompareResult, CompareRun, FrontierCurve } from '../../../../shared/schemas';
import { runLabel } from './series';
import { XYChart, type XYSeries } from './XYChart';

/** PPO curves whose proxy is not the gold judge itself (then proxy and gold would be one line). */
function proxyCurves(frontier: FrontierCurve[]): FrontierCurve[] {
  return frontier.filter(
    (c) =>
      c.source === 'training' &&
      c.points.some((p) => p.proxy !== null) &&
      c.points.some((p) => p.proxy !== null && Math.abs(p.proxy - p.gold) > 1e-9),
  );
}

export function Frontier({ result }: { result: CompareResult }) {
  const runs = new Map(result.runs.map((r, i) => [r.id, { run: r, color: i }]));
  const label = (id: number) => {
    const r = runs.get(id);
    return r ? runLabel(r.run) : `#${id}`;
  };
  const color = (id: number) => runs.get(id)?.color ?? 0;

  const frontier: XYSeries[] = result.frontier.map((c) =>
    c.source === 'training'
      ? {
          name: `${label(c.runId)} · PPO rollouts`,
          type: 'line',
          color: color(c.runId),
          points: c.points.map((p) => ({ x: p.kl, y: p.gold, source: `iteration ${p.step}` })),
        }
      : {
          name: `${label(c.runId)} · held-out evaluation`,
          type: 'scatter',
          color: color(c.runId),
          points: c.points.map((p) => ({ x: p.kl, y: p.gold, source: `evaluation #${p.evalRunId}` })),
        },
  );
  const proxies = proxyCurves(result.frontier);
  const overopt: XYSeries[] = proxies.flatMap((c) => [
    {
      name: `${label(c.runId)} · proxy (reward model)`,
      type: 'line' as const,
      color: color(c.runId),
      points: c.points.flatMap((p) =>
        p.proxy === null ? [] : [{ x: p.kl, y: p.proxy, source: `iteration ${p.step}` }],
      ),
    },
    {
      name: `${label(c.runId)} · gold`,
      type: 'line' as const,
      yAxis: 1 as const,
      dashed: true,
      color: color(c.runId),
      points: c.points.map((p) => ({ x: p.kl, y: p.gold, source: `iteration ${p.step}` })),
    },
  ]);
  const ppoRuns = result.runs.filter((r: CompareRun) => r.algorithm === 'ppo');

  return (
    <section className="compare-section" aria-labelledby="frontier-h">
      <h2 id="frontier-h">Reward against KL</h2>
      <div className="chart-grid">
        <div className="compare-chart">
          <XYChart
            label="Reward–KL frontier: gold score against KL to the reference"
            xLabel="KL to the reference (nats per reply)"
            yLabel="gold score"
            series={frontier}
            empty="No run has a gold score with a KL yet: evaluate the models against their SFT reference, or run the sweep."
          />
          <p className="hint metric-note">
            Each point is how much a model gained on the gold judge for how far it moved from its reference
            (the SFT model), the experiment of the DPO paper’s Figure 2. Up and to the left is better: more
            reward for less drift. Held-out points are greedy replies to the world’s evaluation prompts, KL
            measured exactly on them; PPO’s lines are its training rollouts each iteration (sampled, KL
            estimated from the sampled tokens), so compare points with points and lines with lines.
          </p>
        </div>
        <div className="compare-chart">
          <XYChart
            label="Over-optimisation: proxy reward and gold score against KL (PPO)"
            xLabel="KL to the reference (nats per rollout)"
            yLabel="reward-model score"
            y2Label="gold score"
            series={overopt}
            empty={
              ppoRuns.length === 0
                ? 'No PPO run is selected.'
                : 'No selected PPO run was trained against a proxy with the gold judge logged beside it (gold/score).'
            }
          />
          <p className="hint metric-note">
            Solid: the reward model’s score of PPO’s rollouts, the reward the policy is trained on. Dashed
            (right axis): the gold judge’s score of the same rollouts. While both rise the proxy is a good
            guide; where the proxy keeps rising and gold stalls or falls, the policy is exploiting the reward
            model’s mistakes (reward hacking; Gao et al. 2022). A larger KL coefficient delays it.
          </p>
        </div>
      </div>
    </section>
  );
}
