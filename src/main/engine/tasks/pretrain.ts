// A pretraining run as the lab starts it: train the tokenizer the config asks for (a byte-level BPE
// on this very corpus, to the model's vocabulary size) and save it beside the run's weights, then
// pretrain. The trainer itself is trainers/pretrain.ts; this file only prepares its inputs.
import { join } from 'node:path';
import type { PretrainConfig } from '../../../shared/schemas';
import { writeFileAtomic } from '../atomic-write';
import { MODEL_PRESETS } from '../model/presets';
import { BpeTokenizer } from '../tokenizer/bpe';
import { byteTokenizer } from '../tokenizer/byte';
import { toTokenizerJson } from '../tokenizer/hf';
import { BYTE_TOKENIZER } from '../tokenizer/load';
import type { Tokenizer } from '../tokenizer/types';
import { PretrainConfig as TrainerConfig, trainPretrain } from '../trainers/pretrain';
import type { TrainContext, TrainEvent } from '../types';

export const TOKENIZER_FILE = 'tokenizer.json';

export interface PretrainTaskInputs {
  /** The corpus, one document each. */
  documents: string[];
}

export async function* runPretrainTask(
  config: PretrainConfig,
  inputs: PretrainTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  const vocabSize = MODEL_PRESETS[config.model].vocabSize;
  let tokenizer: Tokenizer = byteTokenizer;
  let tokenizerName = BYTE_TOKENIZER;
  if (config.tokenizer === 'bpe') {
    const started = Date.now();
    const bpe = BpeTokenizer.train(inputs.documents, { vocabSize });
    await writeFileAtomic(join(ctx.outDir, TOKENIZER_FILE), JSON.stringify(toTokenizerJson(bpe)));
    tokenizer = bpe;
    tokenizerName = TOKENIZER_FILE;
    yield {
      type: 'log',
      message: `trained a byte-level BPE tokenizer of ${bpe.vocabSize} tokens on ${inputs.documents.length} documents in ${Date.now() - started} ms`,
    };
  } else if (byteTokenizer.vocabSize > vocabSize) {
    throw new Error(
      `${config.model} has ${vocabSize} token ids, fewer than the byte tokenizer's ${byteTokenizer.vocabSize}`,
    );
  }
  const { tokenizer: _kind, ...rest } = config;
  // The lab's run config is the trainer's, less the knobs it keeps at their documented defaults.
  const trainerConfig = TrainerConfig.parse({ ...rest, tokenizer: tokenizerName });
  yield* trainPretrain(trainerConfig, { kind: 'documents', documents: inputs.documents, tokenizer }, ctx);
}
