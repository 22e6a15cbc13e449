// Data quality in a dataset's table: each example's quality score (from the lab's scorer; see
// src/shared/quality.ts), a control to sort and filter by it, and, for a low score, the features
// that pulled it down. Examples a sandbox world made noisy on purpose carry their noise kind.
import { useEffect, useMemo, useState } from 'react';
import type { Dataset, Example } from '../../../shared/schemas';
import { LOW_QUALITY, type DatasetQuality, type ExampleQuality } from '../../../shared/quality';
import { lab, errorMessage } from '../lab';
import '../quality.css';

export type QualityOrder = 'dataset' | 'low-first' | 'high-first';
export type QualityFilter = 'all' | 'low' | 'ok' | 'noisy';

/** The dataset's quality scores by example id, refetched when the examples change (cached lab-side). */
export function useDatasetQuality(dataset: Dataset, examples: readonly Example[]) {
  const [quality, setQuality] = useState<DatasetQuality | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    lab.datasetQuality({ id: dataset.id }).then(
      (q) => {
        if (!live) return;
        setQuality(q);
        setError(null);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [dataset.id, examples]);
  const byId = useMemo(() => new Map((quality?.examples ?? []).map((q) => [q.exampleId, q])), [quality]);
  return { quality, byId, error };
}

/** Keeps the examples that pass `filter`, in the `order` asked for; `items` carry their dataset index. */
export function orderByQuality<T extends { example: Example }>(
  items: readonly T[],
  byId: ReadonlyMap<number, ExampleQuality>,
  order: QualityOrder,
  filter: QualityFilter,
): T[] {
  const score = (t: T) => byId.get(t.example.id)?.score ?? Number.NaN;
  const kept = items.filter((t) => {
    const q = byId.get(t.example.id);
    if (filter === 'all') return true;
    if (!q) return false;
    if (filter === 'noisy') return q.noise !== null;
    return filter === 'low' ? q.score < LOW_QUALITY : q.score >= LOW_QUALITY;
  });
  if (order === 'dataset') return kept;
  const sign = order === 'low-first' ? 1 : -1;
  return [...kept].sort((a, b) => sign * ((score(a) || 0) - (score(b) || 0)));
}

export function QualityControls({
  id,
  quality,
  error,
  order,
  filter,
  onOrder,
  onFilter,
}: {
  id: number;
  quality: DatasetQuality | null;
  error: string | null;
  order: QualityOrder;
  filter: QualityFilter;
  onOrder: (o: QualityOrder) => void;
  onFilter: (f: QualityFilter) => void;
}) {
  if (error) return <p className="hint quality-error">Quality scores unavailable: {error}</p>;
  if (quality && quality.examples.length === 0) return null;
  const low = quality?.examples.filter((q) => q.score < LOW_QUALITY).length ?? 0;
  const noisy = quality?.examples.filter((q) => q.noise !== null).length ?? 0;
  return (
    <div className="quality-controls" role="group" aria-label="Quality">
      <label htmlFor={`quality-order-${id}`}>Order</label>
      <select
        id={`quality-order-${id}`}
        value={order}
        onChange={(e) => onOrder(e.target.value as QualityOrder)}
      >
        <option value="dataset">Dataset order</option>
        <option value="low-first">Quality, lowest first</option>
        <option value="high-first">Quality, highest first</option>
      </select>
      <label htmlFor={`quality-filter-${id}`}>Show</label>
      <select
        id={`quality-filter-${id}`}
        value={filter}
        onChange={(e) => onFilter(e.target.value as QualityFilter)}
      >
        <option value="all">All examples</option>
        <option value="low">
          Low quality (score &lt; {LOW_QUALITY}){quality ? ` · ${low}` : ''}
        </option>
        <option value="ok">Quality ≥ {LOW_QUALITY}</option>
        {noisy > 0 && <option value="noisy">Made noisy by the world · {noisy}</option>}
      </select>
      {quality && <span className="hint">Scores {quality.scored}.</span>}
    </div>
  );
}

const fmt = (v: number) =>
  Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);

/** One example's score, its noise tag, and for a low score the reasons (features, value vs typical). */
export function QualityCell({ q }: { q: ExampleQuality | undefined }) {
  if (!q) return <td className="quality-cell">—</td>;
  const low = q.score < LOW_QUALITY;
  const why = q.reasons.map((r) => `${r.label}: ${fmt(r.value)} (clean text: ${fmt(r.typical)})`).join('; ');
  return (
    <td className="quality-cell">
      <span className={`quality-score ${low ? 'quality-low' : 'quality-ok'}`} title={why || undefined}>
        {q.score.toFixed(2)}
      </span>
      {q.noise && <span className="quality-noise">noise: {q.noise}</span>}
      {low && q.reasons.length > 0 && (
        <details className="quality-why">
          <summary>Why low?</summary>
          <ul>
            {q.reasons.map((r) => (
              <li key={r.feature} title={`+${r.effect.toFixed(1)} log-odds of clean if typical`}>
                {r.label} is {fmt(r.value)} (clean text: {fmt(r.typical)})
              </li>
            ))}
          </ul>
        </details>
      )}
    </td>
  );
}
