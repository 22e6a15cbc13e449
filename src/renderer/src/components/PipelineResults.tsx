// "What SFT changed": the base model's and the SFT model's evaluation side by side, per question set,
// read from the summaries of a pipeline's two evaluation runs (`eval-base`, `eval-sft`).
import { useEffect, useState } from 'react';
import type { Pipeline, Run } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { Link } from '../router';
import { Alert } from './ui';

const SETS: { key: string; label: string }[] = [
  { key: 'factsPretrainOnly', label: 'Facts seen only in pretraining' },
  { key: 'factsHeldOut', label: 'Held-out facts' },
];
const MEASURES = [
  { key: 'direct_answer_rate', label: 'Direct answers' },
  { key: 'fact_accuracy', label: 'Correct' },
] as const;

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${Math.round(v * 100)} %`);
function change(base: number | undefined, sft: number | undefined): string {
  if (base === undefined || sft === undefined) return '—';
  const d = Math.round(sft * 100) - Math.round(base * 100);
  return d === 0 ? '±0 pts' : `${d > 0 ? '+' : '−'}${Math.abs(d)} pts`;
}

/** The run of a completed stage, loaded once per run id. */
function useStageRun(runId: number | null): { run: Run | null; error: unknown } {
  const [state, setState] = useState<{ id: number | null; run: Run | null; error: unknown }>({
    id: null,
    run: null,
    error: null,
  });
  useEffect(() => {
    if (runId === null) return;
    let alive = true;
    lab.getRun({ id: runId }).then(
      (run) => alive && setState({ id: runId, run, error: null }),
      (error: unknown) => alive && setState({ id: runId, run: null, error }),
    );
    return () => {
      alive = false;
    };
  }, [runId]);
  return state.id === runId ? state : { run: null, error: null };
}

const finishedRun = (p: Pipeline, name: string): number | null => {
  const s = p.stages.find((x) => x.name === name);
  return s?.status === 'completed' ? s.runId : null;
};

/** Nothing until an evaluation stage has finished; then the table, filling in as the other one does. */
export function PipelineResults({ pipeline }: { pipeline: Pipeline }) {
  const base = useStageRun(finishedRun(pipeline, 'eval-base'));
  const sft = useStageRun(finishedRun(pipeline, 'eval-sft'));
  if (!base.run && !sft.run) {
    const error = base.error ?? sft.error;
    return error ? <Alert>Could not load the evaluation: {errorMessage(error)}</Alert> : null;
  }
  const b = base.run?.summary ?? {};
  const s = sft.run?.summary ?? {};
  const has = (set: string) => Object.keys({ ...b, ...s }).some((k) => k.startsWith(`${set}/`));
  const sets = SETS.filter((x) => has(x.key));
  const sftStage = pipeline.stages.find((x) => x.name === 'sft');
  const evalModel = sft.run?.config.model;
  const sftModel = sftStage?.modelId ?? (typeof evalModel === 'number' ? evalModel : null);

  return (
    <section className="card pipeline-results" aria-labelledby="pipeline-results-title">
      <h2 id="pipeline-results-title">What SFT changed</h2>
      <div className="table-scroll">
        <table className="data-table">
          <caption className="visually-hidden">What SFT changed</caption>
          <thead>
            <tr>
              <td />
              {MEASURES.map((m) => (
                <th
                  key={m.key}
                  scope="colgroup"
                  colSpan={3}
                  className="pipeline-results-group pipeline-results-start"
                >
                  {m.label}
                </th>
              ))}
            </tr>
            <tr>
              <th scope="col">Question set</th>
              {MEASURES.map((m) => (
                <ColumnHeads key={m.key} />
              ))}
            </tr>
          </thead>
          <tbody>
            {sets.map((set) => {
              const n = b[`${set.key}/n`] ?? s[`${set.key}/n`];
              return (
                <tr key={set.key}>
                  <th scope="row">
                    {set.label}
                    {n !== undefined && <span className="muted"> ({n} questions)</span>}
                  </th>
                  {MEASURES.map((m) => {
                    const bv = b[`${set.key}/${m.key}`];
                    const sv = s[`${set.key}/${m.key}`];
                    return [
                      <td key={`${m.key}-base`} className="num pipeline-results-start">
                        {pct(bv)}
                      </td>,
                      <td key={`${m.key}-sft`} className="num">
                        {sft.run ? pct(sv) : <span className="muted">not yet</span>}
                      </td>,
                      <td key={`${m.key}-change`} className="num pipeline-results-change">
                        {change(bv, sv)}
                      </td>,
                    ];
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="pipeline-results-note">
        A base model continues a question with forum chatter; after SFT it answers in the requested form.
        Correct answers about facts seen only in pretraining show knowledge from pretraining surfacing in the
        format taught by SFT.
      </p>
      <p className="hint">
        Direct answers: share of replies that answer at all. Correct: share that state the right fact. Changes
        are in percentage points. The base model is asked in plain text, the SFT model in its chat template.
      </p>
      <p className="pipeline-results-links">
        {base.run && <Link to={`/runs/${base.run.id}`}>Base model evaluation</Link>}
        {sft.run && <Link to={`/runs/${sft.run.id}`}>SFT model evaluation</Link>}
        {sftModel !== null && (
          <Link to={`/playground?model=${sftModel}`} className="button primary">
            Open base vs SFT in the playground
          </Link>
        )}
      </p>
    </section>
  );
}

function ColumnHeads() {
  return (
    <>
      <th scope="col" className="num pipeline-results-start">
        Base model
      </th>
      <th scope="col" className="num">
        SFT model
      </th>
      <th scope="col" className="num">
        Change
      </th>
    </>
  );
}
