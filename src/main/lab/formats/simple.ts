// Bridges to the lab's current single-turn examples (src/shared: preference pairs {prompt, chosen,
// rejected} and instruction pairs {prompt, response}, all strings). Going to the simple shape works
// only for single-turn records without a system turn; the helpers say so by returning null.
import type { InstructionRecord, Message, PreferenceRecord } from './types';

export interface SimplePair {
  prompt: string;
  chosen: string;
  rejected: string;
}
export interface SimpleInstruction {
  prompt: string;
  response: string;
}

/** The text of a one-turn list with this role, or null. */
function only(messages: Message[], role: Message['role']): string | null {
  const [m, ...rest] = messages;
  return m && rest.length === 0 && m.role === role ? m.content : null;
}

/** {prompt, chosen, rejected} strings when the pair is single-turn (prompt empty or one user turn). */
export function toSimplePair(p: PreferenceRecord): SimplePair | null {
  const prompt = p.prompt.length === 0 ? '' : only(p.prompt, 'user');
  const chosen = only(p.chosen, 'assistant');
  const rejected = only(p.rejected, 'assistant');
  return prompt === null || chosen === null || rejected === null ? null : { prompt, chosen, rejected };
}

/** The reverse of toSimplePair: an empty prompt becomes no prompt turn (TRL's implicit prompt). */
export function fromSimplePair(s: SimplePair): PreferenceRecord {
  return {
    prompt: s.prompt === '' ? [] : [{ role: 'user', content: s.prompt }],
    chosen: [{ role: 'assistant', content: s.chosen }],
    rejected: [{ role: 'assistant', content: s.rejected }],
  };
}

/** {prompt, response} when the record is exactly [user, assistant]. */
export function toSimpleInstruction(r: InstructionRecord): SimpleInstruction | null {
  const [user, assistant, ...rest] = r.messages;
  if (!user || !assistant || rest.length > 0 || user.role !== 'user' || assistant.role !== 'assistant')
    return null;
  return { prompt: user.content, response: assistant.content };
}

export function fromSimpleInstruction(s: SimpleInstruction): InstructionRecord {
  return {
    messages: [
      { role: 'user', content: s.prompt },
      { role: 'assistant', content: s.response },
    ],
  };
}
