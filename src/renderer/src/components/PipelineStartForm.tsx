// The "Run pipeline" form: a preset (what it does and its stages) and the world's seed. Presets of the
// `experiment` group (src/shared/experiments.ts) are listed apart, with the claim each one tests.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field, LoadError, Loading } from './ui';
import '../planner.css';

/** A preset as `pipelinePresets()` describes it (schemas.ts has no type alias for it). */
type Preset = Awaited<ReturnType<typeof lab.pipelinePresets>>[number];

function PresetForm({ presets, onCancel }: { presets: Preset[]; onCancel: () => void }) {
  const groups = [
    { label: 'Pipelines', items: presets.filter((p) => p.group !== 'experiment') },
    { label: 'Experiments', items: presets.filter((p) => p.group === 'experiment') },
  ].filter((g) => g.items.length > 0);
  const [name, setName] = useState(presets[0]?.name ?? '');
  const preset = presets.find((p) => p.name === name);
  const [seed, setSeed] = useState(String(preset?.seed ?? 1));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const choose = (next: string) => {
    setName(next);
    const p = presets.find((x) => x.name === next);
    if (p) setSeed(String(p.seed));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const n = Number(seed);
      const pipeline = await lab.startPipeline({
        preset: name,
        ...(seed.trim() === '' ? {} : { seed: Number.isFinite(n) ? n : NaN }),
      });
      navigate(`/pipelines/${pipeline.id}`);
    } catch (error) {
      setErrors(formErrors(error, ['preset', 'seed']));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="form-grid">
        <Field label="Preset" error={errors.fields.preset} {...(preset ? { hint: preset.description } : {})}>
          {(p) => (
            <select {...p} value={name} onChange={(e) => choose(e.target.value)}>
              {groups.map((g) => (
                <optgroup key={g.label} label={g.label}>
                  {g.items.map((x) => (
                    <option key={x.name} value={x.name}>
                      {x.name}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Seed"
          error={errors.fields.seed}
          hint="Seeds the world, the weights and the data order; the same seed gives the same pipeline."
        >
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              step="1"
              min="0"
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
            />
          )}
        </Field>
      </div>
      {preset?.claim && (
        <p className="experiment-claim">
          Claim under test: {preset.claim} Its results end in a chart and a table on the Compare page.
        </p>
      )}
      {preset && (
        <section className="pipeline-preset-stages" aria-labelledby="preset-stages-title">
          <h3 id="preset-stages-title">Stages</h3>
          <ol>
            {preset.stages.map((s) => (
              <li key={s.name}>
                {s.label} <span className="muted">({s.name})</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !preset}>
          {busy ? 'Starting…' : 'Start'}
        </button>
      </div>
    </form>
  );
}

export function PipelineStartForm({
  onCancel,
  group,
}: {
  onCancel: () => void;
  /** Offer only this group's presets (the Pipelines page's "Run experiment" asks for experiments). */
  group?: 'pipeline' | 'experiment';
}) {
  const { data, reload } = useLoad(() => lab.pipelinePresets());
  if (data.state === 'loading') return <Loading what="presets" />;
  if (data.state === 'error') return <LoadError error={data.error} retry={() => void reload()} />;
  const presets = group ? data.value.filter((p) => (p.group ?? 'pipeline') === group) : data.value;
  return <PresetForm presets={presets} onCancel={onCancel} />;
}
