import { describe, expect, it } from 'vitest';
import { JsDenseTrainer, type DenseTrainerInit } from './dense-trainer.js';
import { mulberry32, shuffleInPlace } from '../data/random.js';

/** A 4-6-3-k network with seeded weights, and rows whose class is the sign of their first feature. */
function init(output: 'softmax' | 'linear', n = 40, learningRate = 0.01): DenseTrainerInit {
  const rng = mulberry32(3);
  const units = [4, 6, 3, output === 'softmax' ? 2 : 1];
  const weights: Float32Array[] = [];
  for (let l = 0; l < units.length - 1; l++) {
    weights.push(Float32Array.from({ length: units[l] * units[l + 1] }, () => rng() - 0.5));
    weights.push(Float32Array.from({ length: units[l + 1] }, () => (rng() - 0.5) / 10));
  }
  const x = Float32Array.from({ length: n * 4 }, () => rng() * 2 - 1);
  const k = units.at(-1)!;
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    if (output === 'softmax') y[i * 2 + (x[i * 4] > 0 ? 1 : 0)] = 1;
    else y[i] = x[i * 4] - 2 * x[i * 4 + 1];
  }
  return { units, weights, output, learningRate, epsilon: 1e-7, x, y, n };
}

/** Epochs of seeded shuffles in batches of 8; the summed loss of each. */
function train(t: JsDenseTrainer, n: number, epochs: number, seed = 5, skip = 0): number[] {
  const rng = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    shuffleInPlace(order, rng);
    if (e < skip) continue;
    t.beginEpoch(order, 8);
    for (let s = 0; s < n; s += 8) t.step(s);
    losses.push(t.endEpoch());
  }
  return losses;
}

describe('the plain-TypeScript dense trainer', () => {
  it('learns a separable class and a linear target', () => {
    for (const output of ['softmax', 'linear'] as const) {
      const data = init(output, 40, 0.05);
      const t = new JsDenseTrainer(data);
      const losses = train(t, data.n, 60);
      expect(losses.at(-1)!).toBeLessThan(losses[0] / 3);
    }
  });

  it('is deterministic: the same start gives the same bits', () => {
    const a = new JsDenseTrainer(init('softmax'));
    const b = new JsDenseTrainer(init('softmax'));
    expect(train(a, 40, 4)).toEqual(train(b, 40, 4));
    expect(a.weights()).toEqual(b.weights());
    expect(a.adamState()).toEqual(b.adamState());
  });

  it('carries on from its weights and Adam state exactly where it left off (the last batch smaller)', () => {
    const data = init('softmax', 37);
    const whole = new JsDenseTrainer(data);
    const wholeLosses = train(whole, 37, 5);
    const first = new JsDenseTrainer(data);
    train(first, 37, 3);
    const second = new JsDenseTrainer({ ...data, weights: first.weights() });
    second.setAdamState(first.adamState());
    expect(train(second, 37, 5, 5, 3)).toEqual(wholeLosses.slice(3));
    expect(second.weights()).toEqual(whole.weights());
    expect(second.adamState()).toEqual(whole.adamState());
    expect(whole.adamState().iterations).toBe(5 * 5);
  });

  it("sums the cross-entropy or squared error of its outputs, and softmax outputs sum to 1", () => {
    for (const output of ['softmax', 'linear'] as const) {
      // A learning rate of 0: the loss of one full batch is the loss of the outputs before it.
      const data = init(output, 24, 0);
      const t = new JsDenseTrainer(data);
      const out = t.trainOutputs();
      const k = data.units.at(-1)!;
      let expected = 0;
      let score = 0;
      for (let i = 0; i < data.n; i++) {
        for (let j = 0; j < k; j++) {
          const p = out[i * k + j];
          const y = data.y[i * k + j];
          expected += output === 'softmax' ? -y * Math.log(p) : (p - y) ** 2 / k;
          if (output === 'linear') score += Math.abs(p - y);
        }
        if (output === 'softmax' && (out[i * 2 + 1] > out[i * 2] ? 1 : 0) === data.y[i * 2 + 1]) score++;
        if (output === 'softmax') expect(out[i * 2] + out[i * 2 + 1]).toBeCloseTo(1, 6);
      }
      t.beginEpoch(Array.from({ length: data.n }, (_, i) => i), data.n);
      t.step(0);
      expect(t.endEpoch()).toBeCloseTo(expected, 4);
      // The epoch's score, from the same outputs: rows put in their class, or the summed absolute error.
      expect(score).toBeGreaterThan(0);
      if (output === 'softmax') expect(t.epochScore()).toBe(score);
      else expect(t.epochScore()).toBeCloseTo(score, 4);
      expect(t.weights()).toEqual(data.weights);
    }
  });

  it('refuses weights or Adam state of another shape, and a batch that does not start the epoch', () => {
    const data = init('softmax');
    expect(() => new JsDenseTrainer({ ...data, weights: data.weights.slice(1) })).toThrow();
    const t = new JsDenseTrainer(data);
    const state = t.adamState();
    expect(() => t.setAdamState({ ...state, firstMoments: state.firstMoments.slice(1) })).toThrow();
    t.beginEpoch(Array.from({ length: 40 }, (_, i) => i), 8);
    expect(() => t.step(3)).toThrow();
    expect(() => t.step(40)).toThrow();
  });
});
