// Which hyperparameters mattered: Optuna's MeanDecreaseImpurityImportanceEvaluator over the
// complete trials, normalised as get_param_importances does.
import { paramContains, type SearchSpace } from './space.js';
import { trialRandom } from './random.js';
import { isComplete, type Direction, type TrialView } from './trials.js';
import { fitForest, impurityImportances } from './forest.js';

/**
 * Each parameter's share of importance, by Optuna's MeanDecreaseImpurityImportanceEvaluator (not
 * its fANOVA, nor the PED-ANOVA that is Optuna's newest default): a random forest of 64 regression
 * trees (depth up to 64, seeded by `seed`) fitted to the complete trials with a finite value and a
 * valid value for every parameter, numbers as they are (no log, no grid) and each choice one-hot;
 * the impurity decrease of a choice's columns is summed. Non-negative and summing to 1 over the
 * space's parameters; equal shares when nothing explains the values (all zero, as Optuna); {} with
 * fewer than 2 such trials. The direction does not change the result: the forest explains the
 * value either way.
 */
export function paramImportance(space: SearchSpace, trials: TrialView[], _direction: Direction, seed: number): Record<string, number> {
  const usable = trials.filter((t) => isComplete(t) && Number.isFinite(t.value) && space.every((p) => paramContains(p, t.params[p.name])));
  if (usable.length < 2) return {};
  const columnOf: number[] = [];
  space.forEach((p, j) => {
    const width = p.kind === 'choice' ? p.choices.length : 1;
    for (let k = 0; k < width; k++) columnOf.push(j);
  });
  const x = usable.map((t) =>
    space.flatMap((p) => {
      const v = t.params[p.name];
      return p.kind === 'choice' ? p.choices.map((c) => (c === v ? 1 : 0)) : [v as number];
    }),
  );
  const y = usable.map((t) => t.value as number);
  const forest = fitForest(x, y, trialRandom(seed, 0, 'importance'), { nTrees: 64, maxDepth: 64 });
  const features = impurityImportances(forest, columnOf.length);
  const perParam = space.map(() => 0);
  features.forEach((v, c) => (perParam[columnOf[c]] += v));
  const sum = perParam.reduce((s, v) => s + v, 0);
  return Object.fromEntries(space.map((p, j) => [p.name, sum > 0 ? perParam[j] / sum : 1 / space.length]));
}
