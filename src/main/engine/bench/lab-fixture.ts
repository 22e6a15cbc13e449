// What the lab's own benchmark workloads (lab-workloads.ts) run on: a tiny sandbox world, a tokenizer
// for the model shape (a byte-level BPE trained on the world's corpus to the model's vocabulary, as a
// pretraining run makes one, or the byte tokenizer for a byte-sized model), and two fresh models saved
// as the lab saves them — a policy and a reward model (trunk + `score` head) — in a temporary folder,
// so that the workloads drive the lab's real loading, evaluation and scoring code. Weights are random:
// the point is the speed, not what the models say. The policy's weights (all but the LayerNorms) are
// its init scaled ×4: at init, greedy replies are a blank line that ends them after 2 tokens; scaled,
// they run to the token limit, as a long reply would. Nothing is downloaded; `dispose` removes the folder.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../checkpoint';
import { promptIds } from '../eval/answers';
import { GPT, type GPTConfig } from '../model/gpt';
import { ScalarHead } from '../model/heads';
import { MODEL_PRESETS, type ModelPresetName } from '../model/presets';
import { REWARD_HEAD } from '../reward-score';
import { TOKENIZER_FILE } from '../tasks/pretrain';
import { BpeTokenizer } from '../tokenizer/bpe';
import { byteTokenizer, BYTE_VOCAB_SIZE } from '../tokenizer/byte';
import { toTokenizerJson } from '../tokenizer/hf';
import { BYTE_TOKENIZER } from '../tokenizer/load';
import type { Tokenizer } from '../tokenizer/types';
import { generateWorld, renderCorpus, renderSftPairs, type World } from '../world';

/** The policy's weights are its init times this (see the header). */
const POLICY_SCALE = 4;

export interface LabFixture {
  preset: ModelPresetName;
  config: GPTConfig;
  world: World;
  tokenizer: Tokenizer;
  /** 'byte' or the tokenizer file's name beside the models. */
  tokenizerName: string;
  /** The policy's weights (a fresh model of `preset`), as an SFT run would leave them. */
  policyPath: string;
  /** A reward model: a fresh trunk and a `score` head, read through ChatML. */
  rewardPath: string;
  /** The world's instruction prompts (user messages), in order. */
  prompts: string[];
  /** Parameters of the policy. */
  params: number;
  /** Rendered prompt ids (ChatML, assistant turn open) of `prompts[i]`. */
  promptIds(i: number): number[];
  dispose(): Promise<void>;
}

/** Builds the fixture for `preset` (any text model: byte-tiny, lab-small, lab-base). */
export async function labFixture(preset: ModelPresetName, seed = 0): Promise<LabFixture> {
  const config = MODEL_PRESETS[preset];
  if (config.vocabSize < BYTE_VOCAB_SIZE)
    throw new Error(
      `${preset} has ${config.vocabSize} token ids, too few to read text; the lab workloads need a text model (byte-tiny, lab-small, lab-base)`,
    );
  const world = generateWorld({ seed: 3, size: 'tiny' });
  const dir = await mkdtemp(join(tmpdir(), 'lab-bench-'));
  try {
    let tokenizer: Tokenizer = byteTokenizer;
    let tokenizerName = BYTE_TOKENIZER;
    if (config.vocabSize > BYTE_VOCAB_SIZE) {
      const bpe = BpeTokenizer.train(renderCorpus(world), { vocabSize: config.vocabSize });
      await writeFile(join(dir, TOKENIZER_FILE), JSON.stringify(toTokenizerJson(bpe)));
      tokenizer = bpe;
      tokenizerName = TOKENIZER_FILE;
    }
    const arch = { preset, tokenizer: tokenizerName, ...config };
    const lineage = { parentPath: null, parentId: null };
    const init = GPT.init(config, seed, false);
    const arrays = (await init.toArrays()).map((a) => ({
      ...a,
      data: a.name.includes('ln') ? a.data : a.data.map((v) => v * POLICY_SCALE),
    }));
    init.dispose();
    const policy = GPT.fromArrays(config, arrays, false);
    const params = arrays.reduce((n, a) => n + a.data.length, 0);
    const policyPath = await saveModel(join(dir, 'policy.safetensors'), policy, {
      arch,
      trainer: 'sft',
      step: 0,
      config: { template: 'chatml' },
      lineage,
    }).finally(() => policy.dispose());
    const trunk = GPT.init(config, seed + 1, false);
    const head = ScalarHead.init(REWARD_HEAD, config.dModel, seed + 1, false);
    const rewardPath = await saveModel(
      join(dir, 'reward.safetensors'),
      trunk,
      { arch, trainer: 'reward', step: 0, config: { template: 'chatml' }, lineage },
      [head],
    ).finally(() => {
      trunk.dispose();
      head.dispose();
    });
    const prompts = renderSftPairs(world).map((p) => p.prompt);
    return {
      preset,
      config,
      world,
      tokenizer,
      tokenizerName,
      policyPath,
      rewardPath,
      prompts,
      params,
      promptIds: (i) => promptIds(tokenizer, prompts[i % prompts.length]!, 'chatml'),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
