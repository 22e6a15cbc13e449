// An SFT run as the lab starts it: load the base model's tokenizer (or the byte tokenizer for a fresh
// model), render every conversation through the chat template into ids and an assistant-only loss
// mask, and fine-tune. The trainer itself is trainers/sft.ts.
import { copyFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { InstructionRecord } from '../../../shared/records';
import type { SftConfig } from '../../../shared/schemas';
import { readModelRecord } from '../checkpoint';
import { byteTokenizer } from '../tokenizer/byte';
import { BYTE_TOKENIZER, loadTokenizer } from '../tokenizer/load';
import { renderConversation } from '../tokenizer/templates';
import type { Tokenizer } from '../tokenizer/types';
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
  let tokenizer: Tokenizer = byteTokenizer;
  let tokenizerName = BYTE_TOKENIZER;
  if (inputs.base) {
    const record = await readModelRecord(inputs.base.path);
    tokenizerName = record.arch.tokenizer ?? BYTE_TOKENIZER;
    tokenizer = await loadTokenizer(tokenizerName, inputs.base.path);
    // Each model's folder is self-contained: the tokenizer travels with the weights.
    if (tokenizerName !== BYTE_TOKENIZER)
      await copyFile(
        join(dirname(inputs.base.path), tokenizerName),
        join(ctx.outDir, basename(tokenizerName)),
      );
  }
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
