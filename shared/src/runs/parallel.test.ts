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
  it('draws the family as a categorical axis and gives a run no point on a setting of another family', () => {
    const net = testRun('net', {}, { learningRate: 0.1 });
    const net2 = testRun('net2', {}, { learningRate: 0.001 });
    const forest = testRun('forest', {}, { family: 'forest', trees: 50, learningRate: 0.5 });
    const { axes, lines } = parallelCoordinates([net, net2, forest], 'accuracy');
    // The family, then both families' own settings (epochs … hidden layers, trees … leaf size).
    expect(axes.map((x) => [x.key, x.kind])).toEqual([
      ['family', 'ordinal'],
      ['epochs', 'linear'],
      ['batchSize', 'linear'],
      ['learningRate', 'log'],
      ['hiddenLayers', 'ordinal'],
      ['trees', 'linear'],
      ['maxDepth', 'linear'],
      ['minLeaf', 'linear'],
      ['accuracy', 'linear'],
    ]);
    expect(axes[0].ticks.map((t) => t.value)).toEqual(['forest', 'network']);
    // The forest's own learning rate (0.5, never read) stays off the axis and out of its range;
    // the networks have no point on the forest's axes.
    expect(lines.map((l) => [l.at[0], l.at[3], l.at[5]])).toEqual([
      [1, 1, null],
      [1, 0, null],
      [0, null, 0.5],
    ]);
    expect(axes[3].ticks.map((t) => t.value)).toEqual([0.001, 0.1]);
    expect(axes[5].ticks).toEqual([{ at: 0.5, value: 50 }]);
  });
  it('with nothing differing, falls back to the own settings of the families compared', () => {
    const lin = (id: string) => testRun(id, {}, { family: 'linear', l2: 0.5 });
    expect(parallelCoordinates([lin('a'), lin('b')], 'accuracy').axes.map((x) => x.key)).toEqual(['l2', 'accuracy']);
    const forests = [
      testRun('f', {}, { family: 'forest', trees: 5, maxDepth: 4, minLeaf: 2 }),
      testRun('g', {}, { family: 'forest', trees: 5, maxDepth: 4, minLeaf: 2 }),
    ];
    const { axes, lines } = parallelCoordinates(forests, 'accuracy');
    expect(axes.map((x) => x.key)).toEqual(['trees', 'maxDepth', 'minLeaf', 'accuracy']);
    expect(lines[0].at).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
  it('puts the L2 penalty on a log scale, and on a linear one once a penalty is zero', () => {
    const lin = (id: string, l2: number) => testRun(id, {}, { family: 'linear', l2 });
    expect(parallelCoordinates([lin('a', 0.01), lin('b', 100), lin('c', 1)], 'accuracy').lines.map((l) => l.at[0])).toEqual([0, 1, expect.closeTo(0.5, 10)]);
    expect(parallelCoordinates([lin('a', 0), lin('b', 1)], 'accuracy').axes[0]).toMatchObject({ key: 'l2', kind: 'linear' });
  });
  it('a numeric axis with no values has no ticks and no places', () => {
    expect(numericAxis([undefined, undefined], 'linear')).toEqual({ at: [null, null], ticks: [] });
  });
});
