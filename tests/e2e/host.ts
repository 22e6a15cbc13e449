// Starts the real web host (`out/main/serve.js`, built by `npm run build`) as a child process on a
// fresh data directory, and can restart it on the same directory to check what survives.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base, expect } from '@playwright/test';

const SERVE = resolve('out/main/serve.js');
const START_TIMEOUT_MS = 30_000;

export class LabHost {
  /** The address the host printed, `http://127.0.0.1:PORT/?token=…`. */
  url = '';
  private child: ChildProcess | null = null;
  private stderr = '';

  constructor(readonly dataDir: string) {}

  async start(): Promise<string> {
    if (!existsSync(SERVE)) throw new Error(`${SERVE} is missing: run \`npx electron-vite build\` first`);
    const child = spawn(process.execPath, [SERVE, '--port', '0', '--data', this.dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    this.url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the host printed no URL within ${START_TIMEOUT_MS} ms\n${this.stderr}`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the host exited with code ${code} before printing its URL\n${this.stderr}`));
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        const url = line.trim();
        if (/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/.test(url)) resolveUrl(url);
        else
          reject(new Error(`the host's first line is not its URL: ${JSON.stringify(line)}\n${this.stderr}`));
      });
    });
    child.stdout.resume(); // keep draining what it logs after the URL
    return this.url;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the host and starts a new one on the same data directory (new port, new token). */
  async restart(): Promise<string> {
    await this.stop();
    return this.start();
  }

  /** The host's stderr so far, for failure messages. */
  get log(): string {
    return this.stderr;
  }
}

/**
 * `test` with a `host` fixture (a running web host on a fresh data directory, removed afterwards),
 * and a `page` that fails the test on any uncaught page error or console error, CSP violations
 * included. HTTP 4xx answers are expected (validation errors) and are not counted.
 */
export const test = base.extend<{ host: LabHost }>({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        errors.push(`console: ${m.text()}`);
    });
    await use(page);
    expect(errors, 'errors in the page').toEqual([]);
  },
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use, testInfo) => {
    const dir = mkdtempSync(join(tmpdir(), 'alignment-lab-e2e-'));
    const host = new LabHost(dir);
    await host.start();
    try {
      await use(host);
    } finally {
      await host.stop();
      if (testInfo.status !== testInfo.expectedStatus && host.log)
        await testInfo.attach('host-stderr', { body: host.log });
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

/** Calls the host's HTTP API as the renderer does: POST /api/<method> {input}, bearer token. */
export async function api<T>(host: LabHost, method: string, input?: unknown): Promise<T> {
  const url = new URL(host.url);
  const token = url.searchParams.get('token') ?? '';
  const response = await fetch(new URL(`/api/${method}`, url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ input }),
  });
  const envelope = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message ?? response.status}`);
  return envelope.result as T;
}

export { expect };
