// Pipelines: several stages run as one object in the store, each stage a world or a run of its own.
// The orchestrator advances a pipeline whenever one of its runs ends, and again at start-up, so a
// pipeline survives a crash or a restart: finished stages are kept, and the stage that was running
// is continued from its last checkpoint (or started again without one). Presets
// (resources/presets.json) say which stages and with what settings.
import type { LabEventSink } from '../../shared/api';
import { LabError } from '../../shared/api';
import type {
  Algorithm,
  ExperimentCompare,
  Pipeline,
  PipelineStage,
  Run,
  RunDatasetRef,
} from '../../shared/schemas';
import type { NormalizedRecord } from '../../shared/records';
import type { Store } from './store';
import { revisedCaiPairs } from './cai-pairs';
import { createWorld } from './worlds';
import { renderWorldDataset, type WorldRender } from './world-variants';
import presets from '../../../resources/presets.json';

/**
 * A stage of a preset: a world; a run whose dataset and config may refer to earlier stages; or a
 * dataset made from an earlier Constitutional AI run's pairs (every pair not rejected: a pipeline has
 * no one to review them).
 */
export interface StageSpec {
  name: string;
  label: string;
  kind: 'world' | 'run' | 'dataset';
  /**
   * dataset stage: the CAI stage whose pairs become a preference dataset (with `mergeRoles`, the pairs
   * of those world roles are added to it, as CAI mixes its harmlessness pairs with helpfulness data),
   */
  pairsFrom?: string;
  /** With `pairsFrom` and `mergeRoles`: each CAI pair this many times, to weigh them against the many merged pairs. */
  pairsRepeat?: number;
  /** or world roles (`sft`, `safety`, …) of one kind whose examples are put together in one dataset, */
  mergeRoles?: string[];
  /** or a dataset rendered afresh from the world with options (e.g. rater-flipped pairs; world-variants.ts). */
  worldRender?: WorldRender;
  /** world stage */
  world?: { size: 'tiny' | 'small' | 'medium'; corpusRepeats?: number };
  /** run stage */
  algorithm?: Algorithm;
  /** A role of the pipeline's world (`corpus`, `sft`, …) whose dataset the run trains on. */
  worldDataset?: string;
  /** Or an earlier dataset stage whose dataset the run trains on. */
  datasetFrom?: string;
  /** Or a stored (or built-in) dataset, named directly (the reward–KL sweep's; see sweep.ts). */
  dataset?: RunDatasetRef;
  config?: Record<string, unknown>;
  /** Config fields filled from earlier stages: field → `stageName.modelId` or `world.id`. */
  from?: Record<string, string>;
}
export interface PipelinePreset {
  description: string;
  seed: number;
  stages: StageSpec[];
  /** `experiment`: tests one `claim` and ends in a comparison (src/shared/experiments.ts). */
  group?: 'pipeline' | 'experiment';
  claim?: string;
  compare?: ExperimentCompare;
}
export const PIPELINE_PRESETS = (presets as unknown as { pipelines: Record<string, PipelinePreset> })
  .pipelines;

export interface PipelineDeps {
  store: Store;
  emit: LabEventSink;
  /** Continues a stopped run from its last checkpoint; rejects when it cannot (no checkpoint, …). */
  resumeRun(id: number): Promise<Run>;
  /** A CAI run's pairs (every one not rejected) as preference records. */
  caiPairs(runId: number): NormalizedRecord[];
  startRun(
    algorithm: Algorithm,
    dataset: RunDatasetRef | null,
    config: Record<string, unknown>,
    name: string,
  ): Promise<Run>;
  cancelRun(id: number): void;
}

export class Pipelines {
  constructor(private readonly d: PipelineDeps) {}

  async start(presetName: string, seed?: number): Promise<Pipeline> {
    const preset = PIPELINE_PRESETS[presetName];
    if (!preset) {
      const message = `unknown preset "${presetName}"; known: ${Object.keys(PIPELINE_PRESETS).join(', ')}`;
      throw new LabError('invalid', `preset: ${message}`, [{ path: 'preset', message }]);
    }
    return this.startSpec(presetName, preset, seed);
  }

  /** Starts a pipeline from a spec made on the spot (e.g. a sweep), stored whole like a preset's. */
  async startSpec(presetName: string, preset: PipelinePreset, seed?: number): Promise<Pipeline> {
    const stages: PipelineStage[] = preset.stages.map((s) => ({
      name: s.name,
      label: s.label,
      status: 'pending',
      runId: null,
      worldId: null,
      modelId: null,
      datasetId: null,
    }));
    const p = this.d.store.createPipeline({
      name: `${presetName} #${this.d.store.listPipelines().length + 1}`,
      preset: presetName,
      stages,
      config: { ...preset, seed: seed ?? preset.seed },
    });
    this.d.emit('pipelineStatus', p);
    return this.advance(p.id);
  }

  /** Called when any run changes status: advances the pipelines that wait on it. */
  onRun(run: Run): void {
    for (const p of this.d.store.listPipelines()) {
      if (p.status === 'running' && p.stages.some((s) => s.runId === run.id)) void this.advance(p.id);
    }
  }

  /** At start-up: every pipeline that was running goes on from where it stopped. */
  resumeAll(): void {
    for (const p of this.d.store.listPipelines()) if (p.status === 'running') void this.advance(p.id);
  }

  cancel(id: number): Pipeline {
    const p = this.d.store.getPipeline(id);
    if (p.status !== 'running') return p;
    const stages = p.stages.map((s) =>
      s.status === 'running' || s.status === 'pending' ? { ...s, status: 'cancelled' as const } : s,
    );
    const updated = this.d.store.updatePipeline(id, { stages, status: 'cancelled' });
    for (const s of p.stages) if (s.status === 'running' && s.runId) this.d.cancelRun(s.runId);
    this.d.emit('pipelineStatus', updated);
    return updated;
  }

  private advancing = new Set<number>();

  /** Moves a pipeline forward as far as it can go now; idempotent. */
  async advance(id: number): Promise<Pipeline> {
    if (this.advancing.has(id)) return this.d.store.getPipeline(id);
    this.advancing.add(id);
    try {
      return await this.step(id);
    } finally {
      this.advancing.delete(id);
    }
  }

  private async step(id: number): Promise<Pipeline> {
    const { store } = this.d;
    let p = store.getPipeline(id);
    const config = p.config as unknown as PipelinePreset & { seed: number };
    const stages = p.stages.map((s) => ({ ...s }));
    const save = (status: Pipeline['status'], error: string | null = null) => {
      p = store.updatePipeline(id, { stages, status, error });
      this.d.emit('pipelineStatus', p);
      return p;
    };
    for (const [i, stage] of stages.entries()) {
      if (p.status !== 'running') return p;
      if (stage.status === 'completed' || stage.status === 'skipped') continue;
      const spec = config.stages[i]!;
      if (spec.kind === 'world') {
        const world = createWorld(store, config.seed, spec.world?.size ?? 'tiny', spec.world?.corpusRepeats);
        Object.assign(stage, { status: 'completed', worldId: world.id });
        save('running');
        continue;
      }
      // A stage that needs a skipped stage's output has nothing to work on either.
      const needs = [
        spec.datasetFrom,
        spec.pairsFrom,
        ...Object.values(spec.from ?? {}).map((r) => r.split('.')[0]),
      ];
      const skippedNeed = stages.find((s) => s.status === 'skipped' && needs.includes(s.name));
      const skip = (note: string) => {
        Object.assign(stage, { status: 'skipped', note });
        save('running');
      };
      if (skippedNeed) {
        skip(`needs ${skippedNeed.label}, which was skipped`);
        continue;
      }
      if (spec.kind === 'dataset' && spec.pairsFrom) {
        const from = stages.find((s) => s.name === spec.pairsFrom);
        if (from?.runId && revisedCaiPairs(store.samples(from.runId)).length === 0) {
          skip('the Constitutional AI run flagged and revised no response: no pairs to learn from');
          continue;
        }
      }
      if (spec.kind === 'dataset') {
        try {
          const datasetId = await this.makeDataset(spec, stages, `${p.name} · ${spec.label}`);
          Object.assign(stage, { status: 'completed', datasetId });
          save('running');
          continue;
        } catch (e) {
          stage.status = 'failed';
          return save('failed', `stage ${stage.name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      const run = stage.runId ? store.getRun(stage.runId) : null;
      if (run && (run.status === 'queued' || run.status === 'running')) return p; // wait for it
      if (run?.status === 'completed') {
        Object.assign(stage, { status: 'completed', modelId: run.modelId });
        save('running');
        continue;
      }
      if (run && (run.status === 'failed' || run.status === 'cancelled')) {
        stage.status = run.status;
        return save(
          run.status === 'failed' ? 'failed' : 'cancelled',
          `stage ${stage.name}: ${run.error ?? run.status}`,
        );
      }
      // Interrupted by a restart: continue its run from its last checkpoint when it has one.
      if (run?.status === 'interrupted') {
        const resumed = await this.d.resumeRun(run.id).catch(() => null);
        if (resumed) {
          stage.status = 'running';
          return save('running');
        }
      }
      // Not started yet, or interrupted before its first checkpoint: (re)start the stage's run.
      try {
        const started = await this.startStage(spec, stages, config.seed, p.name);
        Object.assign(stage, { status: 'running', runId: started.id });
        return save('running');
      } catch (e) {
        stage.status = 'failed';
        return save('failed', `stage ${stage.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return save('completed');
  }

  /** A dataset stage's dataset: a CAI stage's pairs, or world roles merged; returns its id. */
  private async makeDataset(spec: StageSpec, stages: PipelineStage[], name: string): Promise<number> {
    const { store } = this.d;
    const worldId = stages.find((s) => s.worldId !== null)?.worldId;
    const roleSources = () => {
      if (!worldId) throw new Error('mergeRoles needs a world stage');
      const roles = store.getWorld(worldId).summary.datasets;
      return spec.mergeRoles!.map((role) => {
        const id = roles[role];
        if (id === undefined) throw new Error(`the world has no ${role} dataset`);
        return store.getDataset(id);
      });
    };
    const addAll = (datasetId: number, sources: { id: number }[]) => {
      for (const source of sources)
        store.addExamples(
          datasetId,
          store.listExamples(source.id).map((e) => e.record as unknown as NormalizedRecord),
        );
    };
    if (spec.pairsFrom) {
      const from = stages.find((s) => s.name === spec.pairsFrom);
      if (!from?.runId) throw new Error(`needs stage ${spec.pairsFrom}, which has no run`);
      const sources = spec.mergeRoles?.length ? roleSources() : [];
      const other = sources.find((d) => d.kind !== 'preference');
      if (other)
        throw new Error(`mergeRoles: ${other.name} is not preference pairs, so it cannot join CAI pairs`);
      const pairs = this.d.caiPairs(from.runId);
      // One transaction: a crash leaves the whole dataset or none (the stage then runs again).
      return store.db.transaction(() => {
        const d = store.createDataset(name, 'preference');
        for (let r = 0; r < (spec.pairsRepeat ?? 1); r++) store.addExamples(d.id, pairs);
        addAll(d.id, sources);
        return d.id;
      })();
    }
    if (worldId && spec.worldRender) return renderWorldDataset(store, worldId, spec.worldRender, name);
    if (!worldId || !spec.mergeRoles?.length)
      throw new Error('a dataset stage needs pairsFrom, or a world and mergeRoles or worldRender');
    const sources = roleSources();
    const kind = sources[0]!.kind;
    if (sources.some((d) => d.kind !== kind))
      throw new Error(`roles ${spec.mergeRoles.join(', ')} are of different kinds`);
    return store.db.transaction(() => {
      const d = store.createDataset(name, kind);
      addAll(d.id, sources);
      return d.id;
    })();
  }

  private startStage(
    spec: StageSpec,
    stages: PipelineStage[],
    seed: number,
    pipelineName: string,
  ): Promise<Run> {
    const worldStage = stages.find((s) => s.worldId !== null);
    const world = worldStage ? this.d.store.getWorld(worldStage.worldId!).summary : null;
    const config: Record<string, unknown> = { ...spec.config };
    if ('seed' in config || spec.algorithm === 'pretrain' || spec.algorithm === 'sft') config.seed = seed;
    for (const [field, ref] of Object.entries(spec.from ?? {})) {
      const [stageName, key] = ref.split('.') as [string, 'modelId' | 'worldId'];
      const value = stages.find((s) => s.name === stageName)?.[key];
      if (value === null || value === undefined)
        throw new Error(`${field} needs stage ${stageName}, which has no ${key}`);
      config[field] = value;
    }
    let dataset = spec.worldDataset ? (world?.datasets[spec.worldDataset] ?? null) : (spec.dataset ?? null);
    if (spec.worldDataset && dataset === null)
      throw new Error(`the world has no ${spec.worldDataset} dataset`);
    if (spec.datasetFrom) {
      dataset = stages.find((s) => s.name === spec.datasetFrom)?.datasetId ?? null;
      if (dataset === null) throw new Error(`needs stage ${spec.datasetFrom}, which has no dataset`);
    }
    return this.d.startRun(spec.algorithm!, dataset, config, `${pipelineName} · ${spec.label}`);
  }
}
