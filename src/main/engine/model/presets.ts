// Named model shapes: small overrides of the GPT defaults, kept apart from the model code.
import type { ModelPreset } from '../../../shared/schemas';
import { BYTE_VOCAB_SIZE } from '../tokenizer/byte';
import { DEFAULT_GPT_CONFIG, type GPTConfig } from './gpt';

export const PRESETS: Record<ModelPreset, GPTConfig> = {
  /** The DPO tutorial's toy model: 50 abstract tokens, sequences of 16. */
  'seed-tiny': { ...DEFAULT_GPT_CONFIG, vocabSize: 50, contextLength: 16 },
  /** Reads text through the byte tokenizer (256 bytes + specials). */
  'byte-tiny': { ...DEFAULT_GPT_CONFIG, vocabSize: BYTE_VOCAB_SIZE, contextLength: 64 },
};
