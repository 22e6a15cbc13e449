// Runs the PyTorch reference (../shared/bench/torch_reference.py beside the project) for one workload
// and reads its JSON line, plus the peak resident memory of the python process, measured by a small
// wrapper around the unmodified script (python's resource module at exit). Needs Debian's python3-torch.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The interpreter that sees Debian's torch (see WORKLOADS.md); LAB_TORCH_PYTHON overrides it. */
export function torchPython(): string {
  return process.env['LAB_TORCH_PYTHON']?.trim() || '/usr/bin/python3';
}

/** What the reference prints for one workload (field names as torch_reference.py writes them). */
export interface TorchLine {
  workload: string;
  impl: string;
  threads: number;
  params: number;
  stepsPerSec: number;
  tokensPerSec: number;
  runs: number[];
  firstLoss: number;
  lastLoss: number;
}

/** The project root: the nearest folder above this file (or the working directory) with a package.json. */
export function projectRoot(): string {
  for (const start of [path.dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (;;) {
      if (existsSync(path.join(dir, 'package.json'))) return dir;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return process.cwd();
}

/** `../shared/bench/torch_reference.py`, relative to the project root (LAB_TORCH_REFERENCE overrides it). */
export function torchReferencePath(): string {
  const override = process.env['LAB_TORCH_REFERENCE']?.trim();
  return override || path.resolve(projectRoot(), '..', 'shared', 'bench', 'torch_reference.py');
}

/** null when torch can run here, else why not (a sentence a user can act on). */
export function torchUnavailable(python = torchPython(), script = torchReferencePath()): string | null {
  if (!existsSync(script)) return `the PyTorch reference is not at ${script}`;
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${python} could not be run (${r.error.message})`;
  if (r.status !== 0)
    return `${python} cannot import torch; install it with: apt-get install -y python3-torch libopenblas0-pthread`;
  return null;
}

// Runs the script as __main__ with its arguments and reports the process's peak RSS (KiB on Linux) on stderr.
const WRAPPER = [
  'import atexit, resource, runpy, sys',
  'script = sys.argv[1]',
  'sys.argv = sys.argv[1:]',
  "atexit.register(lambda: sys.stderr.write('LAB_MAXRSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))",
  "runpy.run_path(script, run_name='__main__')",
].join('\n');

export interface TorchRun {
  line: TorchLine;
  /** Peak resident set of the python process in MiB, or null if it could not be read. */
  peakRssMB: number | null;
}

/** Runs the reference on one workload; rejects with the script's stderr on failure. */
export function runTorchReference(
  workload: string,
  runs: number,
  steps: number,
  threads = 1,
  python = torchPython(),
  script = torchReferencePath(),
): Promise<TorchRun> {
  const args = ['-c', WRAPPER, script, workload, '--runs', String(runs), '--steps', String(steps)];
  args.push('--threads', String(threads));
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const jsonLine = out.split('\n').find((l) => l.trim().startsWith('{'));
      if (code !== 0 || !jsonLine) {
        const tail = err.trim().split('\n').slice(-5).join('\n');
        reject(new Error(`torch reference for ${workload} failed (exit ${code}): ${tail || out.trim()}`));
        return;
      }
      const rss = /LAB_MAXRSS_KB=(\d+)/.exec(err);
      resolve({
        line: JSON.parse(jsonLine) as TorchLine,
        peakRssMB: rss ? Math.round(Number(rss[1]) / 1024) : null,
      });
    });
  });
}
