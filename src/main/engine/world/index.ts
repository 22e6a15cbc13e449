// The sandbox world: a seeded fictional world and everything rendered from it (see ARCHITECTURE.md).
export { generateWorld, factIndex, CLIMATES, HABITATS, DIETS, LEG_COUNTS } from './generate';
export { renderCorpus } from './render-corpus';
export { renderSftPairs, renderPreferencePairs } from './render-pairs';
export type { PairOptions } from './render-pairs';
export { renderRedTeam, renderSafety, renderUnanswerable } from './render-safety';
export { renderEvalSets } from './render-eval';
export { I_DONT_KNOW, REFUSAL } from './render-common';
export { createGoldJudge, type GoldJudge, type JudgeKind, type JudgeResult } from './judge';
export type { PromptMeaning } from './judge-parse';
export { isRefusal, saysIDontKnow } from './detectors';
export { QUESTIONS } from './templates';
export * from './types';
