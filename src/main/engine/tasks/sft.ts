// An SFT run as the lab starts it: load the base model's tokenizer (or the byte tokenizer for a fresh
// model), render every conversation through the chat template into ids and an assistant-only loss
// mask, and fine-tune. The trainer itself is trainers/sft.ts.
import { baseTokenizer } from './base-tokenizer';
import type { InstructionRecord } from '../../../shared/records';
import type { SftConfig } from '../../../shared/schemas';
import { renderConversation } from '../tokenizer/templates';
import { SftConfig as TrainerConfig, trainSft, type SftExample } from '../trainers/sft';
import type { TrainContext, TrainEvent } from '../types';

export interface SftTaskInputs {
  conversations: InstructionRecord[];
  /** The base model's weights file (`.safetensors`) and lab id, when fine-tuning one. */
  base?: { path: string; id: number };
}

export async function* runSftTask(
  config: SftConfig,
  inputs: SftTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const base = await baseTokenizer(inputs.base);
  const { tokenizer, name: tokenizerName } = base;
  await base.copyTo(ctx.outDir);
  const warnings = new Set<string>();
  const examples: SftExample[] = inputs.conversations.map((c) => {
    const r = renderConversation(tokenizer, config.template, c.messages);
    r.warnings.forEach((w) => warnings.add(w));
    return { ids: r.ids, mask: r.mask };
  });
  for (const w of warnings) yield { type: 'log', message: `template ${config.template}: ${w}` };
  const { baseModel: _id, template: _t, ...rest } = config;
  const trainerConfig = TrainerConfig.parse({
    ...rest,
    tokenizer: tokenizerName,
    initFrom: inputs.base?.path,
    parentId: inputs.base?.id,
  });
  yield* trainSft(trainerConfig, { examples }, ctx);
}
