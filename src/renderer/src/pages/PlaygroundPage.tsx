// The playground: talk to a trained model, its reply streaming in token by token, or to two side by
// side (a base model and its SFT child, say) with one message box. Each column keeps its own
// transcript, sent back as the conversation on the next turn.
import { useCallback, useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { FormEvent, KeyboardEvent } from 'react';
import { LabError } from '../../../shared/api';
import { GenerateInput } from '../../../shared/schemas';
import type { Model, Run } from '../../../shared/schemas';
import { lab } from '../lab';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { formErrors, NO_ERRORS } from '../forms';
import type { FormErrors } from '../forms';
import { Alert, EmptyState, Field, LoadError, Loading } from '../components/ui';
import { ModelSelect, TemplateSelect, defaultTemplate, newestFirst } from '../components/chatModels';
import type { ChatTemplate } from '../components/chatModels';
import { INITIAL_SAMPLING, SAMPLING_KEYS, SamplingFields, samplingValues } from '../components/chatSettings';
import { useGenerationStreams } from '../components/chatStream';
import type { StreamHandle } from '../components/chatStream';
import { Transcript, conversationFor, isStreaming } from '../components/chatTranscript';
import type { ChatTurn } from '../components/chatTranscript';
import '../playground.css';

type Side = 'a' | 'b';
const SIDE_NAMES: Record<Side, string> = { a: 'Left model', b: 'Right model' };

interface Column {
  modelId: string;
  template: ChatTemplate;
  turns: ChatTurn[];
}
type Reply = Extract<ChatTurn, { role: 'assistant' }>;

interface ChatProps {
  models: Model[];
  runs: ReadonlyMap<number, Run>;
  initialModelId: number | null;
  /** Where the page header keeps its actions (Compare, Clear). */
  actions: HTMLElement | null;
}

function Chat({ models, runs, initialModelId, actions }: ChatProps) {
  const byId = new Map(models.map((m) => [String(m.id), m]));
  const column = (m: Model): Column => ({
    modelId: String(m.id),
    template: defaultTemplate(m, runs),
    turns: [],
  });
  const [columns, setColumns] = useState<Record<Side, Column>>(() => {
    const first = models.find((m) => m.id === initialModelId) ?? models[0]!;
    // Compare a tuned model with the model it was tuned from, when that is still here.
    const partner =
      models.find((m) => m.id === first.parentId) ?? models.find((m) => m.id !== first.id) ?? first;
    return { a: column(first), b: column(partner) };
  });
  const [compare, setCompare] = useState(false);
  const [sampling, setSampling] = useState(INITIAL_SAMPLING);
  const [system, setSystem] = useState('');
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const streams = useGenerationStreams();
  const handles = useRef(new Map<Side, StreamHandle>());
  const nextId = useRef(1);
  const messageRef = useRef<HTMLTextAreaElement>(null);

  const sides: Side[] = compare ? ['a', 'b'] : ['a'];
  const generating = sides.some((s) => isStreaming(columns[s].turns));
  const missing = initialModelId !== null && !models.some((m) => m.id === initialModelId);

  // When a reply ends while focus was on Stop (which then disappears), return it to the message box.
  const wasGenerating = useRef(false);
  useEffect(() => {
    if (wasGenerating.current && !generating && document.activeElement === document.body)
      messageRef.current?.focus();
    wasGenerating.current = generating;
  }, [generating]);

  const updateColumn = useCallback(
    (side: Side, f: (c: Column) => Column) => setColumns((cs) => ({ ...cs, [side]: f(cs[side]) })),
    [],
  );
  const updateReply = useCallback(
    (side: Side, id: number, f: (t: Reply) => Reply) =>
      updateColumn(side, (c) => ({
        ...c,
        turns: c.turns.map((t) => (t.id === id && t.role === 'assistant' ? f(t) : t)),
      })),
    [updateColumn],
  );

  const send = () => {
    if (generating) return;
    if (!message.trim()) {
      setErrors({ fields: { messages: 'Write a message first.' }, general: null });
      messageRef.current?.focus();
      return;
    }
    const requests: { side: Side; input: GenerateInput }[] = [];
    for (const side of sides) {
      const c = columns[side];
      const parsed = GenerateInput.safeParse({
        modelId: Number(c.modelId),
        messages: conversationFor(c.turns, c.template === 'none' ? '' : system, message),
        template: c.template,
        ...samplingValues(sampling),
      });
      if (!parsed.success) {
        setErrors(formErrors(LabError.fromZod(parsed.error), [...SAMPLING_KEYS, 'messages']));
        return;
      }
      requests.push({ side, input: parsed.data });
    }
    setErrors(NO_ERRORS);
    setMessage('');
    for (const { side, input } of requests) {
      const userId = nextId.current++;
      const replyId = nextId.current++;
      const started = performance.now();
      const reply: Reply = {
        id: replyId,
        role: 'assistant',
        content: '',
        status: 'streaming',
        error: null,
        template: input.template ?? 'chatml',
        pieces: 0,
        ms: null,
      };
      updateColumn(side, (c) => ({
        ...c,
        turns: [...c.turns, { id: userId, role: 'user', content: message }, reply],
      }));
      const handle = streams.start(input, {
        onDelta: (delta) =>
          updateReply(side, replyId, (t) => ({ ...t, content: t.content + delta, pieces: t.pieces + 1 })),
        onDone: ({ error, stopped, inference }) => {
          if (handles.current.get(side) === handle) handles.current.delete(side);
          const status = error ? 'error' : stopped ? 'stopped' : 'done';
          const ms = performance.now() - started;
          updateReply(side, replyId, (t) => ({ ...t, status, error, ms, inference: inference ?? null }));
        },
      });
      handles.current.set(side, handle);
    }
  };

  const stop = (only?: Side) => {
    for (const [side, handle] of handles.current) if (!only || side === only) handle.stop();
    messageRef.current?.focus();
  };

  const clear = () => {
    stop();
    handles.current.clear();
    setColumns((cs) => ({ a: { ...cs.a, turns: [] }, b: { ...cs.b, turns: [] } }));
    setErrors(NO_ERRORS);
  };

  const toggleCompare = (on: boolean) => {
    if (!on) handles.current.get('b')?.stop();
    setCompare(on);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <>
      {actions &&
        createPortal(
          <>
            <label className="pg-toggle">
              <input type="checkbox" checked={compare} onChange={(e) => toggleCompare(e.target.checked)} />
              Compare two models
            </label>
            <button type="button" className="secondary" onClick={clear}>
              Clear
            </button>
          </>,
          actions,
        )}
      {missing && <Alert>There is no model #{initialModelId}; the newest model is selected instead.</Alert>}
      {errors.general && <Alert>{errors.general}</Alert>}

      <div className="card pg-settings">
        <SamplingFields
          value={sampling}
          errors={errors.fields}
          onChange={(key, text) => setSampling((s) => ({ ...s, [key]: text }))}
        />
        <details className="pg-system">
          <summary>System prompt{system.trim() ? ' (set)' : ''}</summary>
          <Field label="System" hint="Sent first with chat templates; a base model (None) ignores it.">
            {(p) => <textarea {...p} rows={2} value={system} onChange={(e) => setSystem(e.target.value)} />}
          </Field>
        </details>
      </div>

      <div className={`pg-columns${compare ? ' pg-compare' : ''}`}>
        {sides.map((side) => {
          const c = columns[side];
          const model = byId.get(c.modelId);
          const name = model ? `#${model.id} ${model.name}` : 'the model';
          const headingId = `pg-heading-${side}`;
          return (
            <section
              key={side}
              className="card pg-column"
              aria-labelledby={compare ? headingId : undefined}
              aria-label={compare ? undefined : 'Chat'}
            >
              {compare && (
                <h2 id={headingId} className="pg-column-title">
                  {SIDE_NAMES[side]}
                </h2>
              )}
              <div className={`pg-pickers${compare ? ' pg-pickers-stacked' : ''}`}>
                <ModelSelect
                  label="Model"
                  models={models}
                  value={c.modelId}
                  onChange={(id) =>
                    updateColumn(side, (col) => ({
                      ...col,
                      modelId: id,
                      template: defaultTemplate(byId.get(id), runs),
                    }))
                  }
                />
                <TemplateSelect
                  label="Template"
                  withNone
                  value={c.template}
                  onChange={(template) => updateColumn(side, (col) => ({ ...col, template }))}
                />
              </div>
              <Transcript
                turns={c.turns}
                modelName={name}
                empty={
                  c.template === 'none'
                    ? 'Write the start of a text: the model continues it.'
                    : 'Send a message to start the conversation.'
                }
              />
              {compare && isStreaming(c.turns) && (
                <button type="button" className="small pg-column-stop" onClick={() => stop(side)}>
                  Stop {SIDE_NAMES[side].toLowerCase()}
                </button>
              )}
            </section>
          );
        })}
      </div>

      <form
        className="card pg-composer"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          send();
        }}
      >
        <Field
          label="Message"
          error={errors.fields.messages}
          hint={
            compare
              ? 'Enter sends to both models; Shift+Enter adds a line.'
              : 'Enter sends; Shift+Enter adds a line.'
          }
        >
          {(p) => (
            <textarea
              {...p}
              ref={messageRef}
              rows={2}
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              onKeyDown={onKeyDown}
            />
          )}
        </Field>
        <div className="pg-composer-actions">
          {generating && (
            <button type="button" className="danger-outline" onClick={() => stop()}>
              Stop
            </button>
          )}
          <button type="submit" className="primary" disabled={generating}>
            Send
          </button>
        </div>
      </form>
    </>
  );
}

export function PlaygroundPage({ initialModelId }: { initialModelId: number | null }) {
  const { data, reload } = useLoad(async () => {
    const [all, runs] = await Promise.all([lab.listModels(), lab.listRuns().catch(() => [] as Run[])]);
    const models = all.filter((m) => m.kind !== 'reward'); // a reward model scores; it does not chat
    return { models: newestFirst(models), runs: new Map(runs.map((r) => [r.id, r])) };
  });
  const [actions, setActions] = useState<HTMLDivElement | null>(null);
  return (
    <section className="playground">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Playground</h1>
          <p className="muted">Talk to a model you trained, or to two at once to compare them.</p>
        </div>
        <div className="header-actions pg-actions" ref={setActions} />
      </header>
      {data.state === 'loading' && <Loading what="models" />}
      {data.state === 'error' && <LoadError error={data.error} retry={() => void reload()} />}
      {data.state === 'ready' && data.value.models.length === 0 && (
        <EmptyState>
          <p>
            Train a model first: run Pretraining on a text dataset, or SFT on an instruction dataset, then
            come back to talk to it.
          </p>
          <p>
            <Link to="/runs">Go to Runs</Link>
          </p>
        </EmptyState>
      )}
      {data.state === 'ready' && data.value.models.length > 0 && (
        <Chat
          models={data.value.models}
          runs={data.value.runs}
          initialModelId={initialModelId}
          actions={actions}
        />
      )}
    </section>
  );
}
