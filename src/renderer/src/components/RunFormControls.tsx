// The controls of the New run form: one per field spec (RunFieldSpec.ts), each labelled, with its help
// line and, after a refused start, its error; and the dataset select, filtered to what the kind reads.
import { useId } from 'react';
import type { ReactNode } from 'react';
import { RUN_KINDS } from '../../../shared/schemas';
import type { Dataset, DatasetKind, Model, RunKind, WorldSummary } from '../../../shared/schemas';
import { Link } from '../router';
import { Field } from './ui';
import type { FieldSpec, FieldValue } from './RunFieldSpec';
import { builtinsFor, datasetKinds } from './RunKinds';

/** What the model, world and dataset selects choose from; null while loading (or if it failed). */
export interface Lists {
  models: Model[] | null;
  worlds: WorldSummary[] | null;
  datasets: Dataset[] | null;
}

/** A model's option text: its run's name, id and shape. */
export const modelLabel = (m: Model): string => {
  const preset = typeof m.arch.preset === 'string' ? m.arch.preset : `${String(m.arch.dModel)}-wide`;
  return `${m.name} — model #${m.id}, ${preset}`;
};

/**
 * The models a model field offers, newest first: reward models for a reward field; otherwise language
 * models that read text (the DPO tutorial's 50-token models read none).
 */
export function modelsFor(spec: FieldSpec, models: Model[] | null): Model[] | null {
  if (models === null) return null;
  const reward = spec.control === 'model' && spec.models === 'reward';
  return models
    .filter((m) => (reward ? m.kind === 'reward' : m.kind !== 'reward' && m.arch.tokenizer !== 'seed-dpo'))
    .sort((a, b) => b.id - a.id);
}

/** The ids and aria attributes Field hands its control. */
type P = Parameters<Parameters<typeof Field>[0]['children']>[0];

interface Control {
  value: FieldValue | undefined;
  onChange: (v: FieldValue) => void;
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

export function ConfigField({
  spec,
  error,
  lists,
  ...control
}: Control & { spec: FieldSpec; error: string | undefined; lists: Lists }) {
  const { value, onChange } = control;
  if (spec.control === 'checkbox')
    return <Checkbox label={spec.label} hint={spec.hint} error={error} {...control} />;
  if (spec.control === 'multi') return <Choices spec={spec} error={error} {...control} />;
  const text = typeof value === 'string' ? value : '';
  const select = (options: ReactNode) => (p: P) => (
    <select {...p} value={text} onChange={(e) => onChange(e.target.value)}>
      {options}
    </select>
  );
  let render: (p: P) => ReactNode;
  if (spec.control === 'number')
    render = (p: P) => (
      <input
        {...p}
        type="number"
        inputMode="decimal"
        step={spec.step}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  else if (spec.control === 'text')
    render = (p: P) => <input {...p} type="text" value={text} onChange={(e) => onChange(e.target.value)} />;
  else if (spec.control === 'select')
    render = select(
      spec.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      )),
    );
  else if (spec.control === 'model') {
    const models = modelsFor(spec, lists.models);
    render = select(
      <>
        {spec.none !== undefined && <option value="">{spec.none}</option>}
        {spec.none === undefined && models?.length === 0 && (
          <option value="">{spec.empty ?? 'No models yet — train one'}</option>
        )}
        {models === null && text !== '' && <option value={text}>Model #{text}</option>}
        {(models ?? []).map((m) => (
          <option key={m.id} value={String(m.id)}>
            {modelLabel(m)}
          </option>
        ))}
      </>,
    );
  } else if (spec.control === 'dataset') {
    const mine = (lists.datasets ?? []).filter((d) => d.kind === spec.kind);
    const known = spec.options.some((o) => o.value === text) || mine.some((d) => String(d.id) === text);
    render = select(
      <>
        {spec.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
        {!known && text !== '' && <option value={text}>Dataset #{text}</option>}
        {mine.map((d) => (
          <option key={d.id} value={String(d.id)}>
            {d.name}
          </option>
        ))}
      </>,
    );
  } else {
    const { worlds } = lists;
    render = select(
      <>
        {spec.none !== undefined && <option value="">{spec.none}</option>}
        {spec.none === undefined && worlds?.length === 0 && (
          <option value="">No worlds yet — generate one on the Datasets page</option>
        )}
        {worlds === null && text !== '' && <option value={text}>World #{text}</option>}
        {(worlds ?? []).map((w) => (
          <option key={w.id} value={String(w.id)}>
            {w.name}
          </option>
        ))}
      </>,
    );
  }
  return (
    <Field label={spec.label} error={error} hint={spec.hint}>
      {render}
    </Field>
  );
}

const NOUNS: Record<DatasetKind, string> = {
  text: 'text',
  instruction: 'instruction',
  preference: 'preference',
  unpaired: 'unpaired',
  prompt: 'prompt',
  constitution: 'constitution',
};
const noun = (kind: DatasetKind): string => NOUNS[kind];

/** The dataset a run reads: the user's datasets of the kinds it reads, then the built-in ones that fit. */
export function DatasetField(props: {
  kind: RunKind;
  datasets: Dataset[] | null;
  loadFailed: boolean;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
  /** How the kind reads the chosen dataset (KTO on pairs), replacing the usual hint. */
  note: string | null;
}) {
  const { kind, datasets, value, onChange, error, note } = props;
  const kinds = datasetKinds(kind);
  const builtins = builtinsFor(kind);
  const mine = (datasets ?? []).filter((d) => kinds.includes(d.kind));
  const none = datasets !== null && mine.length === 0 && builtins.length === 0;
  const label = RUN_KINDS[kind].label;
  const hint = props.loadFailed
    ? 'Could not load your datasets.'
    : none
      ? `No ${noun(kinds[0] ?? 'text')} datasets yet — generate a sandbox world on the Datasets page or import one.`
      : (note ??
        `${label} reads ${kinds
          .map(noun)
          .join(', ')
          .replace(/, ([^,]+)$/, ' or $1')} datasets.`);
  return (
    <div>
      <Field label="Dataset" error={error} hint={hint}>
        {(p) => (
          <select {...p} value={value} disabled={none} onChange={(e) => onChange(e.target.value)}>
            {none && <option value="">—</option>}
            {kinds.map((k) => {
              const ofKind = mine.filter((d) => d.kind === k);
              return (
                ofKind.length > 0 && (
                  <optgroup key={k} label={`Your ${noun(k)} datasets`}>
                    {ofKind.map((d) => (
                      <option key={d.id} value={String(d.id)}>
                        {d.name}
                      </option>
                    ))}
                  </optgroup>
                )
              );
            })}
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
