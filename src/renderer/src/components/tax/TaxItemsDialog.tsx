// The items behind one number of the alignment-tax table: the replies (or held-out texts) of the
// evaluation run, as a table, with a filter; for calibration, the reliability diagram too.
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { formatTaxValue, type TaxItems, type TaxMetric, type TaxModel } from '../../../../shared/tax';
import { lab } from '../../lab';
import { Link } from '../../router';
import { Dialog } from '../Dialog';
import { LoadError, Loading } from '../ui';
import { DataTable, TaxChart, type ChartTheme } from './TaxChart';

const MAX_ROWS = 500;

export function TaxItemsDialog({
  target,
  onClose,
}: {
  target: { model: TaxModel; metric: TaxMetric } | null;
  onClose: () => void;
}) {
  const title = target
    ? `${target.model.label} · ${target.metric.label}: ${formatTaxValue(target.metric, target.model.values[target.metric.key])}`
    : '';
  return (
    <Dialog title={title} open={target !== null} onClose={onClose} wide>
      {target && (
        <ItemsBody key={`${target.model.runId}:${target.metric.key}`} target={target} title={title} />
      )}
    </Dialog>
  );
}

function ItemsBody({ target, title }: { target: { model: TaxModel; metric: TaxMetric }; title: string }) {
  const [items, setItems] = useState<TaxItems | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const [attempt, setAttempt] = useState(0);
  const filterId = useId();
  const { runId } = target.model;
  const metricKey = target.metric.key;
  useEffect(() => {
    let live = true;
    lab.taxItems({ runId, metric: metricKey }).then(
      (x) => live && setItems(x),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [runId, metricKey, attempt]);
  const needle = filter.trim().toLowerCase();
  const rows = items
    ? items.rows.filter(
        (r) =>
          !needle ||
          r.some((c) =>
            String(c ?? '')
              .toLowerCase()
              .includes(needle),
          ),
      )
    : [];
  return (
    <>
      <p className="muted">
        {target.metric.description} From <Link to={`/runs/${runId}`}>evaluation run {runId}</Link> of{' '}
        {target.model.modelName}.
      </p>
      {error !== null && (
        <LoadError
          error={error}
          retry={() => {
            setError(null);
            setAttempt((a) => a + 1);
          }}
        />
      )}
      {!items && error === null && <Loading what="items" />}
      {items && (
        <div data-testid="tax-items">
          <p>{items.note}</p>
          {items.bins && <Reliability bins={items.bins} />}
          <label className="tax-filter" htmlFor={filterId}>
            Filter
          </label>
          <input
            id={filterId}
            type="search"
            className="tax-filter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="any text"
          />
          <p className="muted" aria-live="polite">
            {rows.length} of {items.rows.length} items
            {rows.length > MAX_ROWS ? `, the first ${MAX_ROWS} shown` : ''}
          </p>
          <DataTable caption={title} columns={items.columns} rows={rows.slice(0, MAX_ROWS)} />
        </div>
      )}
    </>
  );
}

function Reliability({ bins }: { bins: NonNullable<TaxItems['bins']> }) {
  const filled = useMemo(() => bins.filter((b) => b.n > 0), [bins]);
  const option = useCallback(
    (t: ChartTheme) => ({
      grid: { left: 56, right: 16, top: 32, bottom: 40 },
      tooltip: { trigger: 'item' },
      legend: { top: 0, textStyle: { color: t.text } },
      xAxis: {
        type: 'value',
        min: 0,
        max: 1,
        name: 'confidence',
        nameLocation: 'middle',
        nameGap: 26,
        axisLabel: { color: t.muted },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        min: 0,
        max: 1,
        name: 'accuracy',
        axisLabel: { color: t.muted },
        splitLine: { lineStyle: { color: t.grid } },
      },
      series: [
        {
          name: 'calibrated',
          type: 'line',
          data: [
            [0, 0],
            [1, 1],
          ],
          showSymbol: false,
          lineStyle: { type: 'dashed', color: t.muted },
        },
        {
          name: 'bins (size = items)',
          type: 'scatter',
          data: filled.map((b) => [b.confidence, b.accuracy, b.n]),
          symbolSize: (v: number[]) => 6 + Math.sqrt(v[2] ?? 1) * 3,
        },
      ],
    }),
    [filled],
  );
  return (
    <TaxChart
      label="Reliability diagram"
      reading="Each dot is a bin of answers with similar confidence: across, their mean confidence; up, the share that is right. On the dashed diagonal a model is calibrated; below it, over-confident; above it, under-confident. The calibration error is the item-weighted mean distance from the diagonal."
      option={option}
      height={240}
      table={{
        columns: ['bin', 'items', 'mean confidence', 'accuracy'],
        rows: bins.map((b) => [
          `${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`,
          b.n,
          b.confidence ?? '—',
          b.accuracy ?? '—',
        ]),
      }}
    />
  );
}
