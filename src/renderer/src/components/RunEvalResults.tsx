// An evaluation run's scores, one row per question set, from its `<set>/<metric>` values.
const SET_LABELS: Record<string, string> = {
  factsPretrainOnly: 'Pretrain-only facts',
  factsHeldOut: 'Held-out facts',
  arithmetic: 'Arithmetic',
};
const COLUMNS = [
  { key: 'n', label: 'Questions', help: '' },
  { key: 'fact_accuracy', label: 'Fact accuracy', help: 'Share of replies that state the right fact.' },
  { key: 'direct_answer_rate', label: 'Direct answers', help: 'Share of replies that answer at all.' },
  { key: 'mean_score', label: 'Mean score', help: "The gold judge's mean score, from 0 to 1." },
] as const;

export function RunEvalResults({ values }: { values: Record<string, number> }) {
  const sets = [...new Set(Object.keys(values).flatMap((k) => (k.includes('/') ? [k.split('/')[0]!] : [])))];
  return (
    <div className="card table-scroll run-eval">
      <table className="data-table">
        <caption>Evaluation results</caption>
        <thead>
          <tr>
            <th scope="col">Set</th>
            {COLUMNS.map((c) => (
              <th scope="col" key={c.key} className="num" title={c.help || undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sets.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length + 1} className="muted">
                No scores yet
              </td>
            </tr>
          )}
          {sets.map((s) => (
            <tr key={s}>
              <th scope="row">{SET_LABELS[s] ?? s}</th>
              {COLUMNS.map((c) => {
                const v = values[`${s}/${c.key}`];
                return (
                  <td key={c.key} className="num">
                    {v === undefined
                      ? '—'
                      : c.key === 'n'
                        ? String(v)
                        : c.key === 'mean_score'
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
        than hedge. Mean score: the gold judge&apos;s score (correctness, directness, brevity), from 0 to 1.
      </p>
    </div>
  );
}
