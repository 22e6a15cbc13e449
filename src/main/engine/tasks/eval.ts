// An evaluation run: ask a model a sandbox world's held-out questions (greedy decoding) and score the
// replies with the world's gold judge (eval/replies.ts). Each set gives `<set>/mean_score`, `<set>/n`,
// `<set>/mean_response_words` and, by kind, `direct_answer_rate` and `fact_accuracy` (facts, sums),
// `refusal_rate` (harmful; benign, where it is over-refusal) or `idk_rate` (unanswerable); at the end
// `overall/mean_score` over every item. Given a reference model, each reply's KL(model ‖ reference)
// (eval/kl.ts) adds `kl_to_reference` and `kl_to_reference_seq`, overall and per set. The replies
// themselves go to `eval-results.json` in the run's folder, so that a user can read the answers behind
// every number. The suite's measures (eval/suite.ts) add, by default, each reply's confidence with
// `calibration/*` over the answers and `heldout_text/perplexity`; given a win-rate model,
// `win_rate/gold` (and with a judging reward model `win_rate/reward_model`); and `overall/*` style and
// capability means. What is not per reply (reliability bins, held-out texts) goes to `eval-suite.json`.
import { join } from 'node:path';
import type { EvalConfig } from '../../../shared/schemas';
import { writeFileAtomic } from '../atomic-write';
import { selectBackend } from '../backend';
import { loadModel, readModelRecord } from '../checkpoint';
import { checkReference, checkTokenizerNames, replyKlToReference } from '../eval/kl';
import { evaluateReplies, overallMetrics, setMetrics, summarise, type ReplyReport } from '../eval/replies';
import { renderHeldOutText } from '../eval/heldout-text';
import { textPerplexity } from '../eval/perplexity';
import {
  EVAL_SUITE_FILE,
  judgeAgainst,
  openReplyingModel,
  suiteMetrics,
  suiteSetMetrics,
  withConfidence,
  type ReplyingModel,
  type SuiteItem,
} from '../eval/suite';
import { openRewardScorer, type RewardScorer } from '../reward-score';
import type { GPT } from '../model/gpt';
import { openInference } from '../onnx/engine';
import { BYTE_TOKENIZER, loadTokenizer } from '../tokenizer/load';
import type { TrainContext, TrainEvent } from '../types';
import { createGoldJudge, renderEvalSets, type World } from '../world';

export const EVAL_RESULTS_FILE = 'eval-results.json';

export interface EvalTaskInputs {
  modelPath: string;
  world: World;
  /** The model `config.referenceModel` names, for `kl_to_reference`. */
  referenceModelPath?: string;
  /** The model `config.winRateAgainst` names, for `win_rate/gold`. */
  winRateModelPath?: string;
  /** The reward model `config.judgeRewardModel` names, for `win_rate/reward_model`. */
  judgeRewardModelPath?: string;
}

export async function* runEvalTask(
  config: EvalConfig,
  inputs: EvalTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  yield { type: 'backend', backend: await selectBackend(config.backend) };
  const { model, record } = await loadModel(inputs.modelPath, false);
  let reference: GPT | undefined;
  let rival: ReplyingModel | undefined;
  let rm: RewardScorer | undefined;
  // onnxruntime over the KV-cache export unless tfjs is asked for (config.inference, LAB_INFERENCE)
  // or the session can't be created.
  const inference = await openInference(model, { inference: config.inference }).catch((err: unknown) => {
    model.dispose();
    throw err;
  });
  try {
    yield { type: 'inference', inference: inference.info };
    yield { type: 'log', message: inference.message };
    const tokenizerName = record.arch.tokenizer ?? BYTE_TOKENIZER;
    const tokenizer = await loadTokenizer(record.arch.tokenizer, inputs.modelPath);
    if (inputs.referenceModelPath) {
      const refPath = inputs.referenceModelPath;
      const refRecord = await readModelRecord(refPath);
      checkTokenizerNames(tokenizerName, refRecord.arch.tokenizer ?? BYTE_TOKENIZER);
      const refTokenizer = await loadTokenizer(refRecord.arch.tokenizer, refPath);
      reference = (await loadModel(refPath, false)).model;
      checkReference({ tokenizer, gpt: model }, { tokenizer: refTokenizer, gpt: reference });
      yield { type: 'log', message: `kl_to_reference: against ${refPath}` };
    }
    const rivalTemplate = config.winRateTemplate ?? config.template;
    if (inputs.winRateModelPath) {
      rival = await openReplyingModel(
        inputs.winRateModelPath,
        rivalTemplate === 'none' ? null : rivalTemplate,
        config.inference,
      );
      yield { type: 'log', message: `win_rate: against ${inputs.winRateModelPath} (${rivalTemplate})` };
      if (inputs.judgeRewardModelPath) {
        rm = await openRewardScorer(inputs.judgeRewardModelPath, { inference: config.inference });
        yield { type: 'log', message: `win_rate/reward_model: judged by ${inputs.judgeRewardModelPath}` };
      }
    }
    const judge = createGoldJudge(inputs.world);
    const sets = renderEvalSets(inputs.world);
    const reports: Record<string, ReplyReport> = {};
    for (const [i, name] of config.sets.entries()) {
      if (ctx.signal.aborted) return;
      const { report, decoded } = await evaluateReplies(model, tokenizer, sets[name], judge, {
        template: config.template === 'none' ? null : config.template,
        maxNewTokens: config.maxNewTokens,
        signal: ctx.signal,
        ...(inference.session ? { session: inference.session } : {}),
      });
      if (ctx.signal.aborted) return;
      let scored: ReplyReport = report;
      let items: SuiteItem[] = report.items;
      if (config.calibration) items = withConfidence(model, decoded, items);
      if (rival) {
        const theirs = await rival.replies(sets[name], {
          maxNewTokens: config.maxNewTokens,
          signal: ctx.signal,
        });
        if (ctx.signal.aborted) return;
        items = await judgeAgainst(items, theirs, judge, rm);
      }
      scored = summarise(items);
      if (reference) {
        const kls = await replyKlToReference(model, reference, decoded, { signal: ctx.signal });
        if (ctx.signal.aborted) return;
        scored = summarise(
          items.map((item, j) => ({
            ...item,
            klToReference: kls[j]!.perToken,
            klToReferenceSeq: kls[j]!.sum,
          })),
        );
      }
      reports[name] = scored;
      yield {
        type: 'progress',
        step: i + 1,
        totalSteps: config.sets.length,
        epoch: (i + 1) / config.sets.length,
      };
      yield {
        type: 'metrics',
        step: i + 1,
        values: { ...setMetrics(name, scored), ...suiteSetMetrics(name, scored.items) },
      };
    }
    const perplexity = config.perplexity
      ? textPerplexity(model, tokenizer, renderHeldOutText(inputs.world))
      : undefined;
    const suite = suiteMetrics(
      Object.values(reports).flatMap((r) => r.items),
      perplexity,
      rival ? { against: rival.path, template: rivalTemplate } : undefined,
    );
    yield {
      type: 'metrics',
      step: config.sets.length,
      values: { ...overallMetrics(Object.values(reports)), ...suite.values },
    };
    await writeFileAtomic(join(ctx.outDir, EVAL_RESULTS_FILE), JSON.stringify(reports, null, 1));
    await writeFileAtomic(join(ctx.outDir, EVAL_SUITE_FILE), JSON.stringify(suite.results, null, 1));
    yield { type: 'log', message: `wrote every reply to ${EVAL_RESULTS_FILE}` };
  } finally {
    await inference.session?.release();
    await rival?.dispose();
    rm?.dispose();
    reference?.dispose();
    model.dispose();
  }
}
