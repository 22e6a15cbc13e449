// End-to-end: the Compare page on a reward–KL sweep. An SFT model and a reward model trained through
// the HTTP API (smoke presets), then the sweep (one DPO β, one PPO KL coefficient against the reward
// model, each evaluated against the SFT model) as a pipeline; `#/compare?pipeline=ID` shows the
// frontier, the over-optimisation chart and the shared curves, and table values equal stored ones.
import type { Locator, Page } from '@playwright/test';
import type { MetricPoint, Pipeline, Run } from '../../src/shared/schemas';
import { api, expect, test, type LabHost } from './host';

/** The `smoke` presets of resources/presets.json (Playwright's loader does not import JSON), through ChatML. */
const SMOKE = {
  sft: {
    dataset: 'sandbox-sft',
    config: { model: 'byte-tiny', maxSteps: 12, batchSize: 8, epochs: 1, learningRate: 0.001 },
  },
  reward: {
    dataset: 'sandbox-pairs',
    config: { model: 'byte-tiny', epochs: 1, batchSize: 16, maxLength: 96, learningRate: 0.0005 },
  },
};

/** The renderer's number format (MetricChart's formatValue), to compare a table cell with a stored value. */
const formatValue = (v: number): string =>
  Number.isInteger(v) && Math.abs(v) < 1e6
    ? String(v)
    : Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0)
      ? v.toExponential(3)
      : v.toPrecision(4);

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms: number) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function smoke(host: LabHost, kind: 'sft' | 'reward'): Promise<Run> {
  const preset = SMOKE[kind];
  const started = await api<Run>(host, 'startRun', {
    algorithm: kind,
    dataset: preset.dataset,
    config: { ...preset.config, template: 'chatml' },
  });
  const run = await until(
    `${kind} run`,
    () => api<Run>(host, 'getRun', { id: started.id }),
    (r) => !['queued', 'running'].includes(r.status),
    120_000,
  );
  expect(run.status, run.error ?? '').toBe('completed');
  return run;
}

/** A chart's figure by its caption, with its data table opened. */
async function chartTable(page: Page, caption: string | RegExp): Promise<Locator> {
  const figure = page.locator('figure').filter({ has: page.locator('figcaption', { hasText: caption }) });
  await expect(figure).toHaveCount(1);
  await expect(figure.locator('canvas').first()).toBeVisible();
  await figure.getByText('Show data as table').click();
  return figure.getByRole('table');
}

test('the Compare page shows a PPO and a DPO run on the frontier, over-optimisation and shared curves', async ({
  page,
  host,
}) => {
  test.setTimeout(400_000);
  const world = await api<{ id: number }>(host, 'generateWorld', { seed: 0, size: 'tiny' });
  const [sft, rm] = await Promise.all([smoke(host, 'sft'), smoke(host, 'reward')]);
  const started = await api<Pipeline>(host, 'startSweep', {
    baseModel: sft.modelId,
    dataset: 'sandbox-pairs',
    world: world.id,
    rewardModel: rm.modelId,
    betas: [0.1],
    klCoefs: [0.05],
    dpoConfig: { batchSize: 16, maxLength: 64 },
    ppoConfig: { batchSize: 4, ppoEpochs: 1, maxNewTokens: 8 },
    ppoIterations: 3,
    evalSets: ['harmful'],
    evalMaxNewTokens: 4,
  });
  const sweep = await until(
    'sweep',
    () => api<Pipeline>(host, 'getPipeline', { id: started.id }),
    (p) => p.status !== 'running',
    300_000,
  );
  expect(sweep.status, sweep.error ?? '').toBe('completed');
  const runOf = (stage: string) => sweep.stages.find((s) => s.name === stage)!.runId!;
  const ppoId = runOf('ppo-1');
  const dpoId = runOf('dpo-1');

  await page.goto(host.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compare' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Compare' })).toBeVisible();
  await expect(page.getByText(/Pick two or more runs/).first()).toBeVisible();

  await page.goto(`${host.url}#/compare?pipeline=${sweep.id}`);
  await expect(page.getByRole('heading', { level: 2, name: /sweep #1/ })).toBeVisible();
  await page.getByText(/^Choose runs \(5 selected\)/).click(); // folded once two or more are chosen
  await expect(page.getByRole('checkbox', { name: new RegExp(`^Compare #${ppoId} `) })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: new RegExp(`^Compare #${dpoId} `) })).toBeChecked();

  // The frontier: PPO's training rollouts, iteration by iteration, equal the stored gold/score.
  const ppoMetrics = await api<MetricPoint[]>(host, 'runMetrics', { runId: ppoId });
  const stored = (name: string, step: number) =>
    ppoMetrics.find((m) => m.name === name && m.step === step)!.value;
  const frontier = await chartTable(page, 'Reward–KL frontier');
  const ppoRow = frontier
    .getByRole('row')
    .filter({ hasText: 'PPO rollouts' })
    .filter({ hasText: 'iteration 2' });
  await expect(ppoRow.getByRole('cell').nth(0)).toHaveText(formatValue(stored('objective/kl', 2)));
  await expect(ppoRow.getByRole('cell').nth(1)).toHaveText(formatValue(stored('gold/score', 2)));
  // …and the DPO model's held-out evaluation is a point with the stored score.
  const evalDpo = await api<Run>(host, 'getRun', { id: runOf('eval-dpo-1') });
  const dpoRow = frontier.getByRole('row').filter({ hasText: `evaluation #${evalDpo.id}` });
  await expect(dpoRow.getByRole('cell').nth(1)).toHaveText(
    formatValue(evalDpo.summary['overall/mean_score']!),
  );

  // Over-optimisation: the reward model's score and the gold score of the same rollouts.
  const overopt = await chartTable(page, /Over-optimisation/);
  const proxyRow = overopt
    .getByRole('row')
    .filter({ hasText: 'proxy (reward model)' })
    .filter({ hasText: 'iteration 3' });
  await expect(proxyRow.getByRole('cell').nth(1)).toHaveText(formatValue(stored('objective/scores', 3)));
  await expect(page.getByText(/reward hacking/).first()).toBeVisible();

  // Curves of what both runs log, with the stored values in the table even when smoothed.
  await page.getByLabel(/Smoothing/).fill('0.6');
  const gradNorm = await chartTable(page, 'grad_norm against step');
  const headers = await gradNorm.getByRole('columnheader').allTextContents();
  const ppoColumn = headers.findIndex((h) => h.startsWith(`#${ppoId} `)) - 1; // after the step column
  expect(ppoColumn).toBeGreaterThanOrEqual(0);
  const row = gradNorm
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: '1', exact: true }) });
  await expect(row.getByRole('cell').nth(ppoColumn)).toHaveText(formatValue(stored('grad_norm', 1)));
  await expect(page.getByText('Stored values, unsmoothed.')).toBeVisible();

  // Against tokens seen, the DPO run (which logs no token count) is left out, and the page says so.
  await page.getByLabel('X-axis').selectOption('tokens');
  await expect(page.getByRole('note')).toContainText(`#${dpoId}`);
  await expect(page.locator('figcaption', { hasText: 'grad_norm against tokens seen' })).toBeVisible();

  // Evaluations side by side, and the config diff shows beta only where it applies.
  const evals = page.getByRole('table', { name: 'Evaluation results' });
  const scoreRow = evals
    .getByRole('row')
    .filter({ has: page.getByText('overall/mean_score', { exact: true }) });
  await expect(scoreRow).toContainText(formatValue(evalDpo.summary['overall/mean_score']!));
  await expect(page.getByRole('table', { name: 'Held-out replies side by side' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'algorithm' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'klCoef' })).toHaveCount(0); // PPO's alone: folded
  await page.getByText(/settings only some runs have/).click();
  await expect(page.getByRole('rowheader', { name: 'klCoef' })).toBeVisible();

  // `?runs=` preselects just those runs.
  await page.goto(`${host.url}#/compare?runs=${ppoId},${dpoId}`);
  await expect(page.getByText(/^Choose runs \(2 selected\)/)).toBeVisible();
  await expect(page.getByLabel(new RegExp(`^Compare #${ppoId} `))).toBeChecked();
  await expect(page.getByLabel(new RegExp(`^Compare #${sft.id} `))).not.toBeChecked();
  await expect(page.locator('figcaption', { hasText: 'Reward–KL frontier' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Evaluation results' }).getByRole('columnheader')).toHaveCount(
    3,
  );
});
