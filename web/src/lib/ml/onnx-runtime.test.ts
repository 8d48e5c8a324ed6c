// How many threads ONNX Runtime gets: more than one only where the page is cross-origin isolated
// (SharedArrayBuffer exists), and never more than two.
import { describe, expect, it } from 'vitest';
import { onnxThreads } from './onnx-runtime.js';

describe('onnxThreads', () => {
  it('one thread without isolation, whatever the cores', () => {
    for (const cores of [1, 2, 8]) expect(onnxThreads(false, cores)).toBe(1);
  });
  it('isolated: as many as the cores, at most two', () => {
    expect([0, 1, 2, 4, 16].map((c) => onnxThreads(true, c))).toEqual([1, 1, 2, 2, 2]);
  });
});
