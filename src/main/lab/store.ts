// Store: the lab's one SQLite database and its only writer. WAL mode, foreign keys on, synchronous
// FULL (a committed row survives a crash of the process or the machine), migrations numbered by
// `PRAGMA user_version` and applied in a transaction, `quick_check` on open. Rows in, typed records out.
import Database from 'better-sqlite3';
import type {
  BackendInfo,
  ExternalSource,
  InferenceInfo,
  Dataset,
  DatasetKind,
  Example,
  MetricPoint,
  Model,
  Run,
  RunDatasetRef,
  RunProgress,
  RunStatus,
  RunSample,
  Algorithm,
  WorldSummary,
  Pipeline,
  PipelineStage,
} from '../../shared/schemas';
import { LabError } from '../../shared/api';
import { contextTurns, fromSimple, simpleView, type SimpleOf } from '../../shared/examples';
import type { NormalizedRecord, RecordKind } from '../../shared/records';

/** Each entry moves the schema from version i to i + 1: SQL, or a function for data changes. Never edit one; append. */
export const MIGRATIONS: (string | ((db: Database.Database) => void))[] = [
  `CREATE TABLE datasets (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE examples (
     id INTEGER PRIMARY KEY,
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     data TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX examples_by_dataset ON examples(dataset_id, id);
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     algorithm TEXT NOT NULL,
     status TEXT NOT NULL,
     dataset_ref TEXT NOT NULL,
     dataset_name TEXT NOT NULL,
     config TEXT NOT NULL,
     seed INTEGER NOT NULL,
     backend TEXT,
     error TEXT,
     progress TEXT,
     summary TEXT NOT NULL DEFAULT '{}',
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT
   );
   CREATE INDEX runs_by_status ON runs(status);
   CREATE TABLE metrics (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     step INTEGER NOT NULL,
     value REAL NOT NULL,
     time REAL NOT NULL,
     PRIMARY KEY (run_id, name, step)
   ) WITHOUT ROWID;
   CREATE TABLE checkpoints (
     id INTEGER PRIMARY KEY,
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     step INTEGER NOT NULL,
     path TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE models (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     arch TEXT NOT NULL,
     path TEXT NOT NULL,
     run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
     parent_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
     created_at TEXT NOT NULL
   );`,
  // 2: examples are stored as conversational records (shared/records.ts) instead of form fields.
  (db) => {
    const rows = db
      .prepare('SELECT e.id, e.data, d.kind FROM examples e JOIN datasets d ON d.id = e.dataset_id')
      .all() as { id: number; data: string; kind: 'preference' | 'instruction' }[];
    const update = db.prepare('UPDATE examples SET data = ? WHERE id = ?');
    for (const r of rows) {
      const fields = JSON.parse(r.data) as Record<string, string>;
      const record =
        r.kind === 'preference'
          ? fromSimple('preference', fields as SimpleOf<'preference'>)
          : fromSimple('instruction', fields as SimpleOf<'instruction'>);
      update.run(json(record), r.id);
    }
  },
  // 3: sandbox worlds, and the datasets generated from each.
  `CREATE TABLE worlds (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     seed INTEGER NOT NULL,
     size TEXT NOT NULL,
     data TEXT NOT NULL,
     counts TEXT NOT NULL,
     datasets TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // 4: pipelines: several runs as one object (their stages, each with its run).
  `CREATE TABLE pipelines (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     preset TEXT NOT NULL,
     status TEXT NOT NULL,
     error TEXT,
     stages TEXT NOT NULL,
     config TEXT NOT NULL,
     created_at TEXT NOT NULL,
     finished_at TEXT
   );`,
  // 5: what runs produce item by item (PPO rollouts, Constitutional AI pairs), with a user's review.
  `CREATE TABLE samples (
     id INTEGER PRIMARY KEY,
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     step INTEGER NOT NULL,
     kind TEXT NOT NULL,
     data TEXT NOT NULL,
     review TEXT
   );
   CREATE INDEX samples_by_run ON samples(run_id, step, id);`,
  // 6: how many times a run was started (a resumed run is the same run, started again).
  `ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;`,
  // 7: where a run's inference ran (engine, onnxruntime provider, threads, why), as JSON.
  `ALTER TABLE runs ADD COLUMN inference TEXT;`,
  // 8: runs trained outside the lab whose logs were imported (their source, as JSON; NULL for the lab's own).
  `ALTER TABLE runs ADD COLUMN external TEXT;`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

const now = (): string => new Date().toISOString();
const json = (v: unknown): string => JSON.stringify(v);
const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

interface RunRow {
  id: number;
  name: string;
  algorithm: string;
  status: string;
  dataset_ref: string;
  dataset_name: string;
  config: string;
  seed: number;
  backend: string | null;
  inference: string | null;
  error: string | null;
  progress: string | null;
  summary: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  model_id: number | null;
  attempt: number;
  external: string | null;
}

export interface NewRun {
  name: string;
  algorithm: Algorithm;
  dataset: RunDatasetRef | null;
  datasetName: string;
  config: Record<string, unknown>;
  seed: number;
}

export class Store {
  readonly db: Database.Database;

  /** Opens (creating if needed) the database at `file`, or `:memory:` for tests. */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    const check = this.db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`database ${file} failed its integrity check: ${String(check)}`);
    this.migrate();
  }

  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const from = this.version;
    if (from > SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${from} is newer than this lab (${SCHEMA_VERSION}); update the lab`,
      );
    }
    for (let v = from; v < SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        const step = MIGRATIONS[v]!;
        if (typeof step === 'string') this.db.exec(step);
        else step(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  // ── Datasets and examples ───────────────────────────────────────────────────────────────
  createDataset(name: string, kind: DatasetKind): Dataset {
    const t = now();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO datasets (name, kind, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(name, kind, t, t);
    return this.getDataset(Number(lastInsertRowid));
  }

  listDatasets(): Dataset[] {
    return this.db
      .prepare(
        `SELECT d.*, (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id) AS n
         FROM datasets d ORDER BY d.updated_at DESC, d.id DESC`,
      )
      .all()
      .map((r) => this.toDataset(r as DatasetRow));
  }

  getDataset(id: number): Dataset {
    const row = this.db
      .prepare(
        'SELECT d.*, (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id) AS n FROM datasets d WHERE id = ?',
      )
      .get(id) as DatasetRow | undefined;
    if (!row)
      throw new LabError('not_found', `dataset ${id} does not exist`, [
        { path: 'id', message: 'no such dataset' },
      ]);
    return this.toDataset(row);
  }

  deleteDataset(id: number): void {
    this.getDataset(id);
    this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
  }

  listExamples(datasetId: number): Example[] {
    return this.db
      .prepare(`${EXAMPLE_QUERY} WHERE e.dataset_id = ? ORDER BY e.id`)
      .all(datasetId)
      .map((r) => toExample(r as ExampleRow));
  }

  getExample(id: number): Example {
    const row = this.db.prepare(`${EXAMPLE_QUERY} WHERE e.id = ?`).get(id) as ExampleRow | undefined;
    if (!row)
      throw new LabError('not_found', `example ${id} does not exist`, [
        { path: 'id', message: 'no such example' },
      ]);
    return toExample(row);
  }

  /** Adds many records in one transaction (an import): all or none. */
  addExamples(datasetId: number, records: readonly NormalizedRecord[]): number {
    const t = now();
    this.db.transaction(() => {
      const insert = this.db.prepare(
        'INSERT INTO examples (dataset_id, data, created_at, updated_at) VALUES (?, ?, ?, ?)',
      );
      for (const r of records) insert.run(datasetId, json(r), t, t);
      this.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(t, datasetId);
    })();
    return records.length;
  }

  addExample(datasetId: number, data: NormalizedRecord): Example {
    const t = now();
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO examples (dataset_id, data, created_at, updated_at) VALUES (?, ?, ?, ?)')
        .run(datasetId, json(data), t, t);
      this.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(t, datasetId);
      return this.getExample(Number(lastInsertRowid));
    })();
  }

  updateExample(id: number, data: NormalizedRecord): Example {
    const t = now();
    return this.db.transaction(() => {
      const ex = this.getExample(id);
      this.db.prepare('UPDATE examples SET data = ?, updated_at = ? WHERE id = ?').run(json(data), t, id);
      this.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(t, ex.datasetId);
      return this.getExample(id);
    })();
  }

  deleteExample(id: number): void {
    const ex = this.getExample(id);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM examples WHERE id = ?').run(id);
      this.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(now(), ex.datasetId);
    })();
  }

  private toDataset(r: DatasetRow): Dataset {
    return {
      id: r.id,
      name: r.name,
      kind: r.kind as DatasetKind,
      exampleCount: r.n,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  // ── Runs ────────────────────────────────────────────────────────────────────────────────
  createRun(r: NewRun): Run {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO runs (name, algorithm, status, dataset_ref, dataset_name, config, seed, created_at)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)`,
      )
      .run(r.name, r.algorithm, json(r.dataset), r.datasetName, json(r.config), r.seed, now());
    return this.getRun(Number(lastInsertRowid));
  }

  /**
   * A run trained elsewhere, stored whole in one transaction: `completed`, its metrics as a local run's
   * (so lists, charts and comparisons read them alike), its source in `external`, no model.
   */
  createExternalRun(
    r: NewRun & { external: ExternalSource; points: MetricPoint[]; startedAt: string; finishedAt: string },
  ): Run {
    const id = this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO runs (name, algorithm, status, dataset_ref, dataset_name, config, seed, created_at, started_at, finished_at, external)
           VALUES (?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.name,
          r.algorithm,
          json(r.dataset),
          r.datasetName,
          json(r.config),
          r.seed,
          now(),
          r.startedAt,
          r.finishedAt,
          json(r.external),
        );
      const runId = Number(lastInsertRowid);
      this.recordProgress(runId, null, r.points);
      return runId;
    })();
    return this.getRun(id);
  }

  private runQuery(where: string): string {
    return `SELECT r.*, (SELECT max(m.id) FROM models m WHERE m.run_id = r.id) AS model_id FROM runs r ${where}`;
  }

  getRun(id: number): Run {
    const row = this.db.prepare(this.runQuery('WHERE r.id = ?')).get(id) as RunRow | undefined;
    if (!row)
      throw new LabError('not_found', `run ${id} does not exist`, [{ path: 'id', message: 'no such run' }]);
    return toRun(row);
  }

  listRuns(): Run[] {
    return (this.db.prepare(this.runQuery('ORDER BY r.id DESC')).all() as RunRow[]).map(toRun);
  }

  runsWithStatus(status: RunStatus): Run[] {
    return (this.db.prepare(this.runQuery('WHERE r.status = ? ORDER BY r.id')).all(status) as RunRow[]).map(
      toRun,
    );
  }

  setRunStatus(id: number, status: RunStatus, fields: { error?: string | null } = {}): Run {
    const t = now();
    const started = status === 'running' ? t : null;
    const finished = ['completed', 'failed', 'cancelled', 'interrupted'].includes(status) ? t : null;
    this.db
      .prepare(
        `UPDATE runs SET status = ?, error = coalesce(?, error),
           started_at = coalesce(started_at, ?), finished_at = coalesce(?, finished_at) WHERE id = ?`,
      )
      .run(status, fields.error ?? null, started, finished, id);
    return this.getRun(id);
  }

  setRunBackend(id: number, backend: BackendInfo): void {
    this.db.prepare('UPDATE runs SET backend = ? WHERE id = ?').run(json(backend), id);
  }

  setRunInference(id: number, inference: InferenceInfo): void {
    this.db.prepare('UPDATE runs SET inference = ? WHERE id = ?').run(json(inference), id);
  }

  /** Marks runs left `running` by a previous process as `interrupted`; returns how many. */
  interruptStaleRuns(): number {
    return this.db
      .prepare(
        `UPDATE runs SET status = 'interrupted', finished_at = ?,
           error = coalesce(error, 'the lab stopped while this run was running') WHERE status = 'running'`,
      )
      .run(now()).changes;
  }

  /** One transaction per batch: the metrics, the progress and the latest value of each metric. */
  recordProgress(id: number, progress: RunProgress | null, points: MetricPoint[]): void {
    this.db.transaction(() => {
      const insert = this.db.prepare(
        'INSERT OR REPLACE INTO metrics (run_id, name, step, value, time) VALUES (?, ?, ?, ?, ?)',
      );
      const summary = parse<Record<string, number>>(
        (this.db.prepare('SELECT summary FROM runs WHERE id = ?').get(id) as { summary: string }).summary,
      )!;
      for (const p of points) {
        insert.run(id, p.name, p.step, p.value, p.time);
        summary[p.name] = p.value;
      }
      this.db
        .prepare('UPDATE runs SET summary = ?, progress = coalesce(?, progress) WHERE id = ?')
        .run(json(summary), progress ? json(progress) : null, id);
    })();
  }

  metrics(runId: number, sinceStep = -1): MetricPoint[] {
    this.getRun(runId);
    return this.db
      .prepare(
        'SELECT step, name, value, time FROM metrics WHERE run_id = ? AND step > ? ORDER BY step, name',
      )
      .all(runId, sinceStep) as MetricPoint[];
  }

  addCheckpoint(runId: number, step: number, path: string): void {
    this.db
      .prepare('INSERT INTO checkpoints (run_id, step, path, created_at) VALUES (?, ?, ?, ?)')
      .run(runId, step, path, now());
  }

  checkpoints(runId: number): { step: number; path: string }[] {
    return this.db
      .prepare('SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step')
      .all(runId) as {
      step: number;
      path: string;
    }[];
  }

  // ── Worlds ──────────────────────────────────────────────────────────────────────────────
  addWorld(w: {
    name: string;
    seed: number;
    size: string;
    data: unknown;
    counts: Record<string, number>;
    datasets: Record<string, number>;
  }): number {
    const { lastInsertRowid } = this.db
      .prepare(
        'INSERT INTO worlds (name, seed, size, data, counts, datasets, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(w.name, w.seed, w.size, json(w.data), json(w.counts), json(w.datasets), now());
    return Number(lastInsertRowid);
  }

  listWorlds(): WorldSummary[] {
    return (
      this.db
        .prepare('SELECT id, name, seed, size, counts, datasets, created_at FROM worlds ORDER BY id DESC')
        .all() as WorldRow[]
    ).map(toWorld);
  }

  getWorld(id: number): { summary: WorldSummary; data: unknown } {
    const row = this.db.prepare('SELECT * FROM worlds WHERE id = ?').get(id) as
      (WorldRow & { data: string }) | undefined;
    if (!row)
      throw new LabError('not_found', `world ${id} does not exist`, [
        { path: 'id', message: 'no such world' },
      ]);
    return { summary: toWorld(row), data: JSON.parse(row.data) };
  }

  // ── Pipelines ───────────────────────────────────────────────────────────────────────────
  createPipeline(p: {
    name: string;
    preset: string;
    stages: PipelineStage[];
    config: Record<string, unknown>;
  }): Pipeline {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO pipelines (name, preset, status, stages, config, created_at) VALUES (?, ?, 'running', ?, ?, ?)`,
      )
      .run(p.name, p.preset, json(p.stages), json(p.config), now());
    return this.getPipeline(Number(lastInsertRowid));
  }

  getPipeline(id: number): Pipeline {
    const row = this.db.prepare('SELECT * FROM pipelines WHERE id = ?').get(id) as PipelineRow | undefined;
    if (!row)
      throw new LabError('not_found', `pipeline ${id} does not exist`, [
        { path: 'id', message: 'no such pipeline' },
      ]);
    return toPipeline(row);
  }

  listPipelines(): Pipeline[] {
    return (this.db.prepare('SELECT * FROM pipelines ORDER BY id DESC').all() as PipelineRow[]).map(
      toPipeline,
    );
  }

  updatePipeline(
    id: number,
    p: { stages: PipelineStage[]; status: Pipeline['status']; error?: string | null },
  ): Pipeline {
    const finished = p.status === 'running' ? null : now();
    this.db
      .prepare(
        'UPDATE pipelines SET stages = ?, status = ?, error = ?, finished_at = coalesce(?, finished_at) WHERE id = ?',
      )
      .run(json(p.stages), p.status, p.error ?? null, finished, id);
    return this.getPipeline(id);
  }

  // ── Models ──────────────────────────────────────────────────────────────────────────────
  addModel(m: {
    name: string;
    arch: Record<string, unknown>;
    path: string;
    runId: number | null;
    parentId: number | null;
  }): Model {
    const { lastInsertRowid } = this.db
      .prepare(
        'INSERT INTO models (name, arch, path, run_id, parent_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(m.name, json(m.arch), m.path, m.runId, m.parentId, now());
    return this.listModels().find((x) => x.id === Number(lastInsertRowid))!;
  }

  /** A model's weights file, relative to the data folder. */
  modelPath(id: number): string {
    const row = this.db.prepare('SELECT path FROM models WHERE id = ?').get(id) as
      { path: string } | undefined;
    if (!row)
      throw new LabError('not_found', `model ${id} does not exist`, [
        { path: 'id', message: 'no such model' },
      ]);
    return row.path;
  }

  listModels(): Model[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY id DESC').all() as ModelRow[]).map((r) => ({
      id: r.id,
      name: r.name,
      arch: parse<Record<string, unknown>>(r.arch)!,
      runId: r.run_id,
      parentId: r.parent_id,
      kind: modelKind(r.arch),
      createdAt: r.created_at,
    }));
  }

  /**
   * Puts a stopped run back in the queue to continue from its checkpoint at `step`: the config gets
   * `resumeFrom`, and what the stopped attempt recorded after that step (metrics, samples) is dropped,
   * since the resumed run records those steps again.
   */
  requeueFromCheckpoint(id: number, step: number, config: Record<string, unknown>): Run {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(id, step);
      this.db.prepare('DELETE FROM samples WHERE run_id = ? AND step > ?').run(id, step);
      this.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND step > ?').run(id, step);
      this.db
        .prepare(
          "UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, config = ?, progress = NULL, attempt = attempt + 1 WHERE id = ?",
        )
        .run(json(config), id);
    })();
    return this.getRun(id);
  }

  // ── Samples ─────────────────────────────────────────────────────────────────────────────
  addSamples(runId: number, step: number, kind: string, items: readonly Record<string, unknown>[]): void {
    const insert = this.db.prepare('INSERT INTO samples (run_id, step, kind, data) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const item of items) insert.run(runId, step, kind, json(item));
    })();
  }

  /** A run's samples in order; with a `limit`, the newest ones (a long run's latest iterations). */
  samples(runId: number, opts: { step?: number; limit?: number } = {}): RunSample[] {
    const rows = (
      opts.step === undefined
        ? this.db
            .prepare(
              'SELECT * FROM (SELECT * FROM samples WHERE run_id = ? ORDER BY step DESC, id DESC LIMIT ?) ORDER BY step, id',
            )
            .all(runId, opts.limit ?? -1)
        : this.db
            .prepare('SELECT * FROM samples WHERE run_id = ? AND step = ? ORDER BY id LIMIT ?')
            .all(runId, opts.step, opts.limit ?? -1)
    ) as SampleRow[];
    return rows.map(toSample);
  }

  reviewSample(id: number, review: RunSample['review']): RunSample {
    const { changes } = this.db.prepare('UPDATE samples SET review = ? WHERE id = ?').run(review, id);
    if (changes === 0)
      throw new LabError('not_found', `sample ${id} does not exist`, [
        { path: 'id', message: 'no such sample' },
      ]);
    return toSample(this.db.prepare('SELECT * FROM samples WHERE id = ?').get(id) as SampleRow);
  }
}

interface SampleRow {
  id: number;
  run_id: number;
  step: number;
  kind: string;
  data: string;
  review: string | null;
}
function toSample(r: SampleRow): RunSample {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    kind: r.kind,
    data: parse<Record<string, unknown>>(r.data)!,
    review: r.review as RunSample['review'],
  };
}

/** A model whose architecture record names a scalar `score` head is a reward model. */
function modelKind(arch: string): Model['kind'] {
  return (parse<Record<string, unknown>>(arch) ?? {})['head'] === 'score' ? 'reward' : 'lm';
}

interface DatasetRow {
  id: number;
  name: string;
  kind: string;
  created_at: string;
  updated_at: string;
  n: number;
}
const EXAMPLE_QUERY = 'SELECT e.*, d.kind FROM examples e JOIN datasets d ON d.id = e.dataset_id';
interface ExampleRow {
  id: number;
  dataset_id: number;
  kind: RecordKind;
  data: string;
  created_at: string;
  updated_at: string;
}
interface ModelRow {
  id: number;
  name: string;
  arch: string;
  path: string;
  run_id: number | null;
  parent_id: number | null;
  created_at: string;
}

interface PipelineRow {
  id: number;
  name: string;
  preset: string;
  status: string;
  error: string | null;
  stages: string;
  config: string;
  created_at: string;
  finished_at: string | null;
}
function toPipeline(r: PipelineRow): Pipeline {
  return {
    id: r.id,
    name: r.name,
    preset: r.preset,
    status: r.status as Pipeline['status'],
    error: r.error,
    stages: parse<PipelineStage[]>(r.stages)!,
    config: parse<Record<string, unknown>>(r.config)!,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

interface WorldRow {
  id: number;
  name: string;
  seed: number;
  size: string;
  counts: string;
  datasets: string;
  created_at: string;
}
function toWorld(r: WorldRow): WorldSummary {
  return {
    id: r.id,
    name: r.name,
    seed: r.seed,
    size: r.size as WorldSummary['size'],
    createdAt: r.created_at,
    counts: parse<Record<string, number>>(r.counts)!,
    datasets: parse<Record<string, number>>(r.datasets)!,
  };
}

function toExample(r: ExampleRow): Example {
  const record = parse<NormalizedRecord>(r.data)!;
  return {
    id: r.id,
    datasetId: r.dataset_id,
    data: simpleView(r.kind, record),
    record: record as unknown as Record<string, unknown>,
    context: contextTurns(r.kind, record),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    name: r.name,
    algorithm: r.algorithm as Algorithm,
    status: r.status as RunStatus,
    dataset: parse<RunDatasetRef>(r.dataset_ref),
    datasetName: r.dataset_name,
    config: parse<Record<string, unknown>>(r.config)!,
    seed: r.seed,
    backend: parse<BackendInfo>(r.backend),
    inference: parse<InferenceInfo>(r.inference),
    error: r.error,
    progress: parse<RunProgress>(r.progress),
    summary: parse<Record<string, number>>(r.summary)!,
    modelId: r.model_id,
    attempt: r.attempt,
    external: parse<ExternalSource>(r.external),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
