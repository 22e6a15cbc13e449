// A trainer_state.json as TRL's DPOTrainer writes it (written here in the documentation's style) becomes
// an external run: listed with the lab's runs, its metrics read through the same API, compared beside a
// local DPO run on the Compare page, marked as external with no model. Also TRL's printed log lines.
import { describe, expect, it } from 'vitest';
import type { LabError } from '../../../src/shared/api';
import { guessAlgorithm, parseTrainerLogs } from '../../../src/main/lab/trl/trainer-state';
import { clientOf, labFixtures, waitForRun } from '../../helpers/lab';
import { Store } from '../../../src/main/lab/store';

/** A DPO trainer_state.json: train logs every 2 steps, an evaluation at step 4 and 8, the summary last. */
function dpoTrainerState(): string {
  const log_history: Record<string, number>[] = [];
  for (let step = 2; step <= 8; step += 2) {
    const t = step / 8;
    log_history.push({
      epoch: t,
      grad_norm: step === 2 ? 999 : 3.1 - t,
      learning_rate: 5e-7 * (1 - t) + 1e-8,
      'logits/chosen': -2.1 + t,
      'logits/rejected': -2.2 + t,
      'logps/chosen': -180.5 + 10 * t,
      'logps/rejected': -190.2 - 10 * t,
      loss: 0.6931 - 0.3 * t,
      'rewards/accuracies': 0.5 + 0.4 * t,
      'rewards/chosen': 0.05 * t,
      'rewards/margins': 0.4 * t,
      'rewards/rejected': -0.35 * t,
      step,
    });
    if (step % 4 === 0)
      log_history.push({
        epoch: t,
        eval_loss: 0.69 - 0.2 * t,
        'eval_rewards/accuracies': 0.55 + 0.3 * t,
        'eval_rewards/chosen': 0.02 * t,
        'eval_rewards/margins': 0.3 * t,
        'eval_rewards/rejected': -0.28 * t,
        eval_runtime: 12.3,
        eval_samples_per_second: 40.1,
        eval_steps_per_second: 1.3,
        step,
      });
  }
  log_history.push({
    epoch: 1,
    step: 8,
    total_flos: 0,
    train_loss: 0.55,
    train_runtime: 120.5,
    train_samples_per_second: 4.2,
    train_steps_per_second: 0.066,
  });
  return JSON.stringify(
    {
      best_metric: null,
      best_model_checkpoint: null,
      epoch: 1,
      eval_steps: 4,
      global_step: 8,
      is_hyper_param_search: false,
      is_local_process_zero: true,
      is_world_process_zero: true,
      log_history,
      logging_steps: 2,
      max_steps: 8,
      num_input_tokens_seen: 0,
      num_train_epochs: 1,
      save_steps: 500,
      stateful_callbacks: {},
      total_flos: 0,
      train_batch_size: 8,
      trial_name: null,
      trial_params: null,
    },
    null,
    2,
  ).replace('"grad_norm": 999', '"grad_norm": NaN'); // Python writes NaN bare
}

const fx = labFixtures();

describe('importing TRL results', () => {
  it('parses log_history: names kept as TRL writes them, eval_ entries as eval/, a DPO run guessed', () => {
    const p = parseTrainerLogs(dpoTrainerState(), 1_000_000);
    expect(p.format).toBe('trainer_state');
    expect(p.algorithm).toBe('dpo');
    expect(p.info).toMatchObject({ global_step: 8, num_train_epochs: 1, logging_steps: 2 });
    const at = (name: string, step: number) =>
      p.points.find((x) => x.name === name && x.step === step)?.value;
    expect(at('rewards/margins', 8)).toBeCloseTo(0.4);
    expect(at('loss', 2)).toBeCloseTo(0.6931 - 0.3 / 4);
    expect(at('eval/rewards/accuracies', 4)).toBeCloseTo(0.7);
    expect(at('eval/loss', 8)).toBeCloseTo(0.49);
    expect(at('epoch', 4)).toBe(0.5);
    expect(at('grad_norm', 2)).toBeUndefined(); // NaN → dropped
    expect(at('train_runtime', 8)).toBe(120.5);
    // Wall time spread over train_runtime by step.
    expect(p.points.find((x) => x.step === 4)!.time).toBeCloseTo(1_000_000 + 60_250);
  });

  it('reads TRL printed log lines (Python dicts), counting steps', () => {
    const text = [
      'Map: 100%|██████████| 100/100',
      "{'loss': 0.6931, 'grad_norm': 1.5, 'learning_rate': 5e-07, 'rewards/chosen': 0.0, 'epoch': 0.1}",
      "{'loss': 0.65, 'grad_norm': nan, 'learning_rate': 4e-07, 'rewards/chosen': 0.1, 'epoch': 0.2}",
      "{'train_runtime': 10.0, 'train_loss': 0.67, 'epoch': 0.2}",
    ].join('\n');
    const p = parseTrainerLogs(text, 0);
    expect(p.format).toBe('log_lines');
    expect(p.algorithm).toBe('dpo');
    expect(p.points.filter((x) => x.name === 'loss').map((x) => [x.step, x.value])).toEqual([
      [1, 0.6931],
      [2, 0.65],
    ]);
  });

  it("guesses the kind of run from TRL's metric names", () => {
    expect(guessAlgorithm(['objective/kl', 'objective/scores', 'loss/policy_avg'])).toBe('ppo');
    expect(guessAlgorithm(['loss', 'rewards/chosen', 'eval/rewards/margins'])).toBe('dpo');
    expect(guessAlgorithm(['loss', 'log_odds_ratio', 'nll_loss'])).toBe('dpo');
    expect(guessAlgorithm(['loss', 'accuracy', 'eval/accuracy'])).toBe('reward');
    expect(guessAlgorithm(['loss', 'mean_token_accuracy', 'num_tokens'])).toBe('sft');
  });

  it('refuses what is not a log, naming why', () => {
    expect(() => parseTrainerLogs('{"global_step": 3}', 0)).toThrow(/log_history/);
    expect(() => parseTrainerLogs('hello', 0)).toThrow(/no log entries/);
    expect(() => parseTrainerLogs('{"log_history": [{"loss": 1}]}', 0)).toThrow(/step/);
  });

  it('an imported trainer_state.json is an external run whose curves compare with a local DPO run', async () => {
    const { lab, dir } = fx.open(1);
    const api = clientOf(lab);
    const local = await api.startRun({
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      config: { epochs: 1, batchSize: 64 },
    });
    const ext = await api.importRun({
      text: dpoTrainerState(),
      name: 'DPO on a GPU (TRL)',
      source: 'trainer_state.json',
    });
    expect(ext.status).toBe('completed');
    expect(ext.algorithm).toBe('dpo');
    expect(ext.modelId).toBeNull();
    expect(ext.external).toMatchObject({ source: 'trainer_state.json', format: 'trainer_state' });
    expect(ext.summary['rewards/margins']).toBeCloseTo(0.4);
    expect(ext.datasetName).toMatch(/trainer_state\.json/);
    const listed = await api.listRuns();
    expect(listed.map((r) => r.id)).toEqual(expect.arrayContaining([local.id, ext.id]));
    expect(listed.find((r) => r.id === local.id)!.external).toBeNull();
    const metrics = await api.runMetrics({ runId: ext.id });
    expect(metrics.filter((m) => m.name === 'rewards/chosen').map((m) => m.step)).toEqual([2, 4, 6, 8]);
    await waitForRun(lab, local.id, (r) => r.status === 'completed', 120_000);
    const cmp = await api.compareRuns({ runIds: [local.id, ext.id] });
    const margins = cmp.metrics.find((m) => m.name === 'rewards/margins');
    expect(margins?.series.map((s) => s.runId).sort()).toEqual([local.id, ext.id].sort());
    // Export refuses an external run: it has no inputs.
    await expect(api.exportTrl({ runId: ext.id })).rejects.toMatchObject({
      code: 'invalid',
    } as Partial<LabError>);
    // The marker is stored, not derived: a second connection to the file reads it.
    const store = new Store(`${dir}/lab.sqlite`);
    try {
      expect(store.getRun(ext.id).external?.source).toBe('trainer_state.json');
    } finally {
      store.close();
    }
  }, 180_000);

  it('a bad file imports nothing and says why', async () => {
    const { lab } = fx.open(1);
    const api = clientOf(lab);
    await expect(api.importRun({ text: '{"log_history": 3}', name: 'x' })).rejects.toThrow(
      /text: .*log_history/,
    );
    expect(await api.listRuns()).toEqual([]);
  });
});
