/**
 * Area under the ROC curve for binary labels (0/1) and scores (scikit-learn `roc_auc_score`),
 * computed as the Mann–Whitney U statistic with tied scores counted as one half:
 * AUC = (sum of ranks of positives - n+(n+ + 1)/2) / (n+ n-), using average ranks for ties.
 */
export function rocAuc(yTrue: number[], scores: number[]): number {
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = avg;
    i = j + 1;
  }
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (yTrue[i] === 1) {
      pos++;
      rankSum += ranks[i];
    }
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
