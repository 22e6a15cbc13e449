import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { tempDir } from './tmp';
import { Lab } from '../../src/main/lab/lab';
import { forkLauncher } from '../../src/main/lab/runner';
import type { Run } from '../../src/shared/schemas';
import { createLabClient, dispatch, type LabApi } from '../../src/shared/api';

/** The run process from source, through tsx (the built one is tested by the e2e suite). */
export const WORKER = fileURLToPath(new URL('../../src/main/lab/worker.ts', import.meta.url));

export function testLab(dataDir: string, poolSize = 2): Lab {
  return new Lab({
    dataDir,
    host: 'cli',
    launch: forkLauncher(WORKER, ['--import', 'tsx']),
    poolSize,
    flushIntervalMs: 100,
  });
}

/** Polls until `pred(run)` holds, or fails after `timeoutMs`. */
export async function waitForRun(
  lab: Lab,
  id: number,
  pred: (r: Run) => boolean,
  timeoutMs = 60_000,
): Promise<Run> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const run = await lab.getRun({ id });
    if (pred(run)) return run;
    if (Date.now() > end)
      throw new Error(`run ${id} did not reach the expected state; last: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Cleanup = () => Promise<void> | void;

/**
 * For a test file: `open(poolSize)` gives a Lab on a fresh temporary folder, and `defer(...)` registers
 * more cleanups; after each test every Lab is closed and every folder removed, last opened first.
 */
export function labFixtures(): {
  open(poolSize?: number): { lab: Lab; dir: string };
  defer(...fns: Cleanup[]): void;
} {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    open(poolSize = 2) {
      const { dir, cleanup } = tempDir();
      const lab = testLab(dir, poolSize);
      cleanups.push(cleanup, () => lab.close());
      return { lab, dir };
    },
    defer: (...fns) => void cleanups.push(...fns),
  };
}

/** The LabApi a host gives the renderer (inputs parsed with their schemas, defaults filled in), over a Lab. */
export function clientOf(lab: Lab): LabApi {
  return createLabClient(
    (method, input) => dispatch(lab, method, input),
    () => () => {},
  );
}
