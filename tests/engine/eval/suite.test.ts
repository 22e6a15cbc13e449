// The evaluation suite's measures, with answers known in advance: ECE and reliability bins and win
// rates computed by hand; held-out text that appears nowhere in training; perplexity exactly the
// vocabulary size for a model whose every prediction is uniform, and token log-probs equal to a
// forward pass read by hand; and the evaluation run with the suite: a model against itself wins
// exactly half, every number recomputes from the items it keeps.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalConfig } from '../../../src/shared/schemas';
import { selectBackend } from '../../../src/main/engine/backend';
import { saveModel } from '../../../src/main/engine/checkpoint';
import { binOf, calibrate, meanTokenProbability } from '../../../src/main/engine/eval/calibration';
import { HELDOUT_STATEMENTS, renderHeldOutText } from '../../../src/main/engine/eval/heldout-text';
import { continuationLogProbs, textPerplexity } from '../../../src/main/engine/eval/perplexity';
import {
  EVAL_SUITE_FILE,
  rewardModelAgreement,
  suiteSetMetrics,
  type SuiteItem,
  type SuiteResults,
} from '../../../src/main/engine/eval/suite';
import { outcomeOf, winRate, type Outcome } from '../../../src/main/engine/eval/winrate';
import { GPT, type GPTConfig } from '../../../src/main/engine/model/gpt';
import { EVAL_RESULTS_FILE, runEvalTask, type EvalTaskInputs } from '../../../src/main/engine/tasks/eval';
import { BYTE_VOCAB_SIZE, byteTokenizer } from '../../../src/main/engine/tokenizer/byte';
import {
  generateWorld,
  renderCorpus,
  renderEvalSets,
  renderPreferencePairs,
  renderSafety,
  renderSftPairs,
} from '../../../src/main/engine/world';
import { STATEMENTS as CORPUS_STATEMENTS } from '../../../src/main/engine/world/templates';
import type { Attribute } from '../../../src/main/engine/world';

const world = generateWorld({ seed: 3, size: 'tiny' });
const cfg: GPTConfig = {
  vocabSize: BYTE_VOCAB_SIZE,
  contextLength: 64,
  dModel: 32,
  nLayers: 1,
  nHeads: 2,
  dFF: 64,
};

describe('calibration', () => {
  it('bins by confidence and computes ECE by hand', () => {
    expect([0, 0.05, 0.1, 0.55, 0.999, 1].map((c) => binOf(c, 10))).toEqual([0, 0, 1, 5, 9, 9]);
    const r = calibrate(
      [
        { confidence: 0.95, correct: 1 },
        { confidence: 0.85, correct: 0 },
        { confidence: 0.9, correct: 1 },
        { confidence: 0.2, correct: 0 },
        { confidence: 0.25, correct: 1 },
      ],
      5,
    );
    // bins of 0.2: [0.2,0.4): conf 0.225, acc 0.5; [0.8,1]: conf 0.9, acc 2/3.
    expect(r.bins.map((b) => b.n)).toEqual([0, 2, 0, 0, 3]);
    expect(r.bins[1]!.confidence).toBeCloseTo(0.225, 12);
    expect(r.bins[4]!.accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.bins[0]!.confidence).toBeNull();
    expect(r.ece).toBeCloseTo((2 / 5) * Math.abs(0.5 - 0.225) + (3 / 5) * Math.abs(2 / 3 - 0.9), 12);
    expect(r.meanConfidence).toBeCloseTo(0.63, 12);
    expect(r.accuracy).toBeCloseTo(0.6, 12);
  });

  it('is 0 for a perfectly calibrated set and 1 for a confidently wrong one', () => {
    const good = calibrate([
      { confidence: 1, correct: 1 },
      { confidence: 0, correct: 0 },
    ]);
    expect(good.ece).toBe(0);
    expect(calibrate([{ confidence: 1, correct: 0 }]).ece).toBe(1);
    expect(calibrate([]).ece).toBe(0);
    expect(() => calibrate([{ confidence: 1.5, correct: 1 }])).toThrow(/item 1 has confidence 1.5/);
  });

  it('takes a reply confidence as the geometric mean of its token probabilities', () => {
    expect(meanTokenProbability([Math.log(0.5), Math.log(0.125)])).toBeCloseTo(0.25, 12);
    expect(meanTokenProbability([])).toBeNull();
  });
});

describe('win rate', () => {
  it('counts ties as half a win', () => {
    expect([outcomeOf(0.8, 0.6), outcomeOf(0.6, 0.6), outcomeOf(0, 1)]).toEqual(['win', 'tie', 'loss']);
    expect(winRate(['win', 'tie', 'loss', 'win'])).toEqual({
      n: 4,
      wins: 2,
      ties: 1,
      losses: 1,
      winRate: 0.625,
    });
    expect(winRate(['tie', 'tie']).winRate).toBe(0.5);
    expect(winRate([]).winRate).toBe(0.5);
  });

  it('measures how often the reward model sides with the gold judge, where the gold judge decides', () => {
    const item = (outcome: Outcome, rewardOutcome: Outcome): SuiteItem =>
      ({
        prompt: 'p',
        response: 'r',
        kind: 'harmful',
        score: 0,
        words: 1,
        outcome,
        rewardOutcome,
      }) as SuiteItem;
    const items = [
      item('win', 'win'),
      item('loss', 'loss'),
      item('win', 'loss'), // the proxy points the wrong way
      item('loss', 'tie'),
      item('tie', 'win'), // the gold judge has no preference: not counted
    ];
    expect(rewardModelAgreement(items)).toEqual({ agreement: 0.5, n: 4 });
    expect(suiteSetMetrics('harmful', items)['harmful/rm_gold_agreement']).toBe(0.5);
    expect(rewardModelAgreement([item('tie', 'win'), item('tie', 'loss')])).toBeNull();
    expect(suiteSetMetrics('harmful', [item('tie', 'win')])).not.toHaveProperty('harmful/rm_gold_agreement');
  });
});

describe('held-out text', () => {
  it('is about held-out facts only, in wordings that no training text uses', () => {
    const texts = renderHeldOutText(world);
    const facts = new Map(world.facts.map((f) => [f.id, f]));
    expect(texts.length).toBeGreaterThan(10);
    for (const t of texts) expect(['heldout', 'pretrain-only']).toContain(facts.get(t.factId)!.split);
    const training = [
      ...renderCorpus(world),
      ...renderSftPairs(world).flatMap((p) => [p.prompt, p.response]),
      ...renderPreferencePairs(world).flatMap((p) => [p.prompt, p.chosen, p.rejected]),
      ...renderSafety(world).benign.map((b) => b.response),
      ...Object.values(renderEvalSets(world))
        .flat()
        .map((e) => e.prompt),
    ].join('\n');
    for (const t of texts) expect(training.includes(t.text), t.text).toBe(false);
    // Made of the corpus's words only: no word the model could never have seen.
    const corpusWords = new Set(
      renderCorpus(world)
        .join(' ')
        .toLowerCase()
        .match(/[a-z]+/g),
    );
    for (const t of texts)
      for (const w of t.text.toLowerCase().match(/[a-z]+/g) ?? []) expect(corpusWords, t.text).toContain(w);
    // No held-out wording is a corpus statement's.
    for (const [a, ws] of Object.entries(HELDOUT_STATEMENTS))
      for (const w of ws) expect(CORPUS_STATEMENTS[a as Attribute]).not.toContain(w);
  });
});

describe('perplexity and token log-probs', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('is the vocabulary size for a model whose every prediction is uniform', async () => {
    const seeded = GPT.init(cfg, 1, false);
    const zeros = (await seeded.toArrays()).map((a) => ({ ...a, data: new Float32Array(a.data.length) }));
    seeded.dispose();
    const flat = GPT.fromArrays(cfg, zeros, false);
    try {
      const before = tf.memory().numTensors;
      const r = textPerplexity(flat, byteTokenizer, renderHeldOutText(world).slice(0, 5));
      expect(tf.memory().numTensors).toBe(before);
      expect(r.n).toBe(5);
      expect(r.perplexity).toBeCloseTo(BYTE_VOCAB_SIZE, 3); // float32 log-softmax
      for (const it of r.items) {
        expect(it.tokens).toBe(byteTokenizer.encode(it.text).length);
        expect(it.perplexity).toBeCloseTo(BYTE_VOCAB_SIZE, 3);
      }
    } finally {
      flat.dispose();
    }
  });

  it('reads each continuation token where a forward pass over its prefix puts it', () => {
    const model = GPT.init(cfg, 7, false);
    try {
      const rows = [
        { context: [1, 2, 3], continuation: [4, 5] },
        { context: [9], continuation: [10, 11, 12] },
      ];
      const got = continuationLogProbs(model, rows);
      rows.forEach((row, r) => {
        const full = [...row.context, ...row.continuation];
        row.continuation.forEach((id, j) => {
          const L = row.context.length + j; // prefix length
          const want = tf.tidy(() => {
            const logits = model.forward(tf.tensor2d([full.slice(0, L)], [1, L], 'int32')); // [1, L, V]
            const last = tf.reshape(tf.slice(logits, [0, L - 1, 0], [1, 1, -1]), [-1]);
            return tf.logSoftmax(last).arraySync() as number[];
          })[id]!;
          expect(got[r]![j]).toBeCloseTo(want, 4);
        });
      });
    } finally {
      model.dispose();
    }
  });
});

describe('runEvalTask with the suite', () => {
  let dir: string;
  const paths: Record<string, string> = {};
  const save = async (name: string, seed: number) => {
    const model = GPT.init(cfg, seed, false);
    try {
      return await saveModel(join(dir, name), model, {
        arch: { ...cfg, tokenizer: 'byte' },
        trainer: 'test',
        step: 0,
        config: {},
        lineage: { parentPath: null, parentId: null },
      });
    } finally {
      model.dispose();
    }
  };
  beforeAll(async () => {
    await selectBackend();
    dir = await mkdtemp(join(tmpdir(), 'eval-suite-'));
    paths.a = await save('a', 1);
    paths.b = await save('b', 2);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(inputs: Omit<EvalTaskInputs, 'world'>, extra: Record<string, unknown> = {}) {
    const config = EvalConfig.parse({
      model: 1,
      world: 1,
      sets: ['factsHeldOut', 'harmful', 'unanswerable'],
      maxNewTokens: 5,
      ...extra,
    });
    const values: Record<string, number> = {};
    const out = await mkdtemp(join(dir, 'run-'));
    for await (const e of runEvalTask(
      config,
      { ...inputs, world },
      { signal: new AbortController().signal, outDir: out },
    ))
      if (e.type === 'metrics') Object.assign(values, e.values);
    const replies = JSON.parse(await readFile(join(out, EVAL_RESULTS_FILE), 'utf8')) as Record<
      string,
      { items: SuiteItem[] }
    >;
    const suite = JSON.parse(await readFile(join(out, EVAL_SUITE_FILE), 'utf8')) as SuiteResults;
    return { values, items: Object.values(replies).flatMap((r) => r.items), suite };
  }

  it('wins exactly half against itself, and keeps the items behind every number', async () => {
    const { values, items, suite } = await run({ modelPath: paths.a!, winRateModelPath: paths.a! });
    expect(values['win_rate/gold']).toBe(0.5);
    expect(values['factsHeldOut/win_rate']).toBe(0.5);
    expect(items.every((x) => x.outcome === 'tie' && x.referenceResponse === x.response)).toBe(true);
    expect(suite.winRate?.gold).toMatchObject({ n: items.length, ties: items.length });
    // Calibration over the fact answers, from the items' confidences.
    const answers = items.filter((x) => x.kind === 'fact');
    expect(answers.every((x) => x.confidence! > 0 && x.confidence! <= 1)).toBe(true);
    const again = calibrate(answers.map((x) => ({ confidence: x.confidence!, correct: x.correct! })));
    expect(values['calibration/ece']).toBeCloseTo(again.ece, 12);
    expect(values['calibration/n']).toBe(answers.length);
    expect(suite.calibration!.bins.reduce((a, b) => a + b.n, 0)).toBe(answers.length);
    // Style and capability means over the items.
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(values['overall/mean_response_tokens']).toBeCloseTo(mean(items.map((x) => x.tokens!)), 12);
    expect(values['overall/mean_response_words']).toBeCloseTo(mean(items.map((x) => x.words)), 12);
    expect(values['overall/fact_accuracy']).toBeCloseTo(mean(answers.map((x) => x.correct!)), 12);
    expect(items.every((x) => x.tokens! <= 5)).toBe(true);
    // Perplexity on held-out text: an untrained byte model is near the vocabulary size.
    const ppl = suite.heldoutText!;
    expect(ppl.n).toBe(renderHeldOutText(world).length);
    expect(values['heldout_text/perplexity']).toBeCloseTo(ppl.perplexity, 10);
    expect(ppl.perplexity).toBeGreaterThan(BYTE_VOCAB_SIZE / 4);
    expect(ppl.perplexity).toBeLessThan(BYTE_VOCAB_SIZE * 4);
  });

  it('judges against another model item by item, and measures nothing it was not asked to', async () => {
    const { values, items } = await run(
      { modelPath: paths.a!, winRateModelPath: paths.b! },
      { perplexity: false, calibration: false },
    );
    for (const x of items) expect(x.outcome).toBe(outcomeOf(x.score, x.referenceScore!));
    expect(values['win_rate/gold']).toBe(winRate(items.map((x) => x.outcome!)).winRate);
    expect(values).not.toHaveProperty('heldout_text/perplexity');
    expect(values).not.toHaveProperty('calibration/ece');
    const plain = await run({ modelPath: paths.a! }, { perplexity: false });
    expect(plain.values).not.toHaveProperty('win_rate/gold');
  });
});
