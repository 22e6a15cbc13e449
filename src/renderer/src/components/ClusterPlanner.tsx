// The "Cluster planner": for a number of pipeline stages (devices the model's layers are cut across)
// and micro-batches, the GPipe schedule as a table (stage × time step, each cell the micro-batch's
// forward F or backward B, or idle), its idle slots and utilisation m / (s + m − 1), beside what an
// event-driven simulation of the same schedule measured (LabApi.planPipeline).
import { useEffect, useState } from 'react';
import type { PipelinePlan } from '../../../shared/plan';
import { lab } from '../lab';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, Field } from './ui';
import '../planner.css';

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

export function ClusterPlanner({ initialMicroBatches = 4 }: { initialMicroBatches?: number }) {
  const [stages, setStages] = useState('4');
  const [micro, setMicro] = useState(String(initialMicroBatches));
  const [backward, setBackward] = useState(true);
  const [plan, setPlan] = useState<PipelinePlan | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  useEffect(() => {
    let live = true;
    const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
    lab
      .planPipeline({ stages: num(stages), microBatches: num(micro), backward })
      .then((p) => {
        if (!live) return;
        setPlan(p);
        setErrors(NO_ERRORS);
      })
      .catch((e: unknown) => {
        if (live) setErrors(formErrors(e, ['stages', 'microBatches']));
      });
    return () => {
      live = false;
    };
  }, [stages, micro, backward]);

  return (
    <div className="cluster-planner">
      <p className="hint">
        Pipeline parallelism (GPipe) cuts the model into stages on separate devices and the batch into
        micro-batches; a stage waits until the first micro-batch reaches it and again while the last one
        drains. More micro-batches shrink that bubble. Each slot is one forward (F) or backward (B) of one
        micro-batch on one stage.
      </p>
      {errors.general && <Alert>{errors.general}</Alert>}
      <div className="form-grid">
        <Field label="Pipeline stages (s)" error={errors.fields.stages} hint="Devices, 1–64.">
          {(p) => (
            <input
              {...p}
              type="number"
              min="1"
              max="64"
              step="1"
              value={stages}
              onChange={(e) => setStages(e.target.value)}
            />
          )}
        </Field>
        <Field label="Micro-batches (m)" error={errors.fields.microBatches} hint="Per batch, 1–64.">
          {(p) => (
            <input
              {...p}
              type="number"
              min="1"
              max="64"
              step="1"
              value={micro}
              onChange={(e) => setMicro(e.target.value)}
            />
          )}
        </Field>
        <div className="field run-checkbox">
          <label>
            <input type="checkbox" checked={backward} onChange={(e) => setBackward(e.target.checked)} />
            Schedule the backward passes too
          </label>
        </div>
      </div>
      {plan && (
        <>
          <dl className="facts" aria-label="Schedule numbers">
            <div>
              <dt>Time steps</dt>
              <dd>{plan.timeSteps}</dd>
            </div>
            <div>
              <dt>Busy / idle slots</dt>
              <dd>
                {plan.busy} / {plan.idle}
              </dd>
            </div>
            <div>
              <dt>Utilisation m / (s + m − 1)</dt>
              <dd>
                {plan.microBatches} / {plan.stages + plan.microBatches - 1} = {pct(plan.formula)}
              </dd>
            </div>
            <div>
              <dt>Simulated</dt>
              <dd>
                {pct(plan.simulated)} {plan.agrees ? '(same schedule)' : '(differs from the formula!)'}
              </dd>
            </div>
          </dl>
          <div className="table-scroll">
            <table className="data-table plan-grid">
              <caption>
                GPipe schedule: {plan.stages} stages × {plan.timeSteps} time steps; empty cells are idle
              </caption>
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  {Array.from({ length: plan.timeSteps }, (_, t) => (
                    <th scope="col" key={t}>
                      t{t + 1}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {plan.grid.map((row, s) => (
                  <tr key={s}>
                    <th scope="row">{s + 1}</th>
                    {row.map((cell, t) => (
                      <td key={t} className={cell ? `plan-${cell[0]}` : 'plan-idle'}>
                        {cell ?? <span className="visually-hidden">idle</span>}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
