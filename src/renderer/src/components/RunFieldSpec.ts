// What one field of the New run form is (label, control, one line of help, whether it sits under
// "Advanced", when it shows) and the small builders the per-algorithm tables (RunFields.ts,
// RunFieldsAlign.ts) share. Defaults are not here: they come from the algorithm's zod schema.
import { TEMPLATE_LABELS, TemplateName } from '../../../shared/schemas';
import type { DatasetKind, RunKind } from '../../../shared/schemas';

export interface Option {
  value: string;
  label: string;
}

/** A form value: text for numbers and selects (so a bad entry is kept as typed), a flag for a
 * checkbox, a list for several choices. */
export type FieldValue = string | boolean | string[];
export type FieldValues = Record<string, FieldValue>;

/** What decides whether a field shows: the run kind and the other fields' values. */
export interface FieldContext {
  kind: RunKind;
  values: FieldValues;
}

export type FieldSpec = {
  /** The config key, e.g. `learningRate` (errors arrive as `config.learningRate`). */
  key: string;
  label: string;
  /** One line: what the field does. */
  hint: string;
  advanced?: boolean;
  /** Shown only when this holds; a hidden field is not sent (the schema's default applies). */
  show?: (c: FieldContext) => boolean;
  /** A different label or hint for some kinds (ORPO's beta is λ). */
  byKind?: Partial<Record<RunKind, { label?: string; hint?: string }>>;
} & (
  | { control: 'number'; step: 'any' | '1' }
  | { control: 'select'; options: readonly Option[] }
  | { control: 'checkbox' }
  | { control: 'text' }
  /**
   * A trained model, from those loaded when the form opens: language models, or reward models.
   * `none` labels the empty choice, if allowed; `empty` says what to do when there is none to pick.
   */
  | { control: 'model'; none?: string; models?: 'lm' | 'reward'; empty?: string }
  /** A sandbox world, from those loaded when the form opens; `none` labels the empty choice, if allowed. */
  | { control: 'world'; none?: string }
  /** Several of a fixed set of values. */
  | { control: 'multi'; options: readonly Option[] }
  /** A stored dataset of `kind`, after fixed choices (`default`). */
  | { control: 'dataset'; kind: DatasetKind; options: readonly Option[] }
);

/** The field as this kind shows it (label and hint overrides applied). */
export const specFor = (f: FieldSpec, kind: RunKind): FieldSpec => ({ ...f, ...f.byKind?.[kind] });

export const num = (
  key: string,
  label: string,
  hint: string,
  step: 'any' | '1',
  advanced = false,
): FieldSpec => ({ key, label, hint, control: 'number', step, advanced });

export const TEMPLATE_OPTIONS: readonly Option[] = TemplateName.options.map((t) => ({
  value: t,
  label: TEMPLATE_LABELS[t],
}));

export const learningRate = (hint: string): FieldSpec => num('learningRate', 'Learning rate', hint, 'any');
export const epochs = num('epochs', 'Epochs', 'Passes over the data.', '1');
export const seed = num('seed', 'Seed', 'Same seed, same run.', '1');
export const maxGradNorm = num(
  'maxGradNorm',
  'Max gradient norm',
  "Clip the gradient's global norm to this (0 = no clipping).",
  'any',
  true,
);
export const template = (hint: string): FieldSpec => ({
  key: 'template',
  label: 'Template',
  control: 'select',
  options: TEMPLATE_OPTIONS,
  hint,
});
/** Where a run infers (generation, reference and reward scoring): InferenceChoice in shared/schemas.ts. */
export const inference = (hint: string): FieldSpec => ({
  key: 'inference',
  label: 'Inference',
  control: 'select',
  options: [
    { value: 'auto', label: 'Automatic (onnxruntime; LAB_INFERENCE can say tfjs)' },
    { value: 'onnx', label: 'onnxruntime (CUDA where installed, else CPU)' },
    { value: 'tfjs', label: 'tfjs (the reference implementation, slower)' },
  ],
  hint,
  advanced: true,
});
/** Where a run's training steps run: TrainingEngineChoice in shared/schemas.ts. */
export const trainingEngine = (hint: string): FieldSpec => ({
  key: 'trainingEngine',
  label: 'Training engine',
  control: 'select',
  options: [
    { value: 'auto', label: 'Automatic (onnxruntime when its self-check passes, else tfjs)' },
    { value: 'onnx', label: 'onnxruntime (multi-threaded CPU)' },
    { value: 'tfjs', label: 'tfjs (the reference implementation, slower)' },
  ],
  hint,
  advanced: true,
});
/** A base model to start from; without one, a fresh byte-tiny model. */
export const baseModel = (hint: string, none = 'None (fresh byte-tiny model)'): FieldSpec => ({
  key: 'baseModel',
  label: 'Base model',
  control: 'model',
  none,
  hint,
});
