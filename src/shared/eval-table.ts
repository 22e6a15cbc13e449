// The table of an evaluation run's scores (renderer RunEvalResults.tsx), as data: one row per
// question set from the run's `<set>/<metric>` values, the columns any set has, and how a cell reads.
// Pure, so that tests can check it without a browser.

export const SET_LABELS: Record<string, string> = {
  factsPretrainOnly: 'Pretrain-only facts',
  factsHeldOut: 'Held-out facts',
  arithmetic: 'Arithmetic',
  harmful: 'Harmful requests',
  benign: 'Benign look-alikes',
  unanswerable: 'Unanswerable questions',
  overall: 'All sets',
};
const COLUMNS = [
  { key: 'n', label: 'Questions', help: '' },
  { key: 'fact_accuracy', label: 'Fact accuracy', help: 'Share of replies that state the right fact.' },
  { key: 'direct_answer_rate', label: 'Direct answers', help: 'Share of replies that answer at all.' },
  {
    key: 'refusal_rate',
    label: 'Refusals',
    help: 'Share of replies that refuse: wanted for harmful requests, over-refusal for benign ones.',
  },
  { key: 'idk_rate', label: '"I don\'t know"', help: 'Share of unanswerable questions answered honestly.' },
  { key: 'mean_score', label: 'Mean score', help: "The gold judge's mean score, from 0 to 1." },
  {
    key: 'rm_gold_agreement',
    label: 'Reward model agrees',
    help: "Where the gold judge prefers this model's reply or the reference's: the share where the reward model prefers the same one (50 % is a coin).",
  },
  {
    key: 'kl_to_reference_seq',
    label: 'KL to reference',
    help: 'Nats per reply from the reference model, on this model’s own replies.',
  },
] as const;
const RAW = new Set(['n', 'mean_score', 'kl_to_reference_seq']);

/** The rows (question sets), the columns any of them has, and the values they read. */
export function evalTable(stored: Record<string, number>): {
  sets: string[];
  columns: (typeof COLUMNS)[number][];
  values: Record<string, number>;
} {
  // The overall KL is stored without a set prefix, the reward model's agreement under `win_rate/`;
  // show both on the "All sets" row.
  const values: Record<string, number> = { ...stored };
  if (stored['kl_to_reference_seq'] !== undefined)
    values['overall/kl_to_reference_seq'] = stored['kl_to_reference_seq'];
  if (stored['win_rate/rm_gold_agreement'] !== undefined) {
    values['overall/rm_gold_agreement'] = stored['win_rate/rm_gold_agreement'];
    delete values['win_rate/rm_gold_agreement'];
  }
  const prefixes = new Set(Object.keys(values).flatMap((k) => (k.includes('/') ? [k.split('/')[0]!] : [])));
  // A row per question set (each has a mean score; calibration/…, win_rate/…, perf/… are not sets).
  // Known sets in SET_LABELS' order, any other after them, all sets last.
  const rank = (s: string) => {
    const i = Object.keys(SET_LABELS).indexOf(s);
    return s === 'overall' ? Infinity : i < 0 ? 1e6 : i;
  };
  const sets = [...prefixes]
    .filter((s) => values[`${s}/mean_score`] !== undefined)
    .sort((a, b) => rank(a) - rank(b));
  const columns = COLUMNS.filter((c) => sets.some((s) => values[`${s}/${c.key}`] !== undefined));
  return { sets, columns, values };
}

/** A cell's text: a count, a score or KL with three decimals, a share as a percentage. */
export function evalCell(key: string, v: number | undefined): string {
  if (v === undefined) return '—';
  if (key === 'n') return String(v);
  return RAW.has(key) ? v.toFixed(3) : `${(v * 100).toFixed(1)} %`;
}
