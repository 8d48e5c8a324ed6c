import type { RegressionMetrics } from '../schema/records.js';

/** Mean absolute error, mean |y - ŷ| (scikit-learn `mean_absolute_error`). */
export function mae(y: number[], yHat: number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - yHat[i]);
  return y.length ? s / y.length : 0;
}

/** Root mean squared error, sqrt(mean (y - ŷ)²) (scikit-learn `root_mean_squared_error`). */
export function rmse(y: number[], yHat: number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - yHat[i]) ** 2;
  return y.length ? Math.sqrt(s / y.length) : 0;
}

/**
 * Coefficient of determination R² = 1 - SS_res / SS_tot (scikit-learn `r2_score`). When y is
 * constant: 1 for a perfect prediction, otherwise 0 (scikit-learn's force_finite default).
 */
export function r2(y: number[], yHat: number[]): number {
  if (y.length === 0) return 0;
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i] - yHat[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/** MAE, RMSE and R² together, as a run records them. */
export function regressionReport(y: number[], yHat: number[]): RegressionMetrics {
  return { task: 'regression', mae: mae(y, yHat), rmse: rmse(y, yHat), r2: r2(y, yHat) };
}
