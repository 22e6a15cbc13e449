// Anthropic HH-RLHF: `chosen` and `rejected` are whole transcripts, "\n\nHuman: …\n\nAssistant: …",
// which agree up to their last "\n\nAssistant:". That shared part is the prompt; what follows it in
// each is the response. Turn text is kept as written, less the one space after "Human:"/"Assistant:".
import { fail, requireResponse, text, type FormatReader, type Obj } from './fields';
import type { Message } from './types';

const HUMAN = '\n\nHuman:';
const ASSISTANT = '\n\nAssistant:';
const TURN = /(?:^|\n\n)(Human|Assistant):/g;

/** True for a string that reads as an HH transcript. */
export const isTranscript = (v: unknown): v is string =>
  typeof v === 'string' && (v.startsWith(HUMAN) || v.startsWith('Human:')) && v.includes(ASSISTANT);

export const hh: FormatReader = {
  shapes: { preference: 'Anthropic HH (`chosen` and `rejected` transcripts with "Human:" and "Assistant:")' },

  classify: (o: Obj) =>
    isTranscript(o['chosen']) && 'rejected' in o && !('prompt' in o) ? 'preference' : null,

  read(kind, o) {
    if (kind !== 'preference') fail('', 'Anthropic HH files hold preference pairs only');
    const c = text(o, 'chosen');
    const r = text(o, 'rejected');
    const at = c.lastIndexOf(ASSISTANT);
    if (!c.startsWith(HUMAN) && !c.startsWith('Human:')) fail('chosen', 'must start with "\\n\\nHuman:"');
    if (at < 0) fail('chosen', 'has no "\\n\\nAssistant:" turn');
    const shared = c.slice(0, at + ASSISTANT.length);
    if (!r.startsWith(shared))
      fail('rejected', 'must repeat the conversation of `chosen` up to its last "Assistant:" turn');
    const prompt = turns(c.slice(0, at), 'chosen');
    const chosen = turns(c.slice(at), 'chosen');
    const rejected = turns(r.slice(at), 'rejected');
    requireResponse(chosen, 'chosen');
    requireResponse(rejected, 'rejected');
    return { prompt, chosen, rejected };
  },
};

/** Splits a transcript into turns; `s` starts with a marker. */
export function turns(s: string, field: string): Message[] {
  const marks = [...s.matchAll(TURN)];
  if (marks.length === 0 || marks[0]!.index !== 0) fail(field, 'must start with "\\n\\nHuman:"');
  return marks.map((m, i) => {
    const start = m.index + m[0].length;
    const end = marks[i + 1]?.index ?? s.length;
    const body = s.slice(start, end);
    return {
      role: m[1] === 'Human' ? 'user' : 'assistant',
      content: body.startsWith(' ') ? body.slice(1) : body,
    };
  });
}
