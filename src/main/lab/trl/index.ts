// The hand-off to TRL as the Lab offers it: a run exported as a TRL project (zipped for a download),
// a trainer_state.json imported as an external run, a GPT-2 checkpoint folder imported as a base model.
// Errors are LabErrors naming the input field.
import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { LabError } from '../../../shared/api';
import type { Algorithm, ExportTrlResult, Model, Run } from '../../../shared/schemas';
import { readGpt2Folder, writeImportedModel } from '../../engine/model/gpt2-import';
import type { Store } from '../store';
import { trlProjectOfRun, trlProjectZip } from './export';
import { parseTrainerLogs } from './trainer-state';

/** Larger projects (a full-size GPT-2 inside) are written by the CLI instead of sent as one base64 string. */
const MAX_DOWNLOAD_BYTES = 256 * 2 ** 20;
const invalid = (path: string, message: string) =>
  new LabError('invalid', `${path}: ${message}`, [{ path, message }]);

/** A run as a zipped TRL project folder named after it. */
export async function exportTrlZip(store: Store, dataDir: string, runId: number): Promise<ExportTrlResult> {
  const run = store.getRun(runId);
  const project = await trlProjectOfRun(store, dataDir, runId);
  const bytes = project.files.reduce(
    (n, f) => n + (typeof f.data === 'string' ? f.data.length : f.data.byteLength),
    0,
  );
  if (bytes > MAX_DOWNLOAD_BYTES)
    throw invalid(
      'runId',
      `the project is ${Math.round(bytes / 2 ** 20)} MB, too large to download through the app; write it with npm run lab -- export-trl ${runId} --out DIR`,
    );
  const slug = run.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  const root = `trl-${run.id}-${slug}`.slice(0, 80);
  return {
    filename: `${root}.zip`,
    base64: Buffer.from(trlProjectZip(root, project.files)).toString('base64'),
    files: project.files.map((f) => f.path),
    trainer: project.mapping.trainer,
    noCounterpart: project.mapping.noCounterpart.map(({ lab, reason }) => ({ lab, reason })),
  };
}

/** A trainer_state.json (or TRL log lines) as a completed external run with the same metrics a local run has. */
export function importExternalRun(
  store: Store,
  input: { text: string; name: string; source: string; algorithm?: Algorithm },
): Run {
  const start = Date.now();
  let parsed;
  try {
    parsed = parseTrainerLogs(input.text, start);
  } catch (e) {
    throw invalid('text', `${input.source}: ${(e as Error).message}`);
  }
  const algorithm = input.algorithm ?? parsed.algorithm;
  const end = start + (parsed.runtimeSeconds ?? 0) * 1000;
  return store.createExternalRun({
    name: input.name,
    algorithm,
    dataset: null,
    datasetName: `imported from ${input.source}`,
    config: { importedFrom: input.source, ...parsed.info },
    seed: 0,
    points: parsed.points,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(end).toISOString(),
    external: {
      source: input.source,
      format: parsed.format,
      importedAt: new Date(start).toISOString(),
      info: { ...parsed.info, ...(parsed.warnings.length ? { warnings: parsed.warnings.join('; ') } : {}) },
    },
  });
}

/** A GPT-2-family folder on this machine → the lab's model files in `models/`, registered as a base model. */
export async function importGpt2Model(
  store: Store,
  dataDir: string,
  input: { path: string; name?: string },
): Promise<Model> {
  const dir = resolve(input.path);
  if (!existsSync(dir)) throw invalid('path', `${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw invalid('path', `${dir} is not a folder (give the model's folder)`);
  let folder;
  try {
    folder = await readGpt2Folder(dir);
  } catch (e) {
    throw invalid('path', (e as Error).message);
  }
  const outDir = join(dataDir, 'models', `gpt2-import-${Date.now()}`);
  const { path, arch } = await writeImportedModel(outDir, folder, dir);
  return store.addModel({
    name: input.name ?? basename(dir),
    arch: { ...arch, source: dir },
    path: relative(dataDir, path),
    runId: null,
    parentId: null,
  });
}
