// The feature-based reward model end to end on sandbox pairs: it learns (held-out accuracy clearly above
// chance, under the transformer reward model's metric names), keeps tensor memory flat, saves a JSON
// model that the ordinary reward scorer (the scoring view, PPO's reward source) reads, and names the
// pair and field of a bad input.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { PAIR_FEATURES, pairFeatures } from '../../src/main/engine/feature-reward/features';
import { openRewardScorer } from '../../src/main/engine/reward-score';
import { runRewardTask, type RewardTaskInputs } from '../../src/main/engine/tasks/reward';
import type { TrainEvent } from '../../src/main/engine/types';
import { generateWorld, renderPreferencePairs } from '../../src/main/engine/world';
import { RewardConfig } from '../../src/shared/schemas';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
beforeAll(async () => {
  await selectBackend();
});
afterAll(() => cleanups.forEach((c) => c()));

const PAIRS: RewardTaskInputs['pairs'] = renderPreferencePairs(generateWorld({ seed: 4, size: 'tiny' })).map(
  (p) => ({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected }),
);

async function collect(config: unknown, pairs: RewardTaskInputs['pairs']) {
  const dir = tempDir('feature-reward-');
  cleanups.push(dir.cleanup);
  const events: TrainEvent[] = [];
  for await (const e of runRewardTask(
    RewardConfig.parse(config),
    { kind: 'text', pairs },
    { signal: new AbortController().signal, outDir: dir.dir },
  ))
    events.push(e);
  return events;
}

describe('feature-based reward model', () => {
  it('computes one value per named feature', () => {
    const x = pairFeatures('Which language do they speak in Ledon?', 'People in Ledon speak Shulferic.');
    expect(x).toHaveLength(PAIR_FEATURES.length);
    expect(x.every(Number.isFinite)).toBe(true);
    // "ledon", "speak" of the question's content words ("language", "they", "speak", "ledon") are answered.
    expect(x[PAIR_FEATURES.indexOf('question_overlap')]).toBeCloseTo(2 / 4);
  });

  it('learns sandbox preferences: held-out accuracy clearly above chance, metrics named as the transformer', async () => {
    const before = tf.memory().numTensors;
    const events = await collect(
      { rewardKind: 'features', featureEpochs: 20, batchSize: 16, valFraction: 0.2, seed: 3 },
      PAIRS,
    );
    expect(tf.memory().numTensors).toBe(before);
    const metrics = events.flatMap((e) => (e.type === 'metrics' ? [e] : []));
    const evals = metrics.filter((m) => 'eval/accuracy' in m.values);
    expect(evals).toHaveLength(20); // every epoch
    for (const k of ['loss', 'accuracy', 'margin', 'mean_reward', 'min_reward', 'max_reward', 'grad_norm'])
      expect(metrics.at(-1)!.values).toHaveProperty(k);
    const first = metrics[0]!.values.loss!;
    const lastEval = evals.at(-1)!.values;
    expect(metrics.at(-1)!.values.loss).toBeLessThan(first);
    expect(lastEval['eval/accuracy']).toBeGreaterThan(0.7); // chance is 0.5
    expect(lastEval).toHaveProperty('eval/loss');
    expect(lastEval).toHaveProperty('eval/margin');

    const model = events.find((e) => e.type === 'model');
    if (model?.type !== 'model') throw new Error('no model');
    expect(model.arch).toMatchObject({ head: 'score', kind: 'features' });
    expect(JSON.parse(readFileSync(model.path, 'utf8')).format).toBe('feature-reward/1');
    // The reward scorer reads it: chosen above rejected on most pairs.
    const scorer = await openRewardScorer(model.path);
    const sample = PAIRS.slice(0, 60);
    const rc = await scorer.score(sample.map((p) => ({ prompt: p.prompt, response: p.chosen })));
    const rr = await scorer.score(sample.map((p) => ({ prompt: p.prompt, response: p.rejected })));
    expect(rc.filter((c, i) => c > rr[i]!).length / sample.length).toBeGreaterThan(0.7);
    scorer.dispose();
  });

  it('holds out round(n · valFraction) pairs, as the transformer trainer does', async () => {
    const events = await collect(
      { rewardKind: 'features', featureEpochs: 1, valFraction: 0.5, seed: 9 },
      PAIRS.slice(0, 10),
    );
    const log = events.find((e) => e.type === 'log' && /held out/.test(e.message));
    expect(log?.type === 'log' && log.message).toMatch(/5 of 10 pairs held out/);
  });

  it('names the pair and field of a bad input', async () => {
    const bad = [...PAIRS.slice(0, 3), { prompt: 'q', chosen: 'fine', rejected: '  ' }];
    await expect(collect({ rewardKind: 'features' }, bad)).rejects.toThrow(
      /pairs\[3\]\.rejected: the response is empty/,
    );
    const wrongType = [{ prompt: 'q', chosen: 7, rejected: 'x' }] as unknown as RewardTaskInputs['pairs'];
    await expect(collect({ rewardKind: 'features' }, wrongType)).rejects.toThrow(
      /pairs\[0\]\.chosen: must be text/,
    );
    await expect(collect({ rewardKind: 'features' }, [])).rejects.toThrow(
      /pairs: there are no preference pairs/,
    );
    expect(() => RewardConfig.parse({ rewardKind: 'features', hiddenSize: 0 })).toThrow(
      /Hidden size must be at least 1/,
    );
    expect(() => RewardConfig.parse({ rewardKind: 'mlp' })).toThrow();
  });
});
