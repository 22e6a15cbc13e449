// The reward–KL sweep (Rafailov et al. 2023, Figure 2, in the sandbox world): from one SFT model and
// one preference dataset, DPO at several betas and PPO at several KL coefficients, each result
// evaluated on the world's held-out sets with the SFT model as the reference (gold score and KL per
// reply: a point of the frontier), and the SFT model itself evaluated as the frontier's origin. It is
// a pipeline made on the spot (pipelines.ts), so it is stored whole and resumed after a restart like
// any other; the Compare page opens it with `#/compare?pipeline=ID`.
import type { z } from 'zod';
import { LabError, type FieldIssue } from '../../shared/api';
import type { SweepInput } from '../../shared/schemas';
import type { PipelinePreset, StageSpec } from './pipelines';
import type { Store } from './store';

type Sweep = z.output<typeof SweepInput>;

/** The sweep's stages, after checking that the models and the world it names exist. */
export function sweepSpec(store: Store, s: Sweep): PipelinePreset {
  const issues: FieldIssue[] = [];
  const models = store.listModels();
  const base = models.find((m) => m.id === s.baseModel);
  if (!base) issues.push({ path: 'baseModel', message: `model ${s.baseModel} does not exist` });
  else if (base.kind !== 'lm')
    issues.push({ path: 'baseModel', message: `"${base.name}" is a reward model; pick the SFT model` });
  if (s.rewardModel !== undefined) {
    const rm = models.find((m) => m.id === s.rewardModel);
    if (!rm) issues.push({ path: 'rewardModel', message: `model ${s.rewardModel} does not exist` });
    else if (rm.kind !== 'reward')
      issues.push({ path: 'rewardModel', message: `"${rm.name}" is not a reward model` });
  }
  try {
    store.getWorld(s.world);
  } catch {
    issues.push({ path: 'world', message: `world ${s.world} does not exist` });
  }
  if (s.betas.length === 0 && s.klCoefs.length === 0)
    issues.push({ path: 'betas', message: 'give at least one DPO beta or one PPO KL coefficient' });
  if (issues.length > 0)
    throw new LabError('invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);

  const evaluate = (name: string, label: string, model: Record<string, unknown>): StageSpec => ({
    name: `eval-${name}`,
    label: `evaluate ${label}`,
    kind: 'run',
    algorithm: 'eval',
    config: {
      ...model,
      world: s.world,
      referenceModel: s.baseModel,
      sets: s.evalSets,
      template: s.template,
      maxNewTokens: s.evalMaxNewTokens,
    },
    ...(model.model === undefined ? { from: { model: `${name}.modelId` } } : {}),
  });
  const stages: StageSpec[] = [evaluate('sft', 'the SFT model (the reference)', { model: s.baseModel })];
  // Stage names carry no dot: `from` reads `stage.modelId`.
  s.betas.forEach((beta, i) => {
    const name = `dpo-${i + 1}`;
    const label = `DPO β ${beta}`;
    stages.push({
      name,
      label,
      kind: 'run',
      algorithm: 'dpo',
      dataset: s.dataset,
      config: {
        ...s.dpoConfig,
        baseModel: s.baseModel,
        template: s.template,
        beta,
        epochs: s.dpoEpochs,
        seed: s.seed,
      },
    });
    stages.push(evaluate(name, label, {}));
  });
  s.klCoefs.forEach((klCoef, i) => {
    const name = `ppo-${i + 1}`;
    const label = `PPO KL coef ${klCoef}`;
    stages.push({
      name,
      label,
      kind: 'run',
      algorithm: 'ppo',
      dataset: s.dataset,
      config: {
        ...s.ppoConfig,
        baseModel: s.baseModel,
        template: s.template,
        klCoef,
        iterations: s.ppoIterations,
        // The proxy when a reward model is given (the world's gold judge is logged beside it), else gold.
        ...(s.rewardModel !== undefined
          ? { rewardSource: 'model', rewardModel: s.rewardModel }
          : { rewardSource: 'gold' }),
        world: s.world,
        seed: s.seed,
      },
    });
    stages.push(evaluate(name, label, {}));
  });
  return {
    description: `Reward–KL sweep from model ${s.baseModel}: DPO β ${s.betas.join(', ') || '—'}; PPO KL coefficient ${s.klCoefs.join(', ') || '—'}.`,
    seed: s.seed,
    stages,
  };
}
