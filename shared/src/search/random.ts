// Seeded randomness for the search, and Optuna's RandomSampler. A study that stops and resumes
// must ask for the same next trial, so every draw is a function of (seed, trial number, stream)
// rather than of a generator's history.
import { effectiveHigh, paramStep, type Params, type SearchParam, type SearchSpace } from './space.js';

// cyrb128: four 32-bit lanes of a string hash, enough state to key sfc32 without correlation
// between neighbouring trial numbers.
function hash128(key: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < key.length; i++) {
    const k = key.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * A fast seeded generator of uniforms in [0, 1): sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, PractRand-clean) keyed by a cyrb128 hash of (seed, trial number, stream), warmed up 12
 * rounds. Streams with different keys are independent for practical purposes, and the same key
 * always yields the same sequence, so a resumed study draws what it would have drawn. Each value
 * combines two 32-bit outputs into 53 bits.
 */
export function trialRandom(seed: number, trialNumber: number, stream = ''): () => number {
  let [a, b, c, d] = hash128(`${seed}\u0000${trialNumber}\u0000${stream}`);
  const next32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

/**
 * One value drawn uniformly from a parameter's domain as Optuna's RandomSampler does through
 * _SearchSpaceTransform: uniform on [low, high] (on [log low, log high] for log scale, then exp);
 * with a step, uniform on [low - step/2, high + step/2] then rounded to the nearest grid point, so
 * every grid point is equally likely; integers on log scale round exp(u) for u uniform on
 * [log(low - 1/2), log(high + 1/2)]; a choice uniformly among the choices.
 */
export function sampleUniform(p: SearchParam, u: number): number | string {
  if (p.kind === 'choice') return p.choices[Math.min(p.choices.length - 1, Math.floor(u * p.choices.length))];
  const high = effectiveHigh(p);
  const step = paramStep(p);
  if (step === undefined) {
    const x = p.log ? Math.exp(Math.log(p.low) + u * (Math.log(high) - Math.log(p.low))) : p.low + u * (high - p.low);
    return Math.min(Math.max(x, p.low), high);
  }
  const lo = p.low - step / 2;
  const hi = high + step / 2;
  const x = p.log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
  return snapToGrid(p, x);
}

/** The grid point of a stepped parameter nearest to x, within [low, high] (Optuna's untransform). */
export function snapToGrid(p: SearchParam & { kind: 'float' | 'int' }, x: number): number {
  const step = paramStep(p) ?? 0;
  const high = effectiveHigh(p);
  if (step === 0) return Math.min(Math.max(x, p.low), high);
  const k = Math.floor((x - p.low) / step + 0.5);
  const v = Math.min(Math.max(p.low + k * step, p.low), high);
  // Grid arithmetic in binary floats drifts (0.1 * 3); rounding to the step's decimals keeps
  // values such as 0.3 exact, which storage and the screens show.
  if (p.kind === 'int') return Math.round(v);
  const decimals = Math.min(15, Math.max(0, -Math.floor(Math.log10(step)) + 6));
  const tidy = Math.min(Math.max(Number(v.toFixed(decimals)), p.low), high);
  return Math.abs(tidy - v) <= 1e-9 * step ? tidy : v;
}

/**
 * Optuna's RandomSampler for one trial: each parameter drawn independently with sampleUniform
 * from its own stream `random:<name>`, so adding a parameter to a space leaves the others' draws as
 * they were. With `applies`, a parameter it says no to (given the values drawn before it, in the
 * space's order) is not drawn and is absent from the trial.
 */
export function randomSuggest(space: SearchSpace, seed: number, trialNumber: number, applies?: (p: SearchParam, chosen: Params) => boolean): Params {
  const params: Params = {};
  for (const p of space) if (!applies || applies(p, params)) params[p.name] = sampleUniform(p, trialRandom(seed, trialNumber, `random:${p.name}`)());
  return params;
}
