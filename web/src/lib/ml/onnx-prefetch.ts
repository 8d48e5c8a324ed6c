import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import glueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';

/** ONNX Runtime Web's WASM as the build serves it (one place for both its fetch ahead and its use). */
export const onnxWasmUrl: string = wasmUrl;
/**
 * Its Emscripten loader as a file of its own. The runtime bundle embeds a copy, but with threads
 * each worker thread is started from the loader's own URL: given the embedded copy, that URL is
 * the chunk holding the runtime, which also imports the whole prediction worker.
 */
export const onnxGlueUrl: string = glueUrl;

/**
 * Fetch ONNX Runtime's WASM and its loader while there is a network, so the service worker keeps
 * them (sw.ts) and an ONNX model can then be opened and run offline. Does nothing offline or once
 * they are kept.
 */
export async function prefetchOnnxRuntime(): Promise<void> {
  if (typeof caches === 'undefined' || !navigator.onLine) return;
  try {
    await Promise.all([wasmUrl, glueUrl].map(async (u) => (await caches.match(u)) ?? fetch(u)));
  } catch {
    // Only a head start: the first use fetches them again and says so if it cannot.
  }
}
