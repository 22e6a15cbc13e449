// A Constitutional AI run's pairs, for a person to review before they become training data: each
// pair's flagged principles, critiques and original → revised diff; approve or reject with the
// buttons or the keys (j/k move, a approve, r reject, u clear); filters by principle and by review;
// and the approved (or all not rejected) pairs as a new preference dataset, revised chosen.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { TERMINAL_STATUSES } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { Alert, EmptyState, LoadError, Loading, NotFound } from '../components/ui';
import { StatusBadge } from '../components/Progress';
import { PairCard, readPairs } from '../components/CaiPair';
import { CreateDataset } from '../components/CaiDatasetForm';
import type { Pair, Review } from '../components/CaiPair';
import { plural } from '../components/ExampleFields';
import '../cai.css';

/** Every pair of a run fits in one request: a CAI run keeps at most a few thousand. */
const SAMPLE_LIMIT = 10_000;
const UNFLAGGED = '\u0000unflagged';
type ReviewFilter = 'all' | 'none' | 'approved' | 'rejected';
const REVIEW_FILTERS: { value: ReviewFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'none', label: 'Not reviewed' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
];

async function load(id: number) {
  const [run, samples] = await Promise.all([
    lab.getRun({ id }),
    lab.runSamples({ runId: id, limit: SAMPLE_LIMIT }),
  ]);
  return { run, ...readPairs(samples) };
}

/** Flags per principle, most flagged first. */
function flagCounts(pairs: Pair[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const p of pairs) for (const f of p.flagged) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** True when a key press belongs to a control (typing a name, choosing a filter), not to the page. */
const typing = (e: KeyboardEvent) =>
  e.ctrlKey ||
  e.metaKey ||
  e.altKey ||
  (e.target instanceof HTMLElement &&
    (e.target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName))) ||
  document.querySelector('dialog[open]') !== null;

export function CaiReviewPage({ id }: { id: number }) {
  const { data, setData, reload } = useLoad(() => load(id));
  const [principle, setPrinciple] = useState<string>('');
  const [reviewFilter, setReviewFilter] = useState<ReviewFilter>('all');
  const [currentId, setCurrentId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [confirmBulk, setConfirmBulk] = useState(false);
  const cards = useRef(new Map<number, HTMLElement>());
  const filterId = useId();

  // A run still going: reload when it finishes, so its pairs appear.
  const running = data.state === 'ready' && !TERMINAL_STATUSES.includes(data.value.run.status);
  useEffect(() => {
    if (!running) return;
    return lab.onRunStatus((run) => {
      if (run.id === id && TERMINAL_STATUSES.includes(run.status)) void reload();
    });
  }, [running, id, reload]);

  const pairs = useMemo(() => (data.state === 'ready' ? data.value.pairs : []), [data]);
  const counts = useMemo(() => flagCounts(pairs), [pairs]);
  const unflagged = pairs.filter((p) => p.flagged.length === 0).length;
  const visible = useMemo(
    () =>
      pairs.filter(
        (p) =>
          (principle === '' ||
            (principle === UNFLAGGED ? p.flagged.length === 0 : p.flagged.includes(principle))) &&
          (reviewFilter === 'all' || (p.review ?? 'none') === reviewFilter),
      ),
    [pairs, principle, reviewFilter],
  );
  const current = visible.find((p) => p.id === currentId) ?? visible[0] ?? null;

  const focusPair = useCallback((pairId: number | undefined) => {
    if (pairId === undefined) return;
    setCurrentId(pairId);
    requestAnimationFrame(() => cards.current.get(pairId)?.focus());
  }, []);

  const review = useCallback(
    async (pair: Pair, verdict: Review, advance: boolean) => {
      setBusy(true);
      setError(null);
      try {
        const saved = await lab.reviewSample({ id: pair.id, review: verdict });
        setData((d) =>
          d.state === 'ready'
            ? {
                state: 'ready',
                value: {
                  ...d.value,
                  pairs: d.value.pairs.map((p) => (p.id === saved.id ? { ...p, review: saved.review } : p)),
                },
              }
            : d,
        );
        setAnnouncement(`Pair ${pair.number} ${verdict ?? 'not reviewed'}`);
        if (advance) {
          const at = visible.findIndex((p) => p.id === pair.id);
          focusPair((visible[at + 1] ?? visible[at - 1] ?? pair).id);
        }
      } catch (e) {
        setError(`Could not save the review of pair ${pair.number}: ${errorMessage(e)}`);
      } finally {
        setBusy(false);
      }
    },
    [setData, visible, focusPair],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e) || !current || busy) return;
      const at = visible.indexOf(current);
      const act: Record<string, () => void> = {
        j: () => focusPair(visible[at + 1]?.id),
        k: () => focusPair(visible[at - 1]?.id),
        a: () => void review(current, 'approved', true),
        r: () => void review(current, 'rejected', true),
        u: () => void review(current, null, false),
      };
      const fn = act[e.key];
      if (!fn) return;
      e.preventDefault();
      fn();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [current, visible, busy, review, focusPair]);

  const approveShown = async () => {
    setConfirmBulk(false);
    for (const p of visible.filter((v) => v.review === null)) await review(p, 'approved', false);
  };

  if (data.state === 'loading') return <Loading what="the run's pairs" />;
  if (data.state === 'error') {
    if (data.notFound)
      return <NotFound what={`There is no run #${id}.`} back="/runs" backLabel="Back to the list of runs" />;
    return <LoadError error={data.error} retry={() => void reload()} />;
  }
  const { run, unreadable } = data.value;
  if (run.algorithm !== 'cai')
    return (
      <NotFound
        what={`Run #${run.id} is not a Constitutional AI run: it has no pairs to review.`}
        back={`/runs/${run.id}`}
        backLabel="Back to the run"
      />
    );
  const reviewed = pairs.filter((p) => p.review !== null).length;
  const unreviewedShown = visible.filter((p) => p.review === null).length;

  return (
    <section className="cai-review">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">All runs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/runs/${run.id}`}>{run.name}</Link> <span aria-hidden="true">/</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Review pairs</h1>
          <p className="muted">
            <StatusBadge status={run.status} /> {plural(pairs.length, 'pair', 'pairs')} · {reviewed} reviewed
            ({pairs.filter((p) => p.review === 'approved').length} approved,{' '}
            {pairs.filter((p) => p.review === 'rejected').length} rejected)
          </p>
        </div>
      </header>

      {error && <Alert>{error}</Alert>}
      {unreadable > 0 && (
        <Alert>{plural(unreadable, 'pair', 'pairs')} could not be read and are not shown.</Alert>
      )}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>

      {pairs.length === 0 ? (
        <EmptyState>
          {running ? (
            <p>The run is still {run.status}; its pairs appear here when it finishes.</p>
          ) : (
            <>
              <p>
                <strong>This run produced no pairs.</strong>
              </p>
              <p className="hint">
                A pair is kept when a principle flags the response (with “Keep only flagged pairs” on). Try
                more prompts, prompts the constitution is written for (such as the built-in sandbox-harmful),
                or a constitution whose triggers match them.
              </p>
            </>
          )}
        </EmptyState>
      ) : (
        <div className="cai-layout">
          <div>
            <div className="cai-toolbar">
              <div className="cai-filter">
                <label htmlFor={`${filterId}-principle`}>Principle</label>
                <select
                  id={`${filterId}-principle`}
                  value={principle}
                  onChange={(e) => setPrinciple(e.target.value)}
                >
                  <option value="">All principles</option>
                  {counts.map(([name, n]) => (
                    <option key={name} value={name}>
                      {name} ({n})
                    </option>
                  ))}
                  {unflagged > 0 && <option value={UNFLAGGED}>No principle ({unflagged})</option>}
                </select>
              </div>
              <div className="cai-filter">
                <label htmlFor={`${filterId}-review`}>Review</label>
                <select
                  id={`${filterId}-review`}
                  value={reviewFilter}
                  onChange={(e) => setReviewFilter(e.target.value as ReviewFilter)}
                >
                  {REVIEW_FILTERS.map((f) => (
                    <option key={f.value} value={f.value}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </div>
              <p className="showing" aria-live="polite">
                Showing {visible.length} of {pairs.length}
              </p>
              {unreviewedShown > 0 &&
                (confirmBulk ? (
                  <span className="confirm" role="group" aria-label="Approve every pair shown?">
                    <span>Approve {plural(unreviewedShown, 'unreviewed pair', 'unreviewed pairs')}?</span>
                    <button
                      type="button"
                      className="primary small"
                      autoFocus
                      onClick={() => void approveShown()}
                    >
                      Approve them
                    </button>
                    <button type="button" className="secondary small" onClick={() => setConfirmBulk(false)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <button
                    type="button"
                    className="secondary small"
                    disabled={busy}
                    onClick={() => setConfirmBulk(true)}
                  >
                    Approve all unreviewed shown…
                  </button>
                ))}
            </div>
            <p className="hint cai-keys">
              Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous pair, <kbd>a</kbd> approve, <kbd>r</kbd> reject,{' '}
              <kbd>u</kbd> clear.
            </p>
            {visible.length === 0 ? (
              <EmptyState>
                <p>No pair matches these filters.</p>
              </EmptyState>
            ) : (
              <div className="cai-pairs">
                {visible.map((p) => (
                  <PairCard
                    key={p.id}
                    ref={(el) => {
                      if (el) cards.current.set(p.id, el);
                      else cards.current.delete(p.id);
                    }}
                    pair={p}
                    current={p === current}
                    busy={busy}
                    onSelect={() => setCurrentId(p.id)}
                    onReview={(verdict) => void review(p, verdict, false)}
                  />
                ))}
              </div>
            )}
          </div>
          <aside className="cai-side">
            <section className="card cai-flags" aria-labelledby="flags-heading">
              <h2 id="flags-heading">Flags per principle</h2>
              <ul>
                {counts.map(([name, n]) => (
                  <li key={name}>
                    <button
                      type="button"
                      className="chip-button"
                      aria-pressed={principle === name}
                      onClick={() => setPrinciple(principle === name ? '' : name)}
                    >
                      {name} <span className="count">{n}</span>
                    </button>
                  </li>
                ))}
                {unflagged > 0 && <li className="muted">No principle: {unflagged}</li>}
              </ul>
            </section>
            <CreateDataset run={run} pairs={pairs} />
          </aside>
        </div>
      )}
    </section>
  );
}
