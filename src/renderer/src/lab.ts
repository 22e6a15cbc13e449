// The renderer's one LabApi: the preload's `window.lab` under Electron, or a web client over
// HTTP + server-sent events when the page is served by the web host (`npm run serve`, the e2e tests).
import { createLabClient, httpRoute, HTTP_EVENTS_ROUTE, LabError, withLabErrors } from '../../shared/api';
import type { Envelope, LabApi, LabEvent, LabMethod, Unsubscribe } from '../../shared/api';

const TOKEN_KEY = 'alignment-lab.token';

/**
 * The per-launch token: from `?token=…` in the page URL (the host prints that URL), remembered in
 * sessionStorage so that a reload or a hand-typed hash route keeps working. Routing uses the hash,
 * so the query string survives navigation.
 */
export function readToken(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  const stored = sessionStorage.getItem(TOKEN_KEY) ?? '';
  if (stored) {
    const url = `${window.location.pathname}?token=${encodeURIComponent(stored)}${window.location.hash}`;
    window.history.replaceState(window.history.state, '', url);
  }
  return stored;
}

function failure(code: 'internal' | 'unauthorized', message: string): Envelope {
  return { ok: false, error: { code, message, issues: [] } };
}

/** A LabApi over the web host's HTTP routes and its one shared EventSource. */
export function createWebLab(token: string): LabApi {
  const call = async (method: LabMethod, input: unknown): Promise<Envelope> => {
    let response: Response;
    try {
      response = await fetch(httpRoute(method), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ input }),
      });
    } catch {
      return failure('internal', 'Cannot reach the lab host. Is it still running?');
    }
    try {
      return (await response.json()) as Envelope;
    } catch {
      if (response.status === 401)
        return failure('unauthorized', 'Open the lab with the link (and its token) that the host printed.');
      return failure(
        'internal',
        `The host answered ${response.status} ${response.statusText} without a result.`,
      );
    }
  };

  // One EventSource for every subscription, opened on the first and kept for the page's life
  // (it reconnects by itself), so moving between pages never drops events in a reconnect gap.
  const listeners = new Map<LabEvent, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;
  const attached = new Set<LabEvent>();
  const attach = (event: LabEvent) => {
    if (!source || attached.has(event)) return;
    attached.add(event);
    source.addEventListener(event, (message) => {
      let payload: unknown;
      try {
        payload = JSON.parse((message as MessageEvent<string>).data);
      } catch {
        console.error(`dropped a ${event} event that is not JSON`);
        return;
      }
      for (const listener of listeners.get(event) ?? []) listener(payload);
    });
  };
  const subscribe = (event: LabEvent, listener: (payload: unknown) => void): Unsubscribe => {
    source ??= new EventSource(`${HTTP_EVENTS_ROUTE}?token=${encodeURIComponent(token)}`);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    attach(event);
    return () => {
      set.delete(listener);
    };
  };

  return createLabClient(call, subscribe);
}

// Under Electron, errors cross contextBridge as plain objects: withLabErrors makes them LabErrors again.
export const lab: LabApi = window.lab ? withLabErrors(window.lab) : createWebLab(readToken());

/** A sentence for any error a call may throw. */
export function errorMessage(e: unknown): string {
  if (e instanceof LabError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
