// The lab's scoring view: one prompt, several responses, one reward each from a reward model. Runs in a
// run process of its own (lab/worker.ts), which exits afterwards. Scores on onnxruntime unless
// LAB_INFERENCE=tfjs (reward-score.ts), and says where.
import type { InferenceInfo } from '../../../shared/schemas';
import { selectBackend } from '../backend';
import { openRewardScorer } from '../reward-score';
import type { TemplateName } from '../tokenizer/templates';

export async function scoreResponses(req: {
  modelPath: string;
  prompt: string;
  responses: string[];
  /** The template the responses are rendered with; by default the model's own (what it was trained on). */
  template?: TemplateName;
}): Promise<{ rewards: number[]; inference: InferenceInfo | null }> {
  await selectBackend('auto');
  const scorer = await openRewardScorer(req.modelPath, req.template ? { template: req.template } : {});
  try {
    const rewards = await scorer.score(req.responses.map((response) => ({ prompt: req.prompt, response })));
    return { rewards, inference: scorer.inference ?? null };
  } finally {
    scorer.dispose();
  }
}
