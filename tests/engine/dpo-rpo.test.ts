// RPO (Pang et al. 2024; TRL `rpo_alpha`): the DPO loss plus α × the chosen responses' per-token NLL.
// At the first step (same initial weights, same batch) the loss differs from plain DPO by exactly
// α × nll_loss, and nll_loss is the chosen tokens' mean negative log-prob; with α = 0 nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend';
import { runDpoTask } from '../../src/main/engine/tasks/dpo';
import type { PreferencePairText } from '../../src/main/engine/types';
import { DpoConfig, type DpoConfigInput } from '../../src/shared/schemas';
import { collect, removeTempDirs } from './trainers/helpers';

beforeAll(async () => {
  await selectBackend();
});
afterAll(removeTempDirs);

const PAIRS: PreferencePairText[] = [
  { prompt: 'Capital of France? ', chosen: 'Paris.', rejected: 'Lyon, I think.' },
  { prompt: '2+2= ', chosen: '4', rejected: 'five' },
  { prompt: 'Sky? ', chosen: 'blue', rejected: 'green, mostly' },
  { prompt: 'Cat says ', chosen: 'meow', rejected: 'woof' },
];

async function firstSteps(config: DpoConfigInput) {
  const r = await collect((ctx) =>
    runDpoTask(
      DpoConfig.parse({ epochs: 2, batchSize: 4, learningRate: 3e-3, seed: 2, ...config }),
      { kind: 'text', pairs: PAIRS },
      ctx,
    ),
  );
  if (r.error) throw r.error;
  return r.events.flatMap((e) => (e.type === 'metrics' ? [e.values] : []));
}

describe('RPO: DPO plus the chosen responses NLL', () => {
  it('adds alpha × the chosen NLL to the loss, for summed and averaged losses', async () => {
    for (const lossType of ['sigmoid', 'ipo'] as const) {
      const [plain] = await firstSteps({ lossType });
      const [rpo] = await firstSteps({ lossType, rpoAlpha: 0.5 });
      expect(plain!['nll_loss']).toBeUndefined();
      const nll = rpo!['nll_loss']!;
      expect(nll).toBeGreaterThan(0);
      expect(rpo!['loss']! - plain!['loss']!).toBeCloseTo(0.5 * nll, 4);
      // The first step's policy is the reference: the DPO part is the same in both runs.
      expect(rpo!['rewards/margins']).toBeCloseTo(plain!['rewards/margins']!, 6);
    }
  });

  it('is the mean NLL per chosen token, weighted by tokens over the batch as TRL computes it', async () => {
    // One batch of all four pairs. Summed log-probs: logps/chosen is the batch mean of each chosen
    // response's summed log-prob; a response scores its bytes and the end-of-sequence token.
    const [first] = await firstSteps({ lossType: 'sigmoid', rpoAlpha: 1 });
    const tokens = PAIRS.reduce((n, p) => n + new TextEncoder().encode(p.chosen).length + 1, 0);
    const byHand = (-first!['logps/chosen']! * PAIRS.length) / tokens;
    expect(first!['nll_loss']).toBeCloseTo(byHand, 4);
  });

  it('raises the chosen likelihood more than plain DPO does', async () => {
    const plain = await firstSteps({ lossType: 'sigmoid', epochs: 6 });
    const rpo = await firstSteps({ lossType: 'sigmoid', epochs: 6, rpoAlpha: 1 });
    expect(rpo.at(-1)!['logps/chosen']!).toBeGreaterThan(plain.at(-1)!['logps/chosen']!);
  });
});
