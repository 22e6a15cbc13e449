// The run process: one per active run (or playground generation). Receives a `start` message, runs
// the trainer, and streams its events back (or a `generate` message, and streams text); a `cancel`
// message aborts it between steps. Runs under child_process.fork (plain Node)
// or Electron's utilityProcess; never on the main thread.
import type { FromRunProcess } from './protocol';
import { ToRunProcess, type GenerateMessage, type ScoreMessage, type StartMessage } from './protocol';
import { runGeneration, type GenerationRequest } from '../engine/tasks/generate';
import type { z } from 'zod';
import { runDpoTask, type DpoTaskInputs } from '../engine/tasks/dpo';
import { runPretrainTask, type PretrainTaskInputs } from '../engine/tasks/pretrain';
import { runSftTask, type SftTaskInputs } from '../engine/tasks/sft';
import { runEvalTask, type EvalTaskInputs } from '../engine/tasks/eval';
import { runRewardTask, type RewardTaskInputs } from '../engine/tasks/reward';
import { runPpoTask, type PpoTaskInputs } from '../engine/tasks/ppo';
import { runCaiTask, type CaiTaskInputs } from '../engine/tasks/cai';
import { scoreResponses } from '../engine/tasks/score';
import {
  CaiConfig,
  DpoConfig,
  EvalConfig,
  PpoConfig,
  PretrainConfig,
  RewardConfig,
  SftConfig,
  TemplateName,
  type InferenceInfo,
} from '../../shared/schemas';
import type { TrainContext, TrainEvent } from '../engine/types';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(message: FromRunProcess): Promise<void> {
  if (parentPort) {
    parentPort.postMessage(message);
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

function onMessage(listener: (m: unknown) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data));
  else process.on('message', listener);
}

const controller = new AbortController();
let started = false;

function trainer(start: StartMessage, ctx: TrainContext): AsyncGenerator<TrainEvent> {
  switch (start.algorithm) {
    case 'dpo':
      return runDpoTask(DpoConfig.parse(start.config), start.inputs as DpoTaskInputs, ctx);
    case 'pretrain':
      return runPretrainTask(PretrainConfig.parse(start.config), start.inputs as PretrainTaskInputs, ctx);
    case 'sft':
      return runSftTask(SftConfig.parse(start.config), start.inputs as SftTaskInputs, ctx);
    case 'eval':
      return runEvalTask(EvalConfig.parse(start.config), start.inputs as EvalTaskInputs, ctx);
    case 'reward':
      return runRewardTask(RewardConfig.parse(start.config), start.inputs as RewardTaskInputs, ctx);
    case 'ppo':
      return runPpoTask(PpoConfig.parse(start.config), start.inputs as PpoTaskInputs, ctx);
    case 'cai':
      return runCaiTask(CaiConfig.parse(start.config), start.inputs as CaiTaskInputs, ctx);
  }
}

async function score(msg: z.infer<typeof ScoreMessage>): Promise<void> {
  try {
    const { modelPath, prompt, responses, template } = msg.request;
    const { rewards, inference } = await scoreResponses({
      modelPath,
      prompt,
      responses,
      ...(template ? { template: TemplateName.parse(template) } : {}),
    });
    await post({ type: 'scores', rewards, inference });
    process.exit(0);
  } catch (e) {
    await post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

async function run(start: StartMessage): Promise<void> {
  try {
    let step = 0;
    for await (const event of trainer(start, { signal: controller.signal, outDir: start.outDir })) {
      if (event.type === 'metrics' || event.type === 'progress') step = Math.max(step, event.step);
      await post({ type: 'event', event });
    }
    // The run process's peak resident memory (one process per run, so it is the run's own), in MiB.
    const peak = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
    await post({ type: 'event', event: { type: 'metrics', step, values: { 'perf/peak_rss_mb': peak } } });
    await post({ type: 'done', status: controller.signal.aborted ? 'cancelled' : 'completed' });
    process.exit(0);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await post({ type: 'error', message });
    process.exit(1);
  }
}

async function generate(msg: z.infer<typeof GenerateMessage>): Promise<void> {
  try {
    const told = (inference: InferenceInfo) =>
      void post({ type: 'event', event: { type: 'inference', inference } });
    for await (const delta of runGeneration(msg.request as GenerationRequest, controller.signal, told)) {
      if (delta) await post({ type: 'text', delta });
    }
    await post({ type: 'done', status: controller.signal.aborted ? 'cancelled' : 'completed' });
    process.exit(0);
  } catch (e) {
    await post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

onMessage((raw) => {
  const parsed = ToRunProcess.safeParse(raw);
  if (!parsed.success) {
    // A malformed message is a bug on the other side: say so and end, so the parent sees the exit.
    void post({
      type: 'error',
      message: `run process got a malformed message: ${parsed.error.message}`,
    }).then(() => process.exit(1));
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'cancel') controller.abort();
  else if (!started) {
    started = true;
    void (msg.type === 'start' ? run(msg) : msg.type === 'score' ? score(msg) : generate(msg));
  }
});
// A parent that died (killed, crashed) takes its run processes with it: the next lab marks the run
// interrupted and, for a pipeline, starts the stage again.
process.on('disconnect', () => process.exit(1));
void post({ type: 'ready' });
