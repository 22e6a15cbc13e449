// Evaluation reports the quality of a model's replies: `<set>/reply_quality` (mean score) and
// `<set>/low_quality_rate` (share below 0.5), so that noisy SFT data shows up in what a model says.
import { describe, expect, it } from 'vitest';
import { scoreReplies, setMetrics } from '../../../src/main/engine/eval/replies';
import { createGoldJudge, generateWorld, renderEvalSets } from '../../../src/main/engine/world';

describe('reply quality in evaluation metrics', () => {
  const world = generateWorld({ seed: 2, size: 'tiny' });
  const judge = createGoldJudge(world);
  const items = renderEvalSets(world).factsHeldOut.slice(0, 4);

  it('is high for clean answers and low for spam and loops', () => {
    const clean = setMetrics(
      'f',
      scoreReplies(
        items,
        items.map((i) => i.expected!),
        judge,
      ),
    );
    expect(clean['f/low_quality_rate']).toBe(0);
    expect(clean['f/reply_quality']).toBeGreaterThan(0.8);
    const noisy = setMetrics(
      'f',
      scoreReplies(
        items,
        [
          'BUY NOW!!! FREE moss $$$ www.moss-deals42.com !!!',
          'is cold is cold is cold is cold is cold is cold',
          items[2]!.expected!,
          'Click here to subscribe. All rights reserved. Privacy policy.',
        ],
        judge,
      ),
    );
    expect(noisy['f/low_quality_rate']).toBe(0.75);
    expect(noisy['f/reply_quality']).toBeLessThan(clean['f/reply_quality']!);
  });
});
