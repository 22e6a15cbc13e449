// The loss heads of the onnx training step, by `kind`. A head gets the GPT's logits and hidden states
// and the batch's inputs, and returns the loss and its metrics (heads/types.ts). To add one: a file here
// with its spec type and HeadDef, a member of HeadSpec and an entry of HEADS.
import { lmHead, type LmHeadSpec } from './lm';
import { ktoHead, type KtoHeadSpec } from './kto';
import { pairedHead, type PairedHeadSpec } from './paired';
import { ppoHead, type PpoHeadSpec } from './ppo';
import { rewardHead, type RewardHeadSpec } from './reward';
import { orpoHead, simpoHead, type OrpoHeadSpec, type SimpoHeadSpec } from './reference-free';
import type { HeadDef } from './types';

/** What the loss is made of. */
export type HeadSpec =
  LmHeadSpec | PairedHeadSpec | KtoHeadSpec | OrpoHeadSpec | SimpoHeadSpec | PpoHeadSpec | RewardHeadSpec;

type Registry = { [K in HeadSpec['kind']]: HeadDef<Extract<HeadSpec, { kind: K }>> };

export const HEADS: Registry = {
  sft: lmHead,
  dpo: pairedHead,
  kto: ktoHead,
  orpo: orpoHead,
  simpo: simpoHead,
  ppo: ppoHead,
  reward: rewardHead,
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
