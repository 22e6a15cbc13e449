// The web host: the same LabApi over HTTP + server-sent events, for where Electron cannot start
// and for the end-to-end tests. Bound to 127.0.0.1, guarded by a per-launch token (like a notebook
// server) and a Host-header check (against DNS rebinding). Serves the built renderer as static files.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  HTTP_EVENTS_ROUTE,
  HTTP_STATUS,
  LAB_METHODS,
  dispatch,
  httpRoute,
  type Envelope,
  type LabMethod,
} from '../../../shared/api';
import type { Lab } from '../../lab/lab';
import { MAX_IMPORT_BYTES } from '../../../shared/schemas';

/** Largest request body accepted: an import of the largest file the lab takes, in its JSON envelope. */
const MAX_BODY_BYTES = MAX_IMPORT_BYTES * 2 + 1024 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export interface WebHostOptions {
  port: number;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  token?: string;
}

export interface WebHost {
  url: string;
  token: string;
  close(): Promise<void>;
}

const routes = new Map<string, LabMethod>(LAB_METHODS.map((m) => [httpRoute(m), m]));

function send(res: ServerResponse, status: number, body: Envelope): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(data);
}
const fail = (res: ServerResponse, code: keyof typeof HTTP_STATUS, message: string) =>
  send(res, HTTP_STATUS[code], { ok: false, error: { code, message, issues: [] } });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit, keep reading (and dropping) so that the client gets the 400 and its reason.
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(new Error(`request body is larger than ${MAX_BODY_BYTES} bytes`))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

export async function startWebHost(lab: Lab, o: WebHostOptions): Promise<WebHost> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token');
    if (!given) return false;
    const buf = Buffer.from(given);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };
  let port = o.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const streams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) fail(res, 'internal', e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? ''))
      return fail(res, 'unauthorized', 'unexpected Host header');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname.startsWith('/api/')) {
      if (!authorized(req, url))
        return fail(res, 'unauthorized', 'missing or wrong token: open the URL the lab printed');
      if (url.pathname === HTTP_EVENTS_ROUTE && req.method === 'GET') return openEvents(res);
      const method = routes.get(url.pathname);
      if (!method) return fail(res, 'not_found', `no such API route ${url.pathname}`);
      if (req.method !== 'POST') return fail(res, 'invalid', `${url.pathname} takes POST`);
      let body: unknown;
      try {
        const text = await readBody(req);
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch (e) {
        const message = (e as Error).message;
        return fail(
          res,
          'invalid',
          message.startsWith('request body') ? message : `request body is not valid JSON: ${message}`,
        );
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return fail(res, 'invalid', 'request body must be a JSON object like {"input": …}');
      }
      const env = await dispatch(lab, method, (body as { input?: unknown }).input);
      return send(res, env.ok ? 200 : HTTP_STATUS[env.error.code], env);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'invalid', 'static files take GET');
    return serveStatic(url.pathname, res);
  }

  function openEvents(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  const unsubscribe = lab.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const s of streams) s.write(frame);
  });
  const keepAlive = setInterval(() => {
    for (const s of streams) s.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    const file = join(o.staticDir, rel === '' ? 'index.html' : rel);
    if (!file.startsWith(o.staticDir + sep) && file !== o.staticDir)
      return fail(res, 'not_found', 'not found');
    try {
      const data = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
      });
      res.end(data);
    } catch {
      fail(res, 'not_found', `not found: ${pathname}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    close: async () => {
      unsubscribe();
      clearInterval(keepAlive);
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
