// The "New run" form: the run kind (an algorithm, or a DPO-family loss under its own name), a dataset
// of a kind it reads, and the algorithm's hyperparameters (RunFields.ts), each with its help line and,
// after a refused start, its error. It can open prefilled: "Run again" (a run's config), "Fine-tune
// with SFT" (a base model), "Train PPO with it" (a reward model).
import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  ALGORITHM_DATASET_KINDS,
  BUILTIN_DATASET_KINDS,
  RUN_KINDS,
  RunKindName,
} from '../../../shared/schemas';
import type {
  Algorithm as Algo,
  BuiltinDataset,
  DatasetKind,
  RunDatasetRef,
  RunKind,
} from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link, navigate } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';
import { RUN_FIELDS, defaultValues, fromConfig, toConfig, visibleFields } from './RunFields';
import type { FieldSpec, FieldValue, FieldValues } from './RunFields';
import {
  KIND_GROUPS,
  KIND_HELP,
  builtinsFor,
  checkRun,
  datasetKinds,
  datasetNote,
  defaultDataset,
  kindOf,
} from './RunKinds';
import { ConfigField, DatasetField, modelsFor } from './RunFormControls';
import type { Lists } from './RunFormControls';
import '../runs-worlds.css';

export { modelLabel } from './RunFormControls';

/** What the form opens with; anything left out takes the schema's default. */
export interface RunFormInitial {
  algorithm: Algo;
  /** The kind to open; by default the one the algorithm and config make (a DPO config with `lossType: 'ipo'` is IPO). */
  kind?: RunKind;
  dataset?: RunDatasetRef;
  /** A config record (e.g. a finished run's); keys the form does not show are sent as they are. */
  config?: Record<string, unknown>;
}

/** Keys a run's resolved config holds that the form does not show but "Run again" should keep. */
const hiddenKeys = (algorithm: Algo, config: Record<string, unknown>): Record<string, unknown> => {
  const shown = new Set(RUN_FIELDS[algorithm].map((f) => f.key));
  // DPO's `model` follows the dataset (seed-tiny for seed-dpo, byte-tiny for text): let the lab pick it again.
  if (algorithm === 'dpo') shown.add('model');
  // "Run again" starts afresh; continuing a stopped run is "Resume".
  shown.add('resumeFrom');
  return Object.fromEntries(Object.entries(config).filter(([k]) => !shown.has(k)));
};

/** A required model or world select shows its first option until one is picked: send that one. */
function withChoices(fields: readonly FieldSpec[], values: FieldValues, lists: Lists): FieldValues {
  const out = { ...values };
  for (const f of fields) {
    if (out[f.key] !== '') continue;
    const first = f.control === 'model' && f.none === undefined ? modelsFor(f, lists.models)?.[0] : undefined;
    if (first) out[f.key] = String(first.id);
    if (f.control === 'world' && f.none === undefined && lists.worlds?.[0])
      out[f.key] = String(lists.worlds[0].id);
  }
  return out;
}

const isBuiltin = (v: string): v is BuiltinDataset => Object.hasOwn(BUILTIN_DATASET_KINDS, v);

/** Constitutional AI: make the default constitution an editable dataset, and pick it. */
function CopyConstitution({ onCopied }: { onCopied: (id: number) => void }) {
  const [copied, setCopied] = useState<{ id: number; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const copy = async () => {
    setBusy(true);
    setError(null);
    try {
      const dataset = await lab.copyDefaultConstitution({});
      setCopied({ id: dataset.id, name: dataset.name });
      onCopied(dataset.id);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="run-form-aside">
      {copied ? (
        <p className="hint" role="status">
          Copied as <Link to={`/datasets/${copied.id}`}>{copied.name}</Link>; edit its principles there.
        </p>
      ) : (
        <button type="button" className="secondary small" disabled={busy} onClick={() => void copy()}>
          Copy the default constitution to edit it
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          Could not copy it: {error}
        </p>
      )}
    </div>
  );
}

export function NewRunForm({ onCancel, initial }: { onCancel: () => void; initial?: RunFormInitial }) {
  const datasets = useLoad(() => lab.listDatasets());
  const models = useLoad(() => lab.listModels());
  const worlds = useLoad(() => lab.listWorlds());
  const startKind: RunKind = initial?.kind ?? (initial ? kindOf(initial.algorithm, initial.config) : 'dpo');
  const [kind, setKind] = useState<RunKind>(startKind);
  const [dataset, setDataset] = useState<string>(
    initial?.dataset === undefined ? '' : String(initial.dataset),
  );
  const [name, setName] = useState('');
  // Values per kind, so switching back and forth loses nothing typed.
  const [values, setValues] = useState<Record<RunKind, FieldValues>>(() => {
    const all = Object.fromEntries(RunKindName.options.map((k) => [k, defaultValues(k)])) as Record<
      RunKind,
      FieldValues
    >;
    if (initial?.config) {
      const given = fromConfig(initial.algorithm, initial.config);
      const present = Object.keys(given).filter((k) => initial.config?.[k] !== undefined);
      for (const k of present) all[startKind][k] = given[k] ?? '';
    }
    return all;
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const algorithm = RUN_KINDS[kind].algorithm;
  const list = datasets.data.state === 'ready' ? datasets.data.value : null;
  const needsDataset = ALGORITHM_DATASET_KINDS[algorithm] !== null;
  const kinds = datasetKinds(kind);
  const candidates = [
    ...kinds.flatMap((k) => (list ?? []).filter((d) => d.kind === k).map((d) => String(d.id))),
    ...builtinsFor(kind),
  ];
  const selected = candidates.includes(dataset) ? dataset : defaultDataset(kind, list ?? []);
  const selectedKind: DatasetKind | null = isBuiltin(selected)
    ? BUILTIN_DATASET_KINDS[selected]
    : ((list ?? []).find((d) => String(d.id) === selected)?.kind ?? null);
  const lists: Lists = {
    models: models.data.state === 'ready' ? models.data.value : null,
    worlds: worlds.data.state === 'ready' ? [...worlds.data.value].sort((a, b) => b.id - a.id) : null,
    datasets: list,
  };
  const fields = visibleFields(kind, values[kind]);
  const mine = withChoices(fields, values[kind], lists);

  const set = (key: string, v: FieldValue) =>
    setValues((all) => ({ ...all, [kind]: { ...all[kind], [key]: v } }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const keys = ['algorithm', 'dataset', 'name', ...fields.map((f) => `config.${f.key}`)];
    const local = checkRun(kind, mine, { sandbox: isBuiltin(selected) && selected !== 'seed-dpo' });
    if (needsDataset && selected === '') local.dataset = 'Choose a dataset first.';
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, general: null });
      return;
    }
    setBusy(true);
    try {
      const hidden =
        initial?.config && kindOf(initial.algorithm, initial.config) === kind
          ? hiddenKeys(algorithm, initial.config)
          : {};
      const config = { ...hidden, ...toConfig(kind, mine) };
      const ref = !needsDataset
        ? null
        : /^\d+$/.test(selected)
          ? Number(selected)
          : (selected as BuiltinDataset);
      const run = await lab.startRun({ algorithm, dataset: ref, config, ...(name.trim() ? { name } : {}) });
      navigate(`/runs/${run.id}`);
    } catch (error) {
      setErrors(formErrors(error, keys));
      setBusy(false);
    }
  };

  const field = (f: FieldSpec) => (
    <div key={`${kind}.${f.key}`}>
      <ConfigField
        spec={f}
        value={mine[f.key]}
        onChange={(v) => set(f.key, v)}
        error={errors.fields[`config.${f.key}`]}
        lists={lists}
      />
      {kind === 'cai' && f.key === 'constitution' && (
        <CopyConstitution
          onCopied={(id) => {
            set('constitution', String(id));
            void datasets.reload();
          }}
        />
      )}
    </div>
  );
  const advanced = fields.filter((f) => f.advanced);
  const advancedError = advanced.some((f) => errors.fields[`config.${f.key}`]);

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="run-form">
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="form-grid">
        <Field label="Algorithm" error={errors.fields.algorithm} hint={KIND_HELP[kind]}>
          {(p) => (
            <select
              {...p}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as RunKind);
                setErrors(NO_ERRORS);
              }}
            >
              {KIND_GROUPS.map((g) => (
                <optgroup key={g.label} label={g.label}>
                  {g.kinds.map((k) => (
                    <option key={k} value={k}>
                      {RUN_KINDS[k].label}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        {needsDataset && (
          <DatasetField
            kind={kind}
            datasets={list}
            loadFailed={datasets.data.state === 'error'}
            value={selected}
            onChange={setDataset}
            error={errors.fields.dataset}
            note={datasetNote(kind, selectedKind)}
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
