// `lab export-model ID --out DIR`: a model for other tools: `model.onnx` (weights as initializers,
// `input_ids` → `logits`), its `tokenizer.json` (Hugging Face format; byte-tokenizer models get a
// note instead) and `config.json` (the architecture, with GPT-2's field names beside the lab's).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../../engine/backend';
import { loadModel } from '../../engine/checkpoint';
import { exportOnnx } from '../../engine/onnx/export';
import { BYTE_TOKENIZER } from '../../engine/tokenizer/load';
import { resolveDataDir } from '../../lab/paths';
import { openLab } from '../node';

export const EXPORT_MODEL_USAGE = '  npm run lab -- export-model MODEL_ID --out DIR [--data DIR]';

export async function exportModelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, data: { type: 'string' } },
  });
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id <= 0)
    throw new Error(`export-model: "${positionals[0] ?? ''}" is not a model id\n${EXPORT_MODEL_USAGE}`);
  if (!values.out) throw new Error(`export-model: --out DIR is required\n${EXPORT_MODEL_USAGE}`);
  const dataDir = resolveDataDir(values.data);
  const lab = openLab(dataDir, 'cli', import.meta.url);
  try {
    const file = join(dataDir, lab.store.modelPath(id));
    await selectBackend('auto');
    const { model, record } = await loadModel(file, false);
    try {
      await mkdir(values.out, { recursive: true });
      await writeFile(
        join(values.out, 'model.onnx'),
        exportOnnx(model, { docString: `Alignment Lab model ${id}` }),
      );
      const tokenizer = record.arch.tokenizer ?? BYTE_TOKENIZER;
      if (tokenizer === BYTE_TOKENIZER) {
        await writeFile(
          join(values.out, 'TOKENIZER.txt'),
          'This model reads UTF-8 bytes (ids 0-255) plus special tokens 256-261: <|bos|> <|eos|> <|pad|> <|user|> <|assistant|> <|system|>.\n',
        );
      } else await copyFile(join(dirname(file), tokenizer), join(values.out, 'tokenizer.json'));
      const a = model.config;
      const config = {
        model_type: 'gpt2',
        vocab_size: a.vocabSize,
        n_positions: a.contextLength,
        n_embd: a.dModel,
        n_layer: a.nLayers,
        n_head: a.nHeads,
        n_inner: a.dFF,
        activation_function: 'gelu_new',
        layer_norm_epsilon: 1e-5,
        tie_word_embeddings: true,
        lab: {
          modelId: id,
          arch: record.arch,
          trainer: record.trainer,
          step: record.step,
          lineage: record.lineage,
        },
      };
      await writeFile(join(values.out, 'config.json'), JSON.stringify(config, null, 2));
      console.log(
        `wrote model.onnx, ${tokenizer === BYTE_TOKENIZER ? 'TOKENIZER.txt' : 'tokenizer.json'} and config.json to ${values.out}`,
      );
      return 0;
    } finally {
      model.dispose();
    }
  } finally {
    await lab.close();
  }
}
