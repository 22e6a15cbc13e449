// The feature-based reward model's trainer: a 2-layer MLP (model.ts) over the text features of each
// (prompt, response) (features.ts), trained on preference pairs with the same Bradley-Terry loss as the
// transformer reward model (losses/reward.ts), on tfjs with common.ts's Adam. It logs under the same
// names (`loss`, `accuracy`, `margin`, `mean_reward`, …, and `eval/loss`, `eval/accuracy`,
// `eval/margin` on the held-out pairs at every epoch's end), and holds out the SAME pairs as a
// transformer reward model with the same seed and `valFraction`, so the two compare on the Compare page.
// Config: RewardConfig with `rewardKind: 'features'` (`hiddenSize`, `featureLearningRate`,
// `featureEpochs`; `batchSize`, `valFraction`, `seed`, `useMargin`, `centerRewardsCoefficient` shared).
// Not here: checkpoints (it trains in seconds; a cancelled run is started again), a tokenizer, a base model.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { RewardConfig } from '../../../shared/schemas';
import { writeFileAtomic } from '../atomic-write';
import { selectBackend } from '../backend';
import { rewardLoss } from '../losses/reward';
import { mulberry32, permutation } from '../random';
import type { TrainContext, TrainEvent } from '../types';
import { Adam, PLAIN_ADAM, adamStep, epochOrder } from '../trainers/common';
import { yieldToEvents } from '../trainers/loop';
import { PAIR_FEATURES, pairFeatures } from './features';
import { featureArch, type FeatureRewardFile } from './model';

export interface FeatureRewardPair {
  prompt: string;
  chosen: string;
  rejected: string;
  margin?: number;
  /** Rater disagreement: labels swapped on purpose; `eval/gold_accuracy` is measured when any pair says. */
  flipped?: boolean;
}

interface Row {
  c: number[];
  r: number[];
  margin: number;
  flipped?: boolean;
}

/** Checks the pairs, naming the pair and field of the first problem. */
export function checkFeaturePairs(pairs: readonly unknown[]): asserts pairs is FeatureRewardPair[] {
  if (!Array.isArray(pairs) || pairs.length === 0)
    throw new Error('pairs: there are no preference pairs to train on');
  pairs.forEach((p, i) => {
    const o = p as Record<string, unknown>;
    for (const key of ['prompt', 'chosen', 'rejected'] as const) {
      if (typeof o?.[key] !== 'string')
        throw new Error(`pairs[${i}].${key}: must be text (got ${typeof o?.[key]})`);
      if (key !== 'prompt' && (o[key] as string).trim() === '')
        throw new Error(`pairs[${i}].${key}: the response is empty`);
    }
    if (o.margin !== undefined && !(typeof o.margin === 'number' && Number.isFinite(o.margin)))
      throw new Error(`pairs[${i}].margin: must be a number (got ${String(o.margin)})`);
  });
}

export async function* trainFeatureReward(
  config: RewardConfig,
  pairs: readonly FeatureRewardPair[],
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  if (config.resumeFrom)
    throw new Error(
      'resumeFrom: a feature-based reward model keeps no checkpoints (it trains in seconds); start it again',
    );
  checkFeaturePairs(pairs);
  const backend = await selectBackend(config.backend);
  yield { type: 'backend', backend };
  await mkdir(ctx.outDir, { recursive: true });

  const n = pairs.length;
  const rows: Row[] = pairs.map((p) => ({
    c: pairFeatures(p.prompt, p.chosen),
    r: pairFeatures(p.prompt, p.rejected),
    margin: config.useMargin ? (p.margin ?? 0) : 0,
    ...(p.flipped !== undefined ? { flipped: p.flipped } : {}),
  }));
  // The transformer reward model's split (trainers/reward.ts): the same seed holds out the same pairs.
  const nVal = Math.min(n - 1, Math.round(n * config.valFraction));
  const order = permutation(n, mulberry32((config.seed ^ 0x2545f491) >>> 0));
  const train = order.slice(0, n - nVal).map((i) => rows[i]!);
  const val = order.slice(n - nVal).map((i) => rows[i]!);
  yield {
    type: 'log',
    message:
      `Feature-based reward model: ${PAIR_FEATURES.length} features → ${config.hiddenSize} hidden → 1; ` +
      (nVal > 0 ? `${nVal} of ${n} pairs held out for eval/accuracy` : 'too few pairs to hold any out'),
  };

  const d = PAIR_FEATURES.length;
  const h = config.hiddenSize;
  const all = train.flatMap((t) => [t.c, t.r]);
  const mean = Array.from({ length: d }, (_, j) => all.reduce((s, x) => s + x[j]!, 0) / all.length);
  const std = Array.from({ length: d }, (_, j) => {
    const v = all.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / all.length;
    return Math.sqrt(v) > 1e-8 ? Math.sqrt(v) : 1;
  });
  const standardise = (xs: number[][]) =>
    tf.tensor2d(
      xs.map((x) => x.map((v, j) => (v - mean[j]!) / std[j]!)),
      [xs.length, d],
    );

  const rng = mulberry32(config.seed);
  const init = (count: number, scale: number) => Array.from({ length: count }, () => rng.normal() * scale);
  // tf.variable copies its initial value; tidy disposes the initial tensors (a variable is never tracked).
  const variable = (name: string, make: () => tf.Tensor) =>
    tf.tidy(() => tf.variable(make(), true, `fr.${name}`));
  const params = new Map<string, tf.Variable>([
    ['w1', variable('w1', () => tf.tensor2d(init(d * h, Math.sqrt(2 / d)), [d, h]))],
    ['b1', variable('b1', () => tf.zeros([h]))],
    ['w2', variable('w2', () => tf.tensor2d(init(h, 1 / Math.sqrt(h)), [h, 1]))],
    ['b2', variable('b2', () => tf.zeros([1]))],
  ]);
  const reward = (x: tf.Tensor2D): tf.Tensor1D =>
    tf.tidy(() => {
      const hid = tf.relu(tf.add(tf.matMul(x, params.get('w1')!), params.get('b1')!)); // [B, H]
      return tf.reshape(tf.add(tf.matMul(hid, params.get('w2')!), params.get('b2')!), [-1]); // [B]
    });
  const adam = new Adam(params, PLAIN_ADAM);
  const lr = config.featureLearningRate;
  try {
    const perEpoch = Math.ceil(train.length / config.batchSize);
    const totalSteps = perEpoch * config.featureEpochs;
    let step = 0;
    for (let epoch = 0; epoch < config.featureEpochs; epoch++) {
      const ord = epochOrder(train.length, config.seed, epoch);
      for (let k = 0; k < perEpoch; k++) {
        if (ctx.signal.aborted) return;
        const batch = ord.slice(k * config.batchSize, (k + 1) * config.batchSize).map((i) => train[i]!);
        const xc = standardise(batch.map((b) => b.c));
        const xr = standardise(batch.map((b) => b.r));
        const margin = tf.tensor1d(batch.map((b) => b.margin));
        let numbers: Float32Array;
        try {
          ({ numbers } = adamStep(adam, params, lr, 0, () => {
            const out = rewardLoss({
              chosen: reward(xc),
              rejected: reward(xr),
              margin,
              centerCoefficient: config.centerRewardsCoefficient,
            });
            return {
              loss: tf.mean(out.losses) as tf.Scalar,
              stats: [out.accuracy, out.margin, out.meanReward, out.minReward, out.maxReward],
            };
          }));
        } finally {
          tf.dispose([xc, xr, margin]);
        }
        const [loss, gradNorm, accuracy, marginMean, meanR, minR, maxR] = Array.from(numbers);
        if (!Number.isFinite(loss))
          throw new Error(
            `featureLearningRate: the loss became ${loss} at step ${step + 1}; try a smaller one (now ${lr})`,
          );
        step++;
        const values: Record<string, number> = {
          loss: loss!,
          grad_norm: gradNorm!,
          accuracy: accuracy!,
          margin: marginMean!,
          mean_reward: meanR!,
          min_reward: minR!,
          max_reward: maxR!,
          learning_rate: lr,
          epoch: epoch + (k + 1) / perEpoch,
        };
        if (k === perEpoch - 1 && val.length > 0) Object.assign(values, evaluate(val));
        yield { type: 'progress', step, totalSteps, epoch: epoch + (k + 1) / perEpoch };
        yield { type: 'metrics', step, values };
        if (step % 20 === 0) await yieldToEvents();
      }
    }
    const read = (name: string) => Array.from(params.get(name)!.dataSync());
    const w1 = read('w1');
    const file: FeatureRewardFile = {
      format: 'feature-reward/1',
      features: [...PAIR_FEATURES],
      mean,
      std,
      w1: Array.from({ length: d }, (_, j) => w1.slice(j * h, (j + 1) * h)),
      b1: read('b1'),
      w2: read('w2'),
      b2: read('b2')[0]!,
      config: { ...config },
    };
    const out = path.join(ctx.outDir, 'model.json');
    await writeFileAtomic(out, JSON.stringify(file));
    yield { type: 'model', path: out, arch: featureArch(h) };
  } finally {
    adam.dispose();
    for (const v of params.values()) v.dispose();
  }

  function evaluate(rows: readonly Row[]): Record<string, number> {
    const { numbers, c, r } = tf.tidy(() => {
      const rc = reward(standardise(rows.map((b) => b.c)));
      const rr = reward(standardise(rows.map((b) => b.r)));
      const out = rewardLoss({ chosen: rc, rejected: rr, margin: tf.tensor1d(rows.map((b) => b.margin)) });
      return {
        numbers: tf.stack([tf.mean(out.losses), out.accuracy, out.margin]).dataSync(),
        c: rc.dataSync(),
        r: rr.dataSync(),
      };
    });
    const values: Record<string, number> = {
      'eval/loss': numbers[0]!,
      'eval/accuracy': numbers[1]!,
      'eval/margin': numbers[2]!,
    };
    if (rows.some((x) => x.flipped !== undefined)) {
      // Against the gold labels: a flipped pair counts when the model prefers what the rater rejected.
      const right = rows.filter((x, i) => c[i]! > r[i]! !== (x.flipped === true)).length;
      values['eval/gold_accuracy'] = right / rows.length;
      values['eval/flipped_share'] = rows.filter((x) => x.flipped === true).length / rows.length;
    }
    return values;
  }
}
