// The web host: token, Host check, validation, and events over SSE, against a real Lab.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../src/main/hosts/web/server';
import type { Lab } from '../../src/main/lab/lab';
import { tempDir } from '../helpers/tmp';
import { testLab } from '../helpers/lab';

let lab: Lab;
let host: WebHost;
let base: string;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const staticDir = join(t.dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>lab</title>');
  lab = testLab(join(t.dir, 'data'));
  host = await startWebHost(lab, { port: 0, staticDir });
  base = new URL(host.url).origin;
});
afterAll(async () => {
  await host.close();
  await lab.close();
  cleanup();
});

type Body = { ok: boolean; error: { message: string; issues: { path: string; message: string }[] } };
const body = async (r: Response) => (await r.json()) as Body;
const call = (method: string, body: unknown, token: string | null = host.token) =>
  fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('web host', () => {
  it('prints a 127.0.0.1 URL carrying its token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('refuses API calls without the right token with 401', async () => {
    expect((await call('listDatasets', {}, null)).status).toBe(401);
    expect((await call('listDatasets', {}, 'wrong')).status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    expect((await call('listDatasets', {})).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/api/listDatasets`,
        { method: 'POST', headers: { host: 'evil.example:80', authorization: `Bearer ${host.token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(401);
  });

  it('answers bad JSON and bad fields with 400 and the reason', async () => {
    const badJson = await call('createDataset', '{"input": {');
    expect(badJson.status).toBe(400);
    expect((await body(badJson)).error.message).toMatch(/not valid JSON/);

    const badField = await call('createDataset', { input: { name: '', kind: 'preference' } });
    expect(badField.status).toBe(400);
    expect((await body(badField)).error.issues).toEqual([{ path: 'name', message: 'Name is empty' }]);

    const badBeta = await call('startRun', {
      input: { algorithm: 'dpo', dataset: 'seed-dpo', config: { beta: 'abc' } },
    });
    expect(badBeta.status).toBe(400);
    expect((await body(badBeta)).error.issues[0]?.path).toBe('config.beta');

    const missing = await call('getDataset', { input: { id: 12345 } });
    expect(missing.status).toBe(404);
    expect((await call('noSuchMethod', {})).status).toBe(404);
  });

  it('serves the renderer and refuses paths outside it', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>lab</title>');
    expect((await fetch(`${base}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });

  it('streams run status and progress events over SSE', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events?token=${host.token}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const created = await body(
      await call('startRun', { input: { algorithm: 'dpo', dataset: 'seed-dpo', config: { epochs: 1 } } }),
    );
    expect(created.ok).toBe(true);
    let text = '';
    const decoder = new TextDecoder();
    while (!/"status":"completed"/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    expect(text).toMatch(/event: runStatus\ndata: \{"id":\d+/);
    expect(text).toMatch(/event: runProgress\ndata: /);
  });
});
