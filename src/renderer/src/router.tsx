// A tiny hash router: routes live after `#` so the `?token=…` query string survives navigation
// and reloads. No dependency: the app has a handful of pages. A route may carry its own query after
// the path (`#/playground?model=3`, `#/runs?new=sft&base=3`); every route keeps it as `query`.
import { useEffect, useMemo, useState } from 'react';
import type { AnchorHTMLAttributes, ReactNode } from 'react';

export type Route = (
  | { page: 'datasets' }
  | { page: 'dataset'; id: number }
  | { page: 'world'; id: number }
  | { page: 'runs' }
  | { page: 'run'; id: number }
  | { page: 'caiReview'; id: number }
  | { page: 'pipelines' }
  | { page: 'pipeline'; id: number }
  | { page: 'playground' }
  | { page: 'templates' }
  | { page: 'rewardModels' }
  | { page: 'compare' }
  | { page: 'tax' }
  | { page: 'notFound'; path: string }
) & {
  /** The query after the path in the hash (empty when there is none). */
  query: URLSearchParams;
};

const currentPath = (): string => window.location.hash.replace(/^#/, '') || '/';

/** A positive whole number, or null for none, or NaN for anything else. */
const parseId = (raw: string | undefined): number | null =>
  raw === undefined ? null : /^\d+$/.test(raw) ? Number(raw) : NaN;
const isId = (id: number | null): id is number => id !== null && Number.isSafeInteger(id) && id > 0;

export function parseRoute(path: string): Route {
  const q = path.indexOf('?');
  const pathname = q === -1 ? path : path.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : path.slice(q + 1));
  const parts = pathname.split('/').filter(Boolean);
  const [section, rawId, ...rest] = parts;
  const notFound = { page: 'notFound' as const, path, query };
  if (section === 'runs' && rest.length === 1 && rest[0] === 'review') {
    const runId = parseId(rawId); // `/runs/:id/review`: a Constitutional AI run's pairs
    return isId(runId) ? { page: 'caiReview', id: runId, query } : notFound;
  }
  if (rest.length > 0) return notFound;
  const id = parseId(rawId);
  switch (section) {
    case undefined:
      return { page: 'datasets', query };
    case 'datasets':
      if (id === null) return { page: 'datasets', query };
      return isId(id) ? { page: 'dataset', id, query } : notFound;
    case 'worlds':
      return isId(id) ? { page: 'world', id, query } : notFound;
    case 'runs':
      if (id === null) return { page: 'runs', query };
      return isId(id) ? { page: 'run', id, query } : notFound;
    case 'pipelines':
      if (id === null) return { page: 'pipelines', query };
      return isId(id) ? { page: 'pipeline', id, query } : notFound;
    case 'playground':
      return id === null ? { page: 'playground', query } : notFound;
    case 'templates':
      return id === null ? { page: 'templates', query } : notFound;
    case 'reward-models':
      return id === null ? { page: 'rewardModels', query } : notFound;
    case 'compare':
      return id === null ? { page: 'compare', query } : notFound;
    case 'tax':
      return id === null ? { page: 'tax', query } : notFound;
    default:
      return notFound;
  }
}

export function navigate(path: string): void {
  window.location.hash = path;
}

/** The current route; re-renders on every hash change. */
export function useRoute(): { route: Route; path: string } {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const route = useMemo(() => parseRoute(path), [path]);
  return { route, path };
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ReactNode };

export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a href={`#${to}`} {...rest}>
      {children}
    </a>
  );
}
