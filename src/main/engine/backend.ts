// The one module that chooses the TensorFlow.js backend for training, and says why. Order: an explicit
// setting (or the LAB_BACKEND environment variable when the setting is 'auto'), then `tensorflow`
// (native kernels from the optional @tensorflow/tfjs-node), `wasm` (SIMD, one thread), then `cpu`
// (pure JavaScript). Model code imports only @tensorflow/tfjs-core; backend packages (which register
// kernels) are imported here and nowhere else, and so are the gradients: tfjs-core's Node build ships
// none, so they come from @tensorflow/tfjs, whose Node bundle registers all of them (tfjs-node loads it
// too). Not a device manager: one backend per process.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendInfo } from '../../shared/schemas';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
type BackendName = BackendInfo['name'];

const PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** One selection per process: the first call decides; later calls with the same effective preference reuse it. */
const cache = new Map<BackendPreference, Promise<BackendInfo>>();

/**
 * Pick and initialise a backend. `pref` 'auto' tries tensorflow → wasm → cpu; an explicit name tries
 * that one and falls back down the same chain (the reason says so). Idempotent and cached.
 */
export function selectBackend(pref: BackendPreference = 'auto'): Promise<BackendInfo> {
  const effective = pref === 'auto' ? envPreference() : pref;
  let pending = cache.get(effective);
  if (!pending) {
    pending = choose(effective);
    cache.set(effective, pending);
    pending.catch(() => cache.delete(effective));
  }
  // Another preference may have switched the backend since; switch back to this one's choice.
  return pending.then(async (info) => {
    if (tf.getBackend() !== info.name) await activate(info.name);
    return info;
  });
}

function envPreference(): BackendPreference {
  const raw = process.env['LAB_BACKEND']?.trim().toLowerCase();
  if (!raw) return 'auto';
  if ((PREFERENCES as readonly string[]).includes(raw)) return raw as BackendPreference;
  throw new Error(`LAB_BACKEND="${raw}" is not a backend; use one of ${PREFERENCES.join(', ')}`);
}

async function choose(pref: BackendPreference): Promise<BackendInfo> {
  const order: BackendName[] =
    pref === 'auto' || pref === 'tensorflow'
      ? ['tensorflow', 'wasm', 'cpu']
      : pref === 'wasm'
        ? ['wasm', 'cpu']
        : ['cpu'];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      const detail = await LOADERS[name]();
      loadGradients();
      const why = pref === 'auto' ? '' : pref === name ? `requested; ` : '';
      const reason = `${skipped.map((s) => s + '; ').join('')}${why}using ${name}${detail ? ` (${detail})` : ''}`;
      return { name, reason };
    } catch (err) {
      skipped.push(`${LABELS[name]} ${shortMessage(err)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be loaded: ${skipped.join('; ')}`);
}

let gradientsLoaded = false;
/** Registers every gradient of tfjs (idempotent): requiring @tensorflow/tfjs does it as a side effect. */
function loadGradients(): void {
  if (gradientsLoaded) return;
  createRequire(import.meta.url)('@tensorflow/tfjs');
  gradientsLoaded = true;
}

const LABELS: Record<BackendName, string> = {
  tensorflow: 'tfjs-node',
  wasm: 'wasm backend',
  cpu: 'cpu backend',
};

function shortMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n')[0] ?? msg;
  if (/Cannot find (package|module)|ERR_MODULE_NOT_FOUND/.test(msg)) return 'not installed';
  return `failed to load (${first.length > 160 ? first.slice(0, 157) + '...' : first})`;
}

async function activate(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

const LOADERS: Record<BackendName, () => Promise<string>> = {
  async tensorflow() {
    shimNodeUtil();
    // A variable specifier keeps bundlers and the type checker from requiring the optional package.
    const specifier = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ specifier);
    await activate('tensorflow');
    return 'native libtensorflow';
  },
  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (tf.findBackend('wasm') === null || tf.getBackend() !== 'wasm') {
      // In Node the .wasm binaries are read from the package's dist folder (the main entry lives there).
      const dist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      try {
        wasm.setWasmPaths(dist + path.sep);
      } catch {
        // Already initialised by an earlier call in this process: the paths are set.
      }
      wasm.setThreadsCount(1);
    }
    await activate('wasm');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return simd ? 'SIMD, 1 thread' : 'no SIMD, 1 thread';
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    return 'pure JavaScript, slowest';
  },
};

/**
 * tfjs-node 4.x calls `util.isNullOrUndefined`, `util.isArray`, … which Node 23 removed. Put small
 * equivalents back on `node:util` before importing it; harmless on older Node where they exist.
 */
function shimNodeUtil(): void {
  const req = createRequire(import.meta.url);
  const util = req('node:util') as Record<string, unknown>;
  const shims: Record<string, (v: unknown) => boolean> = {
    isNullOrUndefined: (v) => v === null || v === undefined,
    isNull: (v) => v === null,
    isUndefined: (v) => v === undefined,
    isArray: (v) => Array.isArray(v),
    isString: (v) => typeof v === 'string',
    isNumber: (v) => typeof v === 'number',
    isBoolean: (v) => typeof v === 'boolean',
    isFunction: (v) => typeof v === 'function',
    isObject: (v) => v !== null && typeof v === 'object',
    isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
  };
  for (const [name, fn] of Object.entries(shims)) {
    if (typeof util[name] !== 'function') util[name] = fn;
  }
}
