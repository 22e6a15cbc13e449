// A dataset's examples as a table that stays fast on thousands of long records: filtered by text on
// the client, and shown a page at a time (long texts are clamped by the rows themselves).
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { Dataset, Example } from '../../../shared/schemas';
import { ExampleRow } from './Examples';
import { COLUMNS, FIELDS, NOUN } from './ExampleFields';
import {
  QualityCell,
  QualityControls,
  orderByQuality,
  useDatasetQuality,
  type QualityFilter,
  type QualityOrder,
} from './QualityColumn';

/** Rows per page: enough to scan, few enough that a page of long texts renders at once. */
export const PAGE_SIZE = 50;

/** Every text in a stored record (message contents, a document), without the role names. */
function texts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) texts(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) if (k !== 'role') texts(v, out);
  return out;
}

interface Props {
  dataset: Dataset;
  examples: Example[];
  /** The page to show; `'last'` after an example is added at the end. */
  page: number | 'last';
  onPage: (page: number | 'last') => void;
  onChanged: (e: Example) => void;
  onDeleted: (id: number) => void;
}

export function ExampleTable({ dataset, examples, page, onPage, onChanged, onDeleted }: Props) {
  const fields = FIELDS[dataset.kind];
  const headings = (COLUMNS[dataset.kind] ?? fields).map((c) => c.label);
  const noun = NOUN[dataset.kind];
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const top = useRef<HTMLDivElement>(null);
  const { quality, byId, error: qualityError } = useDatasetQuality(dataset, examples);
  const [order, setOrder] = useState<QualityOrder>('dataset');
  const [qualityFilter, setQualityFilter] = useState<QualityFilter>('all');
  const scored = quality !== null && quality.examples.length > 0;

  // Each example's searchable text (earlier turns included), lowercased once per change of the list.
  const haystacks = useMemo(
    () => new Map(examples.map((e) => [e.id, texts(e.record).join('\n').toLowerCase()])),
    [examples],
  );
  const numbered = useMemo(() => examples.map((example, i) => ({ example, index: i + 1 })), [examples]);
  const matching = useMemo(
    () =>
      orderByQuality(
        deferred ? numbered.filter((n) => haystacks.get(n.example.id)?.includes(deferred)) : numbered,
        byId,
        order,
        qualityFilter,
      ),
    [numbered, haystacks, deferred, byId, order, qualityFilter],
  );

  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const current = page === 'last' ? pages - 1 : Math.min(Math.max(0, page), pages - 1);
  const shown = matching.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const first = matching.length === 0 ? 0 : current * PAGE_SIZE + 1;
  const last = current * PAGE_SIZE + shown.length;
  const goTo = (p: number) => {
    onPage(p);
    top.current?.scrollIntoView({ block: 'nearest' });
  };

  return (
    <div className="example-table" ref={top}>
      <div className="table-toolbar">
        <div className="filter">
          <label htmlFor={`filter-${dataset.id}`}>Filter</label>
          <input
            id={`filter-${dataset.id}`}
            type="search"
            placeholder={`Text in any ${noun.one}…`}
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              onPage(0);
            }}
          />
        </div>
        <QualityControls
          id={dataset.id}
          quality={quality}
          error={qualityError}
          order={order}
          filter={qualityFilter}
          onOrder={(o) => {
            setOrder(o);
            onPage(0);
          }}
          onFilter={(f) => {
            setQualityFilter(f);
            onPage(0);
          }}
        />
        <p className="showing" aria-live="polite">
          {matching.length === 0
            ? `No ${noun.many} match${query.trim() ? ` “${query.trim()}”` : ''}${qualityFilter !== 'all' ? ' the quality filter' : ''}`
            : `Showing ${first}–${last} of ${matching.length}`}
          {deferred && matching.length > 0 && ` matching “${query.trim()}” (${examples.length} in all)`}
        </p>
      </div>
      <div className="card table-scroll">
        <table className="data-table examples">
          <caption className="visually-hidden">
            {noun.many} in {dataset.name}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              {headings.map((label) => (
                <th scope="col" key={label}>
                  {label}
                </th>
              ))}
              {scored && (
                <th scope="col" title="Estimated probability that the text is clean (0–1)">
                  Quality
                </th>
              )}
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ example, index }) => (
              <ExampleRow
                key={example.id}
                kind={dataset.kind}
                example={example}
                index={index}
                fields={fields}
                noun={noun.one}
                onChanged={onChanged}
                onDeleted={onDeleted}
                {...(scored ? { extraCell: <QualityCell q={byId.get(example.id)} /> } : {})}
              />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="secondary"
            disabled={current === 0}
            onClick={() => goTo(current - 1)}
          >
            Previous
          </button>
          <span>
            Page {current + 1} of {pages}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={current >= pages - 1}
            onClick={() => goTo(current + 1)}
          >
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
