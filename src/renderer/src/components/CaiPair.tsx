// One Constitutional AI pair as the review page shows it: the prompt, the principles that flagged the
// original response (chips) with their critiques, a word-level diff of original → revised, and the
// approve/reject buttons. Also reads a run sample into a pair (a malformed one is skipped, not shown).
import type { Ref } from 'react';
import { diffWords } from 'diff';
import { z } from 'zod';
import type { RunSample } from '../../../shared/schemas';

/** What a CAI run writes for each pair (`RunSample.data` of kind `cai-pair`). */
const PairData = z.object({
  prompt: z.string(),
  original: z.string(),
  revised: z.string(),
  flagged: z.array(z.string()).default([]),
  critiques: z.array(z.object({ principle: z.string(), critique: z.string() })).default([]),
});
export type Review = RunSample['review'];
export interface Pair extends z.infer<typeof PairData> {
  id: number;
  /** 1-based place among all the run's pairs: stable whatever the filter. */
  number: number;
  review: Review;
}

/** The run's samples of kind `cai-pair` as pairs, and how many others could not be read. */
export function readPairs(samples: RunSample[]): { pairs: Pair[]; unreadable: number } {
  const pairs: Pair[] = [];
  let unreadable = 0;
  for (const s of samples) {
    if (s.kind !== 'cai-pair') continue;
    const data = PairData.safeParse(s.data);
    if (data.success) pairs.push({ ...data.data, id: s.id, number: pairs.length + 1, review: s.review });
    else unreadable++;
  }
  return { pairs, unreadable };
}

/** Original → revised, word by word: unchanged text, then what was removed and what was added. */
export function WordDiff({ original, revised }: { original: string; revised: string }) {
  const parts = diffWords(original, revised);
  return (
    <p className="cai-diff">
      {parts.map((p, i) =>
        p.removed ? (
          <del key={i}>
            <span className="visually-hidden">[removed: </span>
            {p.value}
            <span className="visually-hidden">]</span>
          </del>
        ) : p.added ? (
          <ins key={i}>
            <span className="visually-hidden">[added: </span>
            {p.value}
            <span className="visually-hidden">]</span>
          </ins>
        ) : (
          <span key={i}>{p.value}</span>
        ),
      )}
    </p>
  );
}

const REVIEW_WORDS: Record<'approved' | 'rejected' | 'none', string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  none: 'Not reviewed',
};

interface Props {
  ref?: Ref<HTMLElement>;
  pair: Pair;
  current: boolean;
  busy: boolean;
  onSelect: () => void;
  onReview: (review: Review) => void;
}

/** A pair's card; the current one (where the keys act) is marked and can take focus. */
export function PairCard({ ref, pair, current, busy, onSelect, onReview }: Props) {
  const headingId = `pair-${pair.id}-heading`;
  const toggle = (review: 'approved' | 'rejected') => onReview(pair.review === review ? null : review);
  return (
    <article
      ref={ref}
      tabIndex={-1}
      className={`card cai-pair${current ? ' current' : ''} cai-pair-${pair.review ?? 'none'}`}
      aria-labelledby={headingId}
      aria-current={current ? 'true' : undefined}
      onClick={onSelect}
      onFocus={onSelect}
    >
      <header className="cai-pair-header">
        <h3 id={headingId}>Pair {pair.number}</h3>
        <span className={`review-badge review-${pair.review ?? 'none'}`}>
          {REVIEW_WORDS[pair.review ?? 'none']}
        </span>
        <ul className="chips" aria-label="Flagged principles">
          {pair.flagged.length === 0 ? (
            <li className="muted">No principle flagged it</li>
          ) : (
            pair.flagged.map((p) => (
              <li key={p} className="chip">
                {p}
              </li>
            ))
          )}
        </ul>
      </header>

      <div className="cai-prompt">
        <span className="turn-role">Prompt</span>
        <div className="turn-content">{pair.prompt || <span className="muted">(empty)</span>}</div>
      </div>

      {pair.critiques.length > 0 && (
        <ul className="cai-critiques" aria-label="Critiques">
          {pair.critiques.map((c, i) => (
            <li key={i}>
              <strong>{c.principle}:</strong> {c.critique}
            </li>
          ))}
        </ul>
      )}

      <div className="cai-change">
        <span className="turn-role">Original → revised</span>
        <WordDiff original={pair.original} revised={pair.revised} />
      </div>
      <details className="cai-both">
        <summary>Original and revised in full</summary>
        <div className="cai-columns">
          <div>
            <span className="turn-role">Original (rejected)</span>
            <p className="cai-text">{pair.original || <span className="muted">(empty)</span>}</p>
          </div>
          <div>
            <span className="turn-role">Revised (chosen)</span>
            <p className="cai-text">{pair.revised || <span className="muted">(empty)</span>}</p>
          </div>
        </div>
      </details>

      <div className="cai-actions" role="group" aria-label={`Review pair ${pair.number}`}>
        <button
          type="button"
          className={`small ${pair.review === 'approved' ? 'primary' : 'secondary'}`}
          aria-pressed={pair.review === 'approved'}
          aria-keyshortcuts="a"
          disabled={busy}
          onClick={() => toggle('approved')}
        >
          Approve
        </button>
        <button
          type="button"
          className={`small ${pair.review === 'rejected' ? 'danger' : 'danger-outline'}`}
          aria-pressed={pair.review === 'rejected'}
          aria-keyshortcuts="r"
          disabled={busy}
          onClick={() => toggle('rejected')}
        >
          Reject
        </button>
      </div>
    </article>
  );
}
