// The hand-off to TRL, headless: `export-trl RUN_ID --out DIR` writes a run as a TRL project folder;
// `import-run FILE` reads a trainer_state.json (or TRL's log lines) as an external run; `import-model
// DIR` reads a GPT-2-family checkpoint folder as a base model.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Algorithm } from '../../../shared/schemas';
import { resolveDataDir } from '../../lab/paths';
import { trlProjectOfRun, writeTrlProject } from '../../lab/trl/export';
import { openLab } from '../node';

export const TRL_USAGE = `  npm run lab -- export-trl RUN_ID --out DIR [--data DIR]
  npm run lab -- import-run FILE [--name NAME] [--algorithm sft|reward|dpo|ppo] [--data DIR] [--json]
  npm run lab -- import-model DIR [--name NAME] [--data DIR] [--json]`;

export async function exportTrlCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, data: { type: 'string' } },
  });
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id <= 0)
    throw new Error(`export-trl: "${positionals[0] ?? ''}" is not a run id\n${TRL_USAGE}`);
  if (!values.out) throw new Error(`export-trl: --out DIR is required\n${TRL_USAGE}`);
  const dataDir = resolveDataDir(values.data);
  const lab = openLab(dataDir, 'cli', import.meta.url);
  try {
    const project = await trlProjectOfRun(lab.store, dataDir, id);
    const files = await writeTrlProject(values.out, project.files);
    const m = project.mapping;
    console.log(
      `wrote a TRL project (${m.trainer}, ${m.configClass}) to ${values.out}: ${files.length} files`,
    );
    for (const f of files) console.log(`  ${f}`);
    console.log(`${m.mapped.length} lab fields mapped; without a counterpart in TRL:`);
    for (const f of m.noCounterpart) console.log(`  ${f.lab}: ${f.reason}`);
    for (const n of project.notes) console.log(`note: ${n}`);
    console.log(
      `launch: cd ${values.out} && python train.py --config config.yaml (README.md: several GPUs, Slurm)`,
    );
    return 0;
  } finally {
    await lab.close();
  }
}

export async function importRunCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      algorithm: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error(`import-run: which trainer_state.json?\n${TRL_USAGE}`);
  const algorithm = values.algorithm === undefined ? undefined : Algorithm.safeParse(values.algorithm);
  if (algorithm && !algorithm.success)
    throw new Error(`--algorithm: "${values.algorithm}" is not one of ${Algorithm.options.join(', ')}`);
  const text = readFileSync(file, 'utf8');
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    const run = await lab.importRun({
      text,
      name: values.name ?? `${basename(file)} (imported)`,
      source: basename(file),
      ...(algorithm?.data ? { algorithm: algorithm.data } : {}),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(run)}\n`);
    else {
      const metrics = Object.keys(run.summary);
      console.log(
        `imported run ${run.id} "${run.name}" (${run.algorithm}, external): ${metrics.length} metrics`,
      );
      for (const [k, v] of Object.entries(run.summary)) console.log(`  ${k.padEnd(28)} ${v.toPrecision(5)}`);
    }
    return 0;
  } finally {
    await lab.close();
  }
}

export async function importModelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const dir = positionals[0];
  if (!dir) throw new Error(`import-model: which folder?\n${TRL_USAGE}`);
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    const model = await lab.importModel({ path: dir, ...(values.name ? { name: values.name } : {}) });
    if (values.json) process.stdout.write(`${JSON.stringify(model)}\n`);
    else {
      const a = model.arch;
      console.log(
        `imported model ${model.id} "${model.name}": vocabulary ${String(a['vocabSize'])}, context ${String(a['contextLength'])}, d_model ${String(a['dModel'])}, ${String(a['nLayers'])} layers, ${String(a['nHeads'])} heads`,
      );
      console.log(
        `train from it: npm run lab -- run sft … or the "New run" form's base model (id ${model.id})`,
      );
    }
    return 0;
  } finally {
    await lab.close();
  }
}
