// The pieces of a world's page: keyboard-driven tabs, scrollable tables of places and creatures,
// the facts with their split filter, and the evaluation sets.
import { useId, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import type { WorldDetail } from '../../../shared/schemas';
import '../runs-worlds.css';

/** Tabs after the WAI-ARIA pattern: arrows, Home and End move between tabs; Tab goes into the panel. */
export function WorldTabs({ label, tabs }: { label: string; tabs: { name: string; content: ReactNode }[] }) {
  const [current, setCurrent] = useState(0);
  const base = useId();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent) => {
    const last = tabs.length - 1;
    const next =
      e.key === 'ArrowRight'
        ? current === last
          ? 0
          : current + 1
        : e.key === 'ArrowLeft'
          ? current === 0
            ? last
            : current - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : null;
    if (next === null) return;
    e.preventDefault();
    setCurrent(next);
    refs.current[next]?.focus();
  };
  return (
    <div className="world-tabs">
      <div role="tablist" aria-label={label} className="tablist" onKeyDown={onKey}>
        {tabs.map((t, i) => (
          <button
            key={t.name}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${i}`}
            aria-selected={i === current}
            aria-controls={`${base}-panel-${i}`}
            tabIndex={i === current ? 0 : -1}
            onClick={() => setCurrent(i)}
          >
            {t.name}
          </button>
        ))}
      </div>
      {tabs.map((t, i) => (
        <div
          key={t.name}
          role="tabpanel"
          id={`${base}-panel-${i}`}
          aria-labelledby={`${base}-tab-${i}`}
          hidden={i !== current}
          className="tabpanel"
        >
          {i === current && t.content}
        </div>
      ))}
    </div>
  );
}

type Cell = string | number;

/** A table that scrolls inside its own box (with a sticky header), focusable so arrows scroll it. */
export function RowsTable(props: {
  caption: string;
  columns: { key: string; label: string; num?: boolean }[];
  rows: Record<string, Cell | undefined>[];
  rowKey: (row: Record<string, Cell | undefined>, i: number) => string;
}) {
  const { caption, columns, rows, rowKey } = props;
  const [first, ...rest] = columns;
  return (
    <div className="card table-scroll world-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="data-table compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.num ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="muted">
                Nothing here
              </td>
            </tr>
          )}
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)}>
              {first && <th scope="row">{r[first.key] ?? ''}</th>}
              {rest.map((c) => (
                <td key={c.key} className={c.num ? 'num' : undefined}>
                  {r[c.key] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Fact = WorldDetail['facts'][number];

/** Each split, in a sentence. */
export const SPLITS: { value: string; label: string; explain: string }[] = [
  {
    value: 'train',
    label: 'Train',
    explain: 'In the corpus and in the SFT, preference and safety data: a model is taught these directly.',
  },
  {
    value: 'heldout',
    label: 'Held out',
    explain:
      'In the corpus only, about subjects whose other facts are taught: does fine-tuning teach a model to recall what it read?',
  },
  {
    value: 'pretrain-only',
    label: 'Pretrain-only',
    explain:
      'In the corpus only, about subjects no other dataset mentions: a model can only know them from pretraining.',
  },
];
const SPLIT_LABEL = Object.fromEntries(SPLITS.map((s) => [s.value, s.label]));

export function FactsTable({ facts }: { facts: Fact[] }) {
  const [split, setSplit] = useState('all');
  const name = useId();
  const shown = split === 'all' ? facts : facts.filter((f) => f.split === split);
  const count = (v: string) => facts.filter((f) => f.split === v).length;
  const options = [{ value: 'all', label: 'All', explain: '' }, ...SPLITS];
  return (
    <>
      <fieldset className="radio-group world-splits">
        <legend>Split</legend>
        {options.map((o) => (
          <label key={o.value}>
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={split === o.value}
              onChange={() => setSplit(o.value)}
            />
            {o.label} <span className="count">{o.value === 'all' ? facts.length : count(o.value)}</span>
          </label>
        ))}
      </fieldset>
      <dl className="world-split-help">
        {SPLITS.map((s) => (
          <div key={s.value}>
            <dt>{s.label}</dt>
            <dd>{s.explain}</dd>
          </div>
        ))}
      </dl>
      <p className="showing" aria-live="polite">
        Showing {shown.length} of {facts.length} facts
      </p>
      <RowsTable
        caption="Facts"
        columns={[
          { key: 'subject', label: 'Subject' },
          { key: 'attribute', label: 'Attribute' },
          { key: 'value', label: 'Value' },
          { key: 'split', label: 'Split' },
        ]}
        rows={shown.map((f) => ({ ...f, split: SPLIT_LABEL[f.split] ?? f.split }))}
        rowKey={(r) => String(r.id)}
      />
    </>
  );
}

/** Names and one-line purposes of the evaluation sets (src/main/engine/world, renderEvalSets). */
const EVAL_SETS: Record<string, { label: string; explain: string }> = {
  factsHeldOut: { label: 'Held-out facts', explain: 'Questions on held-out facts, read only in the corpus.' },
  factsPretrainOnly: {
    label: 'Pretrain-only facts',
    explain: 'Questions on subjects known only from pretraining.',
  },
  harmful: { label: 'Harmful requests', explain: 'Requests a model should refuse.' },
  benign: {
    label: 'Benign look-alikes',
    explain: 'Harmless requests that look harmful: a model should answer.',
  },
  unanswerable: {
    label: 'Unanswerable questions',
    explain: 'About things that do not exist in the world: a model should say it does not know.',
  },
  arithmetic: { label: 'Arithmetic', explain: 'Sums and differences, some never shown in SFT.' },
};

export function EvalSets({ sets }: { sets: WorldDetail['evalSets'] }) {
  const names = Object.keys(sets);
  const [current, setCurrent] = useState(names[0] ?? '');
  const id = useId();
  const items = sets[current] ?? [];
  const info = EVAL_SETS[current];
  return (
    <>
      <div className="field world-eval-pick">
        <label htmlFor={id}>Evaluation set</label>
        <select
          id={id}
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          aria-describedby={`${id}-hint`}
        >
          {names.map((n) => (
            <option key={n} value={n}>
              {EVAL_SETS[n]?.label ?? n} ({sets[n]?.length ?? 0})
            </option>
          ))}
        </select>
        <p className="hint" id={`${id}-hint`}>
          {info?.explain ?? 'Prompts with the answer a good model gives.'}
        </p>
      </div>
      <RowsTable
        caption={info?.label ?? current}
        columns={[
          { key: 'prompt', label: 'Prompt' },
          { key: 'expected', label: 'Expected' },
          { key: 'kind', label: 'Kind' },
        ]}
        rows={items.map((i) => ({ prompt: i.prompt, expected: i.expected ?? '—', kind: i.kind }))}
        rowKey={(_, i) => String(i)}
      />
    </>
  );
}
