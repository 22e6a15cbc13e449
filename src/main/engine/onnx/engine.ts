// Which engine runs inference (evaluation replies, playground generation): onnxruntime over the
// KV-cache export (the default) or the tfjs forward. The one place that reads the setting, the
// environment variable LAB_INFERENCE=onnx|tfjs, and the one place that opens a session for a model
// and says why inference runs where it does. A session that cannot be created (onnxruntime missing,
// an export it rejects) falls back to tfjs with the reason.
import type { GPT } from '../model/gpt';
import { exportOnnx } from './export';
import { createSession, type OnnxSession } from './session';

export type InferenceEngine = 'onnx' | 'tfjs';

const ENGINES: readonly InferenceEngine[] = ['onnx', 'tfjs'];

/** The requested inference engine: LAB_INFERENCE, default 'onnx'. */
export function inferenceEngine(env: NodeJS.ProcessEnv = process.env): InferenceEngine {
  const raw = env['LAB_INFERENCE']?.trim().toLowerCase();
  if (!raw) return 'onnx';
  if ((ENGINES as readonly string[]).includes(raw)) return raw as InferenceEngine;
  throw new Error(`LAB_INFERENCE="${raw}" is not an inference engine; use one of ${ENGINES.join(', ')}`);
}

/** Where inference will run: a KV-cache session, or tfjs (with why). */
export type Inference =
  | { engine: 'onnx'; session: OnnxSession; message: string }
  | { engine: 'tfjs'; session?: undefined; message: string };

/**
 * Export `model` with the KV cache and open it on onnxruntime, unless tfjs is requested or the
 * session cannot be created. `message` names the engine and provider (or the fallback's reason),
 * for the run's log. The caller releases the session.
 */
export async function openInference(
  model: GPT,
  opts: { engine?: InferenceEngine; threads?: number } = {},
): Promise<Inference> {
  const engine = opts.engine ?? inferenceEngine();
  if (engine === 'tfjs') return { engine, message: 'inference: tfjs (requested by LAB_INFERENCE=tfjs)' };
  try {
    const session = await createSession(exportOnnx(model, { kvCache: true }), {
      threads: opts.threads ?? 1,
    });
    return {
      engine: 'onnx',
      session,
      message: `inference: onnxruntime, provider ${session.provider} (${session.reason}), KV cache`,
    };
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
    return { engine: 'tfjs', message: `inference: tfjs (onnxruntime session could not be created: ${why})` };
  }
}
