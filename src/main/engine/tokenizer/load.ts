// Which tokenizer a model reads with: its architecture record names 'byte', or a tokenizer.json file
// beside the model's weights (a BPE trained by the lab, or one a user brought).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { byteTokenizer } from './byte';
import { fromTokenizerJson } from './hf';
import type { Tokenizer } from './types';

/** The name recorded for the byte tokenizer; anything else is a file name relative to the model. */
export const BYTE_TOKENIZER = 'byte';

export async function loadTokenizer(spec: string | undefined, modelFile: string): Promise<Tokenizer> {
  if (!spec || spec === BYTE_TOKENIZER) return byteTokenizer;
  if (!spec.endsWith('.json')) {
    // e.g. 'seed-dpo': the DPO tutorial's 50 abstract tokens, which no text maps to.
    throw new Error(`this model reads "${spec}" tokens, not text, so it cannot be prompted with text`);
  }
  const file = join(dirname(modelFile), spec);
  return fromTokenizerJson(JSON.parse(await readFile(file, 'utf8')));
}
