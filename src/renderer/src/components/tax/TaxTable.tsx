// The alignment-tax table of one pipeline: a row per evaluated model, a column per metric; each cell
// shows the value and its change against the base and the SFT model, coloured by whether the change
// is good or bad for that metric, and opens the items behind the number.
import {
  changeTone,
  formatTaxChange,
  formatTaxValue,
  type TaxMetric,
  type TaxModel,
  type TaxPipeline,
} from '../../../../shared/tax';

const ARROW = { up: '↑', down: '↓' } as const;

export function TaxTable({
  pipeline,
  metrics,
  onOpen,
}: {
  pipeline: TaxPipeline;
  metrics: TaxMetric[];
  onOpen: (model: TaxModel, metric: TaxMetric) => void;
}) {
  const shown = metrics.filter((m) => pipeline.models.some((r) => r.values[m.key] !== null));
  return (
    <div className="card">
      <p className="tax-legend">
        Each model × each metric, with the change against the base model (Δ base) and the SFT model (Δ SFT).{' '}
        <span className="tax-good">Green</span> is a change for the better,{' '}
        <span className="tax-bad">red</span> for the worse; ↑/↓ says which way is better. Select a cell to
        read the items behind it.
      </p>
      <div className="table-scroll">
        <table className="data-table tax-table" data-testid="tax-table">
          <caption>Alignment tax of {pipeline.name}</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              {shown.map((m) => (
                <th scope="col" key={m.key} title={m.description} data-metric={m.key}>
                  {m.label}
                  {m.better && (
                    <span
                      className="tax-arrow"
                      aria-label={m.better === 'up' ? 'higher is better' : 'lower is better'}
                    >
                      {' '}
                      {ARROW[m.better]}
                    </span>
                  )}
                  <span className="tax-group">{m.group}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {pipeline.models.map((r) => (
              <tr key={r.runId} data-model={r.label}>
                <th scope="row">
                  {r.label}
                  <span className="tax-group" title={r.modelName}>
                    {r.stage}
                  </span>
                </th>
                {shown.map((m) => {
                  const v = r.values[m.key] ?? null;
                  return (
                    <td key={m.key} data-metric={m.key}>
                      {v === null ? (
                        <span className="muted">—</span>
                      ) : (
                        <button
                          type="button"
                          className="tax-cell"
                          data-value={v}
                          aria-label={`${r.label}, ${m.label}: ${formatTaxValue(m, v)}; open the items`}
                          onClick={() => onOpen(r, m)}
                        >
                          <span className="tax-value">{formatTaxValue(m, v)}</span>
                          <Change label="Δ base" against="base" metric={m} d={r.vsBase[m.key] ?? null} />
                          <Change label="Δ SFT" against="sft" metric={m} d={r.vsSft[m.key] ?? null} />
                        </button>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Change({
  label,
  against,
  metric,
  d,
}: {
  label: string;
  against: 'base' | 'sft';
  metric: TaxMetric;
  d: number | null;
}) {
  if (d === null) return null;
  const tone = changeTone(metric, d);
  return (
    <span className={`tax-change tax-${tone}`} data-tone={tone} data-against={against}>
      {label} {formatTaxChange(metric, d)}
    </span>
  );
}
