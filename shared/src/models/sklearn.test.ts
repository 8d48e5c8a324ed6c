import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { inferColumns } from '../data/columns.js';
import { decodeRegression, encodeTarget, featureWidth, fitPipeline, transformRows } from '../features/pipeline.js';
import { fitRidge, linearOutputs, logisticSteps, type LinearFit } from './linear.js';
import { fitForest, predictForest } from './forest.js';
import { r2 } from '../metrics/regression.js';

// Outpost's linear models and forest against scikit-learn 1.2 on the sample files, on the split
// and standardisation that fixtures/make-sklearn-reference.py describes (it wrote the vectors).
const ref = JSON.parse(readFileSync(new URL('./fixtures/sklearn-reference.json', import.meta.url), 'utf8'));

function sample(name: string, target: string, nTrain: number) {
  const [head, ...lines] = readFileSync(new URL(`../../../public/samples/${name}.csv`, import.meta.url), 'utf8').trim().split('\n');
  const names = head.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
  const task = name === 'diabetes' ? 'regression' : 'classification';
  const train = rows.slice(0, nTrain);
  const test = rows.slice(nTrain);
  const p = fitPipeline(train, names.filter((n) => n !== target), inferColumns(rows, names), target, task);
  const set = (rs: typeof rows) => ({ x: transformRows(p, rs), y: rs.map((r) => encodeTarget(p, r)!) });
  return { p, width: featureWidth(p), train: set(train), test: set(test) };
}

function finish(g: Generator<LinearFit, LinearFit>): LinearFit {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

describe('against scikit-learn', () => {
  const bc = sample('breast_cancer', 'diagnosis', 455);
  const db = sample('diabetes', 'progression', 355);

  it('logistic regression (l2 = 1) gives LogisticRegression(C=1)’s probabilities to 1e-4 and its accuracy', () => {
    expect(bc.p.target.kind === 'categorical' && bc.p.target.labels).toEqual(ref.breast_cancer.labels);
    const fit = finish(logisticSteps({ ...bc.train, width: bc.width, k: 2 }, 1));
    expect(fit.converged).toBe(true);
    const out = linearOutputs(fit, bc.test.x, bc.test.y.length, true);
    const want: number[] = ref.breast_cancer.logistic_probabilities;
    want.forEach((p, i) => expect(Math.abs(out[i * 2 + 1] - p)).toBeLessThan(1e-4));
    const hits = bc.test.y.filter((t, i) => (out[i * 2 + 1] >= 0.5 ? 1 : 0) === t).length;
    expect(hits / bc.test.y.length).toBe(ref.breast_cancer.logistic_accuracy);
  });

  it('ridge regression (l2 = 1) gives Ridge(alpha=1)’s predictions to 1e-7 of their size (the pipeline’s features are float32)', () => {
    const fit = fitRidge({ ...db.train, width: db.width, k: 1 }, 1);
    const out = Array.from(linearOutputs(fit, db.test.x, db.test.y.length, false), (v) => decodeRegression(db.p, v));
    const want: number[] = ref.diabetes.ridge_predictions;
    want.forEach((v, i) => expect(Math.abs(out[i] - v)).toBeLessThan(1e-7 * Math.abs(v)));
  });

  it('the forest scores within a few points of RandomForestClassifier/Regressor of the same size (other random draws)', () => {
    const cls = fitForest({ ...bc.train, width: bc.width, k: 2, task: 'classification' }, { trees: 50, maxDepth: 8, minLeaf: 1, seed: 42 });
    const out = predictForest(cls, bc.test.x, bc.test.y.length);
    const acc = bc.test.y.filter((t, i) => (out[i * 2 + 1] > out[i * 2] ? 1 : 0) === t).length / bc.test.y.length;
    expect(Math.abs(acc - ref.breast_cancer.forest_accuracy)).toBeLessThanOrEqual(0.03);
    const reg = fitForest({ ...db.train, width: db.width, k: 1, task: 'regression' }, { trees: 50, maxDepth: 8, minLeaf: 1, seed: 42 });
    const yHat = Array.from(predictForest(reg, db.test.x, db.test.y.length), (v) => decodeRegression(db.p, v));
    const score = r2(db.test.y.map((t) => decodeRegression(db.p, t)), yHat);
    // A forest of 50 regression trees moves by several points of R² from one random draw to another.
    expect(Math.abs(score - ref.diabetes.forest_r2)).toBeLessThanOrEqual(0.08);
    console.log(`breast cancer: forest accuracy ${acc.toFixed(4)} (scikit-learn ${ref.breast_cancer.forest_accuracy.toFixed(4)}); diabetes: forest R² ${score.toFixed(4)} (scikit-learn ${ref.diabetes.forest_r2.toFixed(4)})`);
  });
});
