// Outpost's statistics library: each function names the reference it matches (scipy 1.10.1,
// scikit-learn 1.2.1, numpy 1.24, Evidently, AI Fairness 360) in its doc comment, and its tests
// compare it with vectors that reference generated (fixtures/make-vectors.py, fixtures/vectors.json).
export { normalCdf, normalSf, chi2Sf, chi2Cdf, kstwoSf, kstwoCdf } from './distributions.js';
export { igam, igamc } from './igam.js';
export { erf, erfc, ndtr, lgam } from './special.js';
export { ks2samp, KS_MAX_AUTO_N, type KsResult } from './ks.js';
export { wasserstein, jensenShannon } from './distance.js';
export { histogramEdges, histogram, binIndex, linspace } from './histogram.js';
export { quantile, quantileSorted, psiEdges, psi, psiFromCounts, PSI_ZERO_SHARE } from './psi.js';
export { chiSquare, chi2Contingency, type ChiSquareResult, type Chi2ContingencyResult } from './chi2.js';
export { twoProportionZTest, type ZTestResult } from './ztest.js';
export { fairness, fairnessCounts, fairnessFromCounts, type FairnessMetrics, type FairnessOptions, type GroupCounts } from './fairness.js';
export { averagePrecision, brierScore } from './scores.js';
export { pairwiseSum } from './numeric.js';
export { mean, std } from './moments.js';
// Text metrics (sacrebleu 2.6.0's BLEU and chrF, rouge-score's ROUGE, CER/WER, perplexity) and
// agreement (scikit-learn's Cohen's kappa, statsmodels' Fleiss' kappa, a seeded percentile bootstrap).
export { corpusBleu, bleuFromCounts, type BleuOptions, type BleuResult, type BleuSmoothing } from './text/bleu.js';
export { corpusChrf, type ChrfOptions, type ChrfResult } from './text/chrf.js';
export { tokenize13a, tokenizeIntl, tokenizeForBleu, type BleuTokenizer } from './text/sacrebleu-tokenizers.js';
export { rouge, rougeN, rougeL, rougeTokenize, type RougeScore, type RougeResult } from './text/rouge.js';
export { levenshtein, cer, wer } from './text/edit-distance.js';
export { perplexity } from './text/perplexity.js';
export { cohensKappa, fleissKappa, bootstrapCi, type BootstrapCiOptions, type BootstrapCiResult, type IndexStatistic } from './agreement.js';
