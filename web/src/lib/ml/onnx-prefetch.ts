import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

/** ONNX Runtime Web's WASM as the build serves it (one place for both its fetch ahead and its use). */
export const onnxWasmUrl: string = wasmUrl;

/**
 * Fetch ONNX Runtime's WASM while there is a network, so the service worker keeps it (sw.ts) and
 * an ONNX model can then be opened and run offline. Does nothing offline or once it is kept.
 */
export async function prefetchOnnxRuntime(): Promise<void> {
  if (typeof caches === 'undefined' || !navigator.onLine) return;
  try {
    if (await caches.match(wasmUrl)) return;
    await fetch(wasmUrl);
  } catch {
    // Only a head start: the first use fetches it again and says so if it cannot.
  }
}
