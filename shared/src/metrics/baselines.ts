// What a model has to beat: the figures of a predictor that ignores the inputs.
import { mean } from '../stats/index.js';
import { accuracy, confusionMatrix, logLoss, precisionRecallF1 } from './classification.js';
import type { ClassificationBaseline, RegressionBaseline } from './evaluation-schema.js';
import { mae, r2, rmse } from './regression.js';

/**
 * scikit-learn's DummyClassifier(strategy='most_frequent') fitted on the training class indices
 * and scored on the test ones: every test row is predicted as the most frequent training class (a
 * tie goes to the smallest index, as numpy's argmax over the sorted classes does). Reports the
 * accuracy, macro and weighted precision/recall/F1 with labels 0..k-1 and zero_division=0, the
 * positive class 1's figures when k = 2, and the log loss of the training priors as probabilities
 * (DummyClassifier strategy='prior', same predictions; a class absent from training gets
 * probability 0, clipped by log_loss). k is the number of labels (one more than the largest index
 * seen and at least 2, unless told). Agrees with scikit-learn 1.2.1 to 1e-9. Throws a RangeError for an empty
 * split or an index outside 0..k-1.
 */
export function majorityBaseline(yTrain: readonly number[], yTest: readonly number[], labelCount?: number): ClassificationBaseline {
  if (yTrain.length === 0 || yTest.length === 0) throw new RangeError('A baseline needs training and test rows.');
  let k = labelCount ?? 2;
  if (labelCount === undefined) for (const y of [...yTrain, ...yTest]) if (y >= k) k = y + 1;
  for (const y of [...yTrain, ...yTest]) if (!Number.isInteger(y) || y < 0 || y >= k) throw new RangeError(`A class index lies in 0..${k - 1}, not ${y}.`);
  const counts = new Array<number>(k).fill(0);
  for (const y of yTrain) counts[y]++;
  let prediction = 0;
  for (let c = 1; c < k; c++) if (counts[c] > counts[prediction]) prediction = c;
  const yt = [...yTest];
  const yp = yt.map(() => prediction);
  const cm = confusionMatrix(yt, yp, k);
  const priors = counts.map((c) => c / yTrain.length);
  return {
    strategy: 'most_frequent',
    prediction,
    accuracy: accuracy(yt, yp),
    macro: precisionRecallF1(cm, 'macro'),
    weighted: precisionRecallF1(cm, 'weighted'),
    binary: k === 2 ? precisionRecallF1(cm, 'binary', 1) : null,
    logLoss: logLoss(
      yt,
      yt.flatMap(() => priors),
      k,
    ),
  };
}

/**
 * scikit-learn's DummyRegressor(strategy='mean') fitted on the training targets and scored on the
 * test ones: every row is predicted as the training mean (numpy's pairwise sum over n), with MAE,
 * RMSE and R² on the test split (R² is at most 0 unless the test mean equals the training mean).
 * Agrees with scikit-learn 1.2.1 to 1e-9. Throws a RangeError for an empty split or a value that is
 * not a finite number.
 */
export function meanBaseline(yTrain: readonly number[], yTest: readonly number[]): RegressionBaseline {
  if (yTrain.length === 0 || yTest.length === 0) throw new RangeError('A baseline needs training and test rows.');
  for (const v of [...yTrain, ...yTest]) if (!Number.isFinite(v)) throw new RangeError(`A baseline takes finite numbers, not ${v}.`);
  const prediction = mean(yTrain);
  const yt = [...yTest];
  const yh = yt.map(() => prediction);
  return { strategy: 'mean', prediction, mae: mae(yt, yh), rmse: rmse(yt, yh), r2: r2(yt, yh) };
}
