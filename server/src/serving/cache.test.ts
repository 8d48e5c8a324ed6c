import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelVersion, TfjsArtifacts } from '@shared/schema/records.js';
import { ModelCache } from './cache.js';
import { cpuBackend, loadModel, type LoadedModel } from './loader.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ModelCache', () => {
  it('keeps at most maxEntries and maxBytes, evicting the least recently used and releasing it', async () => {
    const released: string[] = [];
    const cache = new ModelCache<string>((v) => released.push(v), { maxEntries: 2, maxBytes: 100 });
    const load =
      (v: string, bytes = 10) =>
      async () => ({ value: v, bytes });
    for (const k of ['a', 'b']) (await cache.acquire(k, load(k))).release();
    (await cache.acquire('a', load('a'))).release(); // a is now the most recent
    (await cache.acquire('c', load('c'))).release();
    await tick();
    expect(released).toEqual(['b']);
    expect(cache.size).toEqual({ entries: 2, bytes: 20 });
    (await cache.acquire('big', load('big', 95))).release();
    await tick();
    expect(released.sort()).toEqual(['a', 'b', 'c']);
    expect(cache.size).toEqual({ entries: 1, bytes: 95 });
  });

  it('never releases a model a request still uses; it goes when that request is done', async () => {
    const released: string[] = [];
    const cache = new ModelCache<string>((v) => released.push(v), { maxEntries: 1, maxBytes: 1e9 });
    const held = await cache.acquire('a', async () => ({ value: 'a', bytes: 1 }));
    (await cache.acquire('b', async () => ({ value: 'b', bytes: 1 }))).release();
    await tick();
    expect(released).toEqual([]);
    held.release();
    held.release(); // twice is once
    expect(released).toEqual(['a']);
  });

  it('loads once for concurrent requests, and does not keep a failed load', async () => {
    let loads = 0;
    const cache = new ModelCache<number>(() => {});
    const slow = async () => ({ value: ++loads, bytes: 1 });
    const [x, y] = await Promise.all([cache.acquire('k', slow), cache.acquire('k', slow)]);
    expect([x.value, y.value, loads]).toEqual([1, 1, 1]);
    await expect(cache.acquire('bad', async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    await tick();
    expect(cache.size.entries).toBe(1);
    expect((await cache.acquire('bad', async () => ({ value: 7, bytes: 1 }))).value).toBe(7);
  });

  it('releases the tensors of an evicted TensorFlow.js model (the tensor count returns)', async () => {
    await cpuBackend();
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } })));
    model.dispose();
    const version = {
      task: 'classification',
      pipeline: { version: 1, features: [], target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] } },
      artifacts: { format: 'tfjs-layers', modelTopology: artifacts!.modelTopology, weightSpecs: artifacts!.weightSpecs as TfjsArtifacts['weightSpecs'] },
    } as unknown as ModelVersion;
    const weights = new Uint8Array(artifacts!.weightData as ArrayBuffer);
    const start = tf.memory().numTensors;
    const cache = new ModelCache<LoadedModel>((m) => m.forward.dispose(), { maxEntries: 1, maxBytes: 1e9 });
    (await cache.acquire('one', async () => ({ value: await loadModel(version, weights), bytes: weights.length }))).release();
    const lease = await cache.acquire('two', async () => ({ value: await loadModel(version, weights), bytes: weights.length }));
    const out = await lease.value.forward.run(new Float32Array([1, 2, 3]), [1, 3]);
    expect(out).toHaveLength(2);
    await tick();
    expect(tf.memory().numTensors).toBe(start + 2); // one model's kernel and bias
    lease.release();
    cache.clear();
    await tick();
    expect(tf.memory().numTensors).toBe(start);
  });
});
