// Each compared model on the same prompts: the held-out prompts their evaluations asked (replies as
// stored, with the gold judge's score), and a prompt of the user's own, answered live by every model
// through the playground's generation API (greedy, so that the answers are each model's best guess).
import { useId, useRef, useState } from 'react';
import type { CompareResult, CompareRun } from '../../../../shared/schemas';
import { useGenerationStreams, type StreamHandle } from '../chatStream';
import { formatValue } from '../MetricChart';
import { runLabel } from './series';

const TEMPLATES = new Set(['chatml', 'llama2', 'mistral', 'alpaca', 'plain', 'none']);
type Template = 'chatml' | 'llama2' | 'mistral' | 'alpaca' | 'plain' | 'none';

interface Live {
  text: string;
  state: 'running' | 'done' | 'error' | 'stopped';
  error?: string;
}

export function Generations({ result }: { result: CompareResult }) {
  const answering = result.runs.filter((r) => r.chatModelId !== null);
  return (
    <section className="compare-section" aria-labelledby="gen-h">
      <h2 id="gen-h">Replies to the same prompts</h2>
      {result.generations.length === 0 ? (
        <p className="muted">
          No held-out prompt was answered by every model: evaluate each model on the same world to see their
          replies side by side here.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact compare-replies" aria-label="Held-out replies side by side">
            <thead>
              <tr>
                <th scope="col">prompt</th>
                {result.runs
                  .filter((r) => result.generations[0]!.replies[String(r.id)])
                  .map((r) => (
                    <th scope="col" key={r.id}>
                      {runLabel(r)}
                    </th>
                  ))}
              </tr>
            </thead>
            <tbody>
              {result.generations.map((g, i) => (
                <tr key={i}>
                  <th scope="row">
                    <span className="muted">{g.set}</span> {g.prompt}
                  </th>
                  {result.runs
                    .filter((r) => g.replies[String(r.id)])
                    .map((r) => {
                      const reply = g.replies[String(r.id)]!;
                      return (
                        <td key={r.id}>
                          {reply.response || <span className="muted">(empty)</span>}
                          {reply.score !== null && (
                            <span className="reply-score"> · gold {formatValue(reply.score)}</span>
                          )}
                        </td>
                      );
                    })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {answering.length > 0 && <AskAll runs={answering} />}
    </section>
  );
}

/** One prompt, answered live by every compared model. */
function AskAll({ runs }: { runs: CompareRun[] }) {
  const promptId = useId();
  const [prompt, setPrompt] = useState('');
  const [answers, setAnswers] = useState<Record<number, Live>>({});
  const handles = useRef<StreamHandle[]>([]);
  const { start } = useGenerationStreams();
  const running = Object.values(answers).some((a) => a.state === 'running');

  const ask = () => {
    if (!prompt.trim()) return;
    handles.current = [];
    setAnswers(Object.fromEntries(runs.map((r) => [r.id, { text: '', state: 'running' as const }])));
    for (const r of runs) {
      const template = (r.template && TEMPLATES.has(r.template) ? r.template : 'chatml') as Template;
      handles.current.push(
        start(
          {
            modelId: r.chatModelId!,
            messages: [{ role: 'user', content: prompt }],
            template,
            temperature: 0,
            maxNewTokens: 48,
          },
          {
            onDelta: (d) =>
              setAnswers((a) => ({ ...a, [r.id]: { ...a[r.id]!, text: (a[r.id]?.text ?? '') + d } })),
            onDone: ({ error, stopped }) =>
              setAnswers((a) => ({
                ...a,
                [r.id]: {
                  text: a[r.id]?.text ?? '',
                  state: error ? 'error' : stopped ? 'stopped' : 'done',
                  ...(error ? { error } : {}),
                },
              })),
          },
        ),
      );
    }
  };

  return (
    <form
      className="compare-ask"
      onSubmit={(e) => {
        e.preventDefault();
        ask();
      }}
    >
      <div className="field">
        <label htmlFor={promptId}>Ask every model</label>
        <textarea
          id={promptId}
          rows={2}
          value={prompt}
          placeholder="A question for all of them, e.g. What is the capital of …?"
          onChange={(e) => setPrompt(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              ask();
            }
          }}
        />
        <p className="hint">
          Greedy decoding, up to 48 tokens, each through its run’s chat template. Ctrl+Enter asks.
        </p>
      </div>
      <div className="row-actions">
        <button type="submit" disabled={running || !prompt.trim()}>
          Ask
        </button>
        {running && (
          <button type="button" onClick={() => handles.current.forEach((h) => h.stop())}>
            Stop
          </button>
        )}
      </div>
      {Object.keys(answers).length > 0 && (
        <div className="compare-answers" aria-live="polite">
          {runs.map((r) => {
            const a = answers[r.id];
            if (!a) return null;
            return (
              <div key={r.id} className="card compare-answer">
                <h3>{runLabel(r)}</h3>
                {a.state === 'error' ? (
                  <p className="field-error">{a.error}</p>
                ) : (
                  <p>{a.text || <span className="muted">{a.state === 'running' ? '…' : '(empty)'}</span>}</p>
                )}
              </div>
            );
          })}
        </div>
      )}
    </form>
  );
}
