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
import { mulberry32, permutation } from '../random';
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
  const { tokenizer: _kind, reshuffle, ...rest } = config;
  // The lab's run config is the trainer's, less the knobs it keeps at their documented defaults.
  const trainerConfig = TrainerConfig.parse({ ...rest, tokenizer: tokenizerName });
  if (!reshuffle) {
    yield* trainPretrain(trainerConfig, { kind: 'documents', documents: inputs.documents, tokenizer }, ctx);
    return;
  }
  if (config.maxSteps === 0)
    throw new Error('reshuffle needs maxSteps: the stream is as long as the steps consume');
  const contextLength = MODEL_PRESETS[config.model].contextLength;
  const needed = config.maxSteps * config.batchSize * config.gradientAccumulationSteps * contextLength;
  const ids = reshuffledStream(inputs.documents, tokenizer, config.seed, needed);
  yield { type: 'log', message: `reshuffled the corpus into ${ids.length} tokens of passes in fresh orders` };
  yield* trainPretrain({ ...trainerConfig, epochs: 1 }, { kind: 'ids', ids }, ctx);
}

/**
 * The corpus as passes, each in its own seeded document order, every document followed by the
 * end-of-text token, until `needed` tokens (plus one pass): a fact then lands in ever new windows
 * and neighbours, which a small model turns into knowledge a question can reach, where cycling the
 * same windows every epoch teaches it those windows by heart.
 */
export function reshuffledStream(
  documents: readonly string[],
  tokenizer: Tokenizer,
  seed: number,
  needed: number,
): number[] {
  const eos = EOS_NAMES.map((n) => tokenizer.specialId(n)).find((id) => id !== undefined);
  if (eos === undefined) throw new Error(`the tokenizer has none of ${EOS_NAMES.join(', ')}`);
  const docs = documents.map((d) => [...tokenizer.encode(d), eos]);
  const perPass = Math.max(
    1,
    docs.reduce((a, d) => a + d.length, 0),
  );
  const passes = Math.ceil(needed / perPass) + 1;
  const rng = mulberry32((seed ^ 0x5eed) >>> 0);
  const ids: number[] = [];
  for (let p = 0; p < passes; p++) for (const i of permutation(docs.length, rng)) ids.push(...docs[i]!);
  return ids;
}

const EOS_NAMES = ['<|endoftext|>', '<|eos|>', '</s>'];
