import { describe, expect, it } from 'vitest';
import { numericAxis, parallelCoordinates } from './parallel.js';
import { testRun } from './run.testing.js';

describe('parallel coordinates', () => {
  it('draws one axis per differing setting and the figure last, learning rate on a log scale', () => {
    const a = testRun('a', {}, { learningRate: 0.001, hiddenLayers: [32, 16] });
    const b = testRun('b', {}, { learningRate: 0.1, hiddenLayers: [8] });
    const c = testRun('c', { epochs: [{ epoch: 0, loss: 0.5, valLoss: 0.2 }] }, { learningRate: 0.01, hiddenLayers: [16] });
    const { axes, lines } = parallelCoordinates([a, b, c], 'valLoss');
    expect(axes.map((x) => [x.key, x.kind])).toEqual([
      ['learningRate', 'log'],
      ['hiddenLayers', 'ordinal'],
      ['valLoss', 'linear'],
    ]);
    // 0.01 sits halfway between 0.001 and 0.1 on a log scale.
    expect(lines.map((l) => l.at[0])).toEqual([0, 1, expect.closeTo(0.5, 10)]);
    // Layers ordered by total units: [8] < [16] < [32, 16].
    expect(axes[1].ticks.map((t) => t.value)).toEqual(['8', '16', '32, 16']);
    expect(lines.map((l) => l.at[1])).toEqual([1, 0, 0.5]);
    // Lower loss is better: c (0.2) is shaded best, a and b (0.6) worst.
    expect(lines.map((l) => l.shade)).toEqual([0, 0, 1]);
  });
  it('shades the highest accuracy best, and a run without the figure not at all', () => {
    const hi = testRun('hi', {}, { epochs: 20 });
    const lo = { ...testRun('lo', {}, { epochs: 5 }), metrics: { ...(testRun('x').metrics as object), accuracy: 0.5 } } as typeof hi;
    const none = testRun('none', { metrics: undefined, status: 'failed' }, { epochs: 10 });
    const { axes, lines } = parallelCoordinates([hi, lo, none], 'accuracy');
    expect(axes.map((x) => x.key)).toEqual(['epochs', 'accuracy']);
    expect(lines.map((l) => l.at)).toEqual([
      [1, 1],
      [0, 0],
      [expect.closeTo(1 / 3, 10), null],
    ]);
    expect(lines.map((l) => l.shade)).toEqual([1, 0, null]);
  });
  it('falls back to the network settings when nothing differs, centred, all shaded best', () => {
    const { axes, lines } = parallelCoordinates([testRun('a'), testRun('b')], 'accuracy');
    expect(axes.map((x) => x.key)).toEqual(['epochs', 'batchSize', 'learningRate', 'hiddenLayers', 'accuracy']);
    expect(lines[0].at).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(lines.map((l) => l.shade)).toEqual([1, 1]);
    expect(axes[0].ticks).toEqual([{ at: 0.5, value: 10 }]);
  });
  it('puts a category such as the backend on an ordinal axis in alphabetical order', () => {
    const { axes, lines } = parallelCoordinates([testRun('a', { backend: 'webgl' }), testRun('b', { backend: 'cpu' })], 'accuracy');
    expect(axes[0]).toMatchObject({
      key: 'backend',
      kind: 'ordinal',
      ticks: [
        { at: 0, value: 'cpu' },
        { at: 1, value: 'webgl' },
      ],
    });
    expect(lines.map((l) => l.at[0])).toEqual([1, 0]);
  });
  it('a numeric axis with no values has no ticks and no places', () => {
    expect(numericAxis([undefined, undefined], 'linear')).toEqual({ at: [null, null], ticks: [] });
  });
});
