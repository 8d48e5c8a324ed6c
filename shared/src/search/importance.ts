// Which hyperparameters mattered: Optuna's FanovaImportanceEvaluator (its default in 4.x) or its
// MeanDecreaseImpurityImportanceEvaluator over the complete trials, normalised as
// get_param_importances does.
import { effectiveHigh, paramContains, type SearchParam, type SearchSpace } from './space.js';
import { trialRandom } from './random.js';
import { isComplete, type Direction, type TrialView } from './trials.js';
import { fitForest, impurityImportances } from './forest.js';
import { fanovaImportances } from './fanova.js';

export type ImportanceEvaluator = 'fanova' | 'mdi';

const isSingle = (p: SearchParam) => (p.kind === 'choice' ? p.choices.length === 1 : effectiveHigh(p) === p.low);

/**
 * Each parameter's share of importance over the complete trials with a finite value. Only the
 * parameters with a valid value in every one of those trials are judged (Optuna's
 * intersection_search_space): a conditional parameter that some trials did not ask (a network's
 * layers in a search that also tried forests) is left out of the answer rather than credited with
 * what the choice it depends on explains. A random forest of 64 regression trees (depth up to 64, bootstrap,
 * seeded by `seed`) is fitted to them, numbers as they are (no log, no grid) and each choice
 * one-hot; parameters with a single possible value are left out and get 0. With 'fanova' (the
 * default, Optuna 4.x's FanovaImportanceEvaluator, Hutter et al. 2014) a parameter's importance is
 * the share of each tree's variance its marginal explains, averaged over trees; with 'mdi'
 * (Optuna's MeanDecreaseImpurityImportanceEvaluator) the impurity decrease of its columns. When
 * fANOVA would need more than FANOVA_MAX_CELLS cells for one marginal (a choice with many options
 * split many ways) it is 'mdi' instead. Non-negative and summing to 1 over the parameters judged; equal shares
 * when nothing explains the values (as Optuna); {} with fewer than 2 such trials. Optuna 5.0's
 * default, PED-ANOVA, is not implemented. The direction does not change the result.
 */
export function paramImportance(
  space: SearchSpace,
  trials: TrialView[],
  _direction: Direction,
  seed: number,
  evaluator: ImportanceEvaluator = 'fanova',
): Record<string, number> {
  const complete = trials.filter((t) => isComplete(t) && Number.isFinite(t.value));
  // Conditional parameters: only those every trial asked are judged (Optuna's intersection search
  // space), so a setting of one kind of model is not credited with the differences between kinds.
  const asked = space.filter((p) => complete.every((t) => paramContains(p, t.params[p.name])));
  const usable = asked.length ? complete : [];
  if (usable.length < 2) return {};
  const varying = asked.filter((p) => !isSingle(p));
  const columnsOf: number[][] = [];
  const bounds: [number, number][] = [];
  for (const p of varying) {
    const cols: number[] = [];
    const width = p.kind === 'choice' ? p.choices.length : 1;
    for (let k = 0; k < width; k++) {
      cols.push(bounds.length);
      bounds.push(p.kind === 'choice' ? [0, 1] : [p.low, effectiveHigh(p)]);
    }
    columnsOf.push(cols);
  }
  const perParam = new Map<string, number>(asked.map((p) => [p.name, 0]));
  if (varying.length > 0) {
    const x = usable.map((t) =>
      varying.flatMap((p) => {
        const v = t.params[p.name];
        return p.kind === 'choice' ? p.choices.map((c) => (c === v ? 1 : 0)) : [v as number];
      }),
    );
    const y = usable.map((t) => t.value as number);
    const forest = fitForest(x, y, trialRandom(seed, 0, 'importance'), { nTrees: 64, maxDepth: 64 });
    const mdi = () => {
      const features = impurityImportances(forest, bounds.length);
      return columnsOf.map((cols) => cols.reduce((s, c) => s + features[c], 0));
    };
    let scores: number[];
    if (evaluator === 'mdi') scores = mdi();
    else {
      try {
        scores = fanovaImportances(forest, bounds, columnsOf);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        scores = mdi();
      }
    }
    varying.forEach((p, j) => perParam.set(p.name, scores[j]));
  }
  const sum = [...perParam.values()].reduce((s, v) => s + v, 0);
  return Object.fromEntries(asked.map((p) => [p.name, sum > 0 ? perParam.get(p.name)! / sum : 1 / asked.length]));
}
