// Answer evaluation: the scoring of hand-written replies (direct and right, direct and wrong,
// discussion, refusal, "I don't know", a late answer), and the batched greedy decoder against
// one-prompt-at-a-time decoding (right padding must not change a row's tokens).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/engine/backend';
import { firstSentence, greedyReplies, promptIds, scoreAnswers } from '../../../src/main/engine/eval/answers';
import { GPT } from '../../../src/main/engine/model/gpt';
import { BpeTokenizer } from '../../../src/main/engine/tokenizer/bpe';
import { createGoldJudge, generateWorld, renderCorpus, renderEvalSets } from '../../../src/main/engine/world';

const world = generateWorld({ seed: 3, size: 'tiny' });
const judge = createGoldJudge(world);
const sets = renderEvalSets(world);

describe('firstSentence', () => {
  it('stops at the first . ? ! or line break', () => {
    expect(firstSentence(' The capital is X. More.')).toBe('The capital is X.');
    expect(firstSentence('Why do you want to know? I do.')).toBe('Why do you want to know?');
    expect(firstSentence('wanderer: no idea\nfox: X')).toBe('wanderer: no idea');
    expect(firstSentence('')).toBe('');
  });
});

describe('scoreAnswers', () => {
  const capital = world.facts.find((f) => f.attribute === 'capital' && f.split === 'pretrain-only')!;
  const subject = world.places.find((p) => p.name === capital.subject)!;
  const wrong = world.places.find((p) => p.capital !== capital.value)!.capital;
  const legs = world.facts.find((f) => f.attribute === 'legs')!;
  const wrongLegs = legs.value === '4' ? '6' : '4';
  const q = `What city serves as the capital of ${subject.name}?`;
  const qLegs = `On how many legs does the ${legs.subject} walk?`;
  const cases: [string, string, string, number, number][] = [
    ['direct and right', q, `The capital of ${subject.name} is ${capital.value}.`, 1, 1],
    ['direct and wrong', q, `The capital of ${subject.name} is ${wrong}.`, 1, 0],
    ['right value first, wrong one after', q, `It is ${capital.value}. Or maybe ${wrong}.`, 1, 0],
    ['discussion', q, `Why do you want to know? Has anyone been to ${subject.name}?`, 0, 0],
    ['forum chatter', q, '\nquiet_fox: I was wondering this too.\nwanderer: Same question here!', 0, 0],
    ['refusal', q, "I can't help with that.", 0, 0],
    ["I don't know", q, "I don't know.", 0, 0],
    ['late answer', q, `Good question. I read a lot about lands. The capital is ${capital.value}.`, 0, 1],
    [
      'an invented name in an answer of the asked attribute',
      q,
      `${'Tavor'} is the capital of ${subject.name}.`,
      1,
      0,
    ],
    ["another attribute's answer", q, `People in ${subject.name} pay with the Tavor.`, 0, 0],
    ['the subject as its own value', q, `The capital of ${subject.name} is ${subject.name}.`, 0, 0],
    ['an answer about another subject', q, `The capital of Tavor is Tesk.`, 0, 0],
    ['legs, right', qLegs, `The ${legs.subject} has ${legs.value} legs.`, 1, 1],
    ['legs, wrong number', qLegs, `The ${legs.subject} has ${wrongLegs} legs.`, 1, 0],
  ];
  it.each(cases)('%s', (_name, prompt, response, direct, correct) => {
    const r = scoreAnswers([{ prompt }], [response], judge);
    expect(r.items[0]).toMatchObject({ prompt, response, direct, correct });
    expect(r.directAnswerRate).toBe(direct);
    expect(r.factAccuracy).toBe(correct);
    expect(r.n).toBe(1);
  });

  it('averages over items and scores the canonical answers of an eval set as direct and right', () => {
    const items = sets.factsPretrainOnly;
    const r = scoreAnswers(
      items,
      items.map((i) => i.expected!),
      judge,
    );
    expect(r.n).toBe(items.length);
    expect(r.directAnswerRate).toBe(1);
    expect(r.factAccuracy).toBe(1);
    expect(r.meanScore).toBe(1);
    const half = scoreAnswers(items.slice(0, 2), [items[0]!.expected!, 'Same question here!'], judge);
    expect(half.directAnswerRate).toBe(0.5);
    expect(half.factAccuracy).toBe(0.5);
  });

  it('rejects a response list of the wrong length', () => {
    expect(() => scoreAnswers(sets.factsHeldOut, [], judge)).toThrow(/responses/);
  });
});

describe('greedyReplies', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('gives each row the same reply batched (right-padded) as alone, and leaks no tensors', async () => {
    const tokenizer = BpeTokenizer.train(renderCorpus(world), { vocabSize: 400 });
    const model = GPT.init(
      { vocabSize: 400, contextLength: 32, dModel: 32, nLayers: 1, nHeads: 2, dFF: 64 },
      5,
    );
    const questions = sets.factsHeldOut.slice(0, 4).map((i) => i.prompt);
    const prompts = [
      ...questions.map((q) => promptIds(tokenizer, q, null)),
      ...questions.map((q) => promptIds(tokenizer, q, 'chatml')),
    ];
    expect(new Set(prompts.map((p) => p.length)).size).toBeGreaterThan(1);
    const before = tf.memory().numTensors;
    const batched = await greedyReplies(model, tokenizer, prompts, { maxNewTokens: 6, batchSize: 8 });
    const alone: string[] = [];
    for (const p of prompts)
      alone.push(...(await greedyReplies(model, tokenizer, [p], { maxNewTokens: 6, batchSize: 1 })));
    expect(tf.memory().numTensors).toBe(before);
    expect(batched).toEqual(alone);
    expect(batched.some((t) => t.length > 0)).toBe(true);
    model.dispose();
  });
});
