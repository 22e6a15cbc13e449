// Writes normalized records as TRL JSON Lines in TRL's conversational format: `messages`;
// `prompt`/`chosen`/`rejected` (without `prompt`, the implicit-prompt form, when the prompt is empty;
// with `margin` when the pair has one); `prompt`/`completion`/`label`; prompt-only `prompt`; and
// `text`. A constitution is written as its principle objects (principle.ts). One record a line,
// UTF-8 as is, newline-terminated.
import type { Message, RecordKind, RecordOf } from './types';

const turns = (ms: Message[]) => ms.map(({ role, content }) => ({ role, content }));

function row<K extends RecordKind>(kind: K, record: RecordOf<K>): object {
  switch (kind) {
    case 'instruction': {
      const r = record as RecordOf<'instruction'>;
      return { messages: turns(r.messages) };
    }
    case 'preference': {
      const r = record as RecordOf<'preference'>;
      const answers = {
        chosen: turns(r.chosen),
        rejected: turns(r.rejected),
        ...(r.margin === undefined ? {} : { margin: r.margin }),
      };
      return r.prompt.length === 0 ? answers : { prompt: turns(r.prompt), ...answers };
    }
    case 'unpaired': {
      const r = record as RecordOf<'unpaired'>;
      return { prompt: turns(r.prompt), completion: turns(r.completion), label: r.label };
    }
    case 'prompt':
      return { prompt: turns((record as RecordOf<'prompt'>).prompt) };
    case 'constitution': {
      const { name, critique, revision, triggers, triggerOn, minWords, strategy } =
        record as RecordOf<'constitution'>;
      return { name, critique, revision, triggers, triggerOn, minWords, strategy };
    }
    default: {
      const r = record as RecordOf<'text'>;
      return { text: r.text };
    }
  }
}

export function exportTrlJsonl<K extends RecordKind>(kind: K, records: readonly RecordOf<K>[]): string {
  return records.map((r) => JSON.stringify(row(kind, r)) + '\n').join('');
}
