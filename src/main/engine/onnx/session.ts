// An onnxruntime-node session over an exported GPT (onnx/export.ts): the one place that chooses the
// execution provider, and says why. Order: CUDA where its provider library loads, otherwise the CPU
// provider; an explicit `provider` tries only that one (CUDA still falls back to CPU, with the
// reason). It runs token ids to logits, and for a KV-cache export steps the cache forward. It does
// not sample (see onnx/decode.ts) or export.
import type * as ortTypes from 'onnxruntime-node';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { kvNames } from './export';

type Ort = typeof ortTypes;
type OrtTensor = ortTypes.Tensor;

export type OnnxProvider = 'cuda' | 'cpu';

export interface SessionOptions {
  /** Intra-op threads for the CPU provider. Default 1. */
  threads?: number;
  /** 'auto' tries CUDA then CPU. Default 'auto'. */
  provider?: 'auto' | OnnxProvider;
}

/** Logits of a run, row-major: dims [B, T, V]. */
export interface Logits {
  data: Float32Array;
  dims: [number, number, number];
}

/** The attention cache after some tokens: present keys and values per layer (opaque to callers). */
export interface KvCache {
  /** Tokens cached per row. */
  readonly length: number;
  readonly batch: number;
  /** @internal past_key_values.{i}.key|value → tensor [B, H, length, hd] */
  readonly tensors: ReadonlyMap<string, OrtTensor>;
}

export interface OnnxSession {
  readonly provider: OnnxProvider;
  /** Why this provider, e.g. "CUDA provider unavailable (…); using cpu (2 threads)". */
  readonly reason: string;
  /** Whether the graph takes past_key_values (an export with `kvCache: true`). */
  readonly kvCache: boolean;
  readonly vocabSize: number;
  /** Full forward over equal-length rows: ids [B][T] → logits [B, T, V]. */
  run(ids: readonly (readonly number[])[]): Promise<Logits>;
  /** KV-cache graphs only: logits for `ids` following the cached tokens, and the extended cache. */
  step(ids: readonly (readonly number[])[], cache?: KvCache): Promise<{ logits: Logits; cache: KvCache }>;
  release(): Promise<void>;
}

let ortModule: Ort | undefined;
function loadOrt(): Ort {
  if (!ortModule) {
    try {
      ortModule = createRequire(import.meta.url)('onnxruntime-node') as Ort;
    } catch (err) {
      throw new Error(
        `onnxruntime-node could not be loaded (${shortMessage(err)}); reinstall the app's packages`,
        {
          cause: err,
        },
      );
    }
  }
  return ortModule;
}

/** Why CUDA failed to load in this process, once known (a failed provider library does not come back). */
let cudaFailure: string | undefined;

/** Choose the provider and create the session; the one function that decides where inference runs. */
async function openSession(
  ort: Ort,
  bytes: Uint8Array,
  threads: number,
  pref: 'auto' | OnnxProvider,
): Promise<{ session: ortTypes.InferenceSession; provider: OnnxProvider; reason: string }> {
  const base: ortTypes.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    // No busy-waiting between ops: the app shares its cores with training, and on a loaded machine
    // spinning threads made 2 threads slower than 1.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const cpuLabel = `using cpu (${threads} thread${threads === 1 ? '' : 's'})`;
  if (pref === 'cpu') {
    const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
    return { session, provider: 'cpu', reason: `requested; ${cpuLabel}` };
  }
  if (cudaFailure === undefined && pref === 'auto' && !cudaProviderInstalled()) {
    // Trying would only print onnxruntime's library-load error on stderr in every process.
    cudaFailure = CUDA_NOT_INSTALLED;
  }
  if (cudaFailure === undefined) {
    try {
      // logSeverityLevel 4: a missing CUDA library is expected, not worth onnxruntime's stderr line.
      const session = await ort.InferenceSession.create(bytes, {
        ...base,
        executionProviders: ['cuda'],
        logSeverityLevel: 4,
      });
      return { session, provider: 'cuda', reason: pref === 'cuda' ? 'requested; using cuda' : 'using cuda' };
    } catch (err) {
      cudaFailure = shortMessage(err);
    }
  }
  const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', reason: `CUDA provider unavailable (${cudaFailure}); ${cpuLabel}` };
}

const CUDA_NOT_INSTALLED = 'not installed: npm install --onnxruntime-node-install=cuda12 adds it';

/** Whether a session would try CUDA, without opening one: its library is installed and has not failed here. */
export function cudaStatus(): { installed: boolean; why: string } {
  if (cudaFailure !== undefined) return { installed: false, why: `unavailable (${cudaFailure})` };
  return cudaProviderInstalled()
    ? { installed: true, why: 'installed' }
    : { installed: false, why: `unavailable (${CUDA_NOT_INSTALLED})` };
}

/** Whether onnxruntime-node's CUDA provider library sits beside its binding (it is an opt-in download). */
function cudaProviderInstalled(): boolean {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin');
    const files = readdirSync(dir, { recursive: true }) as string[];
    return files.some((f) => /onnxruntime_providers_cuda\.(so|dll)$/.test(f));
  } catch {
    return false;
  }
}

/** onnxruntime and a session over any graph, on the provider chosen here (for other graphs' wrappers). */
export async function openOrtSession(
  bytes: Uint8Array,
  opts: SessionOptions = {},
): Promise<{ ort: Ort; session: ortTypes.InferenceSession; provider: OnnxProvider; reason: string }> {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`ONNX session: threads must be a whole number ≥ 1 (got ${threads})`);
  const ort = loadOrt();
  return { ort, ...(await openSession(ort, bytes, threads, opts.provider ?? 'auto')) };
}

/** Open an exported GPT for inference. */
export async function createSession(bytes: Uint8Array, opts: SessionOptions = {}): Promise<OnnxSession> {
  const { ort, session, provider, reason } = await openOrtSession(bytes, opts);

  const logitsMeta = session.outputMetadata.find((m) => m.name === 'logits');
  const vocabSize = logitsMeta?.isTensor ? logitsMeta.shape[2] : undefined;
  if (typeof vocabSize !== 'number')
    throw new Error('ONNX session: the model has no `logits` output [batch, sequence, vocab]');
  const pastMeta = session.inputMetadata.filter((m) => m.name.startsWith('past_key_values.'));
  const kvCache = pastMeta.length > 0;
  const [, H, , hd] = (pastMeta[0]?.isTensor ? pastMeta[0].shape : []) as (number | string)[];
  const layers = pastMeta.length / 2;

  const idsTensor = (ids: readonly (readonly number[])[]): OrtTensor => {
    const B = ids.length;
    const T = ids[0]?.length ?? 0;
    if (B === 0 || T === 0)
      throw new Error('ONNX session: ids must have at least one row of at least one token');
    const flat = new BigInt64Array(B * T);
    ids.forEach((row, b) => {
      if (row.length !== T)
        throw new Error(
          `ONNX session: row ${b + 1} has ${row.length} tokens, row 1 has ${T}; rows must be equal`,
        );
      row.forEach((id, t) => {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
          throw new Error(
            `ONNX session: row ${b + 1} has token id ${id}, outside the vocabulary (0–${vocabSize - 1})`,
          );
        flat[b * T + t] = BigInt(id);
      });
    });
    return new ort.Tensor('int64', flat, [B, T]);
  };
  const emptyCache = (B: number): KvCache => {
    if (typeof H !== 'number' || typeof hd !== 'number')
      throw new Error('ONNX session: past_key_values inputs need fixed heads and head size');
    const tensors = new Map<string, OrtTensor>();
    for (let i = 0; i < layers; i++) {
      const n = kvNames(i);
      tensors.set(n.pastKey, new ort.Tensor('float32', new Float32Array(0), [B, H, 0, hd]));
      tensors.set(n.pastValue, new ort.Tensor('float32', new Float32Array(0), [B, H, 0, hd]));
    }
    return { length: 0, batch: B, tensors };
  };
  const toLogits = (t: OrtTensor | undefined): Logits => {
    if (!t) throw new Error('ONNX session: the run returned no logits');
    const [B = 0, T = 0, V = 0] = t.dims;
    return { data: t.data as Float32Array, dims: [B, T, V] };
  };

  const step = async (ids: readonly (readonly number[])[], cache?: KvCache) => {
    if (!kvCache) throw new Error('ONNX session: step() needs a model exported with kvCache: true');
    const input = idsTensor(ids);
    const B = ids.length;
    const past = cache ?? emptyCache(B);
    if (past.batch !== B) throw new Error(`ONNX session: the cache holds ${past.batch} rows, ids have ${B}`);
    const out = await session.run({ input_ids: input, ...Object.fromEntries(past.tensors) });
    const tensors = new Map<string, OrtTensor>();
    for (let i = 0; i < layers; i++) {
      const n = kvNames(i);
      tensors.set(n.pastKey, out[n.presentKey]!);
      tensors.set(n.pastValue, out[n.presentValue]!);
    }
    return {
      logits: toLogits(out['logits']),
      cache: { length: past.length + input.dims[1]!, batch: B, tensors },
    };
  };

  return {
    provider,
    reason,
    kvCache,
    vocabSize,
    async run(ids) {
      if (kvCache) return (await step(ids)).logits;
      const out = await session.run({ input_ids: idsTensor(ids) });
      return toLogits(out['logits']);
    },
    step,
    release: () => session.release(),
  };
}

function shortMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.slice(0, 200);
}
