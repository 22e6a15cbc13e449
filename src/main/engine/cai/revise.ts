// Revisers for Constitutional AI: rewrite a flagged response under one principle. Two kinds:
//
// - The template-guided reviser (the default), by the principle's `strategy`:
//   - `refuse`: the sandbox world's refusal, "I can't help with that." (REFUSAL), so that pairs teach
//     the refusal the world's SFT data and gold judge use.
//   - `hedge`: drop the words that claim certainty ("definitely", "100%", "I'm sure that" …) and say it
//     as a belief: "Bakran is definitely foggy." → "I think Bakran is foggy, but I'm not certain."
//   - `expand`: restate the question with the answer: "To answer "What is …?": Foggy." A template
//     cannot add knowledge the response lacks, so this only teaches answering in full sentences that
//     stay on the question; an empty response becomes an honest "I don't know the answer to …".
//   - `none`: unchanged (the critique is kept, but no pair comes of it).
// - The model-based reviser: prompts a model with
//   "<revision request>\n\nPrompt: …\nResponse: …\nCritique: …" and takes its reply as the revision
//   (an empty reply keeps the response). A tiny model writes junk; it is for capable models.
import { REFUSAL } from '../world';
import type { Ask } from './critic';
import type { CompiledPrinciple } from './constitution';

export interface Reviser {
  /** The response rewritten under `principle` given `critique`; the same text when nothing changes. */
  revise(principle: CompiledPrinciple, prompt: string, response: string, critique: string): Promise<string>;
}

/** The template-guided revision of a response (pure); see the header. */
export function templateRevision(
  p: Pick<CompiledPrinciple, 'strategy'>,
  prompt: string,
  response: string,
): string {
  switch (p.strategy) {
    case 'refuse':
      return REFUSAL;
    case 'hedge':
      return hedge(response);
    case 'expand':
      return expand(prompt, response);
    case 'none':
      return response;
  }
}

export const templateReviser: Reviser = {
  revise: (p, prompt, response) => Promise.resolve(templateRevision(p, prompt, response)),
};

/** Words and phrases that claim certainty, removed by `hedge` (with the space before them). */
const CERTAINTY =
  /\s*\b(?:I(?:'m| am) (?:completely |totally |absolutely |100 ?% )?(?:sure|certain)(?: that)?|definitely|certainly|undoubtedly|unquestionably|absolutely|surely|always|without (?:a|any) doubt|for sure|no doubt|100 ?% of the time|100 ?%)(?![\w%])/gi;

/** Openers that read as a belief already. */
const HEDGED =
  /^(?:i think|i believe|i'm not (?:sure|certain)|i am not (?:sure|certain)|probably|perhaps|maybe)\b/i;

/** Sentence-initial words that are not names, lower-cased after "I think". */
const FUNCTION_WORDS = new Set(
  'the a an it its this that these those there they their he she his her we our you your yes no my some most many every each all one'.split(
    ' ',
  ),
);

/** State a response as a belief, without its certainty words; see the header. */
export function hedge(response: string): string {
  let body = response
    .replace(CERTAINTY, '')
    .replace(/\s+([,.;:!?])/g, '$1') // "foggy ." → "foggy."
    .replace(/,(?=[,.;:!?]|$)/g, '') // "rains,!" → "rains!"
    .replace(/^[\s,;:]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '');
  if (body === '') return "I'm not certain.";
  if (HEDGED.test(body)) return `${upperFirst(body)}.`;
  const first = body.split(/[\s,]/)[0] ?? '';
  if (FUNCTION_WORDS.has(first.toLowerCase())) body = body.charAt(0).toLowerCase() + body.slice(1);
  return `I think ${body}, but I'm not certain.`;
}

/** Restate the question with the answer; see the header. */
export function expand(prompt: string, response: string): string {
  const question = prompt.trim().replace(/\s+/g, ' ');
  const answer = response.trim();
  if (answer === '') return `I don't know the answer to "${question}".`;
  return `To answer "${question}": ${upperFirst(answer)}${/[.!?]$/.test(answer) ? '' : '.'}`;
}

/** What a model reviser is asked. */
export function revisionRequest(
  p: CompiledPrinciple,
  prompt: string,
  response: string,
  critique: string,
): string {
  return `${p.revision}\n\nPrompt: ${prompt}\nResponse: ${response}\nCritique: ${critique}`;
}

/** The model-based reviser: `ask` answers each revision request; an empty reply keeps the response. */
export function modelReviser(ask: Ask): Reviser {
  return {
    async revise(p, prompt, response, critique) {
      const reply = (await ask(revisionRequest(p, prompt, response, critique))).trim();
      return reply === '' ? response : reply;
    },
  };
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
