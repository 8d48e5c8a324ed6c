import type { RunSplit, TrainParams } from '../schema/records.js';
import { isMissing, type Row } from './columns.js';
import { sha256Hex } from './hash.js';
import { randomSplit, stratifiedSplit } from './split.js';

export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}

type SplitParams = Pick<TrainParams, 'task' | 'target' | 'validationFraction' | 'testFraction' | 'seed'>;

function seededSplit(rows: Row[], idx: number[], params: SplitParams, share: number, seed: number) {
  return params.task === 'classification'
    ? stratifiedSplit(
        idx.map((i) => String(rows[i][params.target]).trim()),
        share,
        seed,
      )
    : randomSplit(idx.length, share, seed);
}

/**
 * Which of a version's rows (their positions, sorted) a run trained, validated and tested on:
 * exactly the rows that holdOutTest then splitRows (split.ts) give training, as positions in the
 * version instead of copies. Rows without a target value are in none of the three. Recomputing
 * from the same rows and parameters gives the same lists, so a run keeps only `RunSplit` (counts
 * and a hash of the lists) rather than the lists themselves.
 */
export function splitIndices(rows: Row[], params: SplitParams): SplitIndices {
  const usable: number[] = [];
  rows.forEach((r, i) => {
    if (!isMissing(r[params.target])) usable.push(i);
  });
  const share = params.testFraction ?? 0;
  let rest = usable;
  let test: number[] = [];
  if (share > 0) {
    const held = seededSplit(rows, usable, params, share, (params.seed ^ 0x7e57) >>> 0);
    rest = held.train.map((i) => usable[i]);
    test = held.validation.map((i) => usable[i]);
  }
  const s = seededSplit(rows, rest, params, params.validationFraction, params.seed);
  const sorted = (a: number[]) => a.sort((x, y) => x - y);
  return { train: sorted(s.train.map((i) => rest[i])), validation: sorted(s.validation.map((i) => rest[i])), test: sorted(test) };
}

/** SHA-256 of the three index lists as JSON ({"train":[…],"validation":[…],"test":[…]}). */
export async function splitHash(s: SplitIndices): Promise<string> {
  return sha256Hex(new TextEncoder().encode(JSON.stringify({ train: s.train, validation: s.validation, test: s.test })));
}

/** What a run records of its split. */
export async function runSplit(rows: Row[], params: SplitParams): Promise<RunSplit> {
  const s = splitIndices(rows, params);
  return { method: 'outpost-split-1', train: s.train.length, validation: s.validation.length, test: s.test.length, indexHash: await splitHash(s) };
}

/**
 * The split of a run recomputed from its version's rows, or undefined when the rows are not the
 * ones it trained on (their hash differs from what the run recorded): a person is never shown
 * rows as "trained on" that were not.
 */
export async function recomputeSplit(rows: Row[], params: SplitParams, recorded: RunSplit): Promise<SplitIndices | undefined> {
  const s = splitIndices(rows, params);
  return (await splitHash(s)) === recorded.indexHash ? s : undefined;
}
