// The lab → TRL hyperparameter mapping, field by field: every field of every exportable run kind's
// config is either mapped to a TRL/transformers argument or listed with the reason it has none, and a
// field added to a config schema without a mapping fails here.
import { describe, expect, it } from 'vitest';
import { RUN_CONFIGS, RUN_KINDS, type RunKind } from '../../../src/shared/schemas';
import {
  FIELD_MAPS,
  TRL_ALGORITHMS,
  TRL_DPO_LOSS_TYPES,
  isTrlAlgorithm,
  mapRunConfig,
  type TrlAlgorithm,
} from '../../../src/main/lab/trl/mapping';

/** A run kind's resolved config, as the lab stores it: the schema's defaults plus what the test sets. */
function resolved(kind: RunKind, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const k = RUN_KINDS[kind];
  return RUN_CONFIGS[k.algorithm].parse({ ...k.config, ...extra }) as Record<string, unknown>;
}

const EXPORTABLE = (Object.keys(RUN_KINDS) as RunKind[]).filter((k) =>
  isTrlAlgorithm(RUN_KINDS[k].algorithm),
);

describe('TRL mapping', () => {
  it('covers exactly the fields of each exportable algorithm’s config schema', () => {
    for (const alg of TRL_ALGORITHMS) {
      const schemaFields = Object.keys(RUN_CONFIGS[alg].shape).sort();
      const mapped = Object.keys(FIELD_MAPS[alg]).sort();
      const missing = schemaFields.filter((f) => !mapped.includes(f));
      const stale = mapped.filter((f) => !schemaFields.includes(f));
      expect({ alg, missing, stale }).toEqual({ alg, missing: [], stale: [] });
    }
  });

  it('maps or explains every field of every exportable run kind (sft, reward, dpo, ipo, kto, orpo, simpo, ppo, pretrain)', () => {
    expect(EXPORTABLE.sort()).toEqual([
      'dpo',
      'ipo',
      'kto',
      'orpo',
      'ppo',
      'pretrain',
      'reward',
      'sft',
      'simpo',
    ]);
    for (const kind of EXPORTABLE) {
      const alg = RUN_KINDS[kind].algorithm as TrlAlgorithm;
      // Optional fields set too (a base model, a reward model, a resume), so each one is exercised.
      const config = resolved(kind, {
        ...(alg !== 'pretrain' ? { baseModel: 3 } : {}),
        ...(alg === 'ppo' ? { rewardModel: 4, world: 1 } : {}),
        resumeFrom: '/x/checkpoint-000010',
      });
      const m = mapRunConfig(alg, config);
      const accounted = [...m.mapped.map((f) => f.lab), ...m.noCounterpart.map((f) => f.lab)].sort();
      expect({ kind, fields: accounted }).toEqual({ kind, fields: Object.keys(config).sort() });
      expect(m.unknown).toEqual([]);
      for (const f of m.noCounterpart) expect(f.reason.length, `${kind}.${f.lab}`).toBeGreaterThan(10);
      for (const f of m.mapped) expect(Object.keys(f.args).length, `${kind}.${f.lab}`).toBeGreaterThan(0);
    }
  });

  it('a config field the table does not know is reported, not silently dropped', () => {
    const m = mapRunConfig('dpo', { ...resolved('dpo'), brandNewField: 1 });
    expect(m.unknown).toEqual(['brandNewField']);
  });

  it('DPO losses: sigmoid, robust, hinge and ipo on DPOTrainer with their loss_type, label smoothing and RPO', () => {
    for (const loss of ['sigmoid', 'robust', 'hinge', 'ipo'] as const) {
      const m = mapRunConfig(
        'dpo',
        resolved('dpo', { lossType: loss, beta: 0.25, rpoAlpha: 1, baseModel: 2 }),
      );
      expect(m.trainer).toBe('DPOTrainer');
      expect(m.configClass).toBe('DPOConfig');
      expect(m.args).toMatchObject({
        loss_type: loss,
        beta: 0.25,
        rpo_alpha: 1,
        learning_rate: 1e-4,
        num_train_epochs: 20,
        per_device_train_batch_size: 32,
        max_length: 64,
        seed: 0,
        model_name_or_path: 'model',
        chat_template: 'chatml',
        lr_scheduler_type: 'constant',
      });
      expect(TRL_DPO_LOSS_TYPES).toContain(loss);
    }
    const robust = mapRunConfig('dpo', resolved('dpo', { lossType: 'robust', labelSmoothing: 0.2 }));
    expect(robust.args['label_smoothing']).toBe(0.2);
    const hinge = mapRunConfig('dpo', resolved('dpo', { lossType: 'hinge' }));
    expect(hinge.noCounterpart.find((f) => f.lab === 'labelSmoothing')?.reason).toMatch(/not hinge/);
    const off = mapRunConfig('dpo', resolved('dpo', { model: 'byte-tiny' }));
    expect(off.args['rpo_alpha']).toBeNull(); // 0 in the lab = None in TRL
    // Without a base model the lab reads raw text: no chat template, and the model starts fresh.
    expect(off.noCounterpart.map((f) => f.lab)).toEqual(
      expect.arrayContaining(['template', 'backend', 'inference']),
    );
    expect(off.args['model_shape']).toBe('byte-tiny');
  });

  it('KTO, ORPO and SimPO become KTOTrainer, ORPOTrainer and CPOTrainer(loss_type="simpo")', () => {
    const kto = mapRunConfig('dpo', resolved('kto', { desirableWeight: 1.5, undesirableWeight: 0.5 }));
    expect(kto.trainer).toBe('KTOTrainer');
    expect(kto.args).toMatchObject({ desirable_weight: 1.5, undesirable_weight: 0.5, beta: 0.1 });
    expect(kto.args['loss_type']).toBeUndefined();
    const orpo = mapRunConfig('dpo', resolved('orpo', { beta: 0.2 }));
    expect([orpo.trainer, orpo.configClass]).toEqual(['ORPOTrainer', 'ORPOConfig']);
    expect(orpo.args['beta']).toBe(0.2); // λ in both
    expect(orpo.noCounterpart.find((f) => f.lab === 'rpoAlpha')).toBeDefined();
    const simpo = mapRunConfig('dpo', resolved('simpo', { gamma: 0.8, labelSmoothing: 0.1 }));
    expect([simpo.trainer, simpo.configClass]).toEqual(['CPOTrainer', 'CPOConfig']);
    expect(simpo.args).toMatchObject({
      loss_type: 'simpo',
      cpo_alpha: 0,
      simpo_gamma: 0.8,
      label_smoothing: 0.1,
    });
    expect(kto.noCounterpart.find((f) => f.lab === 'gamma')?.reason).toMatch(/simpo/);
  });

  it('PPO: rollouts per iteration become episodes and per-device batches; the adaptive KL and rule rewards have no counterpart', () => {
    const m = mapRunConfig(
      'ppo',
      resolved('ppo', {
        iterations: 20,
        batchSize: 16,
        numMiniBatches: 2,
        gradientAccumulationSteps: 2,
        rewardSource: 'model',
        rewardModel: 7,
        baseModel: 3,
        missingEosPenalty: 1,
        klEstimator: 'k3',
      }),
    );
    expect(m.trainer).toBe('PPOTrainer');
    expect(m.args).toMatchObject({
      total_episodes: 320,
      per_device_train_batch_size: 4,
      num_mini_batches: 2,
      gradient_accumulation_steps: 2,
      num_ppo_epochs: 4,
      kl_coef: 0.05,
      kl_estimator: 'k3',
      cliprange: 0.2,
      cliprange_value: 0.2,
      vf_coef: 0.1,
      gamma: 1,
      lam: 0.95,
      response_length: 24,
      temperature: 0.7,
      missing_eos_penalty: 1,
      learning_rate: 1e-5,
      reward_model_path: 'reward_model',
      sft_model_path: 'model',
    });
    const without = m.noCounterpart.map((f) => f.lab);
    expect(without).toEqual(expect.arrayContaining(['targetKl', 'klHorizon', 'rule', 'samplesPerIteration']));
    const adaptive = mapRunConfig(
      'ppo',
      resolved('ppo', { adaptiveKl: true, rewardSource: 'gold', world: 1 }),
    );
    expect(adaptive.noCounterpart.find((f) => f.lab === 'adaptiveKl')?.reason).toMatch(/fixed/);
    expect(adaptive.noCounterpart.find((f) => f.lab === 'rewardSource')?.reason).toMatch(/gold judge/);
  });

  it('SFT and pretraining: the schedule (warm-up, cosine to a tenth), packing, assistant-only loss, max_steps', () => {
    const sft = mapRunConfig(
      'sft',
      resolved('sft', { maxSteps: 0, warmupSteps: 10, packing: true, baseModel: 2 }),
    );
    expect(sft.trainer).toBe('SFTTrainer');
    expect(sft.args).toMatchObject({
      learning_rate: 3e-4,
      warmup_steps: 10,
      max_steps: -1,
      packing: true,
      assistant_only_loss: true,
      lr_scheduler_type: 'cosine_with_min_lr',
      lr_scheduler_kwargs: { min_lr_rate: 0.1 },
      save_strategy: 'no',
    });
    const pre = mapRunConfig('pretrain', resolved('pretrain', { maxSteps: 500, checkpointEvery: 100 }));
    expect(pre.args).toMatchObject({
      max_steps: 500,
      weight_decay: 0.1,
      dataset_text_field: 'text',
      packing: true,
      save_strategy: 'steps',
      save_steps: 100,
      eval_fraction: 0.05,
    });
  });

  it('reward model: center_rewards_coefficient, max_length, evaluation split', () => {
    const m = mapRunConfig(
      'reward',
      resolved('reward', { centerRewardsCoefficient: 0.01, valFraction: 0.2 }),
    );
    expect(m.trainer).toBe('RewardTrainer');
    expect(m.args).toMatchObject({
      center_rewards_coefficient: 0.01,
      max_length: 96,
      eval_fraction: 0.2,
      eval_strategy: 'epoch',
    });
  });
});
