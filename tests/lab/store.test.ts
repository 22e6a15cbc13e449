import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, Store } from '../../src/main/lab/store';
import { LabError } from '../../src/shared/api';
import { tempDir } from '../helpers/tmp';
import { fromSimple } from '../../src/shared/examples';

const pair = (prompt: string, chosen: string, rejected: string) =>
  fromSimple('preference', { prompt, chosen, rejected });

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('Store', () => {
  it('migrates an empty database to the current schema, in WAL mode with foreign keys', () => {
    const store = new Store(':memory:');
    expect(SCHEMA_VERSION).toBeGreaterThan(0);
    expect(store.version).toBe(SCHEMA_VERSION);
    const tables = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining(['checkpoints', 'datasets', 'examples', 'metrics', 'models', 'runs']),
    );
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
  });

  it('reopens an existing file without re-running migrations and keeps its rows', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'lab.sqlite');
    const a = new Store(file);
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    a.createDataset('one', 'preference');
    a.close();
    const b = new Store(file);
    expect(b.version).toBe(SCHEMA_VERSION);
    expect(b.listDatasets().map((d) => d.name)).toEqual(['one']);
    b.close();
  });

  it('migrates version-1 examples (form fields) to conversational records', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'lab.sqlite');
    // A version-1 database, as that release wrote it: its schema, examples stored as form fields.
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0] as string);
    v1.exec(
      "INSERT INTO datasets (id, name, kind, created_at, updated_at) VALUES (1, 'old', 'preference', 't', 't'), (2, 'sft', 'instruction', 't', 't')",
    );
    v1.exec(`INSERT INTO examples (dataset_id, data, created_at, updated_at) VALUES
      (1, '{"prompt":"Q","chosen":"good","rejected":"bad"}', 't', 't'),
      (2, '{"prompt":"Hi","response":"Hello"}', 't', 't')`);
    v1.pragma('user_version = 1');
    v1.close();
    const v2 = new Store(file);
    expect(v2.version).toBe(SCHEMA_VERSION);
    const [pref] = v2.listExamples(1);
    expect(pref!.record).toEqual({
      prompt: [{ role: 'user', content: 'Q' }],
      chosen: [{ role: 'assistant', content: 'good' }],
      rejected: [{ role: 'assistant', content: 'bad' }],
    });
    expect(pref!.data).toEqual({ prompt: 'Q', chosen: 'good', rejected: 'bad' });
    expect(v2.listExamples(2)[0]!.record).toEqual({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    });
    v2.close();
  });

  it('refuses a database from a newer lab instead of corrupting it', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'lab.sqlite');
    const a = new Store(file);
    a.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    a.close();
    expect(() => new Store(file)).toThrow(/newer than this lab/);
  });

  it('keeps datasets, examples and counts consistent; deleting a dataset removes its examples', () => {
    const store = new Store(':memory:');
    const ds = store.createDataset('prefs', 'preference');
    const e1 = store.addExample(ds.id, pair('p', 'c', 'r'));
    store.addExample(ds.id, pair('p2', 'c2', 'r2'));
    expect(store.getDataset(ds.id).exampleCount).toBe(2);
    expect(store.updateExample(e1.id, pair('p', 'better', 'r')).data.chosen).toBe('better');
    store.deleteExample(e1.id);
    expect(store.listExamples(ds.id)).toHaveLength(1);
    store.deleteDataset(ds.id);
    expect(store.db.prepare('SELECT count(*) FROM examples').pluck().get()).toBe(0);
    expect(() => store.getDataset(ds.id)).toThrow(LabError);
    store.close();
  });

  it('records metrics and the latest value of each in one batch', () => {
    const store = new Store(':memory:');
    const run = store.createRun({
      name: 'r',
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      datasetName: 's',
      config: { beta: 0.1 },
      seed: 1,
    });
    store.recordProgress(run.id, { step: 2, totalSteps: 4, epoch: 0.5, elapsedMs: 10, etaMs: 10 }, [
      { step: 1, name: 'loss', value: 0.7, time: 1 },
      { step: 2, name: 'loss', value: 0.6, time: 2 },
    ]);
    const got = store.getRun(run.id);
    expect(got.summary).toEqual({ loss: 0.6 });
    expect(got.progress?.step).toBe(2);
    expect(store.metrics(run.id).map((m) => m.value)).toEqual([0.7, 0.6]);
    expect(store.metrics(run.id, 1).map((m) => m.step)).toEqual([2]);
    store.close();
  });

  it('marks runs left running as interrupted', () => {
    const store = new Store(':memory:');
    const run = store.createRun({
      name: 'r',
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      datasetName: 's',
      config: {},
      seed: 0,
    });
    store.setRunStatus(run.id, 'running');
    expect(store.interruptStaleRuns()).toBe(1);
    const after = store.getRun(run.id);
    expect(after.status).toBe('interrupted');
    expect(after.finishedAt).not.toBeNull();
    store.close();
  });

  it('keeps every committed row when its writer is killed with SIGKILL', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'lab.sqlite');
    const writer = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('committed') && resolve());
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 200)); // let it write more while we kill it
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    const store = new Store(file); // runs quick_check on open
    const [ds] = store.listDatasets();
    expect(ds?.name).toBe('survivor');
    expect(ds!.exampleCount).toBeGreaterThanOrEqual(50);
    const run = store.listRuns()[0]!;
    expect(store.metrics(run.id).map((m) => m.value)).toEqual([0.69, 0.6, 0.5]);
    store.close();
  });
});
