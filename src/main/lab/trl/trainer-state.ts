// Reads the logs of a run trained outside the lab: a Hugging Face `trainer_state.json` (its
// `log_history`: one dict per logging step with `step`, `epoch`, `loss`, `learning_rate`,
// `rewards/chosen`, …; evaluation entries with `eval_`-prefixed names; a final summary with
// `train_runtime`), or TRL's logged dicts one a line (what the Trainer prints, in Python's or JSON's
// syntax). Metric names keep TRL's spelling, which is the lab's; `eval_x` becomes `eval/x` as the
// lab names evaluation metrics. Pure: text in, metric points out; errors name the entry and field.
import type { Algorithm, MetricPoint } from '../../../shared/schemas';

export interface ParsedLogs {
  format: 'trainer_state' | 'log_lines';
  points: MetricPoint[];
  /** The kind of run the metric names say it was. */
  algorithm: Algorithm;
  /** What the file said besides the metrics (global_step, num_train_epochs, train_runtime, …). */
  info: Record<string, string | number | boolean | null>;
  /** Total wall time, seconds, when the logs give it (the summary's `train_runtime`). */
  runtimeSeconds: number | null;
  /** Entries skipped and why (e.g. one without a step). */
  warnings: string[];
}

/** Keys of a log entry that are not curves. */
const NOT_METRICS = new Set(['step', 'total_flos']);
/** Top-level fields of trainer_state.json worth keeping with the run. */
const INFO_KEYS = [
  'global_step',
  'max_steps',
  'num_train_epochs',
  'epoch',
  'logging_steps',
  'eval_steps',
  'save_steps',
  'train_batch_size',
  'best_metric',
  'best_model_checkpoint',
  'is_world_process_zero',
];

/** The metric's lab name: `eval_rewards/chosen` → `eval/rewards/chosen`, others as TRL wrote them. */
export function labMetricName(key: string): string {
  return key.startsWith('eval_') ? `eval/${key.slice(5)}` : key;
}

/** Which algorithm's metrics these are (TRL's names): PPO, the DPO family, a reward model, else SFT. */
export function guessAlgorithm(names: Iterable<string>): Algorithm {
  const set = new Set([...names].map((n) => n.replace(/^eval\//, '')));
  const has = (...ns: string[]) => ns.some((n) => set.has(n));
  if (
    has(
      'objective/kl',
      'objective/rlhf_reward',
      'objective/scores',
      'policy/approxkl_avg',
      'policy/clipfrac_avg',
    )
  )
    return 'ppo';
  if (has('rewards/chosen', 'rewards/margins', 'logps/chosen', 'log_odds_ratio', 'nll_loss')) return 'dpo';
  if (has('accuracy', 'margin', 'mean_reward') && !has('mean_token_accuracy')) return 'reward';
  return 'sft';
}

type Entry = Record<string, unknown>;

/** Parses a trainer_state.json or TRL's log lines; throws with the line or entry that is wrong. */
export function parseTrainerLogs(text: string, start: number): ParsedLogs {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('the file is empty');
  let entries: Entry[];
  let format: ParsedLogs['format'];
  const info: ParsedLogs['info'] = {};
  const warnings: string[] = [];
  let whole: unknown;
  try {
    // Python's json writes NaN and Infinity bare; they are not JSON.
    whole = JSON.parse(trimmed.replace(/(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, 'null'));
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) {
    if (typeof whole !== 'object' || whole === null || Array.isArray(whole))
      throw new Error('expected a trainer_state.json object with a "log_history" list');
    const state = whole as Entry;
    if (!Array.isArray(state['log_history']))
      throw new Error('"log_history" is missing or not a list: is this a trainer_state.json?');
    entries = state['log_history'] as Entry[];
    format = 'trainer_state';
    for (const k of INFO_KEYS) {
      const v = state[k];
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
        info[k] = v as string | number | boolean | null;
    }
  } else {
    format = 'log_lines';
    entries = [];
    let counter = 0;
    trimmed.split(/\r?\n/).forEach((line, i) => {
      const l = line.trim();
      if (!l.startsWith('{') || !l.endsWith('}')) return; // progress bars and other output
      const e = parseLogLine(l, i + 1);
      if (typeof e['step'] !== 'number')
        e['step'] = ++counter; // printed logs carry no step: count them
      else counter = e['step'] as number;
      entries.push(e);
    });
    if (entries.length === 0)
      throw new Error('no log entries found: expected a trainer_state.json or lines like {"loss": 0.69, …}');
  }

  const rows: { step: number; values: [string, number][] }[] = [];
  let runtimeSeconds: number | null = null;
  entries.forEach((e, i) => {
    const where = format === 'trainer_state' ? `log_history[${i}]` : `log entry ${i + 1}`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`${where}: not an object`);
    const step = e['step'];
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      warnings.push(`${where}: skipped, "step" is ${JSON.stringify(step)} (expected a whole number ≥ 0)`);
      return;
    }
    if (typeof e['train_runtime'] === 'number') runtimeSeconds = e['train_runtime'];
    const values: [string, number][] = [];
    for (const [k, v] of Object.entries(e)) {
      if (NOT_METRICS.has(k)) continue;
      if (typeof v === 'number' && Number.isFinite(v)) values.push([labMetricName(k), v]);
    }
    rows.push({ step, values });
  });
  if (rows.length === 0) throw new Error(`no usable log entries (${warnings[0] ?? 'the log is empty'})`);
  // Wall time per entry: HF logs none, so steps are spread evenly over train_runtime when it is known.
  const lastStep = Math.max(...rows.map((r) => r.step), 1);
  const seconds = runtimeSeconds ?? 0;
  const points: MetricPoint[] = [];
  for (const r of rows)
    for (const [name, value] of r.values)
      points.push({ step: r.step, name, value, time: start + (seconds * 1000 * r.step) / lastStep });
  const algorithm = guessAlgorithm(points.map((p) => p.name));
  return { format, points, algorithm, info, runtimeSeconds, warnings };
}

/** One printed log dict: JSON, or Python's repr (single quotes, True/False/None, nan/inf). */
function parseLogLine(line: string, lineNo: number): Entry {
  try {
    return JSON.parse(line) as Entry;
  } catch {
    const jsonish = line
      .replace(/'((?:[^'\\]|\\.)*)'/g, (_m, s: string) => JSON.stringify(s.replace(/\\'/g, "'")))
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false')
      .replace(/\bNone\b/g, 'null')
      .replace(/\b(nan|inf|-inf)\b/g, 'null');
    try {
      return JSON.parse(jsonish) as Entry;
    } catch {
      throw new Error(`line ${lineNo}: not a log dict (${line.slice(0, 60)}${line.length > 60 ? '…' : ''})`);
    }
  }
}
