// The New run form's fields for preference alignment: the reward model, the DPO family (DPO, IPO,
// KTO, ORPO, SimPO share one schema; a kind fixes the loss), PPO and Constitutional AI. Labels,
// controls, help and visibility only; defaults and validation come from the zod schemas.
import type { FieldContext, FieldSpec } from './RunFieldSpec';
import {
  baseModel,
  epochs,
  inference,
  learningRate,
  maxGradNorm,
  num,
  seed,
  template,
  trainingEngine,
} from './RunFieldSpec';

const when =
  (key: string, ...values: string[]) =>
  ({ values: v }: FieldContext): boolean =>
    values.includes(String(v[key]));
const isKind =
  (...kinds: FieldContext['kind'][]) =>
  ({ kind }: FieldContext): boolean =>
    kinds.includes(kind);

/** Reward-model fields of one kind only (`rewardKind`: transformer or features). */
const transformerOnly = (f: FieldSpec): FieldSpec => ({ ...f, show: when('rewardKind', 'transformer') });
const featuresOnly = (f: FieldSpec): FieldSpec => ({ ...f, show: when('rewardKind', 'features') });

export const REWARD_FIELDS: readonly FieldSpec[] = [
  {
    key: 'rewardKind',
    label: 'Reward model',
    control: 'select',
    options: [
      { value: 'transformer', label: 'Transformer (trunk + score head)' },
      { value: 'features', label: 'Features (2-layer MLP over text features)' },
    ],
    hint: 'Features: length, overlap with the question, vocabulary, quality features; trains in seconds, no base model.',
  },
  transformerOnly(
    baseModel(
      'Start the trunk from this model (usually the SFT model PPO will align); its tokenizer comes with it.',
    ),
  ),
  transformerOnly(template('How each (prompt, response) becomes text; the score is read at the last token.')),
  transformerOnly(learningRate('Adam step size.')),
  transformerOnly(epochs),
  featuresOnly(num('hiddenSize', 'Hidden size', 'Hidden units of the MLP.', '1')),
  featuresOnly(num('featureLearningRate', 'Learning rate', 'Adam step size (the MLP is tiny).', 'any')),
  featuresOnly(num('featureEpochs', 'Epochs', 'Passes over the pairs.', '1')),
  num('batchSize', 'Batch size', 'Pairs per forward/backward pass (a micro-batch).', '1'),
  transformerOnly(
    num(
      'gradientAccumulationSteps',
      'Gradient accumulation steps',
      'Micro-batches summed into one optimizer step (effective batch = batch size × this).',
      '1',
      true,
    ),
  ),
  transformerOnly(
    num('maxLength', 'Max length', 'Longest prompt + response in tokens; longer ones are cut.', '1'),
  ),
  num(
    'valFraction',
    'Validation fraction',
    'Share of the pairs held out to measure eval/accuracy (0 to 0.5).',
    'any',
  ),
  {
    key: 'useMargin',
    label: 'Use margins',
    control: 'checkbox',
    hint: "Subtract each pair's margin (when the data has one) inside the loss, as Llama 2 did.",
  },
  seed,
  num(
    'centerRewardsCoefficient',
    'Centering coefficient',
    'c in c·(r_chosen + r_rejected)², pulling rewards toward mean 0 (0 = off).',
    'any',
    true,
  ),
  transformerOnly(trainingEngine('Where the training steps run; the run page shows which one did and why.')),
];

export const DPO_FIELDS: readonly FieldSpec[] = [
  {
    key: 'lossType',
    label: 'Loss',
    control: 'select',
    options: [
      { value: 'sigmoid', label: 'DPO (sigmoid)' },
      { value: 'hinge', label: 'SLiC (hinge)' },
      { value: 'robust', label: 'Robust DPO (label noise)' },
    ],
    hint: 'Which form of the DPO loss; IPO, KTO, ORPO and SimPO have their own entries under Algorithm.',
    show: isKind('dpo'),
  },
  baseModel(
    'Start the policy and the frozen reference from this model (usually an SFT one).',
    'None (fresh model)',
  ),
  template('How a base model reads the pairs (the template it was tuned with).'),
  {
    ...num('beta', 'Beta', 'Reward temperature; larger stays closer to the reference.', 'any'),
    byKind: {
      ipo: { hint: "τ of IPO's squared loss; larger stays closer to the reference." },
      kto: { hint: 'β of KTO; larger stays closer to the reference.' },
      orpo: { label: 'Lambda (beta)', hint: 'λ: the weight of the odds-ratio term beside the SFT loss.' },
      simpo: { hint: 'Reward scale β of SimPO (the paper uses 2 to 2.5).' },
    },
  },
  learningRate('Adam step size.'),
  num('epochs', 'Epochs', 'Passes over the data.', '1'),
  {
    ...num('batchSize', 'Batch size', 'Pairs per forward/backward pass (a micro-batch).', '1'),
    byKind: {
      kto: { hint: 'Examples per step; at least 2, since KTO takes its reference point from the batch.' },
    },
  },
  {
    ...num(
      'gradientAccumulationSteps',
      'Gradient accumulation steps',
      'Micro-batches summed into one optimizer step (effective batch = batch size × this).',
      '1',
      true,
    ),
    show: (c) => c.kind !== 'kto',
  },
  {
    ...num('desirableWeight', 'Desirable weight', 'Weight of the losses of desirable examples.', 'any'),
    show: isKind('kto'),
  },
  {
    ...num(
      'undesirableWeight',
      'Undesirable weight',
      'Weight of the losses of undesirable examples (raise it when they are rarer).',
      'any',
    ),
    show: isKind('kto'),
  },
  { ...num('gamma', 'SimPO margin', 'Target reward margin γ of SimPO.', 'any'), show: isKind('simpo') },
  seed,
  {
    ...num(
      'labelSmoothing',
      'Label smoothing',
      'Share of labels assumed flipped (cDPO/robust), 0 to 0.5.',
      'any',
      true,
    ),
    show: (c) => c.kind === 'simpo' || (c.kind === 'dpo' && c.values.lossType !== 'hinge'),
  },
  {
    ...num(
      'rpoAlpha',
      'RPO alpha',
      "Adds alpha × the chosen responses' NLL (RPO), so the chosen become likelier, not only the rejected less likely. 0 = off.",
      'any',
      true,
    ),
    show: (c) => c.kind !== 'kto' && c.kind !== 'orpo',
  },
  {
    ...inference('Where the reference log-probs are computed, once before training.'),
    show: (c) => c.kind !== 'orpo' && c.kind !== 'simpo',
  },
  trainingEngine(
    'Where the training steps run (onnxruntime has sigmoid, robust, hinge and IPO; the others train on tfjs).',
  ),
];

const adaptive = ({ values }: FieldContext) => values.adaptiveKl === true;
const rule = when('rewardSource', 'rule');

export const PPO_FIELDS: readonly FieldSpec[] = [
  baseModel('The policy to align (usually the SFT model); the frozen reference is a copy of it.'),
  template('How prompts are rendered for the policy (the template it was tuned with).'),
  {
    key: 'rewardSource',
    label: 'Reward source',
    control: 'select',
    options: [
      { value: 'model', label: 'A trained reward model' },
      { value: 'gold', label: "A sandbox world's gold judge" },
      { value: 'rule', label: 'A rule (length or keywords)' },
    ],
    hint: 'What scores each rollout. The gold judge is exact; a reward model can be gamed.',
  },
  {
    key: 'rewardModel',
    label: 'Reward model',
    control: 'model',
    models: 'reward',
    empty: 'No reward models yet',
    hint: 'The reward model that scores each rollout (a Reward model run makes one).',
    show: when('rewardSource', 'model'),
  },
  {
    key: 'world',
    label: 'World',
    control: 'world',
    none: 'The built-in world (for built-in sandbox data)',
    hint: 'The sandbox world the prompts come from; its gold judge scores each rollout.',
    show: when('rewardSource', 'gold'),
  },
  {
    key: 'rule',
    label: 'Rule',
    control: 'select',
    options: [
      { value: 'length', label: 'Length (words, up to a target)' },
      { value: 'keyword', label: 'Keywords (each one present)' },
    ],
    hint: 'A simple reward to watch PPO chase (and game).',
    show: rule,
  },
  {
    ...num('ruleTargetLength', 'Target length', 'Words at which the length reward stops growing.', '1'),
    show: (c) => rule(c) && c.values.rule === 'length',
  },
  {
    key: 'ruleKeywords',
    label: 'Keywords',
    control: 'text',
    hint: 'Comma-separated; each one a response contains adds to its reward.',
    show: (c) => rule(c) && c.values.rule === 'keyword',
  },
  num('iterations', 'Iterations', 'Rounds of rollouts, each followed by PPO updates.', '1'),
  num('batchSize', 'Batch size', 'Prompts (rollouts) per iteration; at least 2.', '1'),
  num('ppoEpochs', 'PPO epochs', 'Passes over each batch of rollouts.', '1'),
  learningRate('Adam step size.'),
  num('maxNewTokens', 'Max new tokens', 'Longest rollout, in tokens.', '1'),
  num('klCoef', 'KL coefficient', 'β of the per-token penalty for drifting from the reference.', 'any'),
  seed,
  num('temperature', 'Temperature', 'Sampling temperature of the rollouts.', 'any', true),
  num('numMiniBatches', 'Minibatches', 'Minibatches each pass splits the rollouts into.', '1', true),
  num(
    'gradientAccumulationSteps',
    'Gradient accumulation steps',
    "Micro-batches each minibatch's update is split into (the same update, less memory).",
    '1',
    true,
  ),
  {
    key: 'klEstimator',
    label: 'KL estimator',
    control: 'select',
    options: [
      { value: 'k1', label: 'k1: log r' },
      { value: 'k3', label: 'k3: (r − 1) − log r (never negative)' },
    ],
    hint: "Schulman's estimators of the KL to the reference, per token.",
    advanced: true,
  },
  {
    key: 'adaptiveKl',
    label: 'Adaptive KL',
    control: 'checkbox',
    hint: 'Move the KL coefficient toward a target KL (Ziegler et al. 2019) instead of keeping it fixed.',
    advanced: true,
  },
  { ...num('targetKl', 'Target KL', 'KL per sequence (nats) to aim for.', 'any', true), show: adaptive },
  {
    ...num('klHorizon', 'KL horizon', 'How fast the coefficient adapts, in rollouts.', '1', true),
    show: adaptive,
  },
  num('clipRange', 'Clip range', 'ε of the clipped policy objective.', 'any', true),
  num('clipRangeValue', 'Value clip range', 'ε of the clipped value loss.', 'any', true),
  num('vfCoef', 'Value loss coefficient', 'Weight of the value loss.', 'any', true),
  num('gamma', 'Gamma', 'GAE discount γ.', 'any', true),
  num('lam', 'Lambda', 'GAE λ: bias (0) against variance (1) of the advantages.', 'any', true),
  num(
    'missingEosPenalty',
    'Missing-EOS penalty',
    'Subtracted from the score of a rollout that never ends its turn (0 = off).',
    'any',
    true,
  ),
  maxGradNorm,
  num(
    'samplesPerIteration',
    'Samples per iteration',
    'Rollouts stored per iteration for the Rollouts panel.',
    '1',
    true,
  ),
  inference('Where rollouts are sampled and the reference and reward model score them.'),
  trainingEngine(
    'Where the PPO updates (policy and value head) run; the run page shows which one did and why.',
  ),
];

const modelCritic = (c: FieldContext) => c.values.critic === 'model' || c.values.reviser === 'model';

export const CAI_FIELDS: readonly FieldSpec[] = [
  baseModel('The model whose responses are critiqued and revised (usually the SFT model).'),
  template('How prompts are rendered for the model (the template it was tuned with).'),
  {
    key: 'constitution',
    label: 'Constitution',
    control: 'dataset',
    kind: 'constitution',
    options: [{ value: 'default', label: 'Default constitution (built in)' }],
    hint: 'The principles each response is checked against.',
  },
  {
    key: 'critic',
    label: 'Critic',
    control: 'select',
    options: [
      { value: 'rule', label: "Rule-based (the principles' triggers)" },
      { value: 'model', label: 'A model, asked each critique request' },
    ],
    hint: 'Who finds what is wrong; the rule-based critic works with tiny models.',
  },
  {
    key: 'reviser',
    label: 'Reviser',
    control: 'select',
    options: [
      { value: 'template', label: "Template-guided (the principles' strategies)" },
      { value: 'model', label: 'A model, asked each revision request' },
    ],
    hint: 'Who rewrites a flagged response.',
  },
  {
    key: 'criticModel',
    label: 'Critic model',
    control: 'model',
    none: 'The base model',
    hint: 'The model that critiques and revises.',
    show: modelCritic,
  },
  num('maxPrompts', 'Max prompts', 'Most prompts to take from the dataset (0 = all).', '1'),
  num('maxNewTokens', 'Max new tokens', 'Longest response, in tokens.', '1'),
  num('temperature', 'Temperature', 'Sampling temperature of the responses.', 'any'),
  {
    key: 'flaggedOnly',
    label: 'Flagged only',
    control: 'checkbox',
    hint: 'Keep only pairs whose response a principle flagged (an unflagged one has nothing to revise).',
  },
  seed,
  inference('Where responses, critiques and revisions are generated.'),
];
