// What a run produced item by item, on its run page: a PPO run's rollouts, one iteration at a time
// (prompt, response, score, KL, reward), and a Constitutional AI run's pairs, counted, with a link to
// where they are reviewed. Reloaded as the run reports progress.
import { useEffect, useId, useRef, useState } from 'react';
import { TERMINAL_STATUSES } from '../../../shared/schemas';
import type { Run, RunSample } from '../../../shared/schemas';
import { lab, errorMessage } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { Alert, Loading } from './ui';
import { formatValue } from './MetricChart';
import '../align.css';

/** Shortest pause between two reloads while a run reports progress. */
const RELOAD_MS = 1500;

/** A run's samples: loaded once, again (at most every RELOAD_MS) as it reports progress, and when it ends. */
function useSamples(run: Run) {
  const { data, reload } = useLoad(() => lab.runSamples({ runId: run.id, limit: 10_000 }));
  const timer = useRef<number | null>(null);
  useEffect(() => {
    const off = lab.onRunProgress((e) => {
      if (e.runId !== run.id || timer.current !== null) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        void reload();
      }, RELOAD_MS);
    });
    return () => {
      off();
      if (timer.current !== null) window.clearTimeout(timer.current);
      timer.current = null;
    };
  }, [run.id, reload]);
  // The last samples arrive with the end of the run.
  const terminal = TERMINAL_STATUSES.includes(run.status);
  const wasTerminal = useRef(terminal);
  useEffect(() => {
    if (terminal && !wasTerminal.current) void reload();
    wasTerminal.current = terminal;
  }, [terminal, reload]);
  return { data, reload };
}

const number = (v: unknown): string => (typeof v === 'number' ? formatValue(v) : '—');
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** The distinct steps of the samples, ascending. */
const stepsOf = (samples: readonly RunSample[]): number[] =>
  [...new Set(samples.map((s) => s.step))].sort((a, b) => a - b);

export function RunRollouts({ run }: { run: Run }) {
  const { data, reload } = useSamples(run);
  const titleId = useId();
  const sliderId = useId();
  // The iteration the user picked; null follows the latest.
  const [picked, setPicked] = useState<number | null>(null);
  const samples = data.state === 'ready' ? data.value.filter((s) => s.kind === 'rollout') : [];
  const steps = stepsOf(samples);
  const index = picked === null ? steps.length - 1 : Math.max(0, steps.indexOf(picked));
  const step = steps[index];
  const shown = samples.filter((s) => s.step === step);
  const total = typeof run.config.iterations === 'number' ? run.config.iterations : null;
  const active = !TERMINAL_STATUSES.includes(run.status);
  const keeps = run.config.samplesPerIteration !== 0;

  return (
    <section className="card run-samples" aria-labelledby={titleId}>
      <h2 id={titleId}>Rollouts</h2>
      <p className="hint">
        Responses the policy sampled, as the reward source scored them. Reward = score − KL coefficient × KL
        to the reference, so a rising score with a rising KL can be reward hacking.
      </p>
      {data.state === 'loading' && <Loading what="the rollouts" />}
      {data.state === 'error' && (
        <Alert>
          <p>Could not load the rollouts: {errorMessage(data.error)}</p>
          <button type="button" onClick={() => void reload()}>
            Try again
          </button>
        </Alert>
      )}
      {data.state === 'ready' && step === undefined && (
        <p className="empty run-samples-empty">
          {!keeps
            ? 'This run keeps no rollouts: its Samples per iteration is 0. Run it again with a higher value (under Advanced) to read them here.'
            : active
              ? 'No rollouts yet — the first appear here when iteration 1 ends.'
              : 'This run stored no rollouts.'}
        </p>
      )}
      {step !== undefined && (
        <>
          <div className="rollout-step">
            <label htmlFor={sliderId}>Iteration</label>
            <input
              id={sliderId}
              type="range"
              min={0}
              max={steps.length - 1}
              step={1}
              value={index}
              aria-valuetext={`Iteration ${step}${total !== null ? ` of ${total}` : ''}`}
              onChange={(e) => {
                const i = Number(e.target.value);
                setPicked(i === steps.length - 1 ? null : (steps[i] ?? null));
              }}
            />
            <output htmlFor={sliderId} aria-live="polite">
              {step}
              {total !== null && <span className="muted"> of {total}</span>}
              {picked === null && active && <span className="muted"> (following the latest)</span>}
            </output>
          </div>
          <div className="table-scroll">
            <table className="data-table rollouts">
              <caption className="visually-hidden">Rollouts of iteration {step}</caption>
              <thead>
                <tr>
                  <th scope="col">Prompt</th>
                  <th scope="col">Response</th>
                  <th scope="col" className="num" title="What the reward source gave the response">
                    Score
                  </th>
                  <th scope="col" className="num" title="KL to the reference over the response, in nats">
                    KL
                  </th>
                  <th scope="col" className="num" title="Score minus the KL penalty: what PPO maximises">
                    Reward
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => (
                  <tr key={s.id}>
                    <td className="sample-text">{text(s.data.prompt)}</td>
                    <td className="sample-text">
                      {text(s.data.response) || <span className="muted">(empty)</span>}
                    </td>
                    <td className="num">{number(s.data.score)}</td>
                    <td className="num">{number(s.data.kl)}</td>
                    <td className="num">{number(s.data.reward)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** A Constitutional AI run's pairs: how many, how many reviewed, and where to review them. */
export function RunPairs({ run }: { run: Run }) {
  const { data, reload } = useSamples(run);
  const titleId = useId();
  const pairs = data.state === 'ready' ? data.value.filter((s) => s.kind === 'cai-pair') : [];
  const approved = pairs.filter((p) => p.review === 'approved').length;
  const rejected = pairs.filter((p) => p.review === 'rejected').length;
  const active = !TERMINAL_STATUSES.includes(run.status);
  return (
    <section className="card run-samples run-pairs" aria-labelledby={titleId}>
      <div>
        <h2 id={titleId}>Preference pairs</h2>
        {data.state === 'loading' && <Loading what="the pairs" />}
        {data.state === 'error' && (
          <Alert>
            <p>Could not load the pairs: {errorMessage(data.error)}</p>
            <button type="button" onClick={() => void reload()}>
              Try again
            </button>
          </Alert>
        )}
        {data.state === 'ready' && (
          <>
            <p className="pair-count">
              <strong>{pairs.length}</strong> {pairs.length === 1 ? 'pair' : 'pairs'} (revised ≻ original)
              {active && <span className="muted"> so far</span>}
            </p>
            <p className="hint">
              {pairs.length === 0
                ? active
                  ? 'Pairs appear as responses are critiqued and revised.'
                  : 'No response was flagged by the constitution, so nothing was revised. Try other prompts (the built-in sandbox-harmful), or turn off Flagged only.'
                : `${approved} approved, ${rejected} rejected, ${pairs.length - approved - rejected} not reviewed yet. Review them, then turn the approved ones into a preference dataset for DPO.`}
            </p>
          </>
        )}
      </div>
      {pairs.length > 0 && (
        <Link to={`/runs/${run.id}/review`} className="button primary">
          Review the pairs
        </Link>
      )}
    </section>
  );
}
