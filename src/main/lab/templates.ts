// The template preview: a conversation rendered through a chat template with a model's tokenizer,
// token by token, each marked trained or not, so a user sees exactly what the SFT loss sees.
// Tokenizing is cheap and touches no model weights, so it runs in the main process.
import type { Message } from '../../shared/records';
import type { TemplateName, TemplatePreview } from '../../shared/schemas';
import { readModelRecord } from '../engine/checkpoint';
import { byteTokenizer } from '../engine/tokenizer/byte';
import { loadTokenizer } from '../engine/tokenizer/load';
import { renderWithTokens } from '../engine/tokenizer/templates';
import { LabError } from '../../shared/api';

export async function previewTemplate(
  template: TemplateName,
  messages: Message[],
  modelPath: string | null,
): Promise<TemplatePreview> {
  const tokenizer = modelPath
    ? await loadTokenizer((await readModelRecord(modelPath)).arch.tokenizer, modelPath)
    : byteTokenizer;
  try {
    const { tokens, text, warnings } = renderWithTokens(tokenizer, template, messages);
    return { tokens, text, warnings };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new LabError('invalid', `messages: ${message}`, [{ path: 'messages', message }]);
  }
}
