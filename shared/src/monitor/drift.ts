import { isMissing, toNumber, type Cell } from '../data/columns.js';
import { chiSquare, histogram, histogramEdges, jensenShannon, ks2samp, psi, psiFromCounts, std, twoProportionZTest, wasserstein } from '../stats/index.js';
import type { Said } from '../said.js';

/**
 * Drift of one column between a reference sample (the training rows a model version keeps) and a
 * window of current values, with the test Evidently would choose by default (its
 * `_get_default_stattest` and the stattests it names, evidently/legacy/calculations/stattests),
 * or PSI when the project asks for it. The rules are in notes/monitoring.md; the doc comment of
 * columnDrift repeats them.
 */

/** A cell of a column: missing values (null, blank, NaN, NA, ...) are dropped before testing and counted. */
export type DriftValue = Cell;

/** The test that decided: Kolmogorov-Smirnov, chi-square, two-proportion Z, normed Wasserstein, Jensen-Shannon (base 2) or PSI. */
export type DriftTest = 'ks' | 'chi_square' | 'z_test' | 'wasserstein' | 'jensen_shannon' | 'psi';

/** The column's type, and which test to use: Evidently's default (auto) unless the project asks for PSI or Jensen-Shannon. */
export interface DriftOptions {
  kind: 'numeric' | 'categorical';
  /** auto: Evidently's default test; psi: Outpost's PSI; jensen_shannon: Jensen-Shannon distance (base 2) whatever the size. */
  method?: 'auto' | 'psi' | 'jensen_shannon';
}

/** How many values each side had to test (after dropping missing ones) and how many were dropped. */
export interface DriftCounts {
  referenceRows: number;
  currentRows: number;
  referenceMissing: number;
  currentMissing: number;
}

/** A column that was tested: the statistic, the p-value for the tests that have one, the threshold and the verdict. */
export interface TestedDrift extends DriftCounts {
  test: DriftTest;
  statistic: number;
  /** For the p-value tests (KS, chi-square, Z): drift when it is below the threshold. */
  pvalue?: number;
  threshold: number;
  drifted: boolean;
  /** Distinct values over reference and current together. */
  distinct: number;
}

/** A column that was not tested, and why, in a sentence for the person looking at the monitor. */
export interface UntestedDrift extends DriftCounts {
  test: 'none';
  reason: 'too_few_rows' | 'no_values';
  /** A sentence for the person looking at the monitor (in English, for the console). */
  message: string;
  /** The same sentence as a message key and values, for a screen in any language. */
  said?: Said<UntestedDriftKey>;
}

/** Every sentence an untested column can say, as its message key. */
export type UntestedDriftKey =
  'drift.untested.noTraining' | 'drift.untested.allBlank' | 'drift.untested.noPredictions' | 'drift.untested.fewTraining' | 'drift.untested.fewRecent';

/** The dataset verdict's sentence when no column could be tested, as its message key. */
export type DatasetDriftKey = 'monitor.detail.noVerdict';

/** The drift of one column: tested, or not tested with a reason. */
export type DriftResult = TestedDrift | UntestedDrift;

/** Reference rows up to which Evidently runs a statistical test (p-value); above it, a distance. */
export const DRIFT_TEST_MAX_REFERENCE = 1000;
/** Numeric columns with at most this many distinct values are tested as categories. */
export const DRIFT_MAX_CATEGORY_LIKE_DISTINCT = 5;
/** Values needed in the current window before a column is tested. */
export const DRIFT_MIN_CURRENT = 5;
/** Values needed in the reference before a column is tested. */
export const DRIFT_MIN_REFERENCE = 2;
/** Evidently's default thresholds: p-values below 0.05 drift; distances and PSI at or above 0.1 drift. */
export const DRIFT_THRESHOLDS = { ks: 0.05, chi_square: 0.05, z_test: 0.05, wasserstein: 0.1, jensen_shannon: 0.1, psi: 0.1 } as const;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function untested(counts: DriftCounts): UntestedDrift | null {
  const { referenceRows: r, currentRows: c, currentMissing } = counts;
  if (r === 0) {
    return {
      test: 'none',
      reason: 'no_values',
      message: 'The training data has no values in this column, so there is nothing to compare with.',
      said: { key: 'drift.untested.noTraining' },
      ...counts,
    };
  }
  if (c === 0) {
    const message = currentMissing
      ? `No values to compare yet: ${plural(currentMissing, 'prediction leaves', 'predictions leave')} this blank.`
      : 'No predictions yet to compare.';
    const said: Said<UntestedDriftKey> = currentMissing
      ? { key: 'drift.untested.allBlank', values: { count: currentMissing } }
      : { key: 'drift.untested.noPredictions' };
    return { test: 'none', reason: 'no_values', message, said, ...counts };
  }
  if (r < DRIFT_MIN_REFERENCE) {
    return {
      test: 'none',
      reason: 'too_few_rows',
      message: `The training data has only ${plural(r, 'value', 'values')} in this column; at least ${DRIFT_MIN_REFERENCE} are needed to compare.`,
      said: { key: 'drift.untested.fewTraining', values: { count: r, needed: DRIFT_MIN_REFERENCE } },
      ...counts,
    };
  }
  if (c < DRIFT_MIN_CURRENT) {
    return {
      test: 'none',
      reason: 'too_few_rows',
      message: `Not enough predictions yet to compare: ${c} of the ${DRIFT_MIN_CURRENT} needed.`,
      said: { key: 'drift.untested.fewRecent', values: { count: c, needed: DRIFT_MIN_CURRENT } },
      ...counts,
    };
  }
  return null;
}

/** Counts per category key over the union of both sides' keys, in one order for both. */
function categoryCounts<K>(reference: K[], current: K[]): { keys: K[]; ref: number[]; cur: number[] } {
  const index = new Map<K, number>();
  for (const v of [...reference, ...current]) if (!index.has(v)) index.set(v, index.size);
  const ref = new Array<number>(index.size).fill(0);
  const cur = new Array<number>(index.size).fill(0);
  for (const v of reference) ref[index.get(v)!]++;
  for (const v of current) cur[index.get(v)!]++;
  return { keys: [...index.keys()], ref, cur };
}

const shares = (counts: number[], n: number) => counts.map((c) => c / n);

function result(test: DriftTest, statistic: number, pvalue: number | undefined, distinct: number, counts: DriftCounts): TestedDrift {
  const threshold = DRIFT_THRESHOLDS[test];
  // Evidently: KS drifts at p <= threshold, chi-square and Z at p < threshold, distances at >= threshold.
  const drifted = pvalue === undefined ? statistic >= threshold : test === 'ks' ? pvalue <= threshold : pvalue < threshold;
  return { test, statistic, ...(pvalue === undefined ? {} : { pvalue }), threshold, drifted, distinct, ...counts };
}

/** Evidently's `_chi_stat_test` (expected = reference counts x current size / reference size) or, for at most two categories, `_z_stat_test`. */
function categoricalTest<K extends string | number>(reference: K[], current: K[], distinct: number, counts: DriftCounts): TestedDrift {
  const { keys, ref, cur } = categoryCounts(reference, current);
  if (distinct > 2) {
    const k = current.length / reference.length;
    const r = chiSquare(
      cur,
      ref.map((c) => c * k),
    );
    return result('chi_square', r.statistic, r.pvalue, distinct, counts);
  }
  if (distinct === 1) return result('z_test', 0, 1, distinct, counts);
  // Evidently maps the first key in sorted order to 0 and the other to 1.
  const sorted = [...keys].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  const other = keys.indexOf(sorted[1]);
  const z = twoProportionZTest(ref[other], reference.length, cur[other], current.length);
  return result('z_test', z.statistic, z.pvalue, distinct, counts);
}

/** Jensen-Shannon distance (base 2) as Evidently bins it: Sturges bins over both samples pooled when the reference has more than 20 distinct numbers, category shares otherwise. */
function jensenShannonTest<K extends string | number>(reference: K[], current: K[], numeric: boolean, distinct: number, counts: DriftCounts): TestedDrift {
  let p: number[];
  let q: number[];
  if (numeric && new Set(reference).size > 20) {
    const ref = reference as number[];
    const cur = current as number[];
    const edges = histogramEdges([...ref, ...cur], 'sturges');
    p = shares(histogram(ref, edges), ref.length);
    q = shares(histogram(cur, edges), cur.length);
  } else {
    const c = categoryCounts(reference, current);
    p = shares(c.ref, reference.length);
    q = shares(c.cur, current.length);
  }
  return result('jensen_shannon', jensenShannon(p, q, 2), undefined, distinct, counts);
}

/**
 * Whether one column drifted, by Evidently's default choice of test (`_get_default_stattest`).
 * Missing values are dropped first and counted (for a numeric column, so is anything that is not
 * a finite number, as Evidently drops infinities); distinct values are counted over reference and
 * current together. With a reference of at most 1000 values: a numeric column with more than 5
 * distinct values gets the two-sample Kolmogorov-Smirnov test (scipy's ks_2samp; drift when
 * p <= 0.05, Evidently's comparison for KS); a categorical column, or a numeric one with at most 5
 * distinct values, gets the chi-square goodness-of-fit test of the current counts against the
 * reference shares times the current size when there are more than 2 categories, else the
 * two-proportion Z-test (p = 1 when both sides hold the same single value); drift when p < 0.05.
 * With a larger reference: the Wasserstein distance divided by max(std(reference, ddof 0), 0.001)
 * for a numeric column with more than 5 distinct values, else the Jensen-Shannon distance (base 2)
 * of the category shares; drift at >= 0.1. method 'psi' uses Outpost's PSI instead (reference
 * deciles for numbers, category shares otherwise; drift at >= 0.1), and 'jensen_shannon' the
 * Jensen-Shannon distance with Evidently's binning (Sturges bins over the pooled values when the
 * reference has more than 20 distinct numbers). A column with one value on both sides is never
 * NaN: every test reports it as no drift with statistic 0.
 *
 * Too few values are reported, not guessed at: at least 5 current values and 2 reference values
 * are needed. Below 5, chance decides: with 4 against 4 even two samples that do not overlap give a
 * KS p-value of only 0.029, one unusual value swings a chi-square test, and the chi-square
 * approximation is commonly trusted only from about 5 expected counts per category. Two reference
 * values are the fewest that have a spread (a standard deviation, deciles).
 */
export function columnDrift(reference: readonly DriftValue[], current: readonly DriftValue[], opts: DriftOptions): DriftResult {
  const numeric = opts.kind === 'numeric';
  const clean = (values: readonly DriftValue[]) => {
    const kept: (number | string)[] = [];
    for (const v of values) {
      if (isMissing(v)) continue;
      if (numeric) {
        const x = toNumber(v);
        if (x !== null) kept.push(x);
      } else {
        kept.push(typeof v === 'number' ? String(v) : String(v).trim());
      }
    }
    return kept;
  };
  const ref = clean(reference);
  const cur = clean(current);
  const counts: DriftCounts = {
    referenceRows: ref.length,
    currentRows: cur.length,
    referenceMissing: reference.length - ref.length,
    currentMissing: current.length - cur.length,
  };
  const none = untested(counts);
  if (none) return none;
  const distinct = new Set([...ref, ...cur]).size;
  const method = opts.method ?? 'auto';
  if (method === 'psi') {
    if (numeric) return result('psi', psi(ref as number[], cur as number[]), undefined, distinct, counts);
    const c = categoryCounts(ref, cur);
    return result('psi', psiFromCounts(c.ref, c.cur), undefined, distinct, counts);
  }
  if (method === 'jensen_shannon') return jensenShannonTest(ref, cur, numeric, distinct, counts);
  const continuous = numeric && distinct > DRIFT_MAX_CATEGORY_LIKE_DISTINCT;
  if (ref.length <= DRIFT_TEST_MAX_REFERENCE) {
    if (continuous) {
      const r = ks2samp(ref as number[], cur as number[]);
      return result('ks', r.statistic, r.pvalue, distinct, counts);
    }
    return categoricalTest(ref, cur, distinct, counts);
  }
  if (continuous) {
    const w = wasserstein(ref as number[], cur as number[]) / Math.max(std(ref as number[]), 0.001);
    return result('wasserstein', w, undefined, distinct, counts);
  }
  return jensenShannonTest(ref, cur, false, distinct, counts);
}

/**
 * The dataset verdict, as Evidently's `get_dataset_drift` with drift_share 0.5: drifted when the
 * share of drifted columns among the tested ones is at least `share`. Columns that could not be
 * tested (test 'none') are left out of both counts; with no tested column the dataset is not
 * drifted and `message` says why.
 */
export function datasetDrift(
  results: readonly DriftResult[],
  share = 0.5,
): { drifted: boolean; driftedColumns: number; testedColumns: number; share: number; message?: string; said?: Said<DatasetDriftKey> } {
  const tested = results.filter((r): r is TestedDrift => r.test !== 'none');
  const driftedColumns = tested.filter((r) => r.drifted).length;
  if (tested.length === 0) {
    return {
      drifted: false,
      driftedColumns: 0,
      testedColumns: 0,
      share,
      message: 'No column has enough values to test for drift yet, so there is no verdict.',
      said: { key: 'monitor.detail.noVerdict' },
    };
  }
  return { drifted: driftedColumns / tested.length >= share, driftedColumns, testedColumns: tested.length, share };
}
