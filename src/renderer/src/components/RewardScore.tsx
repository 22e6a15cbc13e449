// The reward model's scoring view: one prompt, two or more responses, and the reward the model gives
// each (scoreResponses), the highest marked and the differences spelled out, with the Bradley-Terry
// probability that one response is preferred to the other: σ(r₁ − r₂).
import { useId, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { TemplateName } from '../../../shared/schemas';
import type { InferenceInfo, Model, Run, TemplateName as Template } from '../../../shared/schemas';
import { lab } from '../lab';
import { Link } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';
import { ModelSelect, TemplateSelect } from './chatModels';
import { formatValue } from './MetricChart';
import { InferenceLabel } from './InferenceLabel';
import '../align.css';

const MAX_RESPONSES = 16;

/** What was scored, so that a result edited since is shown as out of date. */
interface Scored {
  key: string;
  rewards: number[];
  /** Where the reward model ran (null: no network ran). */
  inference: InferenceInfo | null;
}
const keyOf = (modelId: string, template: string, prompt: string, responses: readonly string[]) =>
  JSON.stringify([modelId, template, prompt, responses]);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${formatValue(Math.abs(x))}`;

/** The template the reward model was trained with (its run's), ChatML otherwise. */
function trainedTemplate(model: Model | undefined, runs: ReadonlyMap<number, Run>): Template {
  const run = model?.runId == null ? undefined : runs.get(model.runId);
  const t = TemplateName.safeParse(run?.config.template);
  return t.success ? t.data : 'chatml';
}

/** One sentence on the result: which response wins, by how much, and how likely it is preferred. */
function verdict(rewards: readonly number[]): string {
  const order = rewards.map((r, i) => ({ r, i })).sort((a, b) => b.r - a.r);
  const [best, next] = order;
  if (!best) return '';
  if (!next) return `Response 1 gets a reward of ${formatValue(best.r)}.`;
  const gap = best.r - next.r;
  if (gap === 0) return `Responses ${best.i + 1} and ${next.i + 1} get the same reward.`;
  const p = Math.round(sigmoid(gap) * 100);
  return (
    `Response ${best.i + 1} has the highest reward, ${formatValue(gap)} above response ${next.i + 1}: ` +
    `the model prefers it with probability ${p} % (σ of the difference).`
  );
}

export function RewardScore(props: {
  models: Model[];
  runs: ReadonlyMap<number, Run>;
  initialModelId: number | null;
}) {
  const { models, runs } = props;
  const first = models.find((m) => m.id === props.initialModelId) ?? models[0]!;
  const [modelId, setModelId] = useState(String(first.id));
  const [template, setTemplate] = useState<Template>(() => trainedTemplate(first, runs));
  const [prompt, setPrompt] = useState('');
  const [responses, setResponses] = useState<string[]>(['', '']);
  const [scored, setScored] = useState<Scored | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const summaryId = useId();
  const model = models.find((m) => String(m.id) === modelId);
  const run = model?.runId == null ? undefined : runs.get(model.runId);
  const missing = props.initialModelId !== null && !models.some((m) => m.id === props.initialModelId);

  const key = keyOf(modelId, template, prompt, responses);
  const current = scored?.key === key;
  const rewards = scored?.rewards ?? [];
  const best = rewards.length > 1 ? Math.max(...rewards) : null;

  const score = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const result = await lab.scoreResponses({ modelId: Number(modelId), prompt, responses, template });
      setScored({ key, rewards: result.rewards, inference: result.inference });
    } catch (error) {
      const keys = ['prompt', ...responses.map((_, i) => `responses.${i}`)];
      setErrors(formErrors(error, keys));
    } finally {
      setBusy(false);
    }
  };
  // Ctrl+Enter (⌘+Enter) in any text box scores.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !busy) {
      e.preventDefault();
      void score();
    }
  };
  const setResponse = (i: number, v: string) => setResponses((rs) => rs.map((r, j) => (j === i ? v : r)));
  const remove = (i: number) => {
    setResponses((rs) => rs.filter((_, j) => j !== i));
    setScored(null);
    setErrors(NO_ERRORS);
  };

  return (
    <form className="reward-score" onSubmit={(e) => void score(e)} onKeyDown={onKeyDown} noValidate>
      {missing && <Alert>There is no reward model #{props.initialModelId}; showing the newest one.</Alert>}
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="card reward-setup">
        <ModelSelect
          label="Reward model"
          models={models}
          value={modelId}
          onChange={(v) => {
            setModelId(v);
            setTemplate(
              trainedTemplate(
                models.find((m) => String(m.id) === v),
                runs,
              ),
            );
          }}
          hint="Reward models come from Reward model runs."
        />
        <TemplateSelect
          label="Template"
          withNone={false}
          value={template}
          onChange={(t) => setTemplate(t as Template)}
          hint="The template the reward model was trained with (its run's, by default)."
        />
        {run && (
          <p className="hint reward-run">
            Trained by <Link to={`/runs/${run.id}`}>{run.name}</Link>
            {typeof run.summary['eval/accuracy'] === 'number' &&
              ` · held-out accuracy ${(run.summary['eval/accuracy'] * 100).toFixed(1)} %`}
          </p>
        )}
      </div>

      <Field
        label="Prompt"
        error={errors.fields.prompt}
        hint="What the user asked; every response answers it."
      >
        {(p) => <textarea {...p} rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />}
      </Field>

      <ol className="reward-responses">
        {responses.map((r, i) => {
          const reward = current ? rewards[i] : undefined;
          const top = reward !== undefined && reward === best;
          return (
            <li key={i} className={`card reward-response${top ? ' reward-best' : ''}`}>
              <Field
                label={`Response ${i + 1}`}
                error={errors.fields[`responses.${i}`]}
                hint={i === 0 ? 'Ctrl+Enter scores.' : undefined}
              >
                {(p) => (
                  <textarea {...p} rows={3} value={r} onChange={(e) => setResponse(i, e.target.value)} />
                )}
              </Field>
              <div className="reward-side">
                <output className="reward-value" aria-label={`Reward of response ${i + 1}`} aria-live="off">
                  {reward === undefined ? '—' : formatValue(reward)}
                </output>
                {reward !== undefined && best !== null && (
                  <span className="reward-delta">
                    {top ? (
                      <span className="badge badge-completed">Highest</span>
                    ) : (
                      <>{signed(reward - best)} vs best</>
                    )}
                  </span>
                )}
                {responses.length > 2 && (
                  <button
                    type="button"
                    className="small secondary"
                    aria-label={`Remove response ${i + 1}`}
                    onClick={() => remove(i)}
                  >
                    Remove
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>

      <div className="form-actions reward-actions">
        <button
          type="button"
          className="secondary"
          disabled={responses.length >= MAX_RESPONSES}
          onClick={() => setResponses((rs) => [...rs, ''])}
        >
          Add response
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Scoring…' : 'Score'}
        </button>
      </div>

      <div id={summaryId} className="reward-summary" role="status" aria-live="polite">
        {scored && current && <p>{verdict(rewards)}</p>}
        {scored && current && scored.inference && (
          <p className="hint">
            Scored on <InferenceLabel info={scored.inference} long />
          </p>
        )}
        {scored && !current && <p className="muted">Edited since the last score — score again.</p>}
      </div>
    </form>
  );
}
