// The CLI's own errors: help on request, and a mistyped flag named in one line, with no stack trace.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../src/main/hosts/cli/main.ts', import.meta.url));
const lab = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('lab CLI', () => {
  it('prints its usage for --help, anywhere, and exits 0', async () => {
    for (const args of [['--help'], ['run', '--help'], ['help']]) {
      const r = await lab(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^usage:\n {2}npm run lab -- run <algorithm>/);
      expect(r.stdout).toContain('pipeline --preset');
    }
  });

  it('names an unknown flag in one line, without a stack trace', async () => {
    const r = await lab('run', 'dpo', '--preset', 'smoke', '--betta', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: Unknown option '--betta'\. \(npm run lab -- --help lists/);
    expect(r.stderr).not.toMatch(/\bat \w+ \(/);
  });

  it("names a sweep's unknown DPO or PPO setting and lists the real ones", async () => {
    const r = await lab('sweep', '--base', '1', '--world', '1', '--ppo', 'learningrate=1e-5');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^error: --ppo: no setting "learningrate" \(settings: .*\blearningRate\b/,
    );
    const bad = await lab('sweep', '--base', '1', '--world', '1', '--dpo', 'beta');
    expect(bad.stderr.trim()).toMatch(/^error: --dpo: "beta" is not KEY=VALUE/);
  });
});
