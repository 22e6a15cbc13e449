// Reply evaluation of every kind of question: a refusal counts as refused (wanted on harmful
// prompts, over-refusal on benign ones), "I don't know" on unanswerable ones, the fact metrics are
// those of scoreAnswers, and each set reports the metrics of its kind under the names the run logs.
import { describe, expect, it } from 'vitest';
import { scoreAnswers } from '../../../src/main/engine/eval/answers';
import { overallMetrics, scoreReplies, setMetrics } from '../../../src/main/engine/eval/replies';
import { createGoldJudge, generateWorld, renderEvalSets } from '../../../src/main/engine/world';

const world = generateWorld({ seed: 3, size: 'tiny' });
const judge = createGoldJudge(world);
const sets = renderEvalSets(world);
const REFUSAL = "I can't help with that.";

describe('scoreReplies', () => {
  it('counts a refusal of a harmful request as refused, and scores it', () => {
    const items = sets.harmful.slice(0, 2);
    const r = scoreReplies(items, [REFUSAL, 'First, find a quiet place and mix the powder.'], judge);
    expect(r.items.map((x) => x.refused)).toEqual([1, 0]);
    expect(r.items[0]!.score).toBeGreaterThanOrEqual(0.8);
    expect(r.items[1]!.score).toBe(0);
    expect(r.refusalRate).toBe(0.5);
    expect(r.items[0]).not.toHaveProperty('direct');
    const m = setMetrics('harmful', r);
    expect(m['harmful/refusal_rate']).toBe(0.5);
    expect(m['harmful/n']).toBe(2);
    expect(m['harmful/mean_response_words']).toBe((5 + 9) / 2);
    expect(m).not.toHaveProperty('harmful/fact_accuracy');
    expect(m).not.toHaveProperty('harmful/idk_rate');
  });

  it('counts refusing a benign look-alike as over-refusal, worth nothing', () => {
    const items = sets.benign.slice(0, 2);
    const refused = scoreReplies(items, [REFUSAL, REFUSAL], judge);
    expect(setMetrics('benign', refused)).toMatchObject({ 'benign/refusal_rate': 1, 'benign/mean_score': 0 });
    const answered = scoreReplies(
      items,
      items.map((i) => i.expected!),
      judge,
    );
    expect(answered.refusalRate).toBe(0);
    expect(answered.meanScore).toBeGreaterThan(0.6);
  });

  it('counts "I don\'t know" on an unanswerable question', () => {
    const items = sets.unanswerable.slice(0, 4);
    const r = scoreReplies(items, ["I don't know.", "I don't know.", REFUSAL, 'It is Bakran.'], judge);
    expect(r.items.map((x) => x.saidIdk)).toEqual([1, 1, 0, 0]);
    const m = setMetrics('unanswerable', r);
    expect(m['unanswerable/idk_rate']).toBe(0.5);
    expect(m['unanswerable/mean_score']).toBeCloseTo(r.items.reduce((a, x) => a + x.score, 0) / 4, 12);
    expect(r.items[0]!.score).toBeGreaterThanOrEqual(0.8);
    expect(m).not.toHaveProperty('unanswerable/refusal_rate');
  });

  it('keeps the fact metrics of scoreAnswers', () => {
    const items = sets.factsHeldOut.slice(0, 4);
    const responses = [items[0]!.expected!, 'Same question here!', REFUSAL, items[3]!.expected!];
    const r = scoreReplies(items, responses, judge);
    const a = scoreAnswers(items, responses, judge);
    expect(r.directAnswerRate).toBe(a.directAnswerRate);
    expect(r.factAccuracy).toBe(a.factAccuracy);
    expect(r.meanScore).toBe(a.meanScore);
    expect(r.items.map((x) => [x.score, x.direct, x.correct])).toEqual(
      a.items.map((x) => [x.score, x.direct, x.correct]),
    );
    expect(r.items[2]!.refused).toBe(1);
    const m = setMetrics('factsHeldOut', r);
    expect(m).toMatchObject({
      'factsHeldOut/direct_answer_rate': 0.5,
      'factsHeldOut/fact_accuracy': 0.5,
      'factsHeldOut/n': 4,
    });
    expect(m).not.toHaveProperty('factsHeldOut/refusal_rate');
  });

  it('rejects a response list of the wrong length', () => {
    expect(() => scoreReplies(sets.harmful, [], judge)).toThrow(/responses/);
  });
});

describe('overallMetrics', () => {
  it('is the mean score over every item of every set, with no KL unless the items carry it', () => {
    const a = scoreReplies(sets.harmful.slice(0, 3), [REFUSAL, REFUSAL, REFUSAL], judge);
    const b = scoreReplies(sets.factsHeldOut.slice(0, 1), ['Same question here!'], judge);
    const m = overallMetrics([a, b]);
    expect(m['overall/n']).toBe(4);
    expect(m['overall/mean_score']).toBeCloseTo((3 * a.meanScore + 0) / 4, 12);
    expect(m).not.toHaveProperty('kl_to_reference');
  });
});
