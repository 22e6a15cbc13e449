// A chat transcript: the user's turns and the model's replies, a reply streaming in with a cursor,
// a failed one with its error inline. Also what the next request sends: the exchanges that worked.
import { useEffect, useRef } from 'react';
import type { Message } from '../../../shared/records';
import type { InferenceInfo } from '../../../shared/schemas';
import type { ChatTemplate } from './chatModels';
import { inferenceLabel } from './InferenceLabel';
import '../playground.css';

export type ReplyStatus = 'streaming' | 'done' | 'stopped' | 'error';

export type ChatTurn =
  | { id: number; role: 'user'; content: string }
  | {
      id: number;
      role: 'assistant';
      content: string;
      status: ReplyStatus;
      error: string | null;
      /** The template it was asked with: `none` replies continue the user's text. */
      template: ChatTemplate;
      /** Streamed pieces (about one per token) and the time they took, once done. */
      pieces: number;
      ms: number | null;
      /** Where it was generated, once done (when the lab said). */
      inference?: InferenceInfo | null;
    };

export const isStreaming = (turns: readonly ChatTurn[]): boolean => {
  const last = turns.at(-1);
  return last?.role === 'assistant' && last.status === 'streaming';
};

/**
 * The messages for the next request: the system prompt (when there is one), every exchange whose reply
 * has text and did not fail (the templates need user and assistant to alternate), then `next`.
 */
export function conversationFor(turns: readonly ChatTurn[], system: string, next: string): Message[] {
  const messages: Message[] = system.trim() ? [{ role: 'system', content: system }] : [];
  turns.forEach((t, i) => {
    const reply = turns[i + 1];
    if (t.role !== 'user' || reply?.role !== 'assistant') return;
    if (reply.status === 'error' || reply.status === 'streaming' || reply.content === '') return;
    messages.push({ role: 'user', content: t.content }, { role: 'assistant', content: reply.content });
  });
  messages.push({ role: 'user', content: next });
  return messages;
}

function ReplyMeta({ turn }: { turn: Extract<ChatTurn, { role: 'assistant' }> }) {
  if (turn.status === 'streaming' || turn.status === 'error') return null;
  const rate = turn.ms && turn.pieces > 0 ? ` · ${((turn.pieces / turn.ms) * 1000).toFixed(1)} tokens/s` : '';
  return (
    <p className="chat-meta">
      {turn.status === 'stopped' ? 'Stopped · ' : ''}
      {turn.pieces} {turn.pieces === 1 ? 'token' : 'tokens'}
      {rate}
      {turn.inference && (
        <>
          {' · '}
          <span title={turn.inference.reason}>{inferenceLabel(turn.inference)}</span>
        </>
      )}
    </p>
  );
}

interface TranscriptProps {
  turns: readonly ChatTurn[];
  /** Who answers, for the reply labels and the log's name. */
  modelName: string;
  empty: string;
}

export function Transcript({ turns, modelName, empty }: TranscriptProps) {
  const ref = useRef<HTMLDivElement>(null);
  // Follow the stream while the reader is at the bottom; leave them be when they scrolled up.
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [turns]);

  return (
    <div
      ref={ref}
      className="chat-log"
      role="log"
      aria-live="polite"
      aria-busy={isStreaming(turns)}
      aria-label={`Conversation with ${modelName}`}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {turns.length === 0 && <p className="chat-empty">{empty}</p>}
      {turns.map((t) =>
        t.role === 'user' ? (
          <div key={t.id} className="chat-msg chat-user">
            <span className="chat-role">You</span>
            <div className="chat-text">{t.content}</div>
          </div>
        ) : (
          <div
            key={t.id}
            className={`chat-msg chat-assistant chat-is-${t.status}`}
            aria-busy={t.status === 'streaming'}
          >
            <span className="chat-role">{modelName}</span>
            <div className="chat-text">
              {t.template === 'none' && (
                <span className="chat-continues" title="Continues your text">
                  …
                </span>
              )}
              {t.content}
              {t.status === 'streaming' && t.content === '' && (
                <span className="visually-hidden">Generating…</span>
              )}
              {t.status === 'streaming' && <span className="chat-cursor" aria-hidden="true" />}
              {t.status !== 'streaming' && t.content === '' && !t.error && (
                <span className="muted">(no text)</span>
              )}
            </div>
            {t.error && (
              <p className="chat-error" role="alert">
                Generation failed: {t.error}
              </p>
            )}
            <ReplyMeta turn={t} />
          </div>
        ),
      )}
    </div>
  );
}
