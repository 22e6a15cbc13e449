// Run kinds as the renderer uses them: what the "Algorithm" picker offers (RUN_KINDS, grouped, each
// with one line of help), which datasets each kind reads, which kind a stored run was, and the checks
// the New run form makes before it asks the lab (the lab checks everything again).
import {
  ALGORITHM_DATASET_KINDS,
  BUILTIN_DATASETS,
  BUILTIN_DATASET_KINDS,
  RUN_KINDS,
  RunKindName,
} from '../../../shared/schemas';
import type { Algorithm, BuiltinDataset, Dataset, DatasetKind, RunKind } from '../../../shared/schemas';
import type { FieldValues } from './RunFieldSpec';

/** The picker's groups, in pipeline order. */
export const KIND_GROUPS: readonly { label: string; kinds: readonly RunKind[] }[] = [
  { label: 'Train a language model', kinds: ['pretrain', 'sft'] },
  { label: 'Align with preferences', kinds: ['reward', 'dpo', 'ipo', 'kto', 'orpo', 'simpo', 'ppo', 'cai'] },
  { label: 'Measure', kinds: ['eval'] },
];

export const KIND_HELP: Record<RunKind, string> = {
  pretrain: 'Next-token prediction on a text corpus: a base model that continues text.',
  sft: 'Supervised fine-tuning on instruction/response pairs: the model learns to answer.',
  reward:
    'A scalar head on the trunk, trained on preference pairs (Bradley-Terry); PPO scores its rollouts with it.',
  dpo: 'Direct Preference Optimization: learn the pairs against a frozen reference, no reward model.',
  ipo: 'IPO: a squared loss on the same pairs that does not overfit preferences that are always right.',
  kto: 'KTO: learns from single examples labelled good or bad; preference pairs are split into them.',
  orpo: 'ORPO: the SFT loss plus an odds-ratio penalty on the rejected response; no reference model.',
  simpo: 'SimPO: length-normalised rewards with a target margin; no reference model.',
  ppo: 'RLHF: sample responses, score them, and take clipped policy steps with a KL penalty to the reference.',
  cai: 'Constitutional AI: critique and revise responses against principles; keep (revised, original) as pairs.',
  eval: "Ask a model a sandbox world's held-out questions and score the replies with its gold judge.",
};

/** The kind a run of `algorithm` with this config is (a DPO run with `lossType: 'ipo'` is IPO). */
export function kindOf(algorithm: Algorithm, config: Record<string, unknown> = {}): RunKind {
  if (algorithm !== 'dpo') return algorithm;
  const named = RunKindName.options.find(
    (k) => k !== 'dpo' && RUN_KINDS[k].algorithm === 'dpo' && runKindLoss(k) === config.lossType,
  );
  return named ?? 'dpo';
}
const runKindLoss = (k: RunKind): unknown => (RUN_KINDS[k].config as { lossType?: string }).lossType;

/** What a run is called in lists: IPO rather than DPO when it ran the IPO loss. */
export const runKindLabel = (run: { algorithm: Algorithm; config: Record<string, unknown> }): string =>
  RUN_KINDS[kindOf(run.algorithm, run.config)].label;

/**
 * The dataset kinds a kind reads, the one it is made for first: KTO reads unpaired examples (or pairs,
 * split); the rest of the DPO family reads pairs; other kinds read what their algorithm reads.
 */
export function datasetKinds(kind: RunKind): readonly DatasetKind[] {
  if (kind === 'kto') return ['unpaired', 'preference'];
  const algorithm = RUN_KINDS[kind].algorithm;
  if (algorithm === 'dpo') return ['preference'];
  return ALGORITHM_DATASET_KINDS[algorithm] ?? [];
}

/** The built-in dataset each kind is made for, offered first. */
const PREFERRED: Partial<Record<RunKind, BuiltinDataset>> = {
  reward: 'sandbox-pairs',
  kto: 'sandbox-unpaired',
  ppo: 'sandbox-prompts',
  cai: 'sandbox-harmful',
};

/** The built-in datasets a kind can read (the abstract-token seed-dpo data is for the DPO family only). */
export function builtinsFor(kind: RunKind): BuiltinDataset[] {
  const kinds = datasetKinds(kind);
  const dpoFamily = RUN_KINDS[kind].algorithm === 'dpo';
  // KTO needs text examples: the seed-dpo tokens cannot be split into them.
  const fits = BUILTIN_DATASETS.filter(
    (b) => kinds.includes(BUILTIN_DATASET_KINDS[b]) && (b !== 'seed-dpo' || (dpoFamily && kind !== 'kto')),
  );
  const rank = (b: BuiltinDataset) => (b === PREFERRED[kind] ? -1 : kinds.indexOf(BUILTIN_DATASET_KINDS[b]));
  return [...fits].sort((a, b) => rank(a) - rank(b));
}

/**
 * The dataset the form picks until the user does: their own data of the kind the run is made for,
 * else the built-in data made for it, else whatever fits.
 */
export function defaultDataset(kind: RunKind, datasets: readonly Dataset[]): string {
  const [primary] = datasetKinds(kind);
  const own = datasets.find((d) => d.kind === primary);
  if (own) return String(own.id);
  const builtin = builtinsFor(kind)[0];
  if (builtin) return builtin;
  const fits = datasets.find((d) => datasetKinds(kind).includes(d.kind));
  return fits ? String(fits.id) : '';
}

/** What the form says under the dataset about how this kind reads that dataset, if anything. */
export function datasetNote(kind: RunKind, datasetKind: DatasetKind | null): string | null {
  if (kind === 'kto' && datasetKind === 'preference')
    return 'KTO learns from unpaired examples: the pairs will be converted to unpaired examples, each chosen response desirable and each rejected one undesirable.';
  if ((kind === 'ppo' || kind === 'cai') && datasetKind !== null && datasetKind !== 'prompt')
    return 'Only the prompts are used; the responses in the data are ignored.';
  return null;
}

/**
 * Problems the form can name before asking the lab, by field key (`config.rewardModel`). `values` are
 * what would be sent: an empty model or world means there is none to pick.
 */
export function checkRun(
  kind: RunKind,
  values: FieldValues,
  /** Whether the chosen dataset is built-in sandbox data (whose world the gold judge then uses). */
  data: { sandbox: boolean },
): Record<string, string> {
  const issues: Record<string, string> = {};
  if (kind === 'ppo' && values.rewardSource === 'model' && values.rewardModel === '')
    issues['config.rewardModel'] =
      'PPO needs a reward model to score its rollouts: train one with a Reward model run first, or choose the gold judge or a rule as the reward source.';
  if (kind === 'ppo' && values.rewardSource === 'gold' && values.world === '' && !data.sandbox)
    issues['config.world'] =
      'The gold judge needs the sandbox world the prompts come from: pick it here (generate one on the Datasets page), use built-in sandbox data, or choose another reward source.';
  const batch = Number(values.batchSize);
  if (kind === 'kto' && values.batchSize !== '' && Number.isFinite(batch) && batch < 2)
    issues['config.batchSize'] =
      'KTO needs a batch size of at least 2: it takes its reference point from the other examples in the batch.';
  return issues;
}
