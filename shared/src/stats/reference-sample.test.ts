import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { averagePrecision, brierScore, chi2Contingency, fairness, histogram, histogramEdges, jensenShannon, ks2samp, psi, std, wasserstein } from './index.js';

// The worked cases of the reference-metrics sample (shared/src/metrics/fixtures, computed with
// scipy 1.18.1, numpy 2.5.2 and scikit-learn 1.9.1). Agreement to 1e-9 relative for statistics and
// 1e-7 relative for p-values. Two values differ from Debian's scipy 1.10.1 / scikit-learn 1.2.1 by
// rounding alone: scipy 1.18 reports the KS statistic as the raw difference of the two ECDFs while
// 1.10 reports h / lcm(n1, n2) (1.4e-17 apart here), and 1.18 sums the Wasserstein integral with
// np.vecdot rather than np.sum (2.8e-17); the Brier score differs by 2.8e-17 between scikit-learn
// 1.2.1 and 1.9.1.
const ref = JSON.parse(readFileSync(new URL('../metrics/fixtures/reference-metrics-sample.json', import.meta.url), 'utf8')).cases;
const near = (actual: number, expected: number, rtol: number) => Math.abs(actual - expected) <= rtol * Math.abs(expected) + 1e-300;

describe('the reference-metrics sample: drift', () => {
  const c = ref.drift[0];
  const pooled = [...c.reference, ...c.current];

  it('Kolmogorov-Smirnov statistic and p-value', () => {
    const r = ks2samp(c.reference, c.current);
    expect(near(r.statistic, c.ks_statistic, 1e-9)).toBe(true);
    expect(near(r.pvalue, c.ks_pvalue, 1e-7)).toBe(true);
  });

  it('Wasserstein distance, raw and divided by the reference standard deviation', () => {
    const w = wasserstein(c.reference, c.current);
    expect(near(w, c.wasserstein, 1e-9)).toBe(true);
    expect(near(w / Math.max(std(c.reference), 0.001), c.wasserstein_norm, 1e-9)).toBe(true);
  });

  it('Sturges edges over the pooled values, both histograms, and the Jensen-Shannon distance in base 2', () => {
    const edges = histogramEdges(pooled, 'sturges');
    expect(edges.length).toBe(c.hist_edges_sturges.length);
    edges.forEach((e, i) => expect(near(e, c.hist_edges_sturges[i], 1e-9)).toBe(true));
    const hr = histogram(c.reference, edges);
    const hc = histogram(c.current, edges);
    expect(hr).toEqual(c.hist_reference);
    expect(hc).toEqual(c.hist_current);
    expect(near(jensenShannon(hr, hc, 2), c.jensenshannon_base2, 1e-9)).toBe(true);
  });

  it('PSI over ten reference-quantile bins', () => {
    expect(near(psi(c.reference, c.current), c.psi_10_quantile_bins, 1e-9)).toBe(true);
  });

  it('chi-square test of the category counts', () => {
    const categories = [...new Set([...c.categorical_reference, ...c.categorical_current])].sort((a, b) => a - b);
    const table = [c.categorical_reference, c.categorical_current].map((xs: number[]) => categories.map((k) => xs.filter((x) => x === k).length));
    expect(table).toEqual(c.chi2_contingency_table);
    const r = chi2Contingency(table);
    expect(r.dof).toBe(c.chi2_dof);
    expect(near(r.statistic, c.chi2_statistic, 1e-9)).toBe(true);
    expect(near(r.pvalue, c.chi2_pvalue, 1e-7)).toBe(true);
  });
});

describe('the reference-metrics sample: fairness and binary scores', () => {
  it('AIF360 figures', () => {
    const f = ref.fairness[0];
    const r = fairness(f.y_true, f.y_pred, f.group, { privileged: f.privileged_value, favourable: f.favourable_label });
    expect(near(r.disparateImpact, f.disparate_impact, 1e-9)).toBe(true);
    expect(near(r.statisticalParityDifference, f.statistical_parity_difference, 1e-9)).toBe(true);
    expect(near(r.equalOpportunityDifference, f.equal_opportunity_difference, 1e-9)).toBe(true);
    expect(near(r.averageOddsDifference, f.average_odds_difference, 1e-9)).toBe(true);
  });

  it('average precision and Brier score', () => {
    const b = ref.classification_binary[0];
    expect(near(averagePrecision(b.y_true, b.y_score), b.average_precision, 1e-9)).toBe(true);
    expect(near(brierScore(b.y_true, b.y_score), b.brier, 1e-9)).toBe(true);
  });
});
