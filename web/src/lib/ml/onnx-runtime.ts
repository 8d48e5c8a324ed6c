import { onnxGlueUrl, onnxWasmUrl } from './onnx-prefetch.js';
import { ort, loadOnnx, openOnnx } from '@shared/runtime/onnx.js';
import type { ModelDescription } from '@shared/registry/import.js';
import type { OnnxArtifacts } from '@shared/schema/records.js';
import type { Forward } from '@shared/runtime/predictor.js';

// Loaded by the prediction worker only when a version is an ONNX model, so ONNX Runtime (its
// JavaScript and its 14 MB WASM) is fetched on first use rather than by everyone. The WASM file
// is served from the app's own origin and cached by the service worker when first fetched.
let configured = false;

/**
 * How many threads ONNX Runtime runs a model on. Threads need cross-origin isolation
 * (SharedArrayBuffer; the server sends COOP/COEP). At most 2: the models people bring are small,
 * and on a phone the page, the other workers and the browser share the remaining cores.
 */
export function onnxThreads(isolated: boolean, cores: number): number {
  return isolated ? Math.max(1, Math.min(2, cores)) : 1;
}

function configure(): void {
  if (configured) return;
  configured = true;
  // In a browser the WASM and its loader come from the build; in Node (tests) ONNX Runtime finds
  // its own. Resolved against this module, not the page: a blob: worker's location is no base.
  if (typeof location !== 'undefined')
    ort.env.wasm.wasmPaths = { wasm: new URL(onnxWasmUrl, import.meta.url).href, mjs: new URL(onnxGlueUrl, import.meta.url).href };
  // Node 20 (tests, the server's tools) has no navigator: one thread there.
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  ort.env.wasm.numThreads = onnxThreads(!!g.crossOriginIsolated, g.navigator?.hardwareConcurrency || 1);
  // Already in the prediction worker: no second worker to proxy through.
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
