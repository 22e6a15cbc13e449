// The alignment tax over a real (smoke-sized) quick pipeline: every model of the pipeline evaluated
// with every metric, the table's values equal to the evaluation runs' stored summaries, changes equal
// to the differences against base and SFT, each number's items reproducing it; the CLI prints the
// table; and the pipeline killed mid-way (during DPO) resumes without redoing finished stages.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../src/shared/schemas';
import { TAX_METRICS, changeTone, type TaxData } from '../../src/shared/tax';
import type { Lab } from '../../src/main/lab/lab';
import { formatTaxTable } from '../../src/main/lab/tax';
import { tempDir } from '../helpers/tmp';
import { labFixtures, testLab } from '../helpers/lab';

const CLI = fileURLToPath(new URL('../../src/main/hosts/cli/main.ts', import.meta.url));
const { defer } = labFixtures();

async function waitForPipeline(lab: Lab, id: number, timeoutMs = 400_000): Promise<Pipeline> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await lab.getPipeline({ id });
    if (p.status !== 'running') return p;
    if (Date.now() > end) throw new Error(`pipeline ${id} still running: ${JSON.stringify(p.stages)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const MODELS = ['base', 'SFT', 'RM-PPO', 'DPO', 'IPO', '+safety'];

describe('alignment tax of the quick pipeline (smoke-sized)', () => {
  let lab: Lab;
  let cleanup: () => void;
  let p: Pipeline;
  let tax: TaxData;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    lab = testLab(t.dir);
    expect((await lab.taxData()).pipelines).toEqual([]);
    const started = await lab.startPipeline({ preset: 'quick-smoke' });
    p = await waitForPipeline(lab, started.id);
    tax = await lab.taxData();
  }, 420_000);
  afterAll(async () => {
    await lab?.close();
    cleanup?.();
  });

  it('evaluates every model with every metric, values equal to the stored summaries', async () => {
    expect(p.error).toBeNull();
    expect(p.status).toBe('completed');
    expect(tax.pipelines).toHaveLength(1);
    const t = tax.pipelines[0]!;
    expect(t.models.map((m) => m.label)).toEqual(MODELS);
    const stage = (name: string) => p.stages.find((s) => s.name === name)!;
    for (const m of t.models) {
      const run = await lab.getRun({ id: m.runId });
      expect(run.config.winRateAgainst).toBe(stage('sft').modelId);
      expect(run.config.judgeRewardModel).toBe(stage('reward').modelId);
      for (const metric of TAX_METRICS) {
        const stored = run.summary[metric.summary] ?? null;
        expect(m.values[metric.key], `${m.label} ${metric.key}`).toBe(stored);
        // Every metric is measured for every model, except the KL of the base model (no template in common).
        if (!(metric.key === 'kl' && m.label === 'base'))
          expect(stored, `${m.label} ${metric.key}`).not.toBeNull();
      }
    }
    const [base, sft] = [t.models[0]!, t.models[1]!];
    for (const m of t.models)
      for (const metric of TAX_METRICS) {
        const v = m.values[metric.key];
        const want = (ref: typeof base) =>
          v === null || ref.values[metric.key] === null ? null : v! - ref.values[metric.key]!;
        expect(m.vsBase[metric.key]).toBe(want(base));
        expect(m.vsSft[metric.key]).toBe(want(sft));
      }
    // The SFT model against itself: exactly half the prompts won, by both judges.
    expect(sft.values.win_rate).toBe(0.5);
    expect(sft.values.win_rate_rm).toBe(0.5);
    expect(sft.vsSft.gold_score).toBe(0);
  });

  it('opens the items behind each number, and they reproduce it', async () => {
    const m = tax.pipelines[0]!.models[3]!; // DPO
    const rate = (rows: (string | number | null)[][], col: number) =>
      rows.filter((r) => r[col] === 'yes').length / rows.length;
    const refusals = await lab.taxItems({ runId: m.runId, metric: 'harmful_refusal' });
    expect(refusals.columns).toEqual(['prompt', 'response', 'refused', 'score']);
    expect(refusals.rows.length).toBeGreaterThan(0);
    expect(rate(refusals.rows, 2)).toBeCloseTo(m.values.harmful_refusal!, 12);
    const over = await lab.taxItems({ runId: m.runId, metric: 'over_refusal' });
    expect(rate(over.rows, 2)).toBeCloseTo(m.values.over_refusal!, 12);
    const gold = await lab.taxItems({ runId: m.runId, metric: 'gold_score' });
    const mean = gold.rows.reduce((a, r) => a + (r[3] as number), 0) / gold.rows.length;
    expect(mean).toBeCloseTo(m.values.gold_score!, 12);
    const wins = await lab.taxItems({ runId: m.runId, metric: 'win_rate' });
    const score = (o: unknown) => (o === 'win' ? 1 : o === 'tie' ? 0.5 : 0);
    expect(wins.rows.reduce((a, r) => a + score(r[5]), 0) / wins.rows.length).toBeCloseTo(
      m.values.win_rate!,
      12,
    );
    const ppl = await lab.taxItems({ runId: m.runId, metric: 'perplexity' });
    const nll = ppl.rows.reduce((a: number, r) => a + (r[2] as number), 0);
    const tokens = ppl.rows.reduce((a: number, r) => a + (r[1] as number), 0);
    expect(Math.exp(nll / tokens)).toBeCloseTo(m.values.perplexity!, 6);
    const ece = await lab.taxItems({ runId: m.runId, metric: 'ece' });
    expect(ece.bins!.reduce((a, b) => a + b.n, 0)).toBe(ece.rows.length);
    await expect(lab.taxItems({ runId: m.runId, metric: 'nope' })).rejects.toMatchObject({
      issues: [{ path: 'metric' }],
    });
  });

  it('prints models × metrics with changes vs base and SFT', () => {
    const text = formatTaxTable(tax.pipelines[0]!).join('\n');
    for (const label of MODELS) expect(text).toContain(label);
    expect(text).toMatch(/change vs base/);
    expect(text).toMatch(/change vs SFT/);
    expect(changeTone({ better: 'down' }, 0.2)).toBe('bad');
    expect(changeTone({ better: 'up' }, 0.2)).toBe('good');
    expect(changeTone({ better: null }, 0.2)).toBe('neutral');
  });
});

describe('the quick pipeline killed mid-way', () => {
  it('resumes from where it stopped, without redoing finished stages', async () => {
    const { dir, cleanup } = tempDir();
    defer(cleanup);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'pipeline', '--preset', 'quick-smoke', '--data', dir, '--json'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const done: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        for (const line of buf.split('\n').slice(0, -1)) {
          const e = JSON.parse(line) as { type: string; name?: string; status?: string };
          if (e.type === 'stage' && e.status === 'completed') done.push(e.name!);
          if (e.type === 'stage' && e.name === 'dpo' && e.status === 'running') resolve();
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
      child.on('exit', (code) => reject(new Error(`the CLI exited (${code}) before DPO started`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(done).toContain('eval-ppo');

    const lab = testLab(dir);
    defer(() => lab.close());
    const [stale] = await lab.listPipelines();
    const p = await waitForPipeline(lab, stale!.id);
    expect(p.error).toBeNull();
    expect(p.status).toBe('completed');
    const runs = await lab.listRuns();
    const count = (algorithm: string) => runs.filter((r) => r.algorithm === algorithm).length;
    // Finished stages kept: one pretraining, one SFT, one reward model, one PPO.
    expect([count('pretrain'), count('sft'), count('reward'), count('ppo')]).toEqual([1, 1, 1, 1]);
    expect(count('eval')).toBe(6);
    expect(runs.filter((r) => r.algorithm === 'dpo' && r.status === 'completed')).toHaveLength(3); // dpo, ipo, safety
    const tax = await lab.taxData();
    expect(tax.pipelines[0]!.models.map((m) => m.label)).toEqual(MODELS);
  }, 420_000);
});
