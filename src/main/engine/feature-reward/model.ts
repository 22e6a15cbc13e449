// A feature-based reward model as saved and used: a 2-layer MLP r(x) = w2 · relu(W1 z + b1) + b2 over
// the standardised pair features z of features.ts, stored as one small JSON file (`model.json`, no
// tokenizer, no GPT). Scoring is plain TypeScript (a few hundred multiply-adds per response), so it
// needs neither tfjs nor onnxruntime; the trainer is train.ts.
import { readFile } from 'node:fs/promises';
import type { InferenceInfo } from '../../../shared/schemas';
import type { RewardScorer } from '../reward-score';
import { PAIR_FEATURES, pairFeatures } from './features';

/** What `model.json` holds. */
export interface FeatureRewardFile {
  format: 'feature-reward/1';
  /** Feature names (PAIR_FEATURES at training time); a file with other features is refused. */
  features: string[];
  /** Standardisation, per feature: z = (x − mean) / std (from the training pairs' responses). */
  mean: number[];
  std: number[];
  /** W1: [D][H], b1: [H], w2: [H], b2. */
  w1: number[][];
  b1: number[];
  w2: number[];
  b2: number;
  /** The run's resolved config, for the record. */
  config: Record<string, unknown>;
}

/** The architecture record the lab stores for it: a reward model (`head: 'score'`) of kind `features`. */
export function featureArch(hidden: number): Record<string, unknown> {
  return {
    kind: 'features',
    preset: 'features',
    head: 'score',
    features: [...PAIR_FEATURES],
    hiddenSize: hidden,
    lineage: { parentPath: null, parentId: null },
  };
}

/** r(prompt, response) for one pair's feature vector. */
export function featureReward(m: FeatureRewardFile, x: readonly number[]): number {
  let r = m.b2;
  for (let h = 0; h < m.b1.length; h++) {
    let a = m.b1[h]!;
    for (let j = 0; j < x.length; j++) a += ((x[j]! - m.mean[j]!) / m.std[j]!) * m.w1[j]![h]!;
    r += m.w2[h]! * Math.max(0, a);
  }
  return r;
}

/** Is this path a feature-based reward model (rather than safetensors weights)? */
export const isFeatureRewardPath = (path: string): boolean => path.endsWith('.json');

export async function loadFeatureReward(path: string): Promise<FeatureRewardFile> {
  const m = JSON.parse(await readFile(path, 'utf8')) as Partial<FeatureRewardFile>;
  if (m.format !== 'feature-reward/1')
    throw new Error(`${path} is not a feature-based reward model (format "${String(m.format)}")`);
  if (m.features?.join() !== PAIR_FEATURES.join())
    throw new Error(
      `${path} reads features [${m.features?.join(', ')}], this lab computes [${PAIR_FEATURES.join(', ')}]: train it again`,
    );
  return m as FeatureRewardFile;
}

const INFERENCE: InferenceInfo = {
  engine: 'tfjs',
  provider: null,
  threads: null,
  reason: 'a feature-based reward model: a small MLP over text features, scored in plain TypeScript',
};

/** A RewardScorer (the scoring view, PPO's reward source) over a saved feature-based reward model. */
export async function openFeatureRewardScorer(path: string): Promise<RewardScorer> {
  const m = await loadFeatureReward(path);
  return {
    template: 'chatml',
    inference: INFERENCE,
    score: (items) =>
      Promise.resolve(items.map((it) => featureReward(m, pairFeatures(it.prompt, it.response)))),
    dispose: () => undefined,
  };
}
