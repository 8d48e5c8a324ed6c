// Browser-only: Vite turns these imports into hashed asset URLs that end up in the build, where
// the service worker's precache manifest (globPatterns include *.wasm) picks them up, so the WASM
// backend loads offline. Node tests never import this file.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { WasmPaths } from './backend.js';

export const wasmPaths: WasmPaths = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  // Used only when the page is cross-origin isolated; listed because setWasmPaths wants all three.
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
};
