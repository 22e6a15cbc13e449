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

/** The names of every preset, including those the shared `ModelPreset` enum does not list yet. */
export type ModelPresetName = ModelPreset | 'lab-small' | 'lab-base';

/** Every model shape by name: the tutorial's two plus the lab's pretraining sizes (1024-token BPE vocabulary). */
export const MODEL_PRESETS: Record<ModelPresetName, GPTConfig> = {
  ...PRESETS,
  /** ~0.94 M parameters: the lab's default pretrain → SFT → alignment model. */
  'lab-small': { vocabSize: 1024, contextLength: 128, dModel: 128, nLayers: 4, nHeads: 4, dFF: 512 },
  /** ~5.1 M parameters: slower, for when there is time to wait. */
  'lab-base': { vocabSize: 1024, contextLength: 256, dModel: 256, nLayers: 6, nHeads: 8, dFF: 1024 },
};

export function isModelPresetName(name: string): name is ModelPresetName {
  return Object.hasOwn(MODEL_PRESETS, name);
}
