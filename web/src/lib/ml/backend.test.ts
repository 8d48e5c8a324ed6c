import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { backendOrder, selectBackend } from './backend.js';
import { trainModel } from './train.js';
import { loadSample, sampleParams } from './test-data.js';

// In Node the WASM backend reads its binaries from node_modules, so the real selection runs here;
// there is no WebGL, which exercises the fallback.
describe('backend selection', () => {
  it('tries the requested backend first and always ends with CPU', () => {
    expect(backendOrder('wasm')).toEqual(['wasm', 'cpu']);
    expect(backendOrder('webgl')).toEqual(['webgl', 'wasm', 'cpu']);
    expect(backendOrder('cpu')).toEqual(['cpu']);
  });

  it('uses CPU when asked, WASM by default, and falls back from WebGL to WASM', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(await selectBackend()).toBe('wasm');
    expect(await selectBackend('webgl')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('trains on WASM with no tensors left behind', async () => {
    await selectBackend('wasm');
    const d = loadSample('iris');
    const before = tf.memory().numTensors;
    const r = await trainModel(d.rows, sampleParams(d, 'classification', 'species', { epochs: 20 }), d.columns, { backendName: 'wasm' });
    expect(r.backend).toBe('wasm');
    expect(r.metrics.task === 'classification' && r.metrics.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(tf.memory().numTensors).toBe(before);
  });
});
