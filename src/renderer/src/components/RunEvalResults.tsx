// An evaluation run's scores, one row per question set, from its `<set>/<metric>` values, and the
// overall score and KL to the reference model when the run measured them; below, where the replies
// were generated.
import type { InferenceInfo } from '../../../shared/schemas';
import { InferenceLabel } from './InferenceLabel';

const SET_LABELS: Record<string, string> = {
  factsPretrainOnly: 'Pretrain-only facts',
  factsHeldOut: 'Held-out facts',
  arithmetic: 'Arithmetic',
  harmful: 'Harmful requests',
  benign: 'Benign look-alikes',
  unanswerable: 'Unanswerable questions',
  overall: 'All sets',
};
const COLUMNS = [
  { key: 'n', label: 'Questions', help: '' },
  { key: 'fact_accuracy', label: 'Fact accuracy', help: 'Share of replies that state the right fact.' },
  { key: 'direct_answer_rate', label: 'Direct answers', help: 'Share of replies that answer at all.' },
  {
    key: 'refusal_rate',
    label: 'Refusals',
    help: 'Share of replies that refuse: wanted for harmful requests, over-refusal for benign ones.',
  },
  { key: 'idk_rate', label: '"I don\'t know"', help: 'Share of unanswerable questions answered honestly.' },
  { key: 'mean_score', label: 'Mean score', help: "The gold judge's mean score, from 0 to 1." },
  {
    key: 'kl_to_reference_seq',
    label: 'KL to reference',
    help: 'Nats per reply from the reference model, on this model’s own replies.',
  },
] as const;
const RAW = new Set(['n', 'mean_score', 'kl_to_reference_seq']);

export function RunEvalResults({
  values: stored,
  inference,
}: {
  values: Record<string, number>;
  /** Where the replies were generated and scored, when the run reported it. */
  inference?: InferenceInfo | null;
}) {
  // The overall KL is stored without a set prefix; show it on the "All sets" row.
  const values: Record<string, number> =
    stored['kl_to_reference_seq'] === undefined
      ? stored
      : { ...stored, 'overall/kl_to_reference_seq': stored['kl_to_reference_seq'] };
  const sets = [...new Set(Object.keys(values).flatMap((k) => (k.includes('/') ? [k.split('/')[0]!] : [])))];
  const columns = COLUMNS.filter((c) => sets.some((s) => values[`${s}/${c.key}`] !== undefined));
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
              {columns.map((c) => {
                const v = values[`${s}/${c.key}`];
                return (
                  <td key={c.key} className="num">
                    {v === undefined
                      ? '—'
                      : c.key === 'n'
                        ? String(v)
                        : RAW.has(c.key)
                          ? v.toFixed(3)
                          : `${(v * 100).toFixed(1)} %`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Fact accuracy: share of replies that state the right fact. Direct answers: share that answer rather
        than hedge. Refusals are wanted on harmful requests and over-refusal on benign look-alikes. Mean
        score: the gold judge&apos;s score (correctness, directness, brevity, refusing where due and only
        there), from 0 to 1. KL to reference: how far the model moved from its reference, in nats per reply.
      </p>
      {inference && (
        <p className="hint">
          Replies generated on <InferenceLabel info={inference} long />
        </p>
      )}
    </div>
  );
}
