// Small hooks shared by the pages: loading a resource, the system colour scheme, throttling.
import { useCallback, useEffect, useRef, useState } from 'react';
import { LabError } from '../../shared/api';

export type Loadable<T> =
  { state: 'loading' } | { state: 'error'; error: unknown; notFound: boolean } | { state: 'ready'; value: T };

/**
 * Runs `load` on mount; `reload()` runs it again without a loading flash. The first `load` is kept:
 * pages that show one record are keyed by its id, so a new id mounts a new page.
 */
export function useLoad<T>(load: () => Promise<T>) {
  const [data, setData] = useState<Loadable<T>>({ state: 'loading' });
  const [loader] = useState(() => load);
  const generation = useRef(0);

  const reload = useCallback((): Promise<void> => {
    const mine = ++generation.current;
    return loader().then(
      (value) => {
        if (mine === generation.current) setData({ state: 'ready', value });
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setData({ state: 'error', error, notFound: error instanceof LabError && error.code === 'not_found' });
      },
    );
  }, [loader]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, setData, reload };
}

/** True while the system prefers a dark colour scheme. */
export function usePrefersDark(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark;
}
