// The fields of the New run form, per algorithm: label, control, one line of help and whether it sits
// under "Advanced". Defaults are not written here: they come from parsing `{}` with the algorithm's
// schema (RUN_CONFIGS), so the form can never disagree with what a run would resolve to.
import { EvalSetName, RUN_CONFIGS, TEMPLATE_LABELS, TemplateName } from '../../../shared/schemas';
import type { Algorithm } from '../../../shared/schemas';

export interface Option {
  value: string;
  label: string;
}

export type FieldSpec = {
  /** The config key, e.g. `learningRate` (errors arrive as `config.learningRate`). */
  key: string;
  label: string;
  /** One line: what the field does. */
  hint: string;
  advanced?: boolean;
} & (
  | { control: 'number'; step: 'any' | '1' }
  | { control: 'select'; options: readonly Option[] }
  | { control: 'checkbox' }
  /** A trained model, from those loaded when the form opens; `none` labels the empty choice, if allowed. */
  | { control: 'model'; none?: string }
  /** A sandbox world, from those loaded when the form opens. */
  | { control: 'world' }
  /** Several of a fixed set of values. */
  | { control: 'multi'; options: readonly Option[] }
);

const num = (key: string, label: string, hint: string, step: 'any' | '1', advanced = false): FieldSpec => ({
  key,
  label,
  hint,
  control: 'number',
  step,
  advanced,
});

/** Model sizes, from the engine's presets (src/main/engine/model/presets.ts). */
export const MODEL_OPTIONS: readonly Option[] = [
  { value: 'byte-tiny', label: 'byte-tiny — 0.1 M params, fastest' },
  { value: 'lab-small', label: 'lab-small — 0.94 M params' },
  { value: 'lab-base', label: 'lab-base — 5.1 M params, slow' },
];

const TEMPLATE_OPTIONS = TemplateName.options.map((t) => ({ value: t, label: TEMPLATE_LABELS[t] }));
const EVAL_SET_LABELS: Record<EvalSetName, string> = {
  factsPretrainOnly: 'Pretrain-only facts (known from the corpus alone)',
  factsHeldOut: 'Held-out facts (of subjects taught in SFT)',
  arithmetic: 'Arithmetic',
};

const learningRate = (hint: string) => num('learningRate', 'Learning rate', hint, 'any');
const epochs = num('epochs', 'Epochs', 'Passes over the data.', '1');
const maxSteps = num(
  'maxSteps',
  'Max steps',
  'Stop after this many optimizer steps (0 = the epochs decide).',
  '1',
);
const seed = num('seed', 'Seed', 'Same seed, same run.', '1');
const accumulation = num(
  'gradientAccumulationSteps',
  'Gradient accumulation steps',
  'Batches summed into one optimizer step (effective batch = batch size × this).',
  '1',
  true,
);
const maxGradNorm = num(
  'maxGradNorm',
  'Max gradient norm',
  "Clip the gradient's global norm to this (0 = no clipping).",
  'any',
  true,
);

export const RUN_FIELDS: Record<Algorithm, readonly FieldSpec[]> = {
  pretrain: [
    {
      key: 'model',
      label: 'Model',
      control: 'select',
      options: MODEL_OPTIONS,
      hint: 'Size of the new model: parameters and context (64, 128, 256 tokens).',
    },
    {
      key: 'tokenizer',
      label: 'Tokenizer',
      control: 'select',
      options: [
        { value: 'bpe', label: 'BPE trained on this corpus' },
        { value: 'byte', label: 'Bytes (one token per byte)' },
      ],
      hint: "How text becomes tokens; BPE learns merges from the corpus up to the model's vocabulary.",
    },
    learningRate('Peak step size after warm-up; it then decays along a cosine to a tenth.'),
    num('warmupSteps', 'Warm-up steps', 'Steps that ramp the learning rate up from 0.', '1'),
    num('batchSize', 'Batch size', 'Sequences per step.', '1'),
    epochs,
    maxSteps,
    num(
      'valFraction',
      'Validation fraction',
      'Share of the corpus (its end) held out to measure val/loss.',
      'any',
    ),
    {
      key: 'reshuffle',
      label: 'Reshuffle passes',
      control: 'checkbox',
      hint: 'Repeat the corpus in a fresh document order each pass (needs Max steps): facts land in new contexts.',
    },
    seed,
    num('weightDecay', 'Weight decay', 'AdamW decay of the weight matrices (nanoGPT uses 0.1).', 'any', true),
    accumulation,
    maxGradNorm,
  ],
  sft: [
    {
      key: 'baseModel',
      label: 'Base model',
      control: 'model',
      none: 'None (fresh byte-tiny model)',
      hint: 'Start from a trained model (usually a pretrained one); its tokenizer comes with it.',
    },
    {
      key: 'template',
      label: 'Template',
      control: 'select',
      options: TEMPLATE_OPTIONS,
      hint: "How conversations become text; the loss covers the assistant's turns only.",
    },
    learningRate('Peak step size after warm-up; it then decays along a cosine to a tenth.'),
    num('batchSize', 'Batch size', 'Conversations per step.', '1'),
    epochs,
    maxSteps,
    {
      key: 'packing',
      label: 'Packing',
      control: 'checkbox',
      hint: 'Fill each window with several examples instead of padding.',
    },
    seed,
    num('warmupSteps', 'Warm-up steps', 'Steps that ramp the learning rate up from 0.', '1', true),
    accumulation,
    maxGradNorm,
  ],
  dpo: [
    {
      key: 'lossType',
      label: 'Loss',
      control: 'select',
      options: [
        { value: 'sigmoid', label: 'DPO (sigmoid)' },
        { value: 'ipo', label: 'IPO (squared, length-averaged)' },
        { value: 'hinge', label: 'SLiC (hinge)' },
        { value: 'robust', label: 'Robust DPO (label noise)' },
        { value: 'simpo', label: 'SimPO (no reference)' },
        { value: 'orpo', label: 'ORPO (no reference, with NLL)' },
      ],
      hint: 'Which member of the DPO family; SimPO and ORPO need no frozen reference.',
    },
    {
      key: 'baseModel',
      label: 'Base model',
      control: 'model',
      none: 'None (fresh model)',
      hint: 'Start the policy and the frozen reference from this model (usually an SFT one).',
    },
    {
      key: 'template',
      label: 'Template',
      control: 'select',
      options: TEMPLATE_OPTIONS,
      hint: 'How a base model reads the pairs (the template it was tuned with).',
    },
    num('beta', 'Beta', 'Reward temperature; larger stays closer to the reference.', 'any'),
    learningRate('Adam step size.'),
    num('epochs', 'Epochs', 'Passes over the data.', '1'),
    num('batchSize', 'Batch size', 'Pairs per optimizer step.', '1'),
    seed,
    num(
      'labelSmoothing',
      'Label smoothing',
      'Share of labels assumed flipped (cDPO/robust), 0 to 0.5.',
      'any',
      true,
    ),
    num('gamma', 'SimPO margin', 'Target reward margin γ of SimPO.', 'any', true),
  ],
  eval: [
    { key: 'model', label: 'Model', control: 'model', hint: 'The trained model to ask the questions.' },
    {
      key: 'world',
      label: 'World',
      control: 'world',
      hint: 'Whose held-out questions to ask; its gold judge scores the replies.',
    },
    {
      key: 'sets',
      label: 'Question sets',
      control: 'multi',
      options: EvalSetName.options.map((n) => ({ value: n, label: EVAL_SET_LABELS[n] })),
      hint: 'Which held-out sets to ask.',
    },
    {
      key: 'template',
      label: 'Template',
      control: 'select',
      options: [...TEMPLATE_OPTIONS, { value: 'none', label: 'None — plain text, for a base model' }],
      hint: 'The chat template the model was tuned with.',
    },
    num('maxNewTokens', 'Max new tokens', 'Longest reply, in tokens (greedy decoding).', '1'),
  ],
};

/** A form value: text for numbers and selects (so a bad entry is kept as typed), a flag for a
 * checkbox, a list for several choices. */
export type FieldValue = string | boolean | string[];
export type FieldValues = Record<string, FieldValue>;

/** The schema's defaults for every field of the algorithm's form, as form values. */
export function defaultValues(algorithm: Algorithm): FieldValues {
  // `partial()`: an evaluation's model and world have no default.
  const defaults = RUN_CONFIGS[algorithm].partial().parse({}) as Record<string, unknown>;
  return fromConfig(algorithm, defaults);
}

/** Form values from a config record (a run's resolved config, or the defaults). */
export function fromConfig(algorithm: Algorithm, config: Record<string, unknown>): FieldValues {
  return Object.fromEntries(
    RUN_FIELDS[algorithm].map((f) => {
      const v = config[f.key];
      if (f.control === 'checkbox') return [f.key, v === true];
      if (f.control === 'multi') return [f.key, Array.isArray(v) ? v.map(String) : []];
      return [f.key, v === undefined || v === null ? '' : String(v)];
    }),
  );
}

/** A number when the text is one; otherwise the raw text, so the server names the field and why. */
const toNumber = (raw: string): number | string => {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
};

/** The config to send: numbers parsed, an empty model or world left out (the lab names what is missing). */
export function toConfig(algorithm: Algorithm, values: FieldValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of RUN_FIELDS[algorithm]) {
    const v = values[f.key];
    if (v === undefined) continue;
    if (f.control === 'checkbox') config[f.key] = v === true;
    else if (f.control === 'multi') config[f.key] = Array.isArray(v) ? v : [];
    else if (typeof v !== 'string') continue;
    else if (f.control === 'number') config[f.key] = toNumber(v);
    else if (f.control === 'model' || f.control === 'world') {
      if (v !== '') config[f.key] = toNumber(v);
    } else config[f.key] = v;
  }
  return config;
}
