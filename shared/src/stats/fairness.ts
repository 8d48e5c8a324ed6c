// Group fairness metrics with AI Fairness 360's formulas (aif360.metrics.ClassificationMetric).

/** Confusion counts of one group for the favourable label: rows, predicted favourable, truly favourable, and the true and false positives among them. */
export interface GroupCounts {
  n: number;
  predFav: number;
  trueFav: number;
  tp: number;
  fp: number;
}

/** The four AIF360 group-fairness figures (unprivileged compared with privileged). */
export interface FairnessMetrics {
  disparateImpact: number;
  statisticalParityDifference: number;
  equalOpportunityDifference: number;
  averageOddsDifference: number;
}

/** What `fairness` compares: the group value that is privileged and the label that is favourable. */
export interface FairnessOptions {
  privileged: string | number;
  favourable: string | number;
}

/**
 * AIF360's group fairness from per-group counts, with "positive" meaning the favourable label:
 * selection rate S = predFav/n, TPR = tp/trueFav, FPR = fp/(n - trueFav);
 * disparate impact = S(u)/S(p), statistical parity difference = S(u) - S(p),
 * equal opportunity difference = TPR(u) - TPR(p), average odds difference =
 * ((FPR(u) - FPR(p)) + (TPR(u) - TPR(p)))/2. A rate with nothing to count (a group without rows,
 * without truly favourable rows, or without other rows) is NaN, and so is every figure that uses
 * it; nothing throws. As in AIF360 (numpy division), disparate impact is +Infinity when only the
 * privileged selection rate is 0. Counts are plain sums, so the counts of many devices added up
 * give exactly the figures of all their rows together.
 */
export function fairnessFromCounts(counts: { privileged: GroupCounts; unprivileged: GroupCounts }): FairnessMetrics {
  const p = counts.privileged;
  const u = counts.unprivileged;
  // A count over a count of zero is 0/0, NaN, which every figure that uses it carries on.
  const rate = (a: number, b: number) => a / b;
  const selU = rate(u.predFav, u.n);
  const selP = rate(p.predFav, p.n);
  const tprU = rate(u.tp, u.trueFav);
  const tprP = rate(p.tp, p.trueFav);
  const fprU = rate(u.fp, u.n - u.trueFav);
  const fprP = rate(p.fp, p.n - p.trueFav);
  return {
    disparateImpact: selU / selP,
    statisticalParityDifference: selU - selP,
    equalOpportunityDifference: tprU - tprP,
    averageOddsDifference: (fprU - fprP + (tprU - tprP)) / 2,
  };
}

/** Counts each group's rows for fairnessFromCounts: rows whose group is `privileged` against all others. */
export function fairnessCounts(
  yTrue: readonly (string | number)[],
  yPred: readonly (string | number)[],
  group: readonly (string | number)[],
  opts: FairnessOptions,
): { privileged: GroupCounts; unprivileged: GroupCounts } {
  if (yTrue.length !== yPred.length || yTrue.length !== group.length) {
    throw new RangeError(`Fairness needs one truth, one prediction and one group per row (${yTrue.length}, ${yPred.length}, ${group.length}).`);
  }
  const privileged = { n: 0, predFav: 0, trueFav: 0, tp: 0, fp: 0 };
  const unprivileged = { n: 0, predFav: 0, trueFav: 0, tp: 0, fp: 0 };
  for (let i = 0; i < yTrue.length; i++) {
    const c = group[i] === opts.privileged ? privileged : unprivileged;
    const t = yTrue[i] === opts.favourable;
    const y = yPred[i] === opts.favourable;
    c.n++;
    if (y) c.predFav++;
    if (t) c.trueFav++;
    if (t && y) c.tp++;
    if (!t && y) c.fp++;
  }
  return { privileged, unprivileged };
}

/**
 * AIF360's disparate impact, statistical parity difference, equal opportunity difference and
 * average odds difference for one privileged group value against every other value (see
 * fairnessFromCounts for the formulas and the NaN cases). Labels and groups are compared with ===,
 * so 1 and '1' differ: pass them in one type. Throws a RangeError when the lists differ in length.
 */
export function fairness(
  yTrue: readonly (string | number)[],
  yPred: readonly (string | number)[],
  group: readonly (string | number)[],
  opts: FairnessOptions,
): FairnessMetrics {
  return fairnessFromCounts(fairnessCounts(yTrue, yPred, group, opts));
}
