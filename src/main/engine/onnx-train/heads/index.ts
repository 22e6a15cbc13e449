// The loss heads of the onnx training step, by `kind`. A head gets the GPT's logits and hidden states
// and the batch's inputs, and returns the loss and its metrics (heads/types.ts). To add one: a file here
// with its spec type and HeadDef, a member of HeadSpec and an entry of HEADS.
import { lmHead, type LmHeadSpec } from './lm';
import { pairedHead, type PairedHeadSpec } from './paired';
import type { HeadDef } from './types';

/** What the loss is made of. */
export type HeadSpec = LmHeadSpec | PairedHeadSpec;

type Registry = { [K in HeadSpec['kind']]: HeadDef<Extract<HeadSpec, { kind: K }>> };

export const HEADS: Registry = {
  sft: lmHead,
  dpo: pairedHead,
};

export function headOf<S extends HeadSpec>(spec: S): HeadDef<S> {
  const def = HEADS[spec.kind] as unknown as HeadDef<S> | undefined;
  if (!def) throw new Error(`onnx-train: no loss head "${spec.kind}"`);
  return def;
}

/** Names of the metrics a head reports, in its `stats` output's order. */
export function statNames(spec: HeadSpec): readonly string[] {
  return headOf(spec).stats(spec);
}
