// The tokenizer a run reads its data with: its base model's (named in the model's record and stored
// beside its weights), or the byte tokenizer for a fresh model. Every run that starts from a base
// copies that file into its own folder, so that each model's folder is self-contained: the tokenizer
// travels with the weights.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readModelRecord } from '../checkpoint';
import { byteTokenizer } from '../tokenizer/byte';
import { BYTE_TOKENIZER, loadTokenizer } from '../tokenizer/load';
import type { Tokenizer } from '../tokenizer/types';

export interface BaseTokenizer {
  tokenizer: Tokenizer;
  /** The name recorded in a model's architecture record (`byte`, or the tokenizer file's name). */
  name: string;
  /** Copies the tokenizer file into `outDir` (nothing to copy for the byte tokenizer). */
  copyTo(outDir: string): Promise<void>;
}

export async function baseTokenizer(base: { path: string } | undefined): Promise<BaseTokenizer> {
  if (!base) return { tokenizer: byteTokenizer, name: BYTE_TOKENIZER, copyTo: async () => {} };
  const name = (await readModelRecord(base.path)).arch.tokenizer ?? BYTE_TOKENIZER;
  return {
    tokenizer: await loadTokenizer(name, base.path),
    name,
    copyTo: async (outDir) => {
      if (name === BYTE_TOKENIZER) return;
      await mkdir(outDir, { recursive: true });
      await copyFile(join(dirname(base.path), name), join(outDir, basename(name)));
    },
  };
}
