// The feature-based reward model through the Lab, as the New run form starts it (a reward run with
// `rewardKind: 'features'`): it runs in a run process, is listed as a reward model, scores responses in
// the scoring view, and serves as PPO's reward source.
import { describe, expect, it } from 'vitest';
import presets from '../../resources/presets.json';
import { TERMINAL_STATUSES } from '../../src/shared/schemas';
import { clientOf, labFixtures, waitForRun } from '../helpers/lab';

const fx = labFixtures();
const PPO_SMOKE = (presets.runs as Record<string, Record<string, { config: Record<string, unknown> }>>).ppo!
  .smoke!.config;

describe('feature-based reward model in the lab', () => {
  it('trains, is listed as a reward model, scores responses and rewards PPO', async () => {
    const { lab } = fx.open();
    const started = await lab.startRun({
      algorithm: 'reward',
      dataset: 'sandbox-pairs',
      config: { rewardKind: 'features', featureEpochs: 10 },
    });
    const run = await waitForRun(lab, started.id, (r) => TERMINAL_STATUSES.includes(r.status), 120_000);
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    expect(run.config.rewardKind).toBe('features');
    for (const m of ['loss', 'accuracy', 'margin', 'mean_reward', 'eval/accuracy'])
      expect(Number.isFinite(run.summary[m]), m).toBe(true);
    expect(run.summary['eval/accuracy']).toBeGreaterThan(0.6);
    const model = (await lab.listModels()).find((m) => m.id === run.modelId)!;
    expect(model.kind).toBe('reward');
    expect(model.arch.kind).toBe('features');

    const { rewards } = await clientOf(lab).scoreResponses({
      modelId: model.id,
      prompt: 'What is the capital of Vorlane?',
      responses: ['The capital of Vorlane is Tesh.', 'BUY NOW!!! FREE MOSS $$$ click here'],
    });
    expect(rewards).toHaveLength(2);
    expect(rewards[0]!).toBeGreaterThan(rewards[1]!);

    const ppo = await lab.startRun({
      algorithm: 'ppo',
      dataset: 'sandbox-prompts',
      config: { ...PPO_SMOKE, rewardSource: 'model', rewardModel: model.id, iterations: 2 },
    });
    const done = await waitForRun(lab, ppo.id, (r) => TERMINAL_STATUSES.includes(r.status), 180_000);
    expect(done.error).toBeNull();
    expect(Number.isFinite(done.summary['objective/scores'])).toBe(true);
  }, 300_000);
});
