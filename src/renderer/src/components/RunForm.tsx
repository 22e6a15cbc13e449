// The "New run" form: the algorithm, a dataset of the kind it trains on, and the algorithm's
// hyperparameters (RunFields.ts), each with its help line and, after a refused start, its error.
// It can open prefilled: "Run again" (a run's config) or "Fine-tune with SFT" (a base model).
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import {
  ALGORITHM_DATASET_KIND,
  ALGORITHM_LABELS,
  Algorithm,
  BUILTIN_DATASETS,
} from '../../../shared/schemas';
import type { Algorithm as Algo, Dataset, Model, RunDatasetRef, WorldSummary } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';
import { RUN_FIELDS, defaultValues, fromConfig, toConfig } from './RunFields';
import type { FieldSpec, FieldValue, FieldValues } from './RunFields';
import '../runs-worlds.css';

/** What the form opens with; anything left out takes the schema's default. */
export interface RunFormInitial {
  algorithm: Algo;
  dataset?: RunDatasetRef;
  /** A config record (e.g. a finished run's); keys the form does not show are sent as they are. */
  config?: Record<string, unknown>;
}

/** Keys a run's resolved config holds that the form does not show but "Run again" should keep. */
const hiddenKeys = (algorithm: Algo, config: Record<string, unknown>): Record<string, unknown> => {
  const shown = new Set(RUN_FIELDS[algorithm].map((f) => f.key));
  // DPO's `model` follows the dataset (seed-tiny for seed-dpo, byte-tiny for text): let the lab pick it again.
  if (algorithm === 'dpo') shown.add('model');
  return Object.fromEntries(Object.entries(config).filter(([k]) => !shown.has(k)));
};

/** A model's option text: its run's name, id and shape. */
export const modelLabel = (m: Model): string => {
  const preset = typeof m.arch.preset === 'string' ? m.arch.preset : `${String(m.arch.dModel)}-wide`;
  return `${m.name} — model #${m.id}, ${preset}`;
};

/** Models a fine-tune can start from, newest first (the DPO tutorial's 50-token models read no text). */
const baseModels = (models: Model[]): Model[] =>
  models.filter((m) => m.arch.tokenizer !== 'seed-dpo').sort((a, b) => b.id - a.id);

/** A required model or world select shows its first option until one is picked: send that one. */
function withChoices(fields: readonly FieldSpec[], values: FieldValues, lists: Lists): FieldValues {
  const out = { ...values };
  for (const f of fields) {
    if (out[f.key] !== '') continue;
    if (f.control === 'model' && f.none === undefined && lists.models?.[0])
      out[f.key] = String(lists.models[0].id);
    if (f.control === 'world' && lists.worlds?.[0]) out[f.key] = String(lists.worlds[0].id);
  }
  return out;
}

function Checkbox(props: { label: string; hint: string; error?: string | undefined } & Control) {
  const id = useId();
  const { label, hint, error, value, onChange } = props;
  return (
    <div className={`field run-checkbox${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          aria-invalid={Boolean(error)}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          onChange={(e) => onChange(e.target.checked)}
        />
        {label}
      </label>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface Control {
  value: FieldValue | undefined;
  onChange: (v: FieldValue) => void;
}

/** Several choices as a group of checkboxes, described by its hint and error. */
function Choices(props: { spec: FieldSpec & { control: 'multi' }; error: string | undefined } & Control) {
  const id = useId();
  const { spec, error, value, onChange } = props;
  const chosen = Array.isArray(value) ? value : [];
  return (
    <fieldset
      className={`field radio-group run-choices${error ? ' field-invalid' : ''}`}
      aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
    >
      <legend>{spec.label}</legend>
      {spec.options.map((o) => (
        <label key={o.value}>
          <input
            type="checkbox"
            checked={chosen.includes(o.value)}
            onChange={(e) =>
              onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))
            }
          />
          {o.label}
        </label>
      ))}
      <p className="hint" id={`${id}-hint`}>
        {spec.hint}
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

interface Lists {
  models: Model[] | null;
  worlds: WorldSummary[] | null;
}

function ConfigField({
  spec,
  error,
  lists,
  ...control
}: Control & { spec: FieldSpec; error: string | undefined; lists: Lists }) {
  const { value, onChange } = control;
  const { models, worlds } = lists;
  if (spec.control === 'checkbox')
    return <Checkbox label={spec.label} hint={spec.hint} error={error} {...control} />;
  if (spec.control === 'multi') return <Choices spec={spec} error={error} {...control} />;
  const text = typeof value === 'string' ? value : '';
  return (
    <Field label={spec.label} error={error} hint={spec.hint}>
      {(p) =>
        spec.control === 'number' ? (
          <input
            {...p}
            type="number"
            inputMode="decimal"
            step={spec.step}
            value={text}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : spec.control === 'select' ? (
          <select {...p} value={text} onChange={(e) => onChange(e.target.value)}>
            {spec.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        ) : spec.control === 'model' ? (
          <select {...p} value={text} onChange={(e) => onChange(e.target.value)}>
            {spec.none !== undefined && <option value="">{spec.none}</option>}
            {spec.none === undefined && models?.length === 0 && (
              <option value="">No models yet — train one</option>
            )}
            {models === null && text !== '' && <option value={text}>Model #{text}</option>}
            {(models ?? []).map((m) => (
              <option key={m.id} value={String(m.id)}>
                {modelLabel(m)}
              </option>
            ))}
          </select>
        ) : (
          <select {...p} value={text} onChange={(e) => onChange(e.target.value)}>
            {worlds?.length === 0 && (
              <option value="">No worlds yet — generate one on the Datasets page</option>
            )}
            {worlds === null && text !== '' && <option value={text}>World #{text}</option>}
            {(worlds ?? []).map((w) => (
              <option key={w.id} value={String(w.id)}>
                {w.name}
              </option>
            ))}
          </select>
        )
      }
    </Field>
  );
}

function DatasetField(props: {
  algorithm: Algo;
  kind: 'text' | 'instruction' | 'preference';
  datasets: Dataset[] | null;
  loadFailed: boolean;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
}) {
  const { algorithm, kind, datasets, value, onChange, error } = props;
  const mine = (datasets ?? []).filter((d) => d.kind === kind);
  const builtins = algorithm === 'dpo' ? BUILTIN_DATASETS : [];
  const none = datasets !== null && mine.length === 0 && builtins.length === 0;
  const noun = { text: 'text', instruction: 'instruction', preference: 'preference' }[kind];
  const hint = props.loadFailed
    ? 'Could not load your datasets.'
    : none
      ? `No ${noun} datasets yet — generate a sandbox world on the Datasets page or import one.`
      : `Only ${noun} datasets fit ${ALGORITHM_LABELS[algorithm]}.`;
  return (
    <div>
      <Field label="Dataset" error={error} hint={hint}>
        {(p) => (
          <select {...p} value={value} disabled={none} onChange={(e) => onChange(e.target.value)}>
            {none && <option value="">—</option>}
            {mine.length > 0 && (
              <optgroup label={`Your ${noun} datasets`}>
                {mine.map((d) => (
                  <option key={d.id} value={String(d.id)}>
                    {d.name}
                  </option>
                ))}
              </optgroup>
            )}
            {builtins.length > 0 && (
              <optgroup label="Built in">
                {builtins.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        )}
      </Field>
      {none && (
        <p className="run-form-empty">
          <Link to="/datasets">Go to Datasets</Link>
        </p>
      )}
    </div>
  );
}

export function NewRunForm({ onCancel, initial }: { onCancel: () => void; initial?: RunFormInitial }) {
  const datasets = useLoad(() => lab.listDatasets());
  const models = useLoad(() => lab.listModels());
  const worlds = useLoad(() => lab.listWorlds());
  const [algorithm, setAlgorithm] = useState<Algo>(initial?.algorithm ?? 'dpo');
  const [dataset, setDataset] = useState<string>(
    initial?.dataset === undefined ? '' : String(initial.dataset),
  );
  const [name, setName] = useState('');
  // Values per algorithm, so switching back and forth loses nothing typed.
  const [values, setValues] = useState<Record<Algo, FieldValues>>(() => {
    const all = Object.fromEntries(Algorithm.options.map((a) => [a, defaultValues(a)])) as Record<
      Algo,
      FieldValues
    >;
    if (initial?.config) {
      const given = fromConfig(initial.algorithm, initial.config);
      const present = Object.keys(given).filter((k) => initial.config?.[k] !== undefined);
      for (const k of present) all[initial.algorithm][k] = given[k] ?? '';
    }
    return all;
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const list = datasets.data.state === 'ready' ? datasets.data.value : null;
  const kind = ALGORITHM_DATASET_KIND[algorithm];
  const candidates = [
    ...(list ?? []).filter((d) => d.kind === kind).map((d) => String(d.id)),
    ...(algorithm === 'dpo' ? BUILTIN_DATASETS : []),
  ];
  const selected = candidates.includes(dataset) ? dataset : (candidates[0] ?? '');
  const lists: Lists = {
    models: models.data.state === 'ready' ? baseModels(models.data.value) : null,
    worlds: worlds.data.state === 'ready' ? [...worlds.data.value].sort((a, b) => b.id - a.id) : null,
  };
  const fields = RUN_FIELDS[algorithm];
  const mine = withChoices(fields, values[algorithm], lists);

  const set = (key: string, v: FieldValue) =>
    setValues((all) => ({ ...all, [algorithm]: { ...all[algorithm], [key]: v } }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const keys = ['algorithm', 'dataset', 'name', ...fields.map((f) => `config.${f.key}`)];
    if (kind !== null && selected === '') {
      setErrors({ fields: { dataset: 'Choose a dataset first.' }, general: null });
      return;
    }
    setBusy(true);
    try {
      const hidden =
        initial?.config && initial.algorithm === algorithm ? hiddenKeys(algorithm, initial.config) : {};
      const config = { ...hidden, ...toConfig(algorithm, mine) };
      const ref =
        kind === null
          ? null
          : /^\d+$/.test(selected)
            ? Number(selected)
            : (selected as (typeof BUILTIN_DATASETS)[number]);
      const run = await lab.startRun({ algorithm, dataset: ref, config, ...(name.trim() ? { name } : {}) });
      navigate(`/runs/${run.id}`);
    } catch (error) {
      setErrors(formErrors(error, keys));
      setBusy(false);
    }
  };

  const field = (f: FieldSpec) => (
    <ConfigField
      key={`${algorithm}.${f.key}`}
      spec={f}
      value={mine[f.key]}
      onChange={(v) => set(f.key, v)}
      error={errors.fields[`config.${f.key}`]}
      lists={lists}
    />
  );
  const advanced = fields.filter((f) => f.advanced);
  const advancedError = advanced.some((f) => errors.fields[`config.${f.key}`]);

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="run-form">
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="form-grid">
        <Field
          label="Algorithm"
          error={errors.fields.algorithm}
          hint="Pretraining, SFT and DPO train a model; Evaluation scores one."
        >
          {(p) => (
            <select
              {...p}
              value={algorithm}
              onChange={(e) => {
                setAlgorithm(e.target.value as Algo);
                setErrors(NO_ERRORS);
              }}
            >
              {Algorithm.options.map((a) => (
                <option key={a} value={a}>
                  {ALGORITHM_LABELS[a]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {kind !== null && (
          <DatasetField
            algorithm={algorithm}
            kind={kind}
            datasets={list}
            loadFailed={datasets.data.state === 'error'}
            value={selected}
            onChange={setDataset}
            error={errors.fields.dataset}
          />
        )}
        <Field label="Run name" error={errors.fields.name} hint="Optional; the lab picks one otherwise.">
          {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {fields.filter((f) => !f.advanced).map(field)}
      </div>
      {advanced.length > 0 && (
        // Opens by itself when one of its fields is refused, so the error is never hidden.
        <details className="run-advanced" open={advancedError || undefined}>
          <summary>Advanced</summary>
          <div className="form-grid">{advanced.map(field)}</div>
        </details>
      )}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Start run
        </button>
      </div>
    </form>
  );
}
