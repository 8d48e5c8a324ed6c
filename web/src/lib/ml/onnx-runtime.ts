import { onnxWasmUrl } from './onnx-prefetch.js';
import { ort, loadOnnx, openOnnx } from '@shared/runtime/onnx.js';
import type { ModelDescription } from '@shared/registry/import.js';
import type { OnnxArtifacts } from '@shared/schema/records.js';
import type { Forward } from '@shared/runtime/predictor.js';

// Loaded by the prediction worker only when a version is an ONNX model, so ONNX Runtime (its
// JavaScript and its 14 MB WASM) is fetched on first use rather than by everyone. The WASM file
// is served from the app's own origin and cached by the service worker when first fetched.
let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  // In a browser the WASM comes from the build; in Node (tests) ONNX Runtime finds its own.
  if (typeof location !== 'undefined') ort.env.wasm.wasmPaths = { wasm: new URL(onnxWasmUrl, location.href).href };
  // Threads need cross-origin isolation (SharedArrayBuffer); without it one thread, no proxy worker.
  ort.env.wasm.numThreads = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  ort.env.wasm.proxy = false;
}

export async function loadOnnxForward(artifacts: OnnxArtifacts, bytes: ArrayBuffer): Promise<Forward> {
  configure();
  return loadOnnx(artifacts, new Uint8Array(bytes));
}

/** What an ONNX file being imported says about its inputs and outputs (opened, read, released). */
export async function describeOnnxFile(bytes: ArrayBuffer): Promise<ModelDescription> {
  configure();
  const { session, description } = await openOnnx(new Uint8Array(bytes));
  await session.release();
  return description;
}
