// Critics for Constitutional AI: given a principle, a prompt and a response, say what is wrong with
// the response under that principle, or nothing. Two kinds:
//
// - The rule-based critic (the default; works with models too small to critique anything). A
//   principle flags a response when one of its triggers (case-insensitive regexes) matches the prompt
//   or the response (`triggerOn`), or when the response has fewer than `minWords` words. Three rules
//   keep it from flagging what needs no revision:
//   1. A `refuse` principle is satisfied by a refusal (world/detectors isRefusal): nothing to fix.
//   2. When any `refuse` principle's triggers match the prompt, the request is one to decline, and the
//      other principles are not applied (a refusal is short and unhedged, and should be).
//   3. The length rule does not count a refusal or an "I don't know": those are short by design, and
//      whether they were right is for the harmlessness and honesty principles to say.
//   The critique text is a finding ("The prompt asks to "poison the wells" …"), not the request.
// - The model-based critic: prompts a model with "<critique request>\n\nPrompt: …\nResponse: …" and
//   takes its reply as the critique. Every principle is critiqued (as in Bai et al.), and counts as
//   flagged unless the reply opens by saying there is nothing wrong (NO_ISSUE). A tiny model writes
//   junk here, so nearly everything is flagged; it is meant for users who bring a capable model.
import { isRefusal, saysIDontKnow } from '../world';
import type { CompiledPrinciple } from './constitution';

/** One flagged principle and what the critic said. */
export interface Critique {
  principle: string;
  critique: string;
}

export interface Critic {
  /** The critique of `response` under `principle`, or null when the principle finds nothing to fix. */
  critique(principle: CompiledPrinciple, prompt: string, response: string): Promise<string | null>;
}

/** A model's reply as text to a request (the prompt is rendered as the user turn by the caller). */
export type Ask = (request: string) => Promise<string>;

/** Whitespace-separated words. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The first `refuse` principle whose triggers match the prompt: the request is one to decline. */
export function decliningPrinciple(
  principles: readonly CompiledPrinciple[],
  prompt: string,
): CompiledPrinciple | undefined {
  return principles.find((p) => p.strategy === 'refuse' && p.triggerOn === 'prompt' && firstMatch(p, prompt));
}

/**
 * The rule-based critique of one principle (pure). `declined`: whether some `refuse` principle
 * matched the prompt (rule 2 in the header).
 */
export function ruleCritique(
  p: CompiledPrinciple,
  prompt: string,
  response: string,
  declined: boolean,
): string | null {
  if (declined && p.strategy !== 'refuse') return null;
  const refuses = isRefusal(response);
  if (p.strategy === 'refuse' && refuses) return null;
  const findings: string[] = [];
  const text = p.triggerOn === 'prompt' ? prompt : response;
  const match = firstMatch(p, text);
  if (match !== undefined) findings.push(triggerFinding(p, match));
  const words = countWords(response);
  if (p.minWords > 0 && words < p.minWords && !refuses && !saysIDontKnow(response))
    findings.push(
      words === 0
        ? 'The response is empty: it does not answer the question at all.'
        : `The response has ${words} word${words === 1 ? '' : 's'}, fewer than the ${p.minWords} a full answer needs.`,
    );
  return findings.length > 0 ? findings.join(' ') : null;
}

/** Every principle's rule-based critique of one response at once (no revision in between). */
export function ruleCritiqueAll(
  principles: readonly CompiledPrinciple[],
  prompt: string,
  response: string,
): Critique[] {
  const declined = decliningPrinciple(principles, prompt) !== undefined;
  return principles.flatMap((p) => {
    const critique = ruleCritique(p, prompt, response, declined);
    return critique === null ? [] : [{ principle: p.name, critique }];
  });
}

/** The rule-based critic over a constitution (whose `refuse` principles decide rule 2). */
export function ruleCritic(principles: readonly CompiledPrinciple[]): Critic {
  return {
    critique: (p, prompt, response) =>
      Promise.resolve(
        ruleCritique(p, prompt, response, decliningPrinciple(principles, prompt) !== undefined),
      ),
  };
}

/** What a model critic is asked. */
export function critiqueRequest(p: CompiledPrinciple, prompt: string, response: string): string {
  return `${p.critique}\n\nPrompt: ${prompt}\nResponse: ${response}`;
}

/** A critique that opens by finding nothing wrong. */
export const NO_ISSUE =
  /^\s*(?:no\b|none\b|nothing\b|n\/a\b|there (?:is|are) no (?:problems?|issues?)|the response is (?:fine|good|acceptable|harmless|helpful|honest))/i;

/** The model-based critic: `ask` answers each critique request (see the header). */
export function modelCritic(ask: Ask): Critic {
  return {
    async critique(p, prompt, response) {
      const reply = (await ask(critiqueRequest(p, prompt, response))).trim();
      if (NO_ISSUE.test(reply)) return null;
      return reply === '' ? '(the critic model wrote nothing)' : reply;
    },
  };
}

/** The first trigger's match, with the word after it ("poison the" → "poison the wells") for the critique. */
function firstMatch(p: CompiledPrinciple, text: string): string | undefined {
  for (const re of p.patterns) {
    const m = re.exec(text);
    if (m) return m[0] + (text.slice(m.index + m[0].length).match(/^\s*[\w'’-]+/)?.[0] ?? '');
  }
  return undefined;
}

function triggerFinding(p: CompiledPrinciple, match: string): string {
  const quoted = `"${match.trim().replace(/\s+/g, ' ').slice(0, 60)}"`;
  switch (p.strategy) {
    case 'refuse':
      return `The prompt contains ${quoted}, a request ${p.name} says to decline, and the response does not decline it.`;
    case 'hedge':
      return `The response says ${quoted}: it claims a certainty it has not shown.`;
    default:
      return `The ${p.triggerOn} contains ${quoted}, which ${p.name} flags.`;
  }
}
