// LLaMA-Factory's sharegpt format (data/README.md): `conversations` of `{from, value}` turns with
// from ∈ human/gpt/system, an optional `system` column; preference records add `chosen` and `rejected`
// as single `{from: "gpt", value}` turns; KTO records add a boolean (`kto_tag`, or `label` as in
// kto_en_demo.json). Its "openai" variant, `messages` of `{role, content}`, is read the same way.
// A conversation that ends with the user's turn (and has no `chosen`, `rejected` or label) is a
// prompt, as LLaMA-Factory's PPO stage takes its prompts.
// As LLaMA-Factory requires, after an optional leading system turn the turns alternate user, assistant.
// Tool turns (observation, function_call) are refused: the lab's messages have no tool role.
import {
  bool,
  describeValue,
  fail,
  isObj,
  join,
  list,
  object,
  optionalText,
  requireResponse,
  text,
  type FormatReader,
  type Obj,
} from './fields';
import type { Message, Role } from './types';

const ROLES: Record<string, Role> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  system: 'system',
};
const TOOL_ROLES = new Set(['observation', 'function_call', 'function', 'tool']);

export const sharegpt: FormatReader = {
  shapes: {
    instruction: 'ShareGPT conversations (`conversations`)',
    preference: 'ShareGPT preference (`conversations`, `chosen`, `rejected`)',
    unpaired: 'ShareGPT KTO (`conversations` or `messages`, with `label` or `kto_tag`)',
    prompt: 'ShareGPT prompts (`conversations` ending with a "human" turn)',
  },

  classify(o) {
    if (!('conversations' in o) && !('messages' in o)) return null;
    if ('chosen' in o && 'rejected' in o) return 'preference';
    if ('label' in o || 'kto_tag' in o) return 'unpaired';
    return endsWithUser(o['conversations'] ?? o['messages']) ? 'prompt' : 'instruction';
  },

  read(kind, o) {
    if (kind === 'text' || kind === 'constitution')
      return fail(
        '',
        `ShareGPT records cannot be read as ${kind === 'text' ? 'plain text' : 'a constitution'}`,
      );
    const key = 'conversations' in o || !('messages' in o) ? 'conversations' : 'messages';
    const { system, turns, tags } = conversation(o, key);
    const head: Message[] = system ? [{ role: 'system', content: system }] : [];
    const last = turns.at(-1);
    if (kind === 'preference') {
      if (!last) fail(key, 'has no turns');
      if (last?.role === 'assistant')
        fail(key, `must end with a "${tags.user}" turn: the answers belong in \`chosen\` and \`rejected\``);
      const chosen = [single(o, 'chosen')];
      const rejected = [single(o, 'rejected')];
      requireResponse(chosen, 'chosen');
      requireResponse(rejected, 'rejected');
      return { prompt: [...head, ...turns], chosen, rejected };
    }
    if (kind === 'prompt') {
      if (!last) return fail(key, 'has no turns');
      if (last.role !== 'user') fail(key, `must end with a "${tags.user}" turn`);
      requireResponse(turns, key); // the last turn says something
      return { prompt: [...head, ...turns] };
    }
    if (!last) fail(key, 'has no turns');
    if (last?.role !== 'assistant') fail(key, `must end with a "${tags.assistant}" turn`);
    requireResponse(turns, key);
    if (kind === 'instruction') return { messages: [...head, ...turns] };
    return {
      prompt: [...head, ...turns.slice(0, -1)],
      completion: turns.slice(-1),
      label: bool(o, 'kto_tag' in o ? 'kto_tag' : 'label'),
    };
  },
};

interface Tags {
  role: string;
  content: string;
  user: string;
  assistant: string;
}
const FROM_VALUE: Tags = { role: 'from', content: 'value', user: 'human', assistant: 'gpt' };
const ROLE_CONTENT: Tags = { role: 'role', content: 'content', user: 'user', assistant: 'assistant' };

/** The turns of `key`, with a leading system turn (or the `system` column) split off. */
function conversation(o: Obj, key: string): { system?: string; turns: Message[]; tags: Tags } {
  const items = list(o, key);
  let tags = FROM_VALUE;
  const turns = items.map((item, i) => {
    const path = join(key, i);
    const m = object(item, path);
    if (i === 0 && !('from' in m) && 'role' in m) tags = ROLE_CONTENT;
    return turn(m, path, tags);
  });
  let system = optionalText(o, 'system');
  if (turns[0]?.role === 'system') system = turns.shift()?.content; // as LLaMA-Factory: the turn wins
  turns.forEach((t, i) => {
    const expected: Role = i % 2 === 0 ? 'user' : 'assistant';
    if (t.role === expected) return;
    const at = join(join(key, i + (items.length - turns.length)), tags.role);
    if (t.role === 'system') fail(at, 'is "system", which may only be the first turn');
    const want = expected === 'user' ? tags.user : tags.assistant;
    fail(
      at,
      `should be "${want}": turns alternate "${tags.user}", "${tags.assistant}", … (found "${raw(t, tags)}")`,
    );
  });
  return { system, turns, tags };
}

/** True when the last turn of a raw conversation is the user's ("human" or "user"). */
function endsWithUser(turns: unknown): boolean {
  const last: unknown = Array.isArray(turns) ? turns.at(-1) : undefined;
  if (!isObj(last)) return false;
  const from = last['from'] ?? last['role'];
  return from === 'human' || from === 'user';
}

const raw = (t: Message, tags: Tags) => (t.role === 'user' ? tags.user : tags.assistant);

function turn(m: Obj, path: string, tags: Tags): Message {
  const from = text(m, tags.role, path);
  const role = ROLES[from];
  if (!role) {
    const why = TOOL_ROLES.has(from)
      ? 'is a tool turn, which the lab does not support yet'
      : `must be "${tags.user}", "${tags.assistant}" or "system"`;
    fail(join(path, tags.role), `${why} (found "${from}")`);
  }
  return { role: role as Role, content: text(m, tags.content, path) };
}

/** `chosen` / `rejected`: one assistant turn. */
function single(o: Obj, key: 'chosen' | 'rejected'): Message {
  const v = o[key];
  if (v === undefined) fail(key, 'is missing');
  if (!isObj(v)) fail(key, `must be one turn like {"from": "gpt", "value": "…"} (found ${describeValue(v)})`);
  const m = v as Obj;
  const tags = !('from' in m) && 'role' in m ? ROLE_CONTENT : FROM_VALUE;
  const t = turn(m, key, tags);
  if (t.role !== 'assistant')
    fail(join(key, tags.role), `must be "${tags.assistant}" (found "${m[tags.role]}")`);
  return t;
}
