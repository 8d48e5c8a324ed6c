// The search space of a hyperparameter study: what may be tuned and over which values, with the
// same domains as Optuna's FloatDistribution, IntDistribution and CategoricalDistribution.
import { z } from 'zod';

const ParamName = z.string().min(1).max(60);

/**
 * One tunable hyperparameter, as Optuna's distributions: `float` over [low, high] (log-uniform
 * when `log`, on the grid low + k*step when `step`), `int` the same over integers (step 1 unless
 * given), `choice` one of a list. As in Optuna, `high` is taken down to the last grid point
 * low + floor((high - low)/step)*step, and log scale and a step do not mix (spaceProblems says so).
 */
export const SearchParam = z.discriminatedUnion('kind', [
  z.object({
    name: ParamName,
    kind: z.literal('float'),
    low: z.number(),
    high: z.number(),
    log: z.boolean().optional(),
    step: z.number().positive().optional(),
  }),
  z.object({
    name: ParamName,
    kind: z.literal('int'),
    low: z.number().int(),
    high: z.number().int(),
    log: z.boolean().optional(),
    step: z.number().int().positive().optional(),
  }),
  z.object({
    name: ParamName,
    kind: z.literal('choice'),
    choices: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .max(50),
  }),
]);
export type SearchParam = z.infer<typeof SearchParam>;

/** A study's search space: 1 to 20 parameters (names unique, which spaceProblems checks). */
export const SearchSpace = z.array(SearchParam).min(1).max(20);
export type SearchSpace = z.infer<typeof SearchSpace>;

export type ParamValue = number | string;
export type Params = Record<string, ParamValue>;

/**
 * Why a parameter has no usable domain. Codes, not sentences, so that each screen says them in the
 * person's language. `log_with_step` (Optuna refuses log scale with a step other than 1) and
 * `step_not_positive` are additions to the original list.
 */
export interface SpaceProblem {
  param: string;
  code: 'empty_range' | 'log_not_positive' | 'no_choices' | 'duplicate_name' | 'step_too_large' | 'not_finite' | 'log_with_step' | 'step_not_positive';
}

/** The step of a numeric parameter: the given one, 1 for integers, undefined for continuous floats. */
export function paramStep(p: SearchParam & { kind: 'float' | 'int' }): number | undefined {
  return p.step ?? (p.kind === 'int' ? 1 : undefined);
}

/**
 * The largest value a numeric parameter can take: `high`, or with a step the last grid point
 * low + floor((high - low)/step)*step (Optuna's _adjust_discrete_uniform_high / _adjust_int_uniform_high;
 * the 1e-9 slack stands in for its decimal arithmetic, so that 0.1-steps land on their ends).
 */
export function effectiveHigh(p: SearchParam & { kind: 'float' | 'int' }): number {
  const step = paramStep(p);
  if (step === undefined) return p.high;
  const k = Math.floor((p.high - p.low) / step + 1e-9);
  return k <= 0 ? p.low : p.low + k * step;
}

/**
 * Every reason the space cannot be searched, [] when each parameter has at least one valid point
 * and the space is well formed: a name used twice, a bound or step that is not a finite number,
 * low > high, log scale with low <= 0 (float) or low < 1 (int, as Optuna), log with a step, a step
 * that is not positive or wider than the whole range (which would leave only `low`), no choices.
 */
export function spaceProblems(space: SearchSpace): SpaceProblem[] {
  const problems: SpaceProblem[] = [];
  const seen = new Set<string>();
  for (const p of space) {
    if (seen.has(p.name)) problems.push({ param: p.name, code: 'duplicate_name' });
    seen.add(p.name);
    if (p.kind === 'choice') {
      if (p.choices.length === 0) problems.push({ param: p.name, code: 'no_choices' });
      else if (p.choices.some((c) => typeof c === 'number' && !Number.isFinite(c))) problems.push({ param: p.name, code: 'not_finite' });
      continue;
    }
    const numbers = p.step === undefined ? [p.low, p.high] : [p.low, p.high, p.step];
    if (numbers.some((x) => !Number.isFinite(x))) {
      problems.push({ param: p.name, code: 'not_finite' });
      continue;
    }
    if (p.low > p.high) problems.push({ param: p.name, code: 'empty_range' });
    if (p.log && (p.kind === 'int' ? p.low < 1 : p.low <= 0)) problems.push({ param: p.name, code: 'log_not_positive' });
    if (p.step !== undefined) {
      if (p.step <= 0) problems.push({ param: p.name, code: 'step_not_positive' });
      else if (p.log && !(p.kind === 'int' && p.step === 1)) problems.push({ param: p.name, code: 'log_with_step' });
      else if (p.low < p.high && effectiveHigh(p) === p.low) problems.push({ param: p.name, code: 'step_too_large' });
    }
  }
  return problems;
}

/** Whether one value lies in a parameter's domain (on its grid within 1e-8 of a step, as Optuna's _contains). */
export function paramContains(p: SearchParam, value: ParamValue | undefined): boolean {
  if (value === undefined) return false;
  if (p.kind === 'choice') return p.choices.includes(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (p.kind === 'int' && !Number.isInteger(value)) return false;
  if (value < p.low || value > effectiveHigh(p)) return false;
  const step = paramStep(p);
  if (step === undefined) return true;
  const k = (value - p.low) / step;
  return Math.abs(k - Math.round(k)) < 1e-8;
}

/**
 * Whether `params` is a point of the space: a value for every parameter, each in its domain, and
 * no values for parameters the space does not have (so a trial from an edited space does not pass
 * for one of this space).
 */
export function containsPoint(space: SearchSpace, params: Params): boolean {
  const names = new Set(space.map((p) => p.name));
  if (Object.keys(params).some((k) => !names.has(k))) return false;
  return space.every((p) => Object.hasOwn(params, p.name) && paramContains(p, params[p.name]));
}
