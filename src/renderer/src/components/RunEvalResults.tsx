// An evaluation run's scores, one row per question set, from its `<set>/<metric>` values, and the
// overall score and KL to the reference model when the run measured them; below, where the replies
// were generated.
import type { InferenceInfo } from '../../../shared/schemas';
import { InferenceLabel } from './InferenceLabel';
import { SET_LABELS, evalCell, evalTable } from '../../../shared/eval-table';

export function RunEvalResults({
  values: stored,
  inference,
}: {
  values: Record<string, number>;
  /** Where the replies were generated and scored, when the run reported it. */
  inference?: InferenceInfo | null;
}) {
  const { sets, columns, values } = evalTable(stored);
  return (
    <div className="card table-scroll run-eval">
      <table className="data-table">
        <caption>Evaluation results</caption>
        <thead>
          <tr>
            <th scope="col">Set</th>
            {columns.map((c) => (
              <th scope="col" key={c.key} className="num" title={c.help || undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sets.length === 0 && (
            <tr>
              <td colSpan={columns.length + 1} className="muted">
                No scores yet
              </td>
            </tr>
          )}
          {sets.map((s) => (
            <tr key={s}>
              <th scope="row">{SET_LABELS[s] ?? s}</th>
              {columns.map((c) => (
                <td key={c.key} className="num">
                  {evalCell(c.key, values[`${s}/${c.key}`])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Fact accuracy: share of replies that state the right fact. Direct answers: share that answer rather
        than hedge. Refusals are wanted on harmful requests and over-refusal on benign look-alikes. Mean
        score: the gold judge&apos;s score (correctness, directness, brevity, refusing where due and only
        there), from 0 to 1. Reward model agrees: on the prompts where the gold judge prefers one of this
        model&apos;s and the reference&apos;s replies, how often the reward model prefers the same one. KL to
        reference: how far the model moved from its reference, in nats per reply.
      </p>
      {inference && (
        <p className="hint">
          Replies generated on <InferenceLabel info={inference} long />
        </p>
      )}
    </div>
  );
}
