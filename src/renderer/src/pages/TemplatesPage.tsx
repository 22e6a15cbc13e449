// Template preview: a small conversation rendered through a chat template with a model's tokenizer
// (or bytes), token by token, each marked as in the SFT loss or not: exactly what training sees.
import { useEffect, useMemo, useRef, useState } from 'react';
import { TemplateName } from '../../../shared/schemas';
import type { TemplatePreview } from '../../../shared/schemas';
import type { Message } from '../../../shared/records';
import { errorMessage, lab } from '../lab';
import { useLoad } from '../hooks';
import { Alert, Field } from '../components/ui';
import { TemplateSelect, modelLabel, newestFirst } from '../components/chatModels';
import { TokenChips } from '../components/chatTokens';
import '../playground.css';

interface Turn {
  user: string;
  assistant: string;
}

const DEBOUNCE_MS = 200;

type Shown = { key: string } & ({ ok: true; value: TemplatePreview } | { ok: false; error: string });

function TurnFields({
  turn,
  index,
  onChange,
  onRemove,
}: {
  turn: Turn;
  index: number;
  onChange: (t: Turn) => void;
  onRemove: (() => void) | null;
}) {
  const suffix = index === 0 ? '' : ` (turn ${index + 1})`;
  return (
    <fieldset className="plain tpl-turn">
      <legend className="visually-hidden">Turn {index + 1}</legend>
      <Field label={`User${suffix}`}>
        {(p) => (
          <textarea
            {...p}
            data-role="user"
            rows={2}
            value={turn.user}
            onChange={(e) => onChange({ ...turn, user: e.target.value })}
          />
        )}
      </Field>
      <Field label={`Assistant${suffix}`}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={turn.assistant}
            onChange={(e) => onChange({ ...turn, assistant: e.target.value })}
          />
        )}
      </Field>
      {onRemove && (
        <button type="button" className="small danger-outline" onClick={onRemove}>
          Remove turn {index + 1}
        </button>
      )}
    </fieldset>
  );
}

export function TemplatesPage() {
  const models = useLoad(async () => newestFirst(await lab.listModels()));
  const [template, setTemplate] = useState<TemplateName>('chatml');
  const [modelId, setModelId] = useState('');
  const [system, setSystem] = useState('');
  const [turns, setTurns] = useState<Turn[]>([
    { user: 'What is the capital of France?', assistant: 'Paris.' },
  ]);
  const [shown, setShown] = useState<Shown | null>(null);
  const editorRef = useRef<HTMLDivElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  const messages = useMemo((): Message[] => {
    const ms: Message[] = system.trim() ? [{ role: 'system', content: system }] : [];
    for (const t of turns)
      ms.push({ role: 'user', content: t.user }, { role: 'assistant', content: t.assistant });
    return ms;
  }, [system, turns]);
  const key = JSON.stringify([template, modelId, messages]);

  // Render once the typing pauses; a slower answer to an older question never replaces a newer one.
  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      const input = { template, messages, ...(modelId ? { modelId: Number(modelId) } : {}) };
      lab.previewTemplate(input).then(
        (value) => !stale && setShown({ key, ok: true, value }),
        (e: unknown) => !stale && setShown({ key, ok: false, error: errorMessage(e) }),
      );
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [key, template, modelId, messages]);

  const addTurn = () => {
    setTurns((ts) => [...ts, { user: '', assistant: '' }]);
    requestAnimationFrame(() =>
      [...(editorRef.current?.querySelectorAll<HTMLElement>('textarea[data-role="user"]') ?? [])]
        .at(-1)
        ?.focus(),
    );
  };
  const removeTurn = (i: number) => {
    setTurns((ts) => ts.filter((_, j) => j !== i));
    addRef.current?.focus();
  };

  const list = models.data.state === 'ready' ? models.data.value : [];
  const preview = shown?.ok ? shown.value : null;
  const trained = preview ? preview.tokens.filter((t) => t.trained).length : 0;

  return (
    <section className="templates">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Template preview</h1>
          <p className="muted">
            How a chat template turns a conversation into tokens, and which of them SFT trains on.
          </p>
        </div>
      </header>
      <div className="tpl-layout">
        <div className="card tpl-editor" ref={editorRef}>
          <div className="tpl-pickers">
            <TemplateSelect
              label="Template"
              withNone={false}
              value={template}
              onChange={(t) => setTemplate(TemplateName.catch('chatml').parse(t))}
            />
            <Field
              label="Tokenizer from model"
              hint={
                models.data.state === 'error' ? 'Could not load the models; bytes still work.' : undefined
              }
            >
              {(p) => (
                <select {...p} value={modelId} onChange={(e) => setModelId(e.target.value)}>
                  <option value="">Bytes</option>
                  {list.map((m) => (
                    <option key={m.id} value={String(m.id)}>
                      {modelLabel(m)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <Field label="System" hint="Optional.">
            {(p) => <textarea {...p} rows={2} value={system} onChange={(e) => setSystem(e.target.value)} />}
          </Field>
          {turns.map((t, i) => (
            <TurnFields
              key={i}
              turn={t}
              index={i}
              onChange={(next) => setTurns((ts) => ts.map((x, j) => (j === i ? next : x)))}
              onRemove={i === 0 ? null : () => removeTurn(i)}
            />
          ))}
          <button type="button" ref={addRef} onClick={addTurn}>
            Add turn
          </button>
        </div>

        <div className="card tpl-preview" aria-busy={shown?.key !== key}>
          <div className="tpl-summary">
            <h2>Tokens</h2>
            {preview && (
              <p className="tpl-counts" aria-live="polite">
                {preview.tokens.length} tokens · {trained} trained
              </p>
            )}
          </div>
          <ul className="tpl-legend" aria-label="Legend">
            <li>
              <span className="tok tok-trained" aria-hidden="true">
                ab
              </span>{' '}
              Trained (in the loss)
            </li>
            <li>
              <span className="tok tok-untrained" aria-hidden="true">
                ab
              </span>{' '}
              Not trained
            </li>
            <li className="muted">· space ↵ newline</li>
          </ul>
          {shown === null && <p className="muted">Rendering…</p>}
          {shown && !shown.ok && <Alert>{shown.error}</Alert>}
          {preview && preview.warnings.length > 0 && (
            <div className="tpl-warnings" role="status">
              <h3>Warnings</h3>
              <ul>
                {preview.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          {preview && <TokenChips tokens={preview.tokens} label="Tokens" />}
          {preview && (
            <>
              <h3 className="tpl-raw-title">Text</h3>
              <pre className="tpl-raw" aria-label="Rendered text">
                {preview.text}
              </pre>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
