// The fields of the New run form, per algorithm (pretraining, SFT and evaluation here; the alignment
// algorithms in RunFieldsAlign.ts), and the form values they read and write. Defaults are not written
// here: they come from parsing `{}` with the algorithm's schema (RUN_CONFIGS), so the form can never
// disagree with what a run would resolve to. A run kind (RUN_KINDS) adds its fixed config on top.
import { EvalSetName, RUN_CONFIGS, RUN_KINDS } from '../../../shared/schemas';
import type { Algorithm, RunKind } from '../../../shared/schemas';
import {
  TEMPLATE_OPTIONS,
  baseModel,
  epochs,
  inference,
  learningRate,
  maxGradNorm,
  num,
  seed,
  specFor,
  template,
  trainingEngine,
} from './RunFieldSpec';
import type { FieldSpec, FieldValues, Option } from './RunFieldSpec';
import { CAI_FIELDS, DPO_FIELDS, PPO_FIELDS, REWARD_FIELDS } from './RunFieldsAlign';

export type { FieldSpec, FieldValue, FieldValues, Option } from './RunFieldSpec';

/** Model sizes, from the engine's presets (src/main/engine/model/presets.ts). */
export const MODEL_OPTIONS: readonly Option[] = [
  { value: 'byte-tiny', label: 'byte-tiny — 0.1 M params, fastest' },
  { value: 'lab-small', label: 'lab-small — 0.94 M params' },
  { value: 'lab-base', label: 'lab-base — 5.1 M params, slow' },
];

const EVAL_SET_LABELS: Record<EvalSetName, string> = {
  factsPretrainOnly: 'Pretrain-only facts (known from the corpus alone)',
  factsHeldOut: 'Held-out facts (of subjects taught in SFT)',
  arithmetic: 'Arithmetic',
  harmful: 'Harmful requests (should be refused)',
  benign: 'Benign look-alikes (should not be refused)',
  unanswerable: "Unanswerable questions (should say it doesn't know)",
};

const maxSteps = num(
  'maxSteps',
  'Max steps',
  'Stop after this many optimizer steps (0 = the epochs decide).',
  '1',
);
const accumulation = num(
  'gradientAccumulationSteps',
  'Gradient accumulation steps',
  'Batches summed into one optimizer step (effective batch = batch size × this).',
  '1',
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
    trainingEngine('Where the training steps run; the run page shows which one did and why.'),
  ],
  sft: [
    baseModel('Start from a trained model (usually a pretrained one); its tokenizer comes with it.'),
    template("How conversations become text; the loss covers the assistant's turns only."),
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
    trainingEngine('Where the training steps run; the run page shows which one did and why.'),
  ],
  reward: REWARD_FIELDS,
  dpo: DPO_FIELDS,
  ppo: PPO_FIELDS,
  cai: CAI_FIELDS,
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
    {
      key: 'referenceModel',
      label: 'Reference model',
      control: 'model',
      none: 'None',
      hint: "Also measure the KL to this model on the model's own replies (e.g. the SFT model it was aligned from).",
      advanced: true,
    },
    {
      key: 'winRateAgainst',
      label: 'Win rate against',
      control: 'model',
      models: 'lm',
      none: 'None',
      hint: 'This model answers the same questions too; the gold judge picks the better reply (a tie is half a win).',
      advanced: true,
    },
    {
      key: 'judgeRewardModel',
      label: 'Reward model as a second judge',
      control: 'model',
      models: 'reward',
      none: 'None',
      empty: 'No reward models yet',
      hint: 'Judges the same pairs of replies too, so the proxy stands beside the gold judge (needs Win rate against).',
      advanced: true,
    },
    {
      key: 'perplexity',
      label: 'Perplexity',
      control: 'checkbox',
      hint: "Also measure perplexity on the world's held-out text.",
      advanced: true,
    },
    {
      key: 'calibration',
      label: 'Calibration',
      control: 'checkbox',
      hint: 'Also measure each reply’s confidence and the calibration error over the answers.',
      advanced: true,
    },
    inference('Where the replies are generated and scored.'),
  ],
};

/** The schema's defaults for every field of the kind's form, with the kind's fixed config, as form values. */
export function defaultValues(kind: RunKind): FieldValues {
  const { algorithm, config } = RUN_KINDS[kind];
  // `partial()`: an evaluation's model and world have no default.
  const defaults = RUN_CONFIGS[algorithm].partial().parse({}) as Record<string, unknown>;
  return fromConfig(algorithm, { ...defaults, ...config });
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

/** The fields the kind's form shows with these values, labelled for the kind. */
export function visibleFields(kind: RunKind, values: FieldValues): FieldSpec[] {
  return RUN_FIELDS[RUN_KINDS[kind].algorithm]
    .filter((f) => !f.show || f.show({ kind, values }))
    .map((f) => specFor(f, kind));
}

/** A number when the text is one; otherwise the raw text, so the server names the field and why. */
const toNumber = (raw: string): number | string => {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
};

/**
 * The config to send: the visible fields (numbers parsed, an empty model or world left out, so the lab
 * names what is missing), then the kind's fixed config (IPO's loss, …).
 */
export function toConfig(kind: RunKind, values: FieldValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of visibleFields(kind, values)) {
    const v = values[f.key];
    if (v === undefined) continue;
    if (f.control === 'checkbox') config[f.key] = v === true;
    else if (f.control === 'multi') config[f.key] = Array.isArray(v) ? v : [];
    else if (typeof v !== 'string') continue;
    else if (f.control === 'number') config[f.key] = toNumber(v);
    else if (f.control === 'model' || f.control === 'world') {
      if (v !== '') config[f.key] = toNumber(v);
    } else if (f.control === 'dataset') config[f.key] = /^\d+$/.test(v) ? Number(v) : v;
    else config[f.key] = v;
  }
  return { ...config, ...RUN_KINDS[kind].config };
}
