// `lab sweep`: the reward–KL sweep headless (lab/sweep.ts): DPO at several betas and PPO at several KL
// coefficients from one SFT model, each evaluated against it; prints each stage as it ends and, at the
// end, the frontier: every model's gold score and KL to the SFT model.
import { parseArgs } from 'node:util';
import { parseInput } from '../../../shared/api';
import { DpoConfig, PpoConfig, type Pipeline } from '../../../shared/schemas';
import { resolveDataDir } from '../../lab/paths';
import { openLab } from '../node';

export const SWEEP_USAGE = `  npm run lab -- sweep --base MODEL --world WORLD [--dataset ID|sandbox-pairs] [--reward-model MODEL] [--betas 0.05,0.1,0.5] [--kl 0.01,0.05,0.2] [--dpo-epochs N] [--ppo-iterations N] [--dpo KEY=VALUE,…] [--ppo KEY=VALUE,…] [--eval-sets SET,…] [--max-new-tokens N] [--seed N] [--data DIR] [--json]`;

const list = (flag: string, text: string | undefined): number[] | undefined => {
  if (text === undefined) return undefined;
  const items = text.split(',').filter((t) => t.trim() !== '');
  const numbers = items.map(Number);
  if (numbers.some((n) => !Number.isFinite(n)))
    throw new Error(`--${flag}: "${text}" is not a list of numbers`);
  return numbers;
};
/** `learningRate=1e-5,batchSize=8`: settings of every DPO (or PPO) run, numbers and booleans typed. */
const settings = (
  flag: string,
  text: string | undefined,
  known: readonly string[],
): Record<string, unknown> | undefined => {
  if (text === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const item of text.split(',').filter((t) => t.trim() !== '')) {
    const m = item.match(/^\s*([A-Za-z]\w*)\s*=\s*(.*?)\s*$/);
    if (!m) throw new Error(`--${flag}: "${item}" is not KEY=VALUE (e.g. learningRate=1e-5)`);
    if (!known.includes(m[1]!))
      throw new Error(`--${flag}: no setting "${m[1]}" (settings: ${known.join(', ')})`);
    const v = m[2]!;
    out[m[1]!] =
      v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
};
const int = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${flag}: "${text}" is not a whole number`);
  return Number(text);
};

export async function sweepCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      world: { type: 'string' },
      dataset: { type: 'string', default: 'sandbox-pairs' },
      'reward-model': { type: 'string' },
      betas: { type: 'string' },
      kl: { type: 'string' },
      'dpo-epochs': { type: 'string' },
      'ppo-iterations': { type: 'string' },
      dpo: { type: 'string' },
      ppo: { type: 'string' },
      'eval-sets': { type: 'string' },
      'max-new-tokens': { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.base === undefined || values.world === undefined)
    throw new Error(`--base and --world are needed\nusage:\n${SWEEP_USAGE}`);
  const input = {
    baseModel: int('base', values.base)!,
    world: int('world', values.world)!,
    dataset: /^\d+$/.test(values.dataset) ? Number(values.dataset) : (values.dataset as 'sandbox-pairs'),
    ...(values['reward-model'] !== undefined
      ? { rewardModel: int('reward-model', values['reward-model']) }
      : {}),
    ...(values.betas !== undefined ? { betas: list('betas', values.betas) } : {}),
    ...(values.kl !== undefined ? { klCoefs: list('kl', values.kl) } : {}),
    ...(values['dpo-epochs'] !== undefined ? { dpoEpochs: int('dpo-epochs', values['dpo-epochs']) } : {}),
    ...(values['ppo-iterations'] !== undefined
      ? { ppoIterations: int('ppo-iterations', values['ppo-iterations']) }
      : {}),
    ...(values.dpo !== undefined
      ? { dpoConfig: settings('dpo', values.dpo, Object.keys(DpoConfig.shape)) }
      : {}),
    ...(values.ppo !== undefined
      ? { ppoConfig: settings('ppo', values.ppo, Object.keys(PpoConfig.shape)) }
      : {}),
    ...(values['eval-sets'] !== undefined
      ? { evalSets: values['eval-sets'].split(',').filter((t) => t.trim() !== '') }
      : {}),
    ...(values['max-new-tokens'] !== undefined
      ? { evalMaxNewTokens: int('max-new-tokens', values['max-new-tokens']) }
      : {}),
    ...(values.seed !== undefined ? { seed: int('seed', values.seed) } : {}),
  };
  const json = values.json;
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const started = Date.now();
  const lab = openLab(resolveDataDir(values.data), 'cli', import.meta.url);
  try {
    let id = 0;
    let settle: (p: Pipeline) => void = () => {};
    const finished = new Promise<Pipeline>((resolve) => (settle = resolve));
    const seen = new Map<string, string>();
    lab.subscribe((event, payload) => {
      if (event !== 'pipelineStatus') return;
      const p = payload as Pipeline;
      if (id !== 0 && p.id !== id) return;
      for (const s of p.stages) {
        if (s.status === 'pending' || seen.get(s.name) === s.status) continue;
        seen.set(s.name, s.status);
        const elapsedMs = Date.now() - started;
        if (json) out({ type: 'stage', pipelineId: p.id, ...s, elapsedMs });
        else console.log(`[${(elapsedMs / 1000).toFixed(0)} s] ${s.label}: ${s.status}`);
      }
      if (p.status !== 'running') settle(p);
    });
    // A bad value is a LabError naming its field, as the form shows it.
    const p0 = await lab.startSweep(parseInput('startSweep', input));
    id = p0.id;
    if (json) out({ type: 'pipeline', pipelineId: p0.id, name: p0.name });
    else console.log(`sweep ${p0.id} (${p0.name}) started: ${p0.stages.length} stages`);
    process.once('SIGINT', () => void lab.cancelPipeline({ id: p0.id }));
    const p = p0.status === 'running' ? await finished : p0;
    const runIds = p.stages.flatMap((s) => (s.runId ? [s.runId] : []));
    const frontier =
      runIds.length > 0
        ? (await lab.compareRuns({ runIds })).frontier.filter((c) => c.source === 'evaluation')
        : [];
    const rows = frontier.map((c) => {
      const stage = p.stages.find((s) => s.runId === c.runId);
      const point = c.points.at(-1)!;
      return {
        stage: stage?.label.replace(/^evaluate /, '') ?? `run ${c.runId}`,
        runId: c.runId,
        kl: point.kl,
        gold: point.gold,
      };
    });
    const wallTimeMs = Date.now() - started;
    if (json)
      out({
        type: 'summary',
        pipelineId: p.id,
        status: p.status,
        error: p.error,
        wallTimeMs,
        frontier: rows,
      });
    else {
      console.log(
        `\nsweep ${p.id} ${p.status}${p.error ? `: ${p.error}` : ''} in ${(wallTimeMs / 60000).toFixed(1)} min`,
      );
      console.log(`\n${'model'.padEnd(36)} ${'KL (nats/reply)'.padStart(16)} ${'gold score'.padStart(11)}`);
      for (const r of rows)
        console.log(
          `${r.stage.padEnd(36)} ${r.kl.toFixed(3).padStart(16)} ${r.gold.toFixed(3).padStart(11)}`,
        );
      console.log(`\nOpen #/compare?pipeline=${p.id} in the lab for the charts.`);
    }
    return p.status === 'completed' ? 0 : 1;
  } finally {
    await lab.close();
  }
}
