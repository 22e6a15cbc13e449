// The "Run pipeline" form: a preset (what it does and its stages) and the world's seed.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field, LoadError, Loading } from './ui';

/** A preset as `pipelinePresets()` describes it (schemas.ts has no type alias for it). */
type Preset = Awaited<ReturnType<typeof lab.pipelinePresets>>[number];

function PresetForm({ presets, onCancel }: { presets: Preset[]; onCancel: () => void }) {
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
              {presets.map((x) => (
                <option key={x.name} value={x.name}>
                  {x.name}
                </option>
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

export function PipelineStartForm({ onCancel }: { onCancel: () => void }) {
  const { data, reload } = useLoad(() => lab.pipelinePresets());
  if (data.state === 'loading') return <Loading what="presets" />;
  if (data.state === 'error') return <LoadError error={data.error} retry={() => void reload()} />;
  return <PresetForm presets={data.value} onCancel={onCancel} />;
}
