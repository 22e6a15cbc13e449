// The evaluation results table as data (src/shared/eval-table.ts, drawn by RunEvalResults.tsx): its
// rows are the question sets; the overall KL and the reward model's agreement with the gold judge sit
// on the "All sets" row.
import { describe, expect, it } from 'vitest';
import { evalCell, evalTable } from '../../src/shared/eval-table';

describe('evaluation results table', () => {
  const stored = {
    'harmful/n': 48,
    'harmful/mean_score': 0.5,
    'harmful/refusal_rate': 0.625,
    'harmful/rm_gold_agreement': 0.25,
    'overall/n': 48,
    'overall/mean_score': 0.5,
    kl_to_reference_seq: 1.5,
    'win_rate/gold': 0.4,
    'win_rate/n': 48,
    'win_rate/rm_gold_agreement': 0.3,
    'calibration/n': 12,
    'perf/peak_rss_mb': 300,
  };

  it('has a row per question set and the columns they have', () => {
    const t = evalTable(stored);
    expect(t.sets).toEqual(['harmful', 'overall']);
    // All sets last, the others in the lab's order whatever the order of the stored keys.
    expect(evalTable({ 'overall/mean_score': 1, 'zeta/mean_score': 1, 'benign/mean_score': 1 }).sets).toEqual(
      ['benign', 'zeta', 'overall'],
    );
    expect(t.columns.map((c) => c.label)).toEqual([
      'Questions',
      'Refusals',
      'Mean score',
      'Reward model agrees',
      'KL to reference',
    ]);
    expect(t.values['overall/rm_gold_agreement']).toBe(0.3);
    expect(t.values['overall/kl_to_reference_seq']).toBe(1.5);
  });

  it('reads a cell as a count, a score or a share', () => {
    const { values } = evalTable(stored);
    expect(evalCell('n', values['harmful/n'])).toBe('48');
    expect(evalCell('mean_score', values['harmful/mean_score'])).toBe('0.500');
    expect(evalCell('rm_gold_agreement', values['overall/rm_gold_agreement'])).toBe('30.0 %');
    expect(evalCell('idk_rate', values['harmful/idk_rate'])).toBe('—');
  });

  it('leaves the agreement column out when no reward model judged', () => {
    const { columns } = evalTable({ 'benign/n': 2, 'benign/mean_score': 1 });
    expect(columns.map((c) => c.key)).toEqual(['n', 'mean_score']);
  });
});
