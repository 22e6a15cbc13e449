// Every hyperparameter of a lab run → its name and value in TRL / transformers (the trainer's config
// dataclass, or an argument of the exported train.py), or a reason why it has none. One table per
// algorithm, each listing every field of the lab's config schema (tests/lab/trl/mapping.test.ts fails
// when a schema gains a field the table lacks). Pure: a resolved run config in, a mapping out.
import type { Algorithm } from '../../../shared/schemas';

/** Which TRL trainer a run becomes: its algorithm, and for the DPO family its loss. */
export type TrlTrainer =
  'SFTTrainer' | 'RewardTrainer' | 'DPOTrainer' | 'KTOTrainer' | 'ORPOTrainer' | 'CPOTrainer' | 'PPOTrainer';

/** The algorithms a TRL project can be exported for (pretraining becomes SFT on plain text). */
export const TRL_ALGORITHMS = ['pretrain', 'sft', 'reward', 'dpo', 'ppo'] as const;
export type TrlAlgorithm = (typeof TRL_ALGORITHMS)[number];
export const isTrlAlgorithm = (a: Algorithm): a is TrlAlgorithm =>
  (TRL_ALGORITHMS as readonly string[]).includes(a);

/** Every `loss_type` TRL's DPOTrainer accepts (the lab trains the first four; the rest are one flag away). */
export const TRL_DPO_LOSS_TYPES = [
  'sigmoid',
  'robust',
  'hinge',
  'ipo',
  'exo_pair',
  'nca_pair',
  'bco_pair',
  'sppo_hard',
  'aot',
  'aot_unpaired',
  'apo_zero',
  'apo_down',
  'discopop',
  'sft',
] as const;

/** What a TRL run of this lab run uses: trainer, config class and the module that has them. */
export function trainerOf(algorithm: TrlAlgorithm, config: Record<string, unknown>): TrlTrainer {
  if (algorithm === 'pretrain' || algorithm === 'sft') return 'SFTTrainer';
  if (algorithm === 'reward') return 'RewardTrainer';
  if (algorithm === 'ppo') return 'PPOTrainer';
  switch (config['lossType']) {
    case 'kto':
      return 'KTOTrainer';
    case 'orpo':
      return 'ORPOTrainer';
    case 'simpo':
      return 'CPOTrainer';
    default:
      return 'DPOTrainer';
  }
}
export const configClassOf = (t: TrlTrainer): string => t.replace('Trainer', 'Config');

type Cfg = Record<string, unknown>;
/** A field's counterpart: the TRL arguments it sets (name → value), or null when it has none here. */
type To = Record<string, unknown> | null;
interface Field {
  /** The TRL/transformers name(s), for the documentation table ("—" when there is none). */
  trl: string;
  /** The arguments for this value and config; null = no counterpart for this run (see `why`). */
  to: (v: unknown, c: Cfg) => To;
  /** Why there is no counterpart (when `to` gives null). */
  why: string | ((v: unknown, c: Cfg) => string);
}

const same = (trl: string): Field => ({ trl, to: (v) => ({ [trl]: v }), why: '' });
const none = (why: string): Field => ({ trl: '—', to: () => null, why });
const loss = (c: Cfg) => String(c['lossType'] ?? 'sigmoid');
/** A field used only by some losses of the DPO family. */
const forLosses = (trl: string, losses: string[], value: (v: unknown) => unknown = (v) => v): Field => ({
  trl,
  to: (v, c) => (losses.includes(loss(c)) ? { [trl]: value(v) } : null),
  why: (_v, c) => `used only by the ${losses.join('/')} loss${losses.length > 1 ? 'es' : ''}, not ${loss(c)}`,
});

const BACKEND = none(
  'the lab trains on TensorFlow.js; TRL runs on PyTorch, on the devices accelerate gives it',
);
const INFERENCE = none(
  "where the lab's generation and scoring run (onnxruntime/tfjs); TRL generates with the policy itself",
);
const ENGINE = none("the lab's training engine (tfjs or onnxruntime-training); TRL trains with PyTorch");
const RESUME = none(
  "a lab checkpoint; TRL resumes from its own output_dir with --resume_from_checkpoint (Trainer's argument)",
);
const CHECKPOINT: Field = {
  trl: 'save_strategy, save_steps',
  to: (v) => (Number(v) > 0 ? { save_strategy: 'steps', save_steps: v } : { save_strategy: 'no' }),
  why: '',
};
const BASE: Field = {
  trl: 'model_name_or_path',
  to: (v) => (typeof v === 'number' ? { model_name_or_path: 'model' } : null),
  why: 'no base model: the run started from fresh weights; model/ holds only its config.json (from_config)',
};
const SHAPE: Field = {
  trl: 'model/config.json (n_embd, n_layer, …)',
  to: (v, c) => (typeof c['baseModel'] === 'number' ? null : { model_shape: v }),
  why: 'the shape comes from the base model, whose weights are in model/',
};
/** DPO renders pairs through the template only from a base model; a fresh model reads raw text. */
const DPO_TEMPLATE: Field = {
  trl: 'tokenizer chat_template',
  to: (v, c) => (typeof c['baseModel'] === 'number' ? { chat_template: v } : null),
  why: 'without a base model the lab reads raw text, not a chat template: the data is exported as plain strings',
};
const TEMPLATE: Field = { trl: 'tokenizer chat_template', to: (v) => ({ chat_template: v }), why: '' };
const FEATURES = none(
  "a setting of the lab's feature-based reward model (an MLP over text features), not of a transformer",
);
const EPOCHS = same('num_train_epochs');
const LR = same('learning_rate');
const BATCH = same('per_device_train_batch_size');
const ACCUM = same('gradient_accumulation_steps');
const SEED = same('seed');
const MAX_LEN = same('max_length');
const GRAD_NORM: Field = {
  trl: 'max_grad_norm',
  to: (v) => ({ max_grad_norm: v }), // 0 = no clipping in both
  why: '',
};
const VAL: Field = {
  trl: 'eval_fraction (train.py), eval_strategy',
  to: (v) => (Number(v) > 0 ? { eval_fraction: v, eval_strategy: 'epoch' } : { eval_fraction: 0 }),
  why: '',
};
const LM_SCHEDULE = {
  learningRate: LR,
  warmupSteps: same('warmup_steps'),
  batchSize: BATCH,
  gradientAccumulationSteps: ACCUM,
  epochs: EPOCHS,
  maxSteps: { trl: 'max_steps', to: (v: unknown) => ({ max_steps: Number(v) > 0 ? v : -1 }), why: '' },
  maxGradNorm: GRAD_NORM,
  seed: SEED,
  checkpointEvery: CHECKPOINT,
  backend: BACKEND,
  trainingEngine: ENGINE,
  resumeFrom: RESUME,
} satisfies Record<string, Field>;

/** Per algorithm: every field of its config schema. */
export const FIELD_MAPS: Record<TrlAlgorithm, Record<string, Field>> = {
  pretrain: {
    ...LM_SCHEDULE,
    model: { trl: 'model/config.json (n_embd, n_layer, …)', to: (v) => ({ model_shape: v }), why: '' },
    tokenizer: {
      trl: 'model/tokenizer.json',
      to: (v) => ({ tokenizer: v }),
      why: '',
    },
    weightDecay: same('weight_decay'),
    reshuffle: none(
      "the lab's reshuffled passes (a new document order per pass); TRL shuffles the packed windows each epoch",
    ),
    valFraction: VAL,
  },
  sft: {
    ...LM_SCHEDULE,
    baseModel: BASE,
    model: SHAPE,
    template: {
      trl: 'tokenizer chat_template, assistant_only_loss',
      to: (v) => ({ chat_template: v, assistant_only_loss: true }),
      why: '',
    },
    packing: same('packing'),
  },
  reward: {
    rewardKind: {
      trl: 'AutoModelForSequenceClassification (num_labels=1)',
      to: (v) => (v === 'transformer' ? { reward_model_class: 'AutoModelForSequenceClassification' } : null),
      why: "the lab's feature-based reward model (an MLP over text features) has no TRL counterpart; RewardTrainer trains a transformer",
    },
    hiddenSize: FEATURES,
    featureLearningRate: FEATURES,
    featureEpochs: FEATURES,
    baseModel: BASE,
    model: SHAPE,
    template: TEMPLATE,
    learningRate: LR,
    epochs: EPOCHS,
    batchSize: BATCH,
    gradientAccumulationSteps: ACCUM,
    maxLength: MAX_LEN,
    centerRewardsCoefficient: {
      trl: 'center_rewards_coefficient',
      to: (v) => ({ center_rewards_coefficient: Number(v) > 0 ? v : null }),
      why: '',
    },
    useMargin: {
      trl: 'the dataset\'s "margin" column',
      to: (v) => ({ use_margin: v }),
      why: '',
    },
    valFraction: VAL,
    seed: SEED,
    checkpointEvery: CHECKPOINT,
    backend: BACKEND,
    trainingEngine: ENGINE,
    resumeFrom: RESUME,
  },
  dpo: {
    beta: {
      trl: 'beta (ORPO: λ; SimPO: β)',
      to: (v) => ({ beta: v }),
      why: '',
    },
    learningRate: LR,
    epochs: EPOCHS,
    batchSize: BATCH,
    gradientAccumulationSteps: ACCUM,
    seed: SEED,
    model: SHAPE,
    maxLength: MAX_LEN,
    checkpointEvery: CHECKPOINT,
    backend: BACKEND,
    inference: INFERENCE,
    trainingEngine: ENGINE,
    lossType: {
      trl: 'loss_type (DPOConfig; CPOConfig "simpo"), or the trainer (KTO, ORPO)',
      to: (v) =>
        v === 'kto' || v === 'orpo'
          ? { trainer: v === 'kto' ? 'KTOTrainer' : 'ORPOTrainer' }
          : v === 'simpo'
            ? { loss_type: 'simpo', cpo_alpha: 0 }
            : { loss_type: v },
      why: '',
    },
    desirableWeight: forLosses('desirable_weight', ['kto']),
    undesirableWeight: forLosses('undesirable_weight', ['kto']),
    labelSmoothing: forLosses('label_smoothing', ['sigmoid', 'robust', 'simpo']),
    rpoAlpha: {
      trl: 'rpo_alpha',
      to: (v, c) =>
        ['sigmoid', 'robust', 'hinge', 'ipo'].includes(loss(c))
          ? { rpo_alpha: Number(v) > 0 ? v : null }
          : null,
      why: (_v, c) => `rpo_alpha is a DPOTrainer option; the ${loss(c)} loss runs on another trainer`,
    },
    gamma: forLosses('simpo_gamma', ['simpo']),
    baseModel: BASE,
    template: DPO_TEMPLATE,
    resumeFrom: RESUME,
  },
  ppo: {
    baseModel: {
      trl: 'sft_model_path, model_name_or_path',
      to: (v) => (typeof v === 'number' ? { sft_model_path: 'model', model_name_or_path: 'model' } : null),
      why: BASE.why as string,
    },
    model: SHAPE,
    template: TEMPLATE,
    rewardSource: {
      trl: 'reward_model_path',
      to: (v) => (v === 'model' ? { reward_model_path: 'reward_model' } : null),
      why: (v) =>
        `TRL's PPOTrainer scores with a reward model; the lab's ${v === 'gold' ? 'sandbox gold judge' : 'rule reward'} has no counterpart: pass --reward_model_path`,
    },
    rewardModel: {
      trl: 'reward_model_path',
      to: (v) => (typeof v === 'number' ? { reward_model_path: 'reward_model' } : null),
      why: 'no reward model was used',
    },
    world: none("the sandbox world of the lab's gold judge; TRL has no gold judge"),
    rule: none("rule rewards (length, keywords) are the lab's; TRL scores with a reward model"),
    ruleTargetLength: none("the lab's length rule"),
    ruleKeywords: none("the lab's keyword rule"),
    iterations: {
      trl: 'total_episodes',
      to: (v, c) => ({ total_episodes: Number(v) * Number(c['batchSize']) }),
      why: '',
    },
    batchSize: {
      trl: 'per_device_train_batch_size (× gradient_accumulation_steps × num_mini_batches × GPUs)',
      to: (v, c) => {
        const per = Number(c['numMiniBatches'] ?? 1) * Number(c['gradientAccumulationSteps'] ?? 1);
        return { per_device_train_batch_size: Math.max(1, Math.floor(Number(v) / per)) };
      },
      why: '',
    },
    numMiniBatches: same('num_mini_batches'),
    gradientAccumulationSteps: ACCUM,
    ppoEpochs: same('num_ppo_epochs'),
    learningRate: LR,
    maxNewTokens: same('response_length'),
    temperature: same('temperature'),
    klCoef: same('kl_coef'),
    klEstimator: same('kl_estimator'),
    adaptiveKl: {
      trl: '—',
      to: (v) => (v ? null : { adaptive_kl: false }),
      why: "TRL's PPOTrainer keeps kl_coef fixed; the adaptive controller (Ziegler et al.) was in TRL ≤ 0.11 only",
    },
    targetKl: {
      trl: '—',
      to: () => null,
      why: 'the target of the adaptive KL controller, which the current PPOTrainer does not have',
    },
    klHorizon: {
      trl: '—',
      to: () => null,
      why: 'the horizon of the adaptive KL controller, which the current PPOTrainer does not have',
    },
    clipRange: same('cliprange'),
    clipRangeValue: same('cliprange_value'),
    vfCoef: same('vf_coef'),
    gamma: same('gamma'),
    lam: same('lam'),
    missingEosPenalty: {
      trl: 'missing_eos_penalty',
      to: (v) => ({ missing_eos_penalty: Number(v) > 0 ? v : null }),
      why: '',
    },
    maxGradNorm: GRAD_NORM,
    samplesPerIteration: none(
      'rollouts stored per iteration for the run page; TRL prints sample generations (num_sample_generations) instead',
    ),
    seed: SEED,
    checkpointEvery: CHECKPOINT,
    backend: BACKEND,
    inference: INFERENCE,
    trainingEngine: ENGINE,
    resumeFrom: RESUME,
  },
};

export interface FieldMapping {
  /** The lab's field and its value in the run. */
  lab: string;
  value: unknown;
  /** TRL's name(s) for it. */
  trl: string;
  /** What it sets (TRL argument → value). */
  args: Record<string, unknown>;
}
export interface NoCounterpart {
  lab: string;
  value: unknown;
  reason: string;
}
export interface TrlMapping {
  trainer: TrlTrainer;
  configClass: string;
  /** TRL/transformers arguments for the config class (plus train.py's own: eval_fraction, …). */
  args: Record<string, unknown>;
  mapped: FieldMapping[];
  noCounterpart: NoCounterpart[];
  /** Fields the run's config holds that the table does not know (a schema change not mapped yet). */
  unknown: string[];
}

/** Lab-only arguments carried in the mapping that are not TRL config fields (handled by train.py or the export). */
export const PROJECT_KEYS = [
  'model_name_or_path',
  'sft_model_path',
  'reward_model_path',
  'chat_template',
  'model_shape',
  'tokenizer',
  'use_margin',
  'eval_fraction',
  'trainer',
  'adaptive_kl',
  'reward_model_class',
] as const;

/** A run's resolved config → TRL's arguments, field by field. */
export function mapRunConfig(algorithm: TrlAlgorithm, config: Cfg): TrlMapping {
  const table = FIELD_MAPS[algorithm];
  const trainer = trainerOf(algorithm, config);
  const mapped: FieldMapping[] = [];
  const noCounterpart: NoCounterpart[] = [];
  const args: Record<string, unknown> = {};
  for (const [lab, field] of Object.entries(table)) {
    if (!Object.hasOwn(config, lab)) continue; // an optional field the run did not set (baseModel, resumeFrom…)
    const value = config[lab];
    const to = field.to(value, config);
    if (to === null) {
      const reason = typeof field.why === 'function' ? field.why(value, config) : field.why;
      noCounterpart.push({ lab, value, reason });
    } else {
      mapped.push({ lab, value, trl: field.trl, args: to });
      Object.assign(args, to);
    }
  }
  const unknown = Object.keys(config).filter((k) => !Object.hasOwn(table, k));
  // Implied by how the lab trains, not by a field: its schedule, precision and logging.
  if (algorithm === 'pretrain' || algorithm === 'sft') {
    args['lr_scheduler_type'] = 'cosine_with_min_lr'; // warm-up, then cosine to a tenth of the peak
    args['lr_scheduler_kwargs'] = { min_lr_rate: 0.1 };
  } else {
    args['lr_scheduler_type'] = 'constant'; // the lab's reward, DPO-family and PPO trainers keep the rate fixed
  }
  if (algorithm === 'pretrain') {
    args['dataset_text_field'] = 'text';
    args['packing'] = true; // the lab cuts the corpus into full context windows
  }
  args['logging_steps'] = 1;
  args['report_to'] = 'none';
  delete args['trainer'];
  return { trainer, configClass: configClassOf(trainer), args, mapped, noCounterpart, unknown };
}
