import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import type { BackendName } from './protocol.js';

/** The three binaries tfjs-backend-wasm may fetch; it picks one by SIMD and thread support. */
export interface WasmPaths {
  'tfjs-backend-wasm.wasm': string;
  'tfjs-backend-wasm-simd.wasm': string;
  'tfjs-backend-wasm-threaded-simd.wasm': string;
}

export interface BackendOptions {
  /**
   * Where the WASM binaries are served from. In the browser these are Vite asset URLs
   * (wasm-assets.ts) so the service worker precaches them; in Node leave it out and the
   * backend reads the binaries from node_modules.
   */
  wasmPaths?: WasmPaths;
}

let pathsSet = false;

/** The order in which backends are tried for a preference; CPU always comes last. */
export function backendOrder(preferred: BackendName): BackendName[] {
  if (preferred === 'webgl') return ['webgl', 'wasm', 'cpu'];
  if (preferred === 'cpu') return ['cpu'];
  return ['wasm', 'cpu'];
}

/**
 * Pick the TensorFlow.js backend: WASM by default (fastest for small dense networks on phones,
 * see docs/toolchain notes), WebGL only when asked for and available (headless or GPU-less
 * devices run it in software, about ten times slower), CPU as the last resort. Returns the
 * backend actually in use (`tf.getBackend()`), which every run records.
 */
export async function selectBackend(preferred: BackendName = 'wasm', opts: BackendOptions = {}): Promise<string> {
  if (opts.wasmPaths && !pathsSet) {
    try {
      setWasmPaths({ ...opts.wasmPaths });
      pathsSet = true;
    } catch {
      // The WASM backend already initialised (or failed to): keep what it has.
    }
  }
  // Under cross-origin isolation tfjs-backend-wasm would pick its threaded binary, whose thread
  // workers start from blob: scripts that a module worker cannot import there (the training worker
  // died on its first message). The networks trained and served here are too small to gain from
  // threads: a training step is dozens of ops on a few thousand numbers each.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  for (const name of backendOrder(preferred)) {
    try {
      // WebGL is loaded only when asked for, so the default bundle path never evaluates it.
      if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
      if (tf.getBackend() === name) return name;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // Not available here (no WebGL context, WASM blocked): try the next one.
    }
  }
  await tf.setBackend('cpu');
  return tf.getBackend();
}
