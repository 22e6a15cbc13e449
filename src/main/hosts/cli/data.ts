// `lab import FILE` and `lab export ID --out FILE`: datasets in and out, headless.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { FormatName } from '../../../shared/records';
import { resolveDataDir } from '../../lab/paths';
import { openLab } from '../node';

export const DATA_USAGE = `  npm run lab -- import FILE [--format trl|sharegpt|alpaca|hh] [--name NAME] [--refuse] [--data DIR] [--json]
  npm run lab -- export DATASET_ID --out FILE [--data DIR]`;

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      name: { type: 'string' },
      refuse: { type: 'boolean', default: false },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error(`import: which file?\n${DATA_USAGE}`);
  const format = values.format === undefined ? undefined : FormatName.safeParse(values.format);
  if (format && !format.success)
    throw new Error(`--format: "${values.format}" is not one of ${FormatName.options.join(', ')}`);
  const text = readFileSync(file, 'utf8');
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    const result = await lab.importDataset({
      text,
      name: values.name ?? basename(file, extname(file)),
      format: format?.data,
      onError: values.refuse ? 'refuse' : 'skip',
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      for (const e of result.errors.slice(0, 50)) console.error(e.message);
      if (result.errors.length > 50) console.error(`… and ${result.errors.length - 50} more problems`);
      console.log(
        result.dataset
          ? `imported ${result.imported} ${result.kind} records (${result.format}) into dataset ${result.dataset.id} "${result.dataset.name}"`
          : `nothing imported${result.errors.length ? ` (${result.errors.length} problems)` : ''}`,
      );
    }
    return result.dataset ? 0 : 1;
  } finally {
    await lab.close();
  }
}

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, data: { type: 'string' } },
  });
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id <= 0)
    throw new Error(`export: "${positionals[0] ?? ''}" is not a dataset id\n${DATA_USAGE}`);
  if (!values.out) throw new Error(`export: --out FILE is required\n${DATA_USAGE}`);
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    const result = await lab.exportDataset({ id });
    writeFileSync(values.out, result.content);
    console.log(`wrote ${result.records} records to ${values.out} (TRL JSONL)`);
    return 0;
  } finally {
    await lab.close();
  }
}
