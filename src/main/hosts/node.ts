// What the web host and the CLI share under plain Node: opening the Lab with forked run processes.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { Lab } from '../lab/lab';
import { forkLauncher } from '../lab/runner';
import type { SystemInfo } from '../../shared/schemas';
import pkg from '../../../package.json';

/**
 * The run process entry: `worker.js` beside the built entry, or the TypeScript source through tsx
 * when the lab itself runs from source (tests).
 */
export function workerLauncher(entryUrl: string) {
  const built = join(dirname(fileURLToPath(entryUrl)), 'worker.js');
  if (existsSync(built)) return forkLauncher(built);
  const source = fileURLToPath(new URL('../lab/worker.ts', import.meta.url));
  return forkLauncher(source, ['--import', 'tsx']);
}

export function openLab(dataDir: string, host: SystemInfo['host'], entryUrl: string, poolSize?: number): Lab {
  return new Lab({ dataDir, host, launch: workerLauncher(entryUrl), poolSize, version: pkg.version });
}
