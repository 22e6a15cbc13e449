// The normalized records every imported dataset becomes and every export starts from, as zod schemas
// (types are inferred from them). Four kinds, after TRL's dataset types, always conversational:
// instruction (SFT), preference (DPO), unpaired preference (KTO) and plain text (pretraining).
// Not here: how a file is read (see parse.ts) or how a model's chat template renders messages.
import { z } from 'zod';

export const Role = z.enum(['system', 'user', 'assistant']);
export type Role = z.infer<typeof Role>;

/** One turn of a conversation. `content` is kept exactly as imported (no trimming). */
export const Message = z.object({ role: Role, content: z.string() });
export type Message = z.infer<typeof Message>;

const endsWithAssistant = (messages: Message[]) => messages.at(-1)?.role === 'assistant';

/** SFT: a conversation ending with an assistant turn ([system?, user, assistant] for a single exchange). */
export const InstructionRecord = z.object({
  messages: z.array(Message).min(1).refine(endsWithAssistant, 'must end with an assistant turn'),
  /** An Alpaca record's raw `input`, kept so an Alpaca prompt template can put it under its own heading. */
  alpacaInput: z.string().optional(),
  /** Made noisy on purpose by a sandbox world (`spam`, `repetition`, `boilerplate`, `salad`); not exported. */
  noise: z.string().optional(),
});
export type InstructionRecord = z.infer<typeof InstructionRecord>;

/** Paired preference: the same prompt (possibly empty), a better and a worse continuation. */
export const PreferenceRecord = z.object({
  prompt: z.array(Message),
  chosen: z.array(Message).min(1),
  rejected: z.array(Message).min(1),
  /** How much better the chosen is (TRL's optional `margin` column, read by the reward model's loss). */
  margin: z.number().optional(),
  /**
   * Rater disagreement (a sandbox world's pairs rendered with a flip rate): the labels were swapped on
   * purpose, so the gold judge prefers `rejected`. A reward model's `eval/gold_accuracy` un-swaps them.
   */
  flipped: z.boolean().optional(),
});
export type PreferenceRecord = z.infer<typeof PreferenceRecord>;

/** Unpaired preference (KTO): one completion and whether it is desirable. */
export const UnpairedRecord = z.object({
  prompt: z.array(Message),
  completion: z.array(Message).min(1),
  label: z.boolean(),
});
export type UnpairedRecord = z.infer<typeof UnpairedRecord>;

/** Language modeling (pretraining): one document. */
export const TextRecord = z.object({ text: z.string() });
export type TextRecord = z.infer<typeof TextRecord>;

/** Prompt-only (TRL's type for PPO and online methods): a conversation the model is to answer. */
export const PromptRecord = z.object({
  prompt: z
    .array(Message)
    .min(1)
    .refine((ms) => ms.at(-1)?.role === 'user', "must end with the user's turn"),
});
export type PromptRecord = z.infer<typeof PromptRecord>;

/**
 * One principle of a constitution (Constitutional AI, Bai et al. 2022): the requests a model-based
 * critic and reviser are given, and what the built-in rule-based critic checks and how its
 * template-guided reviser rewrites a flagged response.
 */
export const PrincipleRecord = z.object({
  /** Short name, e.g. "harmlessness". */
  name: z.string().trim().min(1, 'Name is empty'),
  /** Critique request: "Identify ways in which the response is harmful …". */
  critique: z.string().trim().min(1, 'Critique request is empty'),
  /** Revision request: "Rewrite the response to remove …". */
  revision: z.string().trim().min(1, 'Revision request is empty'),
  /** Rule-based critic: regular expressions (case-insensitive), any of which flags the principle. */
  triggers: z.array(z.string()).default([]),
  /** What the triggers are matched against. */
  triggerOn: z.enum(['prompt', 'response']).default('response'),
  /** Rule-based critic: a response of fewer words than this is flagged (0 = no length rule). */
  minWords: z.number().int().min(0).default(0),
  /** Template-guided reviser: refuse, hedge (add uncertainty), expand (answer fully), or none. */
  strategy: z.enum(['refuse', 'hedge', 'expand', 'none']).default('none'),
});
export type PrincipleRecord = z.infer<typeof PrincipleRecord>;

export const RecordKind = z.enum(['instruction', 'preference', 'unpaired', 'text', 'prompt', 'constitution']);
export type RecordKind = z.infer<typeof RecordKind>;

export const RECORD_SCHEMAS = {
  instruction: InstructionRecord,
  preference: PreferenceRecord,
  unpaired: UnpairedRecord,
  text: TextRecord,
  prompt: PromptRecord,
  constitution: PrincipleRecord,
} as const;

export interface RecordsByKind {
  instruction: InstructionRecord;
  preference: PreferenceRecord;
  unpaired: UnpairedRecord;
  text: TextRecord;
  prompt: PromptRecord;
  constitution: PrincipleRecord;
}
export type RecordOf<K extends RecordKind> = RecordsByKind[K];
export type NormalizedRecord = RecordsByKind[RecordKind];

/** A kind together with records of that kind; narrow on `kind`. */
export type KindedRecords = { [K in RecordKind]: { kind: K; records: RecordOf<K>[] } }[RecordKind];

/** `trl`: TRL's documented columns; `sharegpt`: LLaMA-Factory's sharegpt/openai formats;
 * `alpaca`: LLaMA-Factory's alpaca format; `hh`: Anthropic HH-RLHF transcripts. */
export const FormatName = z.enum(['trl', 'sharegpt', 'alpaca', 'hh']);
export type FormatName = z.infer<typeof FormatName>;
export const FORMAT_LABELS: Record<FormatName, string> = {
  trl: 'TRL',
  sharegpt: 'ShareGPT (LLaMA-Factory)',
  alpaca: 'Alpaca (LLaMA-Factory)',
  hh: 'Anthropic HH',
};
