// The review page's "Create preference dataset" form: a CAI run's approved pairs (or every pair not
// rejected) as a new preference dataset, the revised response chosen and the original rejected; on
// success it opens the new dataset.
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Run } from '../../../shared/schemas';
import { lab } from '../lab';
import { navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';
import type { Pair } from './CaiPair';

export function CreateDataset({ run, pairs }: { run: Run; pairs: Pair[] }) {
  const [name, setName] = useState(`${run.name} · CAI pairs`);
  const [include, setInclude] = useState<'approved' | 'unrejected'>('approved');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const approved = pairs.filter((p) => p.review === 'approved').length;
  const unrejected = pairs.filter((p) => p.review !== 'rejected').length;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const dataset = await lab.samplesToDataset({ runId: run.id, name, include });
      navigate(`/datasets/${dataset.id}`);
    } catch (error) {
      setErrors(formErrors(error, ['name', 'include']));
      setBusy(false);
    }
  };
  const options = [
    { value: 'approved' as const, label: `Approved pairs only (${approved})` },
    { value: 'unrejected' as const, label: `Every pair not rejected (${unrejected})` },
  ];
  return (
    <form
      className="card cai-create"
      aria-label="Create preference dataset"
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      <h2>Create preference dataset</h2>
      <p className="hint">
        Each pair becomes a preference pair: the revised response chosen, the original rejected.
      </p>
      {errors.general && <Alert>{errors.general}</Alert>}
      <Field label="Dataset name" error={errors.fields.name}>
        {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset
        className="radio-group"
        aria-invalid={Boolean(errors.fields.include)}
        aria-describedby={errors.fields.include ? 'cai-include-error' : undefined}
      >
        <legend>Include</legend>
        {options.map((o) => (
          <label key={o.value}>
            <input
              type="radio"
              name="include"
              value={o.value}
              checked={include === o.value}
              onChange={() => setInclude(o.value)}
            />
            {o.label}
          </label>
        ))}
        {errors.fields.include && (
          <p className="field-error" id="cai-include-error" role="alert">
            {errors.fields.include}
          </p>
        )}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create dataset'}
        </button>
      </div>
    </form>
  );
}
