// The shell: navigation, the current page, and a status footer with what the lab runs on.
import { useEffect, useRef } from 'react';
import { Link, useRoute } from './router';
import type { Route } from './router';
import { lab, errorMessage } from './lab';
import { useLoad } from './hooks';
import { NotFound } from './components/ui';
import { InferenceLabel } from './components/InferenceLabel';
import { DatasetsPage } from './pages/DatasetsPage';
import { DatasetPage } from './pages/DatasetPage';
import { RunsPage } from './pages/RunsPage';
import { RunPage } from './pages/RunPage';
import { CaiReviewPage } from './pages/CaiReviewPage';
import { PipelinesPage } from './pages/PipelinesPage';
import { PipelinePage } from './pages/PipelinePage';
import { WorldPage } from './pages/WorldPage';
import { PlaygroundPage } from './pages/PlaygroundPage';
import { TemplatesPage } from './pages/TemplatesPage';
import { RewardModelsPage } from './pages/RewardModelsPage';
import { ComparePage } from './pages/ComparePage';
import { TaxPage } from './pages/TaxPage';

/** The main navigation: each section and the pages it covers. */
const SECTIONS = [
  { to: '/datasets', label: 'Datasets', pages: ['datasets', 'dataset', 'world'] },
  { to: '/runs', label: 'Runs', pages: ['runs', 'run', 'caiReview'] },
  { to: '/pipelines', label: 'Pipelines', pages: ['pipelines', 'pipeline'] },
  { to: '/compare', label: 'Compare', pages: ['compare'] },
  { to: '/tax', label: 'Alignment tax', pages: ['tax'] },
  { to: '/playground', label: 'Playground', pages: ['playground'] },
  { to: '/reward-models', label: 'Reward models', pages: ['rewardModels'] },
  { to: '/templates', label: 'Templates', pages: ['templates'] },
] as const satisfies readonly { to: string; label: string; pages: readonly Route['page'][] }[];

const sectionOf = (page: Route['page']) =>
  SECTIONS.find((s) => (s.pages as readonly Route['page'][]).includes(page))?.to ?? null;

/** The model the playground or the reward scoring view opens with (`#/playground?model=3`), or null. */
const modelParam = (query: URLSearchParams): number | null => {
  const raw = query.get('model');
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
};

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
    case 'caiReview':
      return <CaiReviewPage key={route.id} id={route.id} />;
    case 'pipelines':
      return <PipelinesPage />;
    case 'pipeline':
      return <PipelinePage key={route.id} id={route.id} />;
    case 'world':
      return <WorldPage key={route.id} id={route.id} />;
    case 'playground': {
      // A new `?model=` (a link from a run) opens a fresh playground on that model.
      const model = modelParam(route.query);
      return <PlaygroundPage key={model ?? 'none'} initialModelId={model} />;
    }
    case 'templates':
      return <TemplatesPage />;
    case 'rewardModels': {
      const model = modelParam(route.query);
      return <RewardModelsPage key={model ?? 'none'} initialModelId={model} />;
    }
    case 'compare':
      return <ComparePage query={route.query} />;
    case 'tax':
      return <TaxPage query={route.query} />;
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
            <dt>Inference</dt>
            <dd>
              <InferenceLabel info={data.value.inference} long />
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
  const section = sectionOf(route.page);
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After in-app navigation, move focus to the new page's heading so screen readers announce it. A
  // page that only changes its own query (a dialog's `?new=`) keeps focus where it is; a new
  // `?model=` opens a new playground, so it counts as navigation.
  const pageKey = route.page === 'playground' || route.page === 'rewardModels' ? path : path.split('?')[0];
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    if (heading) heading.focus();
    else mainRef.current?.focus();
  }, [pageKey]);

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
            {SECTIONS.map((s) => (
              <li key={s.to}>
                <Link to={s.to} aria-current={section === s.to ? 'page' : undefined}>
                  {s.label}
                </Link>
              </li>
            ))}
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
