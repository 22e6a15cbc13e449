// On an experiment's pipeline page: the claim it tests, what it compares, and (once it has finished)
// the way to its chart and table on the Compare page.
import { experimentOf } from '../../../shared/experiments';
import type { Pipeline } from '../../../shared/schemas';
import { Link } from '../router';
import '../planner.css';

export function ExperimentSummary({ pipeline }: { pipeline: Pipeline }) {
  const spec = experimentOf(pipeline);
  if (!spec) return null;
  const { stages, metrics } = spec.compare;
  return (
    <section className="card experiment-summary" aria-labelledby="experiment-title">
      <h2 id="experiment-title" className="section-title">
        Experiment
      </h2>
      {spec.claim && <p className="experiment-claim">Claim under test: {spec.claim}</p>}
      <p className="hint">
        Compares {stages.join(', ')} on {metrics.join(', ')}.
      </p>
      {pipeline.status === 'completed' ? (
        <p>
          <Link to={`/compare?pipeline=${pipeline.id}`}>Compare the results</Link> (chart and table)
        </p>
      ) : pipeline.status === 'running' ? (
        <p className="hint">When every stage has finished, its chart and table are on the Compare page.</p>
      ) : (
        <p>
          <Link to={`/compare?pipeline=${pipeline.id}`}>Compare the stages that finished</Link>
        </p>
      )}
    </section>
  );
}
