import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite turns these into hashed asset URLs, which the service worker precaches for offline use.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type BackendName = 'wasm' | 'webgl' | 'cpu';

/**
 * Pick the TensorFlow.js backend in a worker: WASM by default (fastest for small dense networks on
 * phones), WebGL when asked for and available, CPU as the last resort. Returns the one in use.
 */
export async function useBackend(preferred: BackendName = 'wasm'): Promise<string> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  const order: BackendName[] = preferred === 'webgl' ? ['webgl', 'wasm', 'cpu'] : preferred === 'cpu' ? ['cpu'] : ['wasm', 'cpu'];
  for (const name of order) {
    try {
      if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // try the next one
    }
  }
  await tf.setBackend('cpu');
  return tf.getBackend();
}
