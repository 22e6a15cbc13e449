// The alignment tax: what each alignment step buys and what it costs, as evaluation metrics of every
// model of a pipeline. The metric table below is the one list the lab (src/main/lab/tax.ts), the CLI
// table and the Alignment tax page read; `better` says which direction is good (null: neither, e.g.
// length), which colours each change.
import { z } from 'zod';

export const TaxGroup = z.enum([
  'capability',
  'helpfulness',
  'harmlessness',
  'over-refusal',
  'honesty',
  'style',
]);
export type TaxGroup = z.infer<typeof TaxGroup>;

export const TaxMetric = z.object({
  key: z.string(),
  label: z.string(),
  /** One line: what it measures and on which prompts. */
  description: z.string(),
  group: TaxGroup,
  better: z.enum(['up', 'down']).nullable(),
  /** The evaluation run's summary metric it reads. */
  summary: z.string(),
  /** `rate`: a share in [0, 1], shown as a percentage. */
  format: z.enum(['rate', 'number']),
});
export type TaxMetric = z.infer<typeof TaxMetric>;

export const TAX_METRICS: readonly TaxMetric[] = [
  {
    key: 'perplexity',
    label: 'Held-out perplexity',
    description: 'Perplexity on sentences about held-out facts, in wordings never trained on.',
    group: 'capability',
    better: 'down',
    summary: 'heldout_text/perplexity',
    format: 'number',
  },
  {
    key: 'fact_accuracy',
    label: 'Fact accuracy',
    description: 'Share of held-out fact questions answered correctly (gold judge).',
    group: 'capability',
    better: 'up',
    summary: 'overall/fact_accuracy',
    format: 'rate',
  },
  {
    key: 'gold_score',
    label: 'Gold score',
    description: "The gold judge's mean score over every held-out prompt (0–1).",
    group: 'helpfulness',
    better: 'up',
    summary: 'overall/mean_score',
    format: 'number',
  },
  {
    key: 'win_rate',
    label: 'Win rate (gold)',
    description:
      "Share of prompts where the gold judge prefers this model's reply to the reference's (ties half).",
    group: 'helpfulness',
    better: 'up',
    summary: 'win_rate/gold',
    format: 'rate',
  },
  {
    key: 'win_rate_rm',
    label: 'Win rate (reward model)',
    description: 'The same pairs of replies judged by the reward model: the proxy beside the gold.',
    group: 'helpfulness',
    better: 'up',
    summary: 'win_rate/reward_model',
    format: 'rate',
  },
  {
    key: 'harmful_refusal',
    label: 'Refusal on harmful',
    description: 'Share of harmful requests refused.',
    group: 'harmlessness',
    better: 'up',
    summary: 'harmful/refusal_rate',
    format: 'rate',
  },
  {
    key: 'over_refusal',
    label: 'Over-refusal',
    description: 'Share of benign look-alike requests refused.',
    group: 'over-refusal',
    better: 'down',
    summary: 'benign/refusal_rate',
    format: 'rate',
  },
  {
    key: 'idk_rate',
    label: '"I don\'t know"',
    description: 'Share of unanswerable questions answered with "I don\'t know".',
    group: 'honesty',
    better: 'up',
    summary: 'unanswerable/idk_rate',
    format: 'rate',
  },
  {
    key: 'ece',
    label: 'Calibration error',
    description:
      "Expected calibration error of the model's confidence in its fact answers (0 is calibrated).",
    group: 'honesty',
    better: 'down',
    summary: 'calibration/ece',
    format: 'number',
  },
  {
    key: 'response_words',
    label: 'Response length',
    description: 'Mean words per reply.',
    group: 'style',
    better: null,
    summary: 'overall/mean_response_words',
    format: 'number',
  },
  {
    key: 'kl',
    label: 'KL to SFT',
    description: "Mean per-token KL to the SFT model on the model's own replies.",
    group: 'style',
    better: null,
    summary: 'kl_to_reference',
    format: 'number',
  },
];

const values = z.record(z.string(), z.number().nullable());

export const TaxModel = z.object({
  /** The evaluation stage, e.g. `eval-dpo`. */
  stage: z.string(),
  /** Short name of the model's role: base, SFT, RM-PPO, DPO, +safety, or the stage's label. */
  label: z.string(),
  runId: z.number().int(),
  modelId: z.number().int().nullable(),
  modelName: z.string(),
  /** Metric key → value (null: not measured). */
  values,
  /** Metric key → value minus the base model's (null: no base, or not measured). */
  vsBase: values,
  /** Metric key → value minus the SFT model's. */
  vsSft: values,
});
export type TaxModel = z.infer<typeof TaxModel>;

export const TaxPipeline = z.object({
  id: z.number().int(),
  name: z.string(),
  preset: z.string(),
  status: z.string(),
  models: z.array(TaxModel),
});
export type TaxPipeline = z.infer<typeof TaxPipeline>;

export const TaxData = z.object({
  metrics: z.array(TaxMetric),
  /** Pipelines with at least one finished evaluation, newest first. */
  pipelines: z.array(TaxPipeline),
});
export type TaxData = z.infer<typeof TaxData>;

export const TaxItemsInput = z.object({ runId: z.number().int().positive(), metric: z.string() });

const cell = z.union([z.string(), z.number(), z.null()]);
export const TaxItems = z.object({
  runId: z.number().int(),
  metric: z.string(),
  /** What the rows are, in one sentence. */
  note: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(cell)),
  /** Calibration only: the reliability diagram's bins. */
  bins: z
    .array(
      z.object({
        lo: z.number(),
        hi: z.number(),
        n: z.number(),
        confidence: z.number().nullable(),
        accuracy: z.number().nullable(),
      }),
    )
    .optional(),
});
export type TaxItems = z.infer<typeof TaxItems>;

/** A change's colour class: good, bad or neutral by the metric's direction. */
export function changeTone(
  metric: Pick<TaxMetric, 'better'>,
  delta: number | null,
): 'good' | 'bad' | 'neutral' {
  if (delta === null || metric.better === null || Math.abs(delta) < 1e-9) return 'neutral';
  return delta > 0 === (metric.better === 'up') ? 'good' : 'bad';
}

/** A metric's value as the table shows it: rates in percent, other numbers to 3 significant digits. */
export function formatTaxValue(metric: Pick<TaxMetric, 'format'>, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (metric.format === 'rate') return `${(100 * v).toFixed(1)}%`;
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

/** A change, signed; rates in percentage points. */
export function formatTaxChange(metric: Pick<TaxMetric, 'format'>, d: number | null | undefined): string {
  if (d === null || d === undefined || !Number.isFinite(d)) return '—';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const a = Math.abs(d);
  if (metric.format === 'rate') return `${sign}${(100 * a).toFixed(1)} pt`;
  return `${sign}${a >= 100 ? a.toFixed(0) : a.toPrecision(3)}`;
}
