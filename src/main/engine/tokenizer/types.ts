// What every tokenizer offers the trainers, generation and templates: text ↔ ids, and named special
// tokens that plain text never produces.

export interface Tokenizer {
  /** Number of ids, special tokens included. */
  readonly vocabSize: number;
  /** Text → ids. Never yields a special token, whatever the text (the text "<|eos|>" is ordinary text). */
  encode(text: string): number[];
  /** Ids → text; special tokens are written as their names. */
  decode(ids: readonly number[]): string;
  /** The id of a special token by name (e.g. "<|eos|>"), or undefined when this tokenizer lacks it. */
  specialId(name: string): number | undefined;
}
