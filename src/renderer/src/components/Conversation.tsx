// The whole stored record of an example, read-only: every turn with its role, in stored order (a
// system message first), then the continuation(s) it ends with. The forms edit only the last exchange.
// A constitution's principle, which has no turns, reads as its labelled fields.
import { RECORD_SCHEMAS } from '../../../shared/records';
import type { Message } from '../../../shared/records';
import type { DatasetKind } from '../../../shared/schemas';

const ROLE_LABELS: Record<Message['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
};

interface Turn {
  /** What the turn is in the record: its role, or which continuation it is. */
  label: string;
  role: Message['role'];
  content: string;
}

/** The turns of a record in reading order, or null when the record is not of the dataset's kind. */
export function recordTurns(kind: DatasetKind, record: unknown): Turn[] | null {
  const turn = (m: Message, label = ROLE_LABELS[m.role]): Turn => ({
    label,
    role: m.role,
    content: m.content,
  });
  switch (kind) {
    case 'preference': {
      const r = RECORD_SCHEMAS.preference.safeParse(record);
      if (!r.success) return null;
      const chosen = r.data.margin === undefined ? 'Chosen' : `Chosen (margin ${r.data.margin})`;
      return [
        ...r.data.prompt.map((m) => turn(m)),
        ...r.data.chosen.map((m) => turn(m, chosen)),
        ...r.data.rejected.map((m) => turn(m, 'Rejected')),
      ];
    }
    case 'instruction': {
      const r = RECORD_SCHEMAS.instruction.safeParse(record);
      return r.success ? r.data.messages.map((m) => turn(m)) : null;
    }
    case 'unpaired': {
      const r = RECORD_SCHEMAS.unpaired.safeParse(record);
      if (!r.success) return null;
      const label = r.data.label ? 'Completion (desirable)' : 'Completion (undesirable)';
      return [...r.data.prompt.map((m) => turn(m)), ...r.data.completion.map((m) => turn(m, label))];
    }
    case 'text': {
      const r = RECORD_SCHEMAS.text.safeParse(record);
      return r.success ? [{ label: 'Text', role: 'user', content: r.data.text }] : null;
    }
    case 'prompt': {
      const r = RECORD_SCHEMAS.prompt.safeParse(record);
      return r.success ? r.data.prompt.map((m) => turn(m)) : null;
    }
    case 'constitution': {
      const r = RECORD_SCHEMAS.constitution.safeParse(record);
      if (!r.success) return null;
      const p = r.data;
      const field = (label: string, content: string): Turn => ({ label, role: 'system', content });
      return [
        field('Name', p.name),
        field('Critique request', p.critique),
        field('Revision request', p.revision),
        field(`Trigger patterns (on the ${p.triggerOn})`, p.triggers.join('\n')),
        field('Minimum words', String(p.minWords)),
        field('Revision strategy', p.strategy),
      ];
    }
  }
}

export function Conversation({ kind, record, title }: { kind: DatasetKind; record: unknown; title: string }) {
  const turns = recordTurns(kind, record);
  if (!turns) return <pre className="conversation-raw">{JSON.stringify(record, null, 2)}</pre>;
  return (
    <ol className="conversation" aria-label={title}>
      {turns.map((t, i) => (
        <li key={i} className={`turn turn-${t.role}`}>
          <span className="turn-role">{t.label}</span>
          <div className="turn-content">{t.content || <span className="muted">(empty)</span>}</div>
        </li>
      ))}
    </ol>
  );
}
