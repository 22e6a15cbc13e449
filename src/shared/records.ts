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
});
export type InstructionRecord = z.infer<typeof InstructionRecord>;

/** Paired preference: the same prompt (possibly empty), a better and a worse continuation. */
export const PreferenceRecord = z.object({
  prompt: z.array(Message),
  chosen: z.array(Message).min(1),
  rejected: z.array(Message).min(1),
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

export const RecordKind = z.enum(['instruction', 'preference', 'unpaired', 'text']);
export type RecordKind = z.infer<typeof RecordKind>;

export const RECORD_SCHEMAS = {
  instruction: InstructionRecord,
  preference: PreferenceRecord,
  unpaired: UnpairedRecord,
  text: TextRecord,
} as const;

export interface RecordsByKind {
  instruction: InstructionRecord;
  preference: PreferenceRecord;
  unpaired: UnpairedRecord;
  text: TextRecord;
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
