// TRL's dataset types, in both its standard (strings) and conversational (message lists) formats, as
// documented on TRL's "Dataset formats and types" page: `text`; `messages`; `prompt`/`completion`;
// `prompt`/`chosen`/`rejected` (with the reward trainer's optional `margin`) or, with an implicit
// prompt, `chosen`/`rejected` alone; `prompt`/`completion`/`label`; and prompt-only `prompt`.
// Stepwise-supervision records are not read. The lab's own constitution files (one principle object
// a line, see principle.ts) are read here too, as they are written beside TRL's.
import { isPrinciple, readPrinciple } from './principle';
import {
  bool,
  describeValue,
  fail,
  has,
  isBlank,
  messagesOrText,
  requireEndsWithAssistant,
  requireResponse,
  roleContentMessages,
  sharedPrefixLength,
  text,
  type FormatReader,
  type Obj,
} from './fields';
import type { Message, PreferenceRecord } from './types';

export const trl: FormatReader = {
  shapes: {
    text: 'TRL language modeling (`text`)',
    instruction: 'TRL language modeling or prompt-completion (`messages`, or `prompt` and `completion`)',
    preference: 'TRL preference (`prompt`, `chosen`, `rejected`, or `chosen` and `rejected` alone)',
    unpaired: 'TRL unpaired preference (`prompt`, `completion`, `label`)',
    prompt: 'TRL prompt-only (`prompt` alone)',
    constitution: 'constitution principles (`name`, `critique`, `revision`)',
  },

  classify(o) {
    if (isPrinciple(o)) return 'constitution';
    if ('text' in o) return 'text';
    if ('chosen' in o && 'rejected' in o) return 'preference';
    if ('completion' in o && 'label' in o) return 'unpaired';
    if ('completion' in o || 'messages' in o) return 'instruction';
    // Prompt-only is `prompt` alone: with a stray answer column it is a record missing its pair.
    if ('prompt' in o && !['chosen', 'rejected', 'label'].some((k) => k in o)) return 'prompt';
    return null;
  },

  read(kind, o) {
    switch (kind) {
      case 'text': {
        const t = text(o, 'text');
        if (isBlank(t)) fail('text', 'is empty');
        return { text: t };
      }
      case 'instruction': {
        if (!has(o, 'prompt') && !has(o, 'completion')) {
          const messages = roleContentMessages(o, 'messages');
          requireEndsWithAssistant(messages, 'messages');
          return { messages };
        }
        const prompt = messagesOrText(o, 'prompt', 'user');
        const completion = messagesOrText(o, 'completion', 'assistant');
        requireEndsWithAssistant(completion, 'completion');
        return { messages: [...prompt, ...completion] };
      }
      case 'preference':
        return withMargin(o, has(o, 'prompt') ? explicitPreference(o) : implicitPreference(o));
      case 'unpaired': {
        const prompt = messagesOrText(o, 'prompt', 'user');
        const completion = messagesOrText(o, 'completion', 'assistant');
        requireResponse(completion, 'completion');
        return { prompt, completion, label: bool(o, 'label') };
      }
      case 'prompt': {
        const prompt = messagesOrText(o, 'prompt', 'user');
        const last = prompt.at(-1);
        if (!last) return fail('prompt', 'is empty');
        if (last.role !== 'user') fail('prompt', `must end with a user turn (it ends with ${last.role})`);
        if (isBlank(last.content)) fail('prompt', prompt.length > 1 ? 'ends with an empty turn' : 'is empty');
        return { prompt };
      }
      case 'constitution':
        return readPrinciple(o);
    }
  },
};

/** TRL's optional `margin` column (how much better `chosen` is), kept when present. */
function withMargin(o: Obj, pair: PreferenceRecord): PreferenceRecord {
  if (!has(o, 'margin')) return pair;
  const m = o['margin'];
  if (typeof m !== 'number' || !Number.isFinite(m))
    fail('margin', `must be a number (found ${describeValue(m)})`);
  return { ...pair, margin: m as number };
}

function explicitPreference(o: Obj): PreferenceRecord {
  const prompt = messagesOrText(o, 'prompt', 'user');
  const chosen = messagesOrText(o, 'chosen', 'assistant');
  const rejected = messagesOrText(o, 'rejected', 'assistant');
  requireResponse(chosen, 'chosen');
  requireResponse(rejected, 'rejected');
  return { prompt, chosen, rejected };
}

/** No `prompt`: it is what `chosen` and `rejected` share at their start (TRL's `extract_prompt`). */
function implicitPreference(o: Obj): PreferenceRecord {
  const c = o['chosen'];
  const r = o['rejected'];
  if (typeof c === 'string' && typeof r === 'string') {
    if (c === r) fail('rejected', 'is the same text as `chosen`, so no prompt can be told apart');
    const at = sharedTextPrefix(c, r);
    const prompt: Message[] = at > 0 ? [{ role: 'user', content: c.slice(0, at) }] : [];
    return finish(prompt, c.slice(at), r.slice(at));
  }
  if (Array.isArray(c) && Array.isArray(r)) {
    const chosen = messagesOrText(o, 'chosen', 'assistant');
    const rejected = messagesOrText(o, 'rejected', 'assistant');
    const at = sharedPrefixLength(chosen, rejected);
    if (at === chosen.length && at === rejected.length)
      fail('rejected', 'is the same conversation as `chosen`, so no prompt can be told apart');
    const pair = { prompt: chosen.slice(0, at), chosen: chosen.slice(at), rejected: rejected.slice(at) };
    if (pair.chosen.length === 0) fail('chosen', 'has no turn after the prompt it shares with `rejected`');
    if (pair.rejected.length === 0) fail('rejected', 'has no turn after the prompt it shares with `chosen`');
    requireResponse(pair.chosen, 'chosen');
    requireResponse(pair.rejected, 'rejected');
    return pair;
  }
  // Reports the first field that is missing or of the wrong type.
  messagesOrText(o, 'chosen', 'assistant');
  messagesOrText(o, 'rejected', 'assistant');
  return fail('rejected', 'must be of the same type as `chosen` (both text or both lists of messages)');
}

function finish(prompt: Message[], chosen: string, rejected: string): PreferenceRecord {
  if (isBlank(chosen)) fail('chosen', 'has nothing after the prompt it shares with `rejected`');
  if (isBlank(rejected)) fail('rejected', 'has nothing after the prompt it shares with `chosen`');
  return {
    prompt,
    chosen: [{ role: 'assistant', content: chosen }],
    rejected: [{ role: 'assistant', content: rejected }],
  };
}

/**
 * Length of the prompt two strings share: up to their first difference, less a space just before it
 * (TRL gives that space to the completions), never splitting a UTF-16 surrogate pair.
 */
export function sharedTextPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const high = (k: number) => k >= 0 && (a.charCodeAt(k) & 0xfc00) === 0xd800;
  if (i > 0 && high(i - 1)) i--;
  if (i < n && i > 0 && a[i - 1] === ' ') i--;
  return i;
}
