// The shell: navigation, the current page, and a status footer with what the lab runs on.
import { useEffect, useRef } from 'react';
import { Link, useRoute } from './router';
import type { Route } from './router';
import { lab, errorMessage } from './lab';
import { useLoad } from './hooks';
import { NotFound } from './components/ui';
import { DatasetsPage } from './pages/DatasetsPage';
import { DatasetPage } from './pages/DatasetPage';
import { RunsPage } from './pages/RunsPage';
import { RunPage } from './pages/RunPage';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'datasets':
      return <DatasetsPage />;
    case 'dataset':
      return <DatasetPage key={route.id} id={route.id} />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'notFound':
      return (
        <NotFound what={`There is no page at “${route.path}”.`} back="/datasets" backLabel="Go to Datasets" />
      );
  }
}

function SystemFooter() {
  const { data } = useLoad(() => lab.systemInfo());
  return (
    <footer className="app-footer" aria-label="System information">
      {data.state === 'loading' && <span className="muted">Connecting to the lab…</span>}
      {data.state === 'error' && (
        <span className="footer-error">Lab unavailable: {errorMessage(data.error)}</span>
      )}
      {data.state === 'ready' && (
        <dl className="footer-info">
          <div>
            <dt>Compute</dt>
            <dd>
              <strong>{data.value.backend.name}</strong>{' '}
              <span className="muted">— {data.value.backend.reason}</span>
            </dd>
          </div>
          <div>
            <dt>Data</dt>
            <dd>
              <code>{data.value.dataDir}</code>
            </dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>
              {data.value.version} ({data.value.host}, {data.value.cores} cores, {data.value.poolSize} run
              slots)
            </dd>
          </div>
        </dl>
      )}
    </footer>
  );
}

export function App() {
  const { route, path } = useRoute();
  const section =
    route.page === 'run' || route.page === 'runs' ? 'runs' : route.page === 'notFound' ? null : 'datasets';
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After in-app navigation, move focus to the new page's heading so screen readers announce it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    if (heading) heading.focus();
    else mainRef.current?.focus();
  }, [path]);

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/datasets" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          Alignment Lab
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link to="/datasets" aria-current={section === 'datasets' ? 'page' : undefined}>
                Datasets
              </Link>
            </li>
            <li>
              <Link to="/runs" aria-current={section === 'runs' ? 'page' : undefined}>
                Runs
              </Link>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Page route={route} />
      </main>
      <SystemFooter />
    </div>
  );
}
