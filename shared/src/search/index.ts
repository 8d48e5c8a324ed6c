// The pure core of a hyperparameter search (docs/search.md): the space, Optuna's TPE sampler and
// median pruner, and parameter importance. Runner, storage and screens build on these.
export {
  SearchParam,
  SearchSpace,
  spaceProblems,
  containsPoint,
  paramContains,
  effectiveHigh,
  paramStep,
  type ParamValue,
  type Params,
  type SpaceProblem,
} from './space.js';
export { bestTrial, isComplete, type TrialState, type TrialView, type Direction } from './trials.js';
export { trialRandom, randomSuggest, sampleUniform, snapToGrid } from './random.js';
export { tpeSuggest, splitTrials, type TpeOptions } from './tpe.js';
export {
  defaultGamma,
  defaultWeights,
  bandwidths,
  buildParzenEstimator,
  parzenLogPdf,
  sampleParzen,
  type ParzenEstimator,
  type ParzenOptions,
} from './parzen.js';
export { logNdtr, logGaussMass, truncnormLogPdf, truncnormPpf, ndtri } from './truncnorm.js';
export { medianShouldPrune, nanPercentile, type MedianPrunerOptions } from './pruner.js';
export { paramImportance, type ImportanceEvaluator } from './importance.js';
export { FanovaTree, fanovaImportances, FANOVA_MAX_CELLS } from './fanova.js';
export { fitForest, fitTree, impurityImportances, type TreeNode, type ForestOptions } from './forest.js';
