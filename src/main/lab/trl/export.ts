// Export a stored run as a TRL project (see project.ts): gathers what the Store and the run's folder
// hold (the resolved config, the inputs snapshot, the model files it started from) and writes the
// folder, or packs it as one zip for a browser download.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LabError } from '../../../shared/api';
import { ALGORITHM_LABELS } from '../../../shared/schemas';
import { readModelRecord } from '../../engine/checkpoint';
import type { Store } from '../store';
import type { OutFile } from './hf-model';
import { isTrlAlgorithm } from './mapping';
import { buildTrlProject, type TrlProject } from './project';
import { zip } from './zip';

export async function trlProjectOfRun(store: Store, dataDir: string, runId: number): Promise<TrlProject> {
  const run = store.getRun(runId);
  const refuse = (message: string) =>
    new LabError('invalid', `runId: ${message}`, [{ path: 'runId', message }]);
  if (!isTrlAlgorithm(run.algorithm))
    throw refuse(
      `a ${ALGORITHM_LABELS[run.algorithm]} run has no TRL trainer; export SFT, reward model, DPO-family or PPO runs`,
    );
  if (run.external) throw refuse('this run was imported from outside the lab; it has no inputs to export');
  const inputsFile = join(dataDir, 'runs', String(run.id), 'inputs.json');
  if (!existsSync(inputsFile))
    throw refuse(`run ${run.id} has no inputs snapshot (${inputsFile} is missing)`);
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Record<string, unknown>;
  const modelFile = (id: unknown, path: string): string | null => {
    if (typeof id !== 'number') return null;
    try {
      return join(dataDir, store.modelPath(id));
    } catch {
      throw new LabError('invalid', `${path}: model ${id} no longer exists`, [
        { path, message: 'no such model' },
      ]);
    }
  };
  let trainedTokenizer: Record<string, unknown> | null = null;
  if (run.algorithm === 'pretrain' && run.modelId !== null) {
    const file = join(dataDir, store.modelPath(run.modelId));
    const spec = (await readModelRecord(file)).arch.tokenizer;
    if (spec?.endsWith('.json'))
      trainedTokenizer = JSON.parse(readFileSync(join(dirname(file), spec), 'utf8')) as Record<
        string,
        unknown
      >;
  }
  try {
    return await buildTrlProject({
      run: { ...run, algorithm: run.algorithm },
      inputs,
      baseModel: modelFile(run.config['baseModel'], 'config.baseModel'),
      rewardModel:
        run.algorithm === 'ppo' && run.config['rewardSource'] === 'model'
          ? modelFile(run.config['rewardModel'], 'config.rewardModel')
          : null,
      trainedTokenizer,
    });
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw refuse((e as Error).message);
  }
}

/** Writes the project's files under `outDir` (created); returns their paths relative to it. */
export async function writeTrlProject(outDir: string, files: readonly OutFile[]): Promise<string[]> {
  for (const f of files) {
    const path = join(outDir, ...f.path.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.data);
  }
  return files.map((f) => f.path);
}

/** The project as one zip, its files under a folder named `root`. */
export function trlProjectZip(root: string, files: readonly OutFile[]): Uint8Array {
  const enc = new TextEncoder();
  return zip(
    files.map((f) => ({
      path: `${root}/${f.path}`,
      data: typeof f.data === 'string' ? enc.encode(f.data) : f.data,
    })),
  );
}
