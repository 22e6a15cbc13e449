// A DPO run as the lab starts it. Without a base model: the tutorial's seed pairs, text pairs or unpaired
// examples (KTO) through the byte tokenizer on a fresh model. With one (usually an SFT model): load its
// tokenizer, render each pair as a one-turn conversation (the prompt as the user's message, each
// response as the assistant's) through the chat template into ids and an assistant-only loss mask, and
// start the policy and the frozen reference from its weights. For KTO, pairs first become unpaired
// examples (chosen → desirable, rejected → undesirable) and each example's KL pair (its prompt with
// another example's completion, see data/unpaired.ts) is rendered the same way. The produced model
// keeps the base's tokenizer. The trainer itself is trainers/dpo.ts.
import { baseTokenizer } from './base-tokenizer';
import type { DpoConfig } from '../../../shared/schemas';
import { readModelRecord } from '../checkpoint';
import type { RenderedPair } from '../data/preference-pairs';
import { klPartners, renderUnpaired, unpairedFromPairs } from '../data/unpaired';
import { renderConversation } from '../tokenizer/templates';
import { trainDpo, type DpoTrainerInputs } from '../trainers/dpo';
import type { DpoInputs, TrainContext, TrainEvent, UnpairedExampleText } from '../types';

export type DpoTaskInputs = DpoInputs & {
  /** The base model's weights file (`.safetensors`) and lab id, when aligning one. */
  base?: { path: string; id: number };
};

export async function* runDpoTask(
  config: DpoConfig,
  inputs: DpoTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  if (!inputs.base) {
    yield* trainDpo(config, inputs, ctx);
    return;
  }
  if (inputs.kind === 'seed-dpo')
    throw new Error('the built-in seed-dpo data is abstract tokens, not text; it cannot train a base model');
  const base = await baseTokenizer(inputs.base);
  const { tokenizer } = base;
  const warnings = new Set<string>();
  const render = (prompt: string, reply: string) => {
    const r = renderConversation(tokenizer, config.template, [
      { role: 'user', content: prompt },
      { role: 'assistant', content: reply },
    ]);
    r.warnings.forEach((w) => warnings.add(w));
    return { ids: r.ids, mask: r.mask };
  };
  let rendered: DpoTrainerInputs;
  if (config.lossType === 'kto' || inputs.kind === 'unpaired') {
    // KTO: unpaired examples, each with its KL pair (its prompt, another example's completion).
    let items: UnpairedExampleText[];
    if (inputs.kind === 'text') {
      const converted = unpairedFromPairs(inputs.pairs);
      items = converted.items;
      yield { type: 'log', message: converted.note };
    } else items = inputs.items;
    const partners = klPartners(items.length, config.batchSize, await runSeed(config));
    const examples = renderUnpaired(items, partners, render);
    rendered = { kind: 'rendered-unpaired', examples, base: inputs.base };
  } else {
    const pairs: RenderedPair[] = inputs.pairs.map((p, i) => {
      if (p.chosen.length === 0 || p.rejected.length === 0)
        throw new Error(`pair ${i + 1}: a response is empty`);
      return { chosen: render(p.prompt, p.chosen), rejected: render(p.prompt, p.rejected) };
    });
    rendered = { kind: 'rendered', pairs, base: inputs.base };
  }
  for (const w of warnings) yield { type: 'log', message: `template ${config.template}: ${w}` };
  await base.copyTo(ctx.outDir);
  const pad = tokenizer.specialId('<|pad|>') ?? tokenizer.specialId('<|endoftext|>') ?? 0;
  yield* trainDpo(config, { ...rendered, pad }, ctx);
}

/** The run's seed: a resumed run keeps the one its checkpoint records (it fixed the KL pairs). */
async function runSeed(config: DpoConfig): Promise<number> {
  if (!config.resumeFrom) return config.seed;
  return (await readModelRecord(config.resumeFrom)).state?.seed ?? config.seed;
}
