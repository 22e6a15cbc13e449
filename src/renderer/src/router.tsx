// A tiny hash router: routes live after `#` so the `?token=…` query string survives navigation
// and reloads. No dependency: the app has four pages.
import { useEffect, useState } from 'react';
import type { AnchorHTMLAttributes, ReactNode } from 'react';

export type Route =
  | { page: 'datasets' }
  | { page: 'dataset'; id: number }
  | { page: 'runs' }
  | { page: 'run'; id: number }
  | { page: 'notFound'; path: string };

const currentPath = (): string => window.location.hash.replace(/^#/, '') || '/';

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean);
  const [section, rawId, ...rest] = parts;
  if (rest.length > 0) return { page: 'notFound', path };
  const id = rawId === undefined ? null : /^\d+$/.test(rawId) ? Number(rawId) : NaN;
  if (section === undefined) return { page: 'datasets' };
  if (section === 'datasets') {
    if (id === null) return { page: 'datasets' };
    if (Number.isSafeInteger(id) && id > 0) return { page: 'dataset', id };
  }
  if (section === 'runs') {
    if (id === null) return { page: 'runs' };
    if (Number.isSafeInteger(id) && id > 0) return { page: 'run', id };
  }
  return { page: 'notFound', path };
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
  return { route: parseRoute(path), path };
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ReactNode };

export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a href={`#${to}`} {...rest}>
      {children}
    </a>
  );
}
