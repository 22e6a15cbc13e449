// Which engine runs inference (evaluation replies, playground generation, PPO rollouts, reference and
// reward scoring): onnxruntime over an ONNX export (the default) or the tfjs forward. The one place
// that reads the run's `inference` setting and the environment variable LAB_INFERENCE=onnx|tfjs, and
// the one place that opens a session for a model and says why inference runs where it does, as an
// InferenceInfo a run records. A session that cannot be created (onnxruntime missing, an export it
// rejects) falls back to tfjs with the reason.
import { createRequire } from 'node:module';
import type { InferenceChoice, InferenceInfo } from '../../../shared/schemas';
import type { GPT } from '../model/gpt';
import { exportOnnx } from './export';
import { exportScoring, type ScoreExportOptions } from './score-export';
import { createScorer, type OnnxScorer } from './scorer';
import { cudaStatus, createSession, type OnnxProvider, type OnnxSession } from './session';

export type InferenceEngine = 'onnx' | 'tfjs';

const ENGINES: readonly InferenceEngine[] = ['onnx', 'tfjs'];

/** The requested inference engine: an explicit choice, else LAB_INFERENCE, else 'onnx'. */
export function inferenceEngine(
  choice: InferenceChoice = 'auto',
  env: NodeJS.ProcessEnv = process.env,
): InferenceEngine {
  if (choice !== 'auto') return choice;
  const raw = env['LAB_INFERENCE']?.trim().toLowerCase();
  if (!raw) return 'onnx';
  if ((ENGINES as readonly string[]).includes(raw)) return raw as InferenceEngine;
  throw new Error(`LAB_INFERENCE="${raw}" is not an inference engine; use one of ${ENGINES.join(', ')}`);
}

/** Why tfjs was asked for, for the record. */
function tfjsRequested(choice: InferenceChoice): string {
  return choice === 'tfjs' ? 'requested by the run (inference: tfjs)' : 'requested by LAB_INFERENCE=tfjs';
}

/** A one-line summary of `info` for a run's log, e.g. "inference: onnxruntime, provider cpu (…)". */
export function describeInference(info: InferenceInfo, what = 'inference'): string {
  return info.engine === 'onnx'
    ? `${what}: onnxruntime, provider ${info.provider} (${info.reason})`
    : `${what}: tfjs (${info.reason})`;
}

/** Where inference will run: a session of kind S, or tfjs (with why). */
export type Chosen<S> =
  | { engine: 'onnx'; session: S; message: string; info: InferenceInfo }
  | { engine: 'tfjs'; session?: undefined; message: string; info: InferenceInfo };
/** Where generation will run: a KV-cache session, or tfjs. */
export type Inference = Chosen<OnnxSession>;

export interface OpenInferenceOptions {
  /** The run's setting; 'auto' reads LAB_INFERENCE. Default 'auto'. */
  inference?: InferenceChoice;
  /** The same as `inference` with an engine named (kept for older callers). */
  engine?: InferenceEngine;
  /** onnxruntime intra-op threads. Default 1. */
  threads?: number;
  /** What the session is for, in `message` (e.g. "reference scoring"). Default "inference". */
  label?: string;
}

/**
 * Open a session with `open(threads)` (over an export of some model) on onnxruntime, unless tfjs is
 * requested or the session cannot be created. `message` names the engine and provider (or the
 * fallback's reason), for the run's log; `info` is what the run records. The caller releases it.
 */
export async function chooseInference<S extends { provider: OnnxProvider; reason: string }>(
  open: (threads: number) => Promise<S>,
  opts: OpenInferenceOptions = {},
): Promise<Chosen<S>> {
  const choice = opts.inference ?? opts.engine ?? 'auto';
  const label = opts.label ?? 'inference';
  if (inferenceEngine(choice) === 'tfjs') {
    const info: InferenceInfo = {
      engine: 'tfjs',
      provider: null,
      threads: null,
      reason: tfjsRequested(choice),
    };
    return { engine: 'tfjs', message: describeInference(info, label), info };
  }
  const threads = opts.threads ?? 1;
  try {
    const session = await open(threads);
    const info: InferenceInfo = {
      engine: 'onnx',
      provider: session.provider,
      threads,
      reason: session.reason,
    };
    return { engine: 'onnx', session, message: describeInference(info, label), info };
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
    const info: InferenceInfo = {
      engine: 'tfjs',
      provider: null,
      threads: null,
      reason: `onnxruntime session could not be created: ${why}`,
    };
    return { engine: 'tfjs', message: describeInference(info, label), info };
  }
}

/** Export `model` with the KV cache and open it for generation (see chooseInference). */
export function openInference(model: GPT, opts: OpenInferenceOptions = {}): Promise<Inference> {
  return chooseInference((threads) => createSession(exportOnnx(model, { kvCache: true }), { threads }), opts);
}

/**
 * Export `model` for scoring (log-probs of given targets and/or `head`'s values, see score-export.ts)
 * and open it (see chooseInference).
 */
export function openScorer(
  model: GPT,
  what: ScoreExportOptions,
  opts: OpenInferenceOptions = {},
): Promise<Chosen<OnnxScorer>> {
  return chooseInference((threads) => createScorer(exportScoring(model, what), { threads }), opts);
}

/**
 * Where inference would run, without opening a session (for the app's footer): tfjs when requested,
 * otherwise onnxruntime if its package loads, with the CUDA provider where its library is installed.
 */
export function probeInference(env: NodeJS.ProcessEnv = process.env): InferenceInfo {
  let engine: InferenceEngine;
  try {
    engine = inferenceEngine('auto', env);
  } catch (err) {
    return { engine: 'tfjs', provider: null, threads: null, reason: (err as Error).message };
  }
  if (engine === 'tfjs') return { engine, provider: null, threads: null, reason: tfjsRequested('auto') };
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
  } catch {
    return {
      engine: 'tfjs',
      provider: null,
      threads: null,
      reason: 'onnxruntime-node is not installed; reinstall the app’s packages',
    };
  }
  const cuda = cudaStatus();
  return cuda.installed
    ? {
        engine: 'onnx',
        provider: 'cuda',
        threads: 1,
        reason: 'CUDA provider installed (tried first in each run)',
      }
    : {
        engine: 'onnx',
        provider: 'cpu',
        threads: 1,
        reason: `CUDA provider ${cuda.why}; using cpu (1 thread)`,
      };
}
