// `npm run lab -- <command>`: the lab headless. Commands:
//   run <algorithm> --preset NAME [--data DIR] [--json] [--epochs N] [--beta X] [--seed N] …
//   presets            list the presets
//   import FILE …      a dataset from TRL / ShareGPT / Alpaca / HH files (JSON or JSONL)
//   export ID --out F  a dataset as TRL JSONL
//   bench …            the training benchmark (see ../shared/bench/WORKLOADS.md), optionally beside PyTorch
// With --json, output is JSON lines: the run first, progress while it trains, the summary last.
import { parseArgs } from 'node:util';
import { LabError, TERMINAL_STATUSES, type RunProgressEvent } from '../../../shared';
import { RUN_CONFIGS, RUN_KINDS, RunKindName, type RunDatasetRef } from '../../../shared/schemas';
import { resolveDataDir } from '../../lab/paths';
import { openLab } from '../node';
import presets from '../../../../resources/presets.json';
import { DATA_USAGE, exportCommand, importCommand } from './data';
import { benchCli } from '../../engine/bench/cli';
import { PIPELINE_USAGE, pipelineCommand } from './pipeline';
import { SWEEP_USAGE, sweepCommand } from './sweep';
import { EXPERIMENT_USAGE, experimentCommand } from './experiment';
import { EXPORT_MODEL_USAGE, exportModelCommand } from './export-model';
import { TRL_USAGE, exportTrlCommand, importModelCommand, importRunCommand } from './trl';

type Preset = { description: string; dataset: RunDatasetRef; config: Record<string, unknown> };
/** Presets by run kind (RUN_KINDS: an algorithm, or a DPO-family loss under its own name). */
const PRESETS = presets.runs as Record<string, Record<string, Preset>>;
const NUMERIC_FLAGS = {
  epochs: 'epochs',
  beta: 'beta',
  lr: 'learningRate',
  batch: 'batchSize',
  seed: 'seed',
} as const;

const USAGE = `usage:
  npm run lab -- run <algorithm> --preset NAME [--data DIR] [--json] [--epochs N] [--beta X] [--lr X] [--batch N] [--seed N]
  npm run lab -- presets
${DATA_USAGE}
${PIPELINE_USAGE}
${SWEEP_USAGE}
${EXPERIMENT_USAGE}
${EXPORT_MODEL_USAGE}
${TRL_USAGE}
  npm run bench -- [--workload NAME] [--backend wasm|cpu|tensorflow] [--runs N] [--steps N] [--compare-torch] [--json] [--profile]`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((k) => [k, { type: 'string' as const }])),
    },
  });
  const algorithm = positionals[0];
  if (!algorithm) fail(USAGE);
  const kind = RunKindName.safeParse(algorithm);
  const byAlgorithm = PRESETS[algorithm];
  if (!kind.success || !byAlgorithm)
    fail(`unknown algorithm "${algorithm}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const runKind = RUN_KINDS[kind.data];
  const presetName = (values.preset as string | undefined) ?? Object.keys(byAlgorithm)[0]!;
  const preset = byAlgorithm[presetName];
  if (!preset)
    fail(`unknown preset "${presetName}" for ${algorithm}; known: ${Object.keys(byAlgorithm).join(', ')}`);
  const config: Record<string, unknown> = { ...runKind.config, ...preset.config };
  const fields = RUN_CONFIGS[runKind.algorithm].shape;
  for (const [flag, field] of Object.entries(NUMERIC_FLAGS)) {
    const v = (values as Record<string, unknown>)[flag] as string | undefined;
    if (v === undefined) continue;
    if (!Object.hasOwn(fields, field)) fail(`--${flag}: a ${runKind.label} run has no ${field} setting`);
    config[field] = Number.isNaN(Number(v)) ? v : Number(v);
  }
  const json = values.json as boolean;
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

  const lab = openLab(resolveDataDir(values.data as string | undefined), 'cli', import.meta.url);
  let lastLine = 0;
  lab.subscribe((event, payload) => {
    if (event !== 'runProgress') return;
    const p = payload as RunProgressEvent;
    if (json) out({ type: 'progress', runId: p.runId, ...p.progress });
    else if (Date.now() - lastLine > 1000 || p.progress.step === p.progress.totalSteps) {
      lastLine = Date.now();
      const loss = p.metrics.filter((m) => m.name === 'loss').at(-1)?.value;
      const eta = p.progress.etaMs === null ? '' : ` · ${Math.ceil(p.progress.etaMs / 1000)} s left`;
      console.log(
        `step ${p.progress.step}/${p.progress.totalSteps}${loss === undefined ? '' : ` · loss ${loss.toFixed(4)}`}${eta}`,
      );
    }
  });
  try {
    const started = await lab.startRun({
      algorithm: runKind.algorithm,
      dataset: preset.dataset,
      config,
      name: `${algorithm} · ${presetName}`,
    });
    if (json) out({ type: 'run', runId: started.id, name: started.name, config: started.config });
    else console.log(`run ${started.id} (${started.name}) queued; data in ${lab.store.db.name}`);
    process.once('SIGINT', () => void lab.cancelRun({ id: started.id }));
    await lab.runner.whenIdle();
    const run = await lab.getRun({ id: started.id });
    const wallTimeMs =
      run.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null;
    const summary = {
      type: 'summary',
      runId: run.id,
      status: run.status,
      error: run.error,
      backend: run.backend,
      inference: run.inference,
      wallTimeMs,
      metrics: run.summary,
    };
    if (json) out(summary);
    else {
      console.log(
        `run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''} in ${((wallTimeMs ?? 0) / 1000).toFixed(1)} s on ${run.backend?.name ?? '?'}`,
      );
      if (run.inference)
        console.log(
          `  inference on ${run.inference.engine === 'onnx' ? `onnxruntime (${run.inference.provider})` : 'tfjs'}: ${run.inference.reason}`,
        );
      for (const [k, v] of Object.entries(run.summary)) console.log(`  ${k.padEnd(20)} ${v.toFixed(4)}`);
    }
    return TERMINAL_STATUSES.includes(run.status) && run.status === 'completed' ? 0 : 1;
  } catch (e) {
    if (e instanceof LabError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    await lab.close();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run,
  import: importCommand,
  export: exportCommand,
  bench: benchCli,
  pipeline: pipelineCommand,
  sweep: sweepCommand,
  experiment: experimentCommand,
  'export-model': exportModelCommand,
  'export-trl': exportTrlCommand,
  'import-run': importRunCommand,
  'import-model': importModelCommand,
  presets: async () => {
    for (const [alg, ps] of Object.entries(PRESETS))
      for (const [n, p] of Object.entries(ps)) console.log(`${alg} ${n}: ${p.description}`);
    return 0;
  },
};

const [command, ...rest] = process.argv.slice(2);
if (command === 'help' || process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  console.log(USAGE);
  process.exit(0);
}
const handler = command ? COMMANDS[command] : undefined;
if (!handler) fail(USAGE);
try {
  process.exit(await handler(rest));
} catch (e) {
  // Usage mistakes and LabErrors are the user's to fix: one line, no stack.
  if (e instanceof LabError || (e instanceof Error && /^(--|import|export|run|experiment)/.test(e.message)))
    fail(`error: ${e.message}`);
  if (e instanceof Error && 'code' in e && e.code === 'ENOENT') fail(`error: ${e.message}`);
  // An unknown flag or a flag without its value (node:util parseArgs): say which, and how to see the usage.
  if (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
    fail(`error: ${e.message.split('. ')[0]}. (npm run lab -- --help lists every command and flag)`);
  throw e;
}
