// Choosing what to compare: runs one by one (filtered by name or kind), or every run of a pipeline.
import { useId, useState } from 'react';
import type { Pipeline, Run } from '../../../../shared/schemas';
import { runKindLabel } from '../RunKinds';

interface Props {
  runs: Run[];
  pipelines: Pipeline[];
  selected: number[];
  onChange: (ids: number[]) => void;
}

/** The runs of a pipeline's stages, in stage order (evaluations included: they join their models). */
export const pipelineRuns = (p: Pipeline): number[] =>
  p.stages.flatMap((s) => (s.runId !== null ? [s.runId] : []));

export function RunPicker({ runs, pipelines, selected, onChange }: Props) {
  const ids = { filter: useId(), pipeline: useId(), evals: useId() };
  const [filter, setFilter] = useState('');
  const [showEvals, setShowEvals] = useState(false);
  const [pipelineId, setPipelineId] = useState('');
  const chosen = new Set(selected);
  const needle = filter.trim().toLowerCase();
  const shown = runs.filter(
    (r) =>
      (showEvals || r.algorithm !== 'eval' || chosen.has(r.id)) &&
      (needle === '' || `#${r.id} ${r.name} ${runKindLabel(r)} ${r.status}`.toLowerCase().includes(needle)),
  );
  const toggle = (id: number) =>
    onChange(chosen.has(id) ? selected.filter((x) => x !== id) : [...selected, id]);

  return (
    <details className="card run-picker" open={selected.length < 2}>
      <summary>
        Choose runs ({selected.length} selected{selected.length < 2 ? '; pick two or more' : ''})
      </summary>
      <div className="compare-controls">
        <div className="field">
          <label htmlFor={ids.pipeline}>Every run of a pipeline</label>
          <div className="inline-controls">
            <select id={ids.pipeline} value={pipelineId} onChange={(e) => setPipelineId(e.target.value)}>
              <option value="">Pick a pipeline…</option>
              {pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  #{p.id} {p.name} ({p.status})
                </option>
              ))}
            </select>
            <button
              type="button"
              disabled={pipelineId === ''}
              onClick={() => {
                const p = pipelines.find((x) => x.id === Number(pipelineId));
                if (p) onChange([...new Set([...selected, ...pipelineRuns(p)])]);
              }}
            >
              Add its runs
            </button>
          </div>
        </div>
        <div className="field">
          <label htmlFor={ids.filter}>Filter runs</label>
          <input
            id={ids.filter}
            type="search"
            value={filter}
            placeholder="name, kind or status"
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
        <div className="field checkbox-field">
          <input
            id={ids.evals}
            type="checkbox"
            checked={showEvals}
            onChange={(e) => setShowEvals(e.target.checked)}
          />
          <label htmlFor={ids.evals}>Show evaluation runs</label>
        </div>
        {selected.length > 0 && (
          <button type="button" className="small" onClick={() => onChange([])}>
            Clear the selection
          </button>
        )}
      </div>
      {runs.length === 0 ? (
        <p className="muted">No runs yet: start some under Runs, or run the sweep.</p>
      ) : (
        <div className="table-scroll run-picker-list">
          <table className="data-table compact">
            <caption className="visually-hidden">Runs to compare</caption>
            <thead>
              <tr>
                <th scope="col">compare</th>
                <th scope="col">run</th>
                <th scope="col">kind</th>
                <th scope="col">status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Compare #${r.id} ${r.name}`}
                      checked={chosen.has(r.id)}
                      onChange={() => toggle(r.id)}
                    />
                  </td>
                  <th scope="row">
                    #{r.id} {r.name}
                  </th>
                  <td>{runKindLabel(r)}</td>
                  <td>{r.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
