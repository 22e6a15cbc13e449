// Generation for the playground: load a model and its tokenizer, render the conversation as a prompt
// (through a chat template, or as plain text for a base model that was never taught one), and stream
// the reply as text deltas. Stops at the tokenizer's end-of-sequence or end-of-turn tokens. Runs on
// onnxruntime over the KV-cache export (onnx/stream.ts) unless LAB_INFERENCE=tfjs or the session
// can't be created (then tfjs's generateStream); where, and why, is told to `onInference`.
import type { Message } from '../../../shared/records';
import type { InferenceInfo, TemplateName } from '../../../shared/schemas';
import { selectBackend } from '../backend';
import { loadModel } from '../checkpoint';
import { generateStream, type GeneratedToken } from '../generate';
import { openInference } from '../onnx/engine';
import { onnxGenerateStream } from '../onnx/stream';
import { loadTokenizer } from '../tokenizer/load';
import { renderPrompt } from '../tokenizer/templates';

export interface GenerationRequest {
  /** The model's weights file. */
  modelPath: string;
  messages: Message[];
  /** A chat template, or 'none': the last user message as plain text to continue. */
  template: TemplateName | 'none';
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

/** Special tokens that end a reply, whichever of them the tokenizer has. */
const STOP_TOKENS = ['<|eos|>', '<|endoftext|>', '</s>', '<|im_end|>'];

export async function* runGeneration(
  req: GenerationRequest,
  signal: AbortSignal,
  /** Told where the reply is generated, before the first token. */
  onInference?: (info: InferenceInfo) => void,
): AsyncGenerator<string, string> {
  await selectBackend('auto');
  const { model, record } = await loadModel(req.modelPath, false);
  let release: (() => Promise<void>) | undefined;
  try {
    const tokenizer = await loadTokenizer(record.arch.tokenizer, req.modelPath);
    const prompt =
      req.template === 'none'
        ? tokenizer.encode(req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '')
        : renderPrompt(tokenizer, req.template, req.messages).ids;
    if (prompt.length === 0) throw new Error('the prompt is empty');
    const stopTokenIds = STOP_TOKENS.map((t) => tokenizer.specialId(t)).filter(
      (id): id is number => id !== undefined,
    );
    const ids: number[] = [];
    let sent = '';
    const inference = await openInference(model);
    onInference?.(inference.info);
    release = inference.session ? () => inference.session.release() : undefined;
    const opts = {
      maxNewTokens: req.maxNewTokens,
      temperature: req.temperature,
      topK: req.topK,
      topP: req.topP,
      seed: req.seed,
      stopTokenIds,
      vocabLimit: tokenizer.vocabSize,
      signal,
    };
    const window = prompt.slice(-model.config.contextLength);
    const stream: AsyncIterable<GeneratedToken> = inference.session
      ? onnxGenerateStream(inference.session, window, { ...opts, contextLength: model.config.contextLength })
      : generateStream(model, [window], opts);
    for await (const token of stream) {
      ids.push(token.id);
      // Decode the whole reply each time: a character may span several byte-level tokens.
      const text = tokenizer.decode(ids);
      if (text.endsWith('\uFFFD')) continue;
      yield text.slice(sent.length);
      sent = text;
    }
    return tokenizer.decode(ids);
  } finally {
    await release?.();
    model.dispose();
  }
}
