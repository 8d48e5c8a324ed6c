import type { TrainParams } from '../schema/records.js';
import { OutpostError } from '../errors.js';
import { isMissing, type Row } from './columns.js';
import { mulberry32, shuffleInPlace } from './random.js';

export interface Split {
  train: number[];
  validation: number[];
}

/**
 * Seeded stratified train/validation split of row indices: within each class the rows are
 * shuffled and round(fraction x class size) go to validation (at least one when the class has two
 * or more rows, and never all of a class), so every class keeps its share, as scikit-learn's
 * `train_test_split(stratify=...)` aims to. Classes are visited in sorted order so the result
 * depends only on the labels and the seed. Both index lists are returned sorted.
 */
export function stratifiedSplit(labels: (string | number)[], validationFraction: number, seed: number): Split {
  const rng = mulberry32(seed);
  const byClass = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const k = String(l);
    const list = byClass.get(k);
    if (list) list.push(i);
    else byClass.set(k, [i]);
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (const key of [...byClass.keys()].sort()) {
    const idx = shuffleInPlace(byClass.get(key)!, rng);
    let nVal = Math.round(idx.length * validationFraction);
    if (idx.length >= 2) nVal = Math.min(Math.max(nVal, validationFraction > 0 ? 1 : 0), idx.length - 1);
    else nVal = 0;
    validation.push(...idx.slice(0, nVal));
    train.push(...idx.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/** Seeded random split of `n` row indices: round(fraction x n) rows (at least one) to validation. */
export function randomSplit(n: number, validationFraction: number, seed: number): Split {
  const idx = shuffleInPlace(Array.from({ length: n }, (_, i) => i), mulberry32(seed));
  const nVal = n >= 2 ? Math.min(Math.max(Math.round(n * validationFraction), 1), n - 1) : 0;
  return { validation: idx.slice(0, nVal).sort((a, b) => a - b), train: idx.slice(nVal).sort((a, b) => a - b) };
}

/**
 * The seeded split used by training: rows without a target value are left out, then a
 * stratified split (classification) or a random split (regression). Exported so a caller can
 * tell which rows a run validated on.
 */
export function splitRows(rows: Row[], params: Pick<TrainParams, 'task' | 'target' | 'validationFraction' | 'seed'>): { train: Row[]; validation: Row[] } {
  const usable = rows.filter((r) => !isMissing(r[params.target]));
  if (usable.length < 4) throw new OutpostError('dataset_invalid', `Only ${usable.length} rows have a value for “${params.target}”; add more rows.`);
  const split =
    params.task === 'classification'
      ? stratifiedSplit(
          usable.map((r) => String(r[params.target]).trim()),
          params.validationFraction,
          params.seed,
        )
      : randomSplit(usable.length, params.validationFraction, params.seed);
  return { train: split.train.map((i) => usable[i]), validation: split.validation.map((i) => usable[i]) };
}

/**
 * Hold the test rows apart before anything else (a seeded split of the rows with a target value,
 * stratified for classification, drawn with a seed of its own so it does not depend on the
 * validation split): training and validation then use only `rest`. No test share (runs made before
 * test splits existed) holds out nothing.
 */
export function holdOutTest(
  rows: Row[],
  params: Pick<TrainParams, 'task' | 'target' | 'testFraction' | 'seed'>,
): { rest: Row[]; test: Row[] } {
  const share = params.testFraction ?? 0;
  if (share <= 0) return { rest: rows, test: [] };
  const usable = rows.filter((r) => !isMissing(r[params.target]));
  const seed = (params.seed ^ 0x7e57) >>> 0;
  const split =
    params.task === 'classification'
      ? stratifiedSplit(
          usable.map((r) => String(r[params.target]).trim()),
          share,
          seed,
        )
      : randomSplit(usable.length, share, seed);
  return { rest: split.train.map((i) => usable[i]), test: split.validation.map((i) => usable[i]) };
}
