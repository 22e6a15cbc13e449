// The "Sweep" form: from one SFT model and one preference dataset, DPO at several betas and PPO at
// several KL coefficients, each result evaluated against the SFT model (LabApi `startSweep`). The
// sweep is a pipeline; when it starts, the Compare page opens on it.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { LabError } from '../../../../shared/api';
import type { Dataset, Model, WorldSummary } from '../../../../shared/schemas';
import { lab } from '../../lab';
import { useLoad } from '../../hooks';
import { navigate } from '../../router';
import { formErrors, NO_ERRORS, type FormErrors } from '../../forms';
import { Alert, Field, LoadError, Loading } from '../ui';

const KEYS = [
  'baseModel',
  'dataset',
  'world',
  'rewardModel',
  'betas',
  'klCoefs',
  'dpoEpochs',
  'ppoIterations',
  'seed',
] as const;

/** "0.05, 0.1 0.5" → numbers; NaN for anything that is not one (the lab names the field). */
const numbers = (text: string): number[] =>
  text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((t) => (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : NaN));

/** `betas.1` → `betas`: a list's item errors shown at the list's field. */
const atList = (e: unknown): unknown =>
  e instanceof LabError
    ? new LabError(
        e.code,
        e.message,
        e.issues.map((i) => ({ ...i, path: i.path.replace(/^(betas|klCoefs)\.\d+$/, '$1') })),
      )
    : e;

interface Choices {
  models: Model[];
  datasets: Dataset[];
  worlds: WorldSummary[];
}

function Form({ choices, onCancel }: { choices: Choices; onCancel: () => void }) {
  const lms = choices.models.filter((m) => m.kind === 'lm');
  const rms = choices.models.filter((m) => m.kind === 'reward');
  const pairs = choices.datasets.filter((d) => d.kind === 'preference');
  const [v, setV] = useState({
    baseModel: String(lms[0]?.id ?? ''),
    dataset: String(pairs[0]?.id ?? 'sandbox-pairs'),
    world: String(choices.worlds[0]?.id ?? ''),
    rewardModel: String(rms[0]?.id ?? ''),
    betas: '0.05, 0.1, 0.5',
    klCoefs: '0.01, 0.05, 0.2',
    dpoEpochs: '1',
    ppoIterations: '20',
    seed: '0',
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) =>
    setV((x) => ({ ...x, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const p = await lab.startSweep({
        baseModel: Number(v.baseModel) || 0,
        dataset: /^\d+$/.test(v.dataset) ? Number(v.dataset) : (v.dataset as 'sandbox-pairs'),
        world: Number(v.world) || 0,
        ...(v.rewardModel ? { rewardModel: Number(v.rewardModel) } : {}),
        betas: numbers(v.betas),
        klCoefs: numbers(v.klCoefs),
        dpoEpochs: Number(v.dpoEpochs),
        ppoIterations: Number(v.ppoIterations),
        seed: Number(v.seed),
      });
      navigate(`/compare?pipeline=${p.id}`);
      onCancel();
    } catch (error) {
      setErrors(formErrors(atList(error), KEYS));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {errors.general && <Alert>{errors.general}</Alert>}
      <p className="hint">
        DPO at each beta and PPO at each KL coefficient, all from the same SFT model and the same pairs; then
        every result, and the SFT model itself, evaluated on the world’s held-out sets with the SFT model as
        the reference. Each gives one point of the reward–KL frontier. It runs as one pipeline you can follow,
        cancel and resume.
      </p>
      <div className="form-grid">
        <Field label="SFT model" error={errors.fields.baseModel} hint="Start and reference of every run.">
          {(p) => (
            <select {...p} value={v.baseModel} onChange={set('baseModel')}>
              {lms.length === 0 && <option value="">No language model yet: train an SFT model</option>}
              {lms.map((m) => (
                <option key={m.id} value={m.id}>
                  #{m.id} {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Preference data"
          error={errors.fields.dataset}
          hint="DPO trains on it; PPO samples its prompts."
        >
          {(p) => (
            <select {...p} value={v.dataset} onChange={set('dataset')}>
              {pairs.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
              <option value="sandbox-pairs">sandbox-pairs (built-in)</option>
            </select>
          )}
        </Field>
        <Field
          label="World"
          error={errors.fields.world}
          hint="Its held-out sets evaluate; its judge gives the gold score."
        >
          {(p) => (
            <select {...p} value={v.world} onChange={set('world')}>
              {choices.worlds.length === 0 && (
                <option value="">No world yet: generate one under Datasets</option>
              )}
              {choices.worlds.map((w) => (
                <option key={w.id} value={w.id}>
                  #{w.id} {w.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="PPO reward"
          error={errors.fields.rewardModel}
          hint="A reward model (the proxy; the gold score is logged beside it), or the gold judge itself."
        >
          {(p) => (
            <select {...p} value={v.rewardModel} onChange={set('rewardModel')}>
              {rms.map((m) => (
                <option key={m.id} value={m.id}>
                  #{m.id} {m.name}
                </option>
              ))}
              <option value="">The gold judge</option>
            </select>
          )}
        </Field>
        <Field label="DPO betas" error={errors.fields.betas} hint="Comma-separated; empty for no DPO.">
          {(p) => <input {...p} value={v.betas} onChange={set('betas')} />}
        </Field>
        <Field
          label="PPO KL coefficients"
          error={errors.fields.klCoefs}
          hint="Comma-separated; empty for no PPO."
        >
          {(p) => <input {...p} value={v.klCoefs} onChange={set('klCoefs')} />}
        </Field>
        <Field label="DPO epochs" error={errors.fields.dpoEpochs}>
          {(p) => <input {...p} type="number" min="1" value={v.dpoEpochs} onChange={set('dpoEpochs')} />}
        </Field>
        <Field label="PPO iterations" error={errors.fields.ppoIterations}>
          {(p) => (
            <input {...p} type="number" min="1" value={v.ppoIterations} onChange={set('ppoIterations')} />
          )}
        </Field>
        <Field label="Seed" error={errors.fields.seed}>
          {(p) => <input {...p} type="number" min="0" value={v.seed} onChange={set('seed')} />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start sweep'}
        </button>
      </div>
    </form>
  );
}

export function SweepForm({ onCancel }: { onCancel: () => void }) {
  const { data, reload } = useLoad(async () => {
    const [models, datasets, worlds] = await Promise.all([
      lab.listModels(),
      lab.listDatasets(),
      lab.listWorlds(),
    ]);
    return { models, datasets, worlds };
  });
  if (data.state === 'loading') return <Loading what="models, datasets and worlds" />;
  if (data.state === 'error') return <LoadError error={data.error} retry={() => void reload()} />;
  return <Form choices={data.value} onCancel={onCancel} />;
}
