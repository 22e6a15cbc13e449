// Lab: the application service behind LabApi. It validates what the hosts hand it (again, against
// the stored state: a dataset's kind, a run's dataset), owns the Store and the Runner, and fans
// events out to the hosts. It knows nothing of Electron, HTTP or IPC.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  ALGORITHM_LABELS,
  RESUMABLE,
  type BackendInfo,
  type Run,
  type SystemInfo,
} from '../../shared/schemas';
import type { labMethods } from '../../shared/api';
import {
  LabError,
  type EventPayload,
  type LabEvent,
  type LabEventSink,
  type LabService,
} from '../../shared/api';
import { SIMPLE_SCHEMAS, fromSimple, type SimpleOf } from '../../shared/examples';
import type { NormalizedRecord, RecordKind, RecordOf } from '../../shared/records';
import { detectFormat, exportTrlJsonl, parseDataset } from './formats';
import { Store } from './store';
import { createWorld, worldDetail } from './worlds';
import { datasetQuality } from './quality';
import { DEFAULT_CONSTITUTION_NAME, defaultPrinciples, resolveRun } from './run-inputs';
import { Playground } from './playground';
import { PIPELINE_PRESETS, Pipelines } from './pipelines';
import { previewTemplate } from './templates';
import { planPipeline } from './plan';
import { compareRuns } from './compare';
import { taxData, taxItems } from './tax';
import { sweepSpec } from './sweep';
import { exportTrlZip, importExternalRun, importGpt2Model } from './trl';

const INPUTS_FILE = 'inputs.json';
import { Runner } from './runner';
import type { RunProcessLauncher } from './protocol';
import { selectBackend } from '../engine/backend';
import { probeInference } from '../engine/onnx/engine';
import { revisedCaiPairs } from './cai-pairs';

export interface LabOptions {
  dataDir: string;
  host: SystemInfo['host'];
  launch: RunProcessLauncher;
  /** Runs training at once; defaults to the number of cores. */
  poolSize?: number;
  version?: string;
  flushIntervalMs?: number;
}

type In<M extends keyof typeof labMethods> = z.output<(typeof labMethods)[M]['input']>;
type Listener = (event: LabEvent, payload: unknown) => void;

export class Lab implements LabService {
  readonly store: Store;
  readonly runner: Runner;
  private readonly listeners = new Set<Listener>();
  private backend: Promise<BackendInfo> | null = null;
  private readonly playground: Playground;
  private readonly pipelines: Pipelines;

  constructor(private readonly o: LabOptions) {
    mkdirSync(join(o.dataDir, 'runs'), { recursive: true });
    this.store = new Store(join(o.dataDir, 'lab.sqlite'));
    const emit: LabEventSink = (event, payload) => this.emit(event, payload);
    this.runner = new Runner({
      store: this.store,
      emit,
      launch: o.launch,
      poolSize: o.poolSize ?? Math.max(1, cpus().length),
      dataDir: o.dataDir,
      flushIntervalMs: o.flushIntervalMs,
    });
    this.playground = new Playground(o.launch, emit);
    this.pipelines = new Pipelines({
      store: this.store,
      emit,
      startRun: (algorithm, dataset, config, name) => this.startRun({ algorithm, dataset, config, name }),
      resumeRun: (id) => this.resumeRun({ id }),
      caiPairs: (runId) => this.caiPairRecords(runId, 'unrejected'),
      cancelRun: (id) => this.runner.cancel(id),
    });
    // Recovery: a run left `running` by a lab that stopped is `interrupted`; queued runs go back in the queue.
    this.store.interruptStaleRuns();
    for (const run of this.store.runsWithStatus('queued')) this.enqueue(run);
    this.pipelines.resumeAll();
  }

  /** Hosts subscribe here to forward events to their transport; returns an unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends LabEvent>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) l(event, payload);
    // A run that ends moves the pipelines waiting on it.
    if (event === 'runStatus' && this.pipelines) this.pipelines.onRun(payload as Run);
  }

  async close(): Promise<void> {
    this.playground.close();
    await this.runner.close();
    this.store.close();
  }

  // ── Datasets ────────────────────────────────────────────────────────────────────────────
  async createDataset(input: In<'createDataset'>) {
    return this.store.createDataset(input.name, input.kind);
  }
  async listDatasets() {
    return this.store.listDatasets();
  }
  async getDataset(input: In<'getDataset'>) {
    return { dataset: this.store.getDataset(input.id), examples: this.store.listExamples(input.id) };
  }
  async datasetQuality(input: In<'datasetQuality'>) {
    return datasetQuality(this.store, input.id);
  }
  async deleteDataset(input: In<'deleteDataset'>) {
    this.store.deleteDataset(input.id);
    return null;
  }
  async addExample(input: In<'addExample'>) {
    const dataset = this.datasetOrInvalid(input.datasetId, 'datasetId');
    return this.store.addExample(dataset.id, this.recordFromForm(dataset.kind, input.data));
  }
  async updateExample(input: In<'updateExample'>) {
    const example = this.store.getExample(input.id);
    const dataset = this.store.getDataset(example.datasetId);
    const base = example.record as unknown as NormalizedRecord;
    return this.store.updateExample(input.id, this.recordFromForm(dataset.kind, input.data, base));
  }
  async deleteExample(input: In<'deleteExample'>) {
    this.store.deleteExample(input.id);
    return null;
  }

  /** A form's fields → a stored record (keeping `base`'s earlier turns); errors name the field. */
  private recordFromForm(kind: RecordKind, data: unknown, base?: NormalizedRecord): NormalizedRecord {
    const parsed = SIMPLE_SCHEMAS[kind].safeParse(data);
    if (!parsed.success) throw LabError.fromZod(parsed.error);
    return fromSimple(kind, parsed.data as SimpleOf<typeof kind>, base as RecordOf<typeof kind> | undefined);
  }

  // ── Import and export ───────────────────────────────────────────────────────────────────
  async inspectImport(input: In<'inspectImport'>) {
    return detectFormat(input.text);
  }

  /** Reads a file into a new dataset: every good record, or nothing with `onError: 'refuse'`. */
  async importDataset(input: In<'importDataset'>) {
    const result = parseDataset(input.text, { format: input.format, onError: input.onError });
    const base = { format: result.format, kind: result.kind, errors: result.errors, refused: result.refused };
    if (result.kind === null || result.refused || result.records.length === 0) {
      return { ...base, dataset: null, imported: 0, refused: true };
    }
    const kind = result.kind;
    const records = result.records as NormalizedRecord[];
    const dataset = this.store.db.transaction(() => {
      const d = this.store.createDataset(input.name, kind);
      this.store.addExamples(d.id, records);
      return d;
    })();
    return { ...base, dataset: this.store.getDataset(dataset.id), imported: records.length };
  }

  async exportDataset(input: In<'exportDataset'>) {
    const dataset = this.store.getDataset(input.id);
    const records = this.store.listExamples(dataset.id).map((e) => e.record as unknown as NormalizedRecord);
    const content = exportTrlJsonl(dataset.kind, records as RecordOf<typeof dataset.kind>[]);
    const slug = dataset.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || `dataset-${dataset.id}`;
    return { filename: `${slug}.jsonl`, content, records: records.length };
  }

  private datasetOrInvalid(id: number, path: string) {
    try {
      return this.store.getDataset(id);
    } catch (e) {
      if (e instanceof LabError && e.code === 'not_found') {
        throw new LabError('invalid', `${path}: dataset ${id} does not exist`, [
          { path, message: `dataset ${id} does not exist` },
        ]);
      }
      throw e;
    }
  }

  // ── Sandbox worlds ──────────────────────────────────────────────────────────────────────
  async generateWorld(input: In<'generateWorld'>) {
    return createWorld(this.store, input.seed, input.size, input.corpusRepeats, { sftNoise: input.sftNoise });
  }
  async listWorlds() {
    return this.store.listWorlds();
  }
  async getWorld(input: In<'getWorld'>) {
    return worldDetail(this.store, input.id);
  }

  // ── Runs ────────────────────────────────────────────────────────────────────────────────
  async startRun(input: In<'startRun'>): Promise<Run> {
    const { inputs, datasetName, config } = resolveRun(
      this.store,
      this.o.dataDir,
      input.algorithm,
      input.dataset,
      input.config,
    );
    const run = this.store.createRun({
      name: input.name || `${ALGORITHM_LABELS[input.algorithm]} on ${datasetName}`,
      algorithm: input.algorithm,
      dataset: input.dataset,
      datasetName,
      config,
      seed: typeof config.seed === 'number' ? config.seed : 0,
    });
    // The inputs are snapshotted beside the run, so that the run can be reproduced (or re-queued after
    // a restart) even if its dataset is edited later.
    const outDir = this.runDir(run.id);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, INPUTS_FILE), JSON.stringify(inputs));
    this.emit('runStatus', run);
    this.runner.enqueue({ runId: run.id, algorithm: run.algorithm, config, inputs, outDir });
    return run;
  }

  private runDir(id: number): string {
    return join(this.o.dataDir, 'runs', String(id));
  }

  /** Re-queues a run left queued by a lab that stopped, from its inputs snapshot. */
  private enqueue(run: Run): void {
    const outDir = this.runDir(run.id);
    try {
      const inputs = JSON.parse(readFileSync(join(outDir, INPUTS_FILE), 'utf8')) as unknown;
      this.runner.enqueue({ runId: run.id, algorithm: run.algorithm, config: run.config, inputs, outDir });
    } catch (e) {
      this.store.setRunStatus(run.id, 'failed', {
        error: `could not re-queue after a restart: ${(e as Error).message}`,
      });
    }
  }

  async listRuns() {
    return this.store.listRuns();
  }
  async getRun(input: In<'getRun'>) {
    return this.store.getRun(input.id);
  }
  async cancelRun(input: In<'cancelRun'>) {
    const run = this.store.getRun(input.id);
    if (run.status === 'queued' || run.status === 'running') this.runner.cancel(run.id);
    return this.store.getRun(input.id);
  }
  async resumeRun(input: In<'resumeRun'>) {
    const run = this.store.getRun(input.id);
    const refuse = (message: string) =>
      new LabError('conflict', `run ${run.id}: ${message}`, [{ path: 'id', message }]);
    if (!RESUMABLE.includes(run.algorithm))
      throw refuse(`a ${ALGORITHM_LABELS[run.algorithm]} run cannot be resumed; start it again`);
    if (!['cancelled', 'interrupted', 'failed'].includes(run.status))
      throw refuse(`only a stopped run can be resumed; this one is ${run.status}`);
    const last = this.store.checkpoints(run.id).at(-1);
    if (!last) throw refuse('it stopped before its first checkpoint; start it again');
    const config = { ...run.config, resumeFrom: join(this.o.dataDir, last.path) };
    const queued = this.store.requeueFromCheckpoint(run.id, last.step, config);
    this.emit('runStatus', queued);
    this.enqueue(queued);
    return queued;
  }
  async runMetrics(input: In<'runMetrics'>) {
    return this.store.metrics(input.runId, input.sinceStep);
  }
  async runSamples(input: In<'runSamples'>) {
    this.store.getRun(input.runId); // not_found for an unknown run
    return this.store.samples(input.runId, { step: input.step, limit: input.limit });
  }
  async reviewSample(input: In<'reviewSample'>) {
    return this.store.reviewSample(input.id, input.review);
  }

  /** A Constitutional AI run's pairs as a preference dataset: the revision chosen, the original rejected. */
  async samplesToDataset(input: In<'samplesToDataset'>) {
    const records = this.caiPairRecords(input.runId, input.include);
    return this.store.db.transaction(() => {
      const d = this.store.createDataset(input.name, 'preference');
      this.store.addExamples(d.id, records);
      return this.store.getDataset(d.id);
    })();
  }

  /** A finished Constitutional AI run's pairs as preference records (revised chosen over original). */
  private caiPairRecords(
    runId: number,
    include: In<'samplesToDataset'>['include'],
  ): RecordOf<'preference'>[] {
    const run = this.store.getRun(runId);
    if (run.algorithm !== 'cai')
      throw new LabError(
        'invalid',
        `runId: run ${run.id} is ${ALGORITHM_LABELS[run.algorithm]}, not Constitutional AI`,
        [{ path: 'runId', message: 'only a Constitutional AI run has pairs to turn into a dataset' }],
      );
    if (run.status === 'queued' || run.status === 'running')
      throw new LabError('conflict', `runId: run ${run.id} is still ${run.status}; wait for its pairs`, [
        { path: 'runId', message: `the run is still ${run.status}` },
      ]);
    const revised = revisedCaiPairs(this.store.samples(run.id));
    if (revised.length === 0)
      throw new LabError('invalid', `runId: run ${run.id} revised no response, so it has no pairs`, [
        { path: 'runId', message: 'no principle flagged any response: there is nothing to learn from' },
      ]);
    const pairs = revised.filter((s) =>
      include === 'approved' ? s.review === 'approved' : s.review !== 'rejected',
    );
    if (pairs.length === 0)
      throw new LabError(
        'invalid',
        include === 'approved'
          ? 'include: no pair is approved yet; approve some first'
          : 'include: every pair was rejected',
        [
          {
            path: 'include',
            message: include === 'approved' ? 'no pair is approved yet' : 'every pair was rejected',
          },
        ],
      );
    return pairs.map((p) => {
      const d = p.data as { prompt: string; original: string; revised: string };
      return {
        prompt: [{ role: 'user', content: d.prompt }],
        chosen: [{ role: 'assistant', content: d.revised }],
        rejected: [{ role: 'assistant', content: d.original }],
      };
    });
  }

  async copyDefaultConstitution(input: In<'copyDefaultConstitution'>) {
    return this.store.db.transaction(() => {
      const d = this.store.createDataset(input.name ?? DEFAULT_CONSTITUTION_NAME, 'constitution');
      this.store.addExamples(d.id, defaultPrinciples());
      return this.store.getDataset(d.id);
    })();
  }

  // ── Models and system ───────────────────────────────────────────────────────────────────
  // ── Hand-off to TRL ─────────────────────────────────────────────────────────────────────
  async exportTrl(input: In<'exportTrl'>) {
    return exportTrlZip(this.store, this.o.dataDir, input.runId);
  }
  async importRun(input: In<'importRun'>) {
    const run = importExternalRun(this.store, input);
    this.emit('runStatus', run);
    return run;
  }
  async importModel(input: In<'importModel'>) {
    return importGpt2Model(this.store, this.o.dataDir, input);
  }

  async listModels() {
    return this.store.listModels();
  }
  async generate(input: In<'generate'>) {
    const modelPath = this.modelFile(input.modelId, 'modelId');
    const { modelId: _id, ...rest } = input;
    return { requestId: this.playground.start({ modelPath, ...rest }) };
  }
  async scoreResponses(input: In<'scoreResponses'>) {
    const model = this.store.listModels().find((m) => m.id === input.modelId);
    if (!model || model.kind !== 'reward')
      throw new LabError(
        'invalid',
        `modelId: ${model ? `"${model.name}" is not a reward model` : `model ${input.modelId} does not exist`}`,
        [{ path: 'modelId', message: model ? 'not a reward model' : 'no such model' }],
      );
    const modelPath = this.modelFile(input.modelId, 'modelId');
    return this.playground.score({
      modelPath,
      prompt: input.prompt,
      responses: input.responses,
      ...(input.template ? { template: input.template } : {}),
    });
  }
  async stopGeneration(input: In<'stopGeneration'>) {
    this.playground.stop(input.requestId);
    return null;
  }
  async previewTemplate(input: In<'previewTemplate'>) {
    const modelPath = input.modelId === undefined ? null : this.modelFile(input.modelId, 'modelId');
    return previewTemplate(input.template, input.messages, modelPath);
  }

  /** A model's weights file (absolute); an unknown id is an invalid input naming `path`. */
  private modelFile(id: number, path: string): string {
    try {
      return join(this.o.dataDir, this.store.modelPath(id));
    } catch {
      throw new LabError('invalid', `${path}: model ${id} does not exist`, [
        { path, message: `model ${id} does not exist` },
      ]);
    }
  }

  // ── Pipelines ───────────────────────────────────────────────────────────────────────────
  async pipelinePresets() {
    return Object.entries(PIPELINE_PRESETS).map(([name, p]) => ({
      name,
      description: p.description,
      seed: p.seed,
      stages: p.stages.map((s) => ({ name: s.name, label: s.label })),
      group: p.group ?? ('pipeline' as const),
      ...(p.claim ? { claim: p.claim } : {}),
      ...(p.compare ? { compare: p.compare } : {}),
    }));
  }
  async startPipeline(input: In<'startPipeline'>) {
    return this.pipelines.start(input.preset, input.seed);
  }
  async listPipelines() {
    return this.store.listPipelines();
  }
  async getPipeline(input: In<'getPipeline'>) {
    return this.store.getPipeline(input.id);
  }
  async cancelPipeline(input: In<'cancelPipeline'>) {
    return this.pipelines.cancel(input.id);
  }

  // ── Alignment tax (tax.ts) ──────────────────────────────────────────────────────────────
  async taxData() {
    return taxData(this.store);
  }
  async taxItems(input: In<'taxItems'>) {
    return taxItems(this.store, this.o.dataDir, input.runId, input.metric);
  }

  // ── Compare ─────────────────────────────────────────────────────────────────────────────
  async compareRuns(input: In<'compareRuns'>) {
    return compareRuns(this.store, this.o.dataDir, input.runIds);
  }
  async startSweep(input: In<'startSweep'>) {
    return this.pipelines.startSpec('sweep', sweepSpec(this.store, input), input.seed);
  }

  async planPipeline(input: In<'planPipeline'>) {
    return planPipeline(input);
  }

  async systemInfo(): Promise<SystemInfo> {
    // The backend the run processes will pick, probed once here (off any hot path) and shown to the user.
    this.backend ??= selectBackend('auto');
    return {
      version: this.o.version ?? '0.0.0',
      host: this.o.host,
      platform: `${process.platform} ${process.arch}, Node ${process.versions.node}`,
      cores: cpus().length,
      poolSize: this.runner.poolSize,
      dataDir: this.o.dataDir,
      backend: await this.backend,
      inference: probeInference(),
    };
  }
}
