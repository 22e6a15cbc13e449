// A Constitutional AI run (Bai et al. 2022, the critique → revision half) as the lab starts it: for
// each prompt, generate a response with the model (sampled, seeded), critique it against each
// principle in order and revise it after each flagged one (so a later principle sees the earlier
// revision), and keep (original, revised) as a preference pair with the critiques attached: AI
// feedback in place of human labels. It produces data, not a model: the pairs leave as `samples`
// events of kind 'cai-pair' (items: CaiPairItem), for the lab to store and a DPO run to train on.
//
// The critic is rule-based (critic.ts) or a model (`criticModelPath`, else the base model); so is the
// reviser (revise.ts). Without a base model, a fresh `config.model` with the byte tokenizer answers:
// gibberish, but the rule critic still reads the prompts (harmful requests) and lengths. Generation:
// the prompt is the user turn of the chat template with the assistant turn open; a reply ends at an
// end-of-sequence/end-of-turn token, at the template's end-of-turn text (a byte tokenizer spells
// "<|im_end|>" out), or after `maxNewTokens`. On onnxruntime over the KV-cache export unless
// LAB_INFERENCE=tfjs or no session can be created (then tfjs's generateStream), as the playground.
import type { PrincipleRecord } from '../../../shared/records';
import type { CaiConfig, InferenceInfo } from '../../../shared/schemas';
import { selectBackend } from '../backend';
import { ruleCritic, modelCritic, countWords, type Ask, type Critic, type Critique } from '../cai/critic';
import { compilePrinciples, rulelessPrinciples, type CompiledPrinciple } from '../cai/constitution';
import { modelReviser, templateReviser, type Reviser } from '../cai/revise';
import { loadModel } from '../checkpoint';
import { generateStream, type GeneratedToken } from '../generate';
import { GPT } from '../model/gpt';
import { MODEL_PRESETS } from '../model/presets';
import { openInference } from '../onnx/engine';
import { onnxGenerateStream } from '../onnx/stream';
import { byteTokenizer } from '../tokenizer/byte';
import { loadTokenizer } from '../tokenizer/load';
import { TEMPLATES, renderPrompt } from '../tokenizer/templates';
import type { Tokenizer } from '../tokenizer/types';
import type { TrainContext, TrainEvent } from '../types';

export interface CaiTaskInputs {
  /** The user prompts to answer (the last user turn of each prompt record). */
  prompts: string[];
  /** The constitution's principles, in the order they are applied. */
  principles: PrincipleRecord[];
  /** The model whose responses are critiqued (weights file and lab id); a fresh `config.model` when absent. */
  base?: { path: string; id: number };
  /** The model that critiques and revises when `critic` or `reviser` is 'model' (default: the base). */
  criticModelPath?: string;
}

/** One item of a 'cai-pair' samples event: revised ≻ original, unless they are equal (no pair). */
export type CaiPairItem = {
  prompt: string;
  original: string;
  revised: string;
  /** Names of the principles that flagged the response (or its revision so far), in order. */
  flagged: string[];
  critiques: Critique[];
};

/** Prompts per progress/metrics/samples event. */
const BATCH = 8;
/** Special tokens that end a reply, whichever of them the tokenizer has. */
const STOP_TOKENS = ['<|eos|>', '<|endoftext|>', '</s>', '<|im_end|>'];

/** Critique against each principle in order, revising after each flagged one. */
export async function critiqueAndRevise(
  principles: readonly CompiledPrinciple[],
  prompt: string,
  original: string,
  critic: Critic,
  reviser: Reviser,
): Promise<CaiPairItem> {
  let revised = original;
  const critiques: Critique[] = [];
  for (const p of principles) {
    const critique = await critic.critique(p, prompt, revised);
    if (critique === null) continue;
    critiques.push({ principle: p.name, critique });
    revised = await reviser.revise(p, prompt, revised, critique);
  }
  return { prompt, original, revised, flagged: critiques.map((c) => c.principle), critiques };
}

export async function* runCaiTask(
  config: CaiConfig,
  inputs: CaiTaskInputs,
  ctx: TrainContext,
): AsyncGenerator<TrainEvent> {
  yield { type: 'backend', backend: await selectBackend(config.backend) };
  const principles = compilePrinciples(inputs.principles);
  const prompts = config.maxPrompts > 0 ? inputs.prompts.slice(0, config.maxPrompts) : inputs.prompts;
  if (prompts.length === 0) throw new Error('the dataset has no prompts to answer');
  const usesModel = config.critic === 'model' || config.reviser === 'model';
  const criticPath = inputs.criticModelPath ?? inputs.base?.path;
  if (usesModel && !criticPath)
    throw new Error('a model critic or reviser needs a critic model (or a base model to critique itself)');
  const unchecked = config.critic === 'rule' ? rulelessPrinciples(principles) : [];
  if (unchecked.length > 0)
    yield {
      type: 'log',
      message: `the rule critic cannot flag ${unchecked.join(', ')}: no triggers and no minimum length`,
    };

  const gen = { config, signal: ctx.signal };
  const policy = await openResponder(inputs.base?.path, gen);
  let judge: Responder | undefined;
  try {
    yield { type: 'inference', inference: policy.inference };
    yield { type: 'log', message: `responses: ${policy.message}` };
    if (usesModel) {
      judge = criticPath === inputs.base?.path ? policy : await openResponder(criticPath, gen);
      if (judge !== policy) yield { type: 'log', message: `critic model: ${judge.message}` };
    }
    // Separate seed streams: a model critic does not change the policy's responses.
    const answer = policy.asker(0);
    const judgeAsk = judge?.asker(1);
    const critic = config.critic === 'model' ? modelCritic(judgeAsk!) : ruleCritic(principles);
    const reviser = config.reviser === 'model' ? modelReviser(judgeAsk!) : templateReviser;
    const warned = new Set<string>();

    const flags = Object.fromEntries(principles.map((p) => [p.name, 0]));
    let done = 0;
    let flaggedResponses = 0;
    let pairs = 0;
    let words = 0;
    let batch: CaiPairItem[] = [];
    const report = function* (): Generator<TrainEvent> {
      yield { type: 'progress', step: done, totalSteps: prompts.length, epoch: done / prompts.length };
      const values: Record<string, number> = {
        pairs,
        flag_rate: flaggedResponses / done,
        mean_response_words: words / done,
      };
      for (const [name, n] of Object.entries(flags)) values[`flags/${name}`] = n;
      yield { type: 'metrics', step: done, values };
      if (batch.length > 0) yield { type: 'samples', step: done, kind: 'cai-pair', items: batch };
      batch = [];
    };

    for (const prompt of prompts) {
      if (ctx.signal.aborted) break;
      const original = await answer(prompt);
      const item = await critiqueAndRevise(principles, prompt, original, critic, reviser);
      if (ctx.signal.aborted) break; // a reply or critique cut short by the cancel is not kept
      done++;
      words += countWords(original);
      if (item.flagged.length > 0) flaggedResponses++;
      for (const name of item.flagged) flags[name] = (flags[name] ?? 0) + 1;
      if (item.revised !== item.original) pairs++;
      if (item.revised !== item.original || !config.flaggedOnly) batch.push(item);
      for (const w of [...policy.warnings, ...(judge?.warnings ?? [])]) {
        if (!warned.has(w)) yield { type: 'log', message: `template ${config.template}: ${w}` };
        warned.add(w);
      }
      if (done % BATCH === 0 || done === prompts.length) yield* report();
    }
    if (done % BATCH !== 0 && done < prompts.length && done > 0) yield* report();
    yield { type: 'log', message: `${pairs} preference pairs from ${done} of ${prompts.length} prompts` };
  } finally {
    if (judge && judge !== policy) await judge.close();
    await policy.close();
  }
}

/** A loaded model that answers requests. */
interface Responder {
  /** Ask on seed stream `stream`: each call is the stream's next seeded sample. */
  asker(stream: number): Ask;
  /** Where inference runs, and which model. */
  message: string;
  /** Where it generates. */
  inference: InferenceInfo;
  /** Template markers the tokenizer lacks (spelled out as text). */
  warnings: Set<string>;
  close(): Promise<void>;
}

/** Load `path` (or a fresh `config.model` with the byte tokenizer) for generation. */
async function openResponder(
  path: string | undefined,
  gen: { config: CaiConfig; signal: AbortSignal },
): Promise<Responder> {
  const { config, signal } = gen;
  let model: GPT;
  let tokenizer: Tokenizer = byteTokenizer;
  let name: string;
  if (path) {
    const loaded = await loadModel(path, false);
    model = loaded.model;
    try {
      tokenizer = await loadTokenizer(loaded.record.arch.tokenizer, path);
    } catch (err) {
      model.dispose();
      throw err;
    }
    name = path;
  } else {
    model = GPT.init(MODEL_PRESETS[config.model], config.seed, false);
    name = `a fresh ${config.model} (byte tokenizer; replies are gibberish)`;
  }
  const inference = await openInference(model, { inference: config.inference }).catch((err: unknown) => {
    model.dispose();
    throw err;
  });
  const stopTokenIds = STOP_TOKENS.map((t) => tokenizer.specialId(t)).filter(
    (id): id is number => id !== undefined,
  );
  const t = TEMPLATES[config.template];
  const stopTexts = [t.assistant.suffix.trim(), t.user.prefix.trim()].filter((s) => s.length > 0);
  const cut = (text: string) =>
    stopTexts.reduce((s, stop) => (s.includes(stop) ? s.slice(0, s.indexOf(stop)) : s), text);
  const warnings = new Set<string>();
  const C = model.config.contextLength;
  const ask = async (request: string, seed: number): Promise<string> => {
    const rendered = renderPrompt(tokenizer, config.template, [{ role: 'user', content: request }]);
    rendered.warnings.forEach((w) => warnings.add(w));
    const window = rendered.ids.slice(-C);
    const opts = {
      maxNewTokens: config.maxNewTokens,
      temperature: config.temperature,
      seed,
      stopTokenIds,
      vocabLimit: tokenizer.vocabSize,
      signal,
    };
    const tokens: AsyncIterable<GeneratedToken> = inference.session
      ? onnxGenerateStream(inference.session, window, { ...opts, contextLength: C })
      : generateStream(model, [window], opts);
    const ids: number[] = [];
    for await (const token of tokens) {
      ids.push(token.id);
      if (stopTexts.length > 0 && stopTexts.some((s) => tokenizer.decode(ids).includes(s))) break;
    }
    return cut(tokenizer.decode(ids)).trim();
  };
  return {
    asker(stream) {
      let calls = 0;
      return (request) => ask(request, mixSeed(config.seed, stream, calls++));
    },
    message: `${name}; ${inference.message}`,
    inference: inference.info,
    warnings,
    async close() {
      await inference.session?.release();
      model.dispose();
    },
  };
}

/** A seed per (run seed, stream, call): distinct, deterministic, 32-bit. */
function mixSeed(seed: number, stream: number, call: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (call + 1), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}
