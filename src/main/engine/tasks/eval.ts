// An evaluation run: ask a model a sandbox world's held-out questions (greedy decoding) and score the
// replies with the world's gold judge. Each set gives `<set>/direct_answer_rate`, `<set>/fact_accuracy`
// and `<set>/mean_score`; the replies themselves go to `eval-results.json` in the run's folder, so
// that a user can read the answers behind every number.
import { join } from 'node:path';
import type { EvalConfig } from '../../../shared/schemas';
import { writeFileAtomic } from '../atomic-write';
import { selectBackend } from '../backend';
import { loadModel } from '../checkpoint';
import { evaluateAnswers, type AnswerReport } from '../eval/answers';
import { openInference } from '../onnx/engine';
import { loadTokenizer } from '../tokenizer/load';
import type { TrainContext, TrainEvent } from '../types';
import { createGoldJudge, renderEvalSets, type World } from '../world';

export const EVAL_RESULTS_FILE = 'eval-results.json';

export interface EvalTaskInputs {
  modelPath: string;
  world: World;
}

export async function* runEvalTask(
  config: EvalConfig,
  inputs: EvalTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  yield { type: 'backend', backend: await selectBackend(config.backend) };
  const { model, record } = await loadModel(inputs.modelPath, false);
  // onnxruntime over the KV-cache export unless LAB_INFERENCE=tfjs or the session can't be created.
  const inference = await openInference(model).catch((err: unknown) => {
    model.dispose();
    throw err;
  });
  try {
    yield { type: 'log', message: inference.message };
    const tokenizer = await loadTokenizer(record.arch.tokenizer, inputs.modelPath);
    const judge = createGoldJudge(inputs.world);
    const sets = renderEvalSets(inputs.world);
    const reports: Record<string, AnswerReport> = {};
    for (const [i, name] of config.sets.entries()) {
      if (ctx.signal.aborted) return;
      const report = await evaluateAnswers(model, tokenizer, sets[name], judge, {
        template: config.template === 'none' ? null : config.template,
        maxNewTokens: config.maxNewTokens,
        signal: ctx.signal,
        ...(inference.session ? { session: inference.session } : {}),
      });
      reports[name] = report;
      yield {
        type: 'progress',
        step: i + 1,
        totalSteps: config.sets.length,
        epoch: (i + 1) / config.sets.length,
      };
      yield {
        type: 'metrics',
        step: i + 1,
        values: {
          [`${name}/direct_answer_rate`]: report.directAnswerRate,
          [`${name}/fact_accuracy`]: report.factAccuracy,
          [`${name}/mean_score`]: report.meanScore,
          [`${name}/n`]: report.n,
        },
      };
    }
    await writeFileAtomic(join(ctx.outDir, EVAL_RESULTS_FILE), JSON.stringify(reports, null, 1));
    yield { type: 'log', message: `wrote every reply to ${EVAL_RESULTS_FILE}` };
  } finally {
    await inference.session?.release();
    model.dispose();
  }
}
