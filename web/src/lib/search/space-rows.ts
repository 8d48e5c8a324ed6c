import type { SearchParam } from '@shared/search/space.js';
import { defaultSpace, SEARCHABLE, type Searchable } from '@shared/study/trials.js';

/** One setting's row on the search form: whether to try values for it, and over which range. */
export interface SpaceRow {
  name: Searchable;
  on: boolean;
  low: number;
  high: number;
  log: boolean;
  /** Whole numbers only (rows per step, rounds, layers, size). */
  int: boolean;
}

/** The form's rows: the default space ticked, the rounds of learning offered but not ticked. */
export function defaultRows(): SpaceRow[] {
  const space = defaultSpace();
  return SEARCHABLE.map((name) => {
    const p = space.find((s) => s.name === name);
    if (p && p.kind !== 'choice') return { name, on: true, low: p.low, high: p.high, log: p.log ?? false, int: p.kind === 'int' };
    return { name, on: false, low: 10, high: 100, log: false, int: true };
  });
}

/** The space the ticked rows describe (whole-number settings as the whole numbers inside the range typed). */
export function rowsToSpace(rows: SpaceRow[]): SearchParam[] {
  return rows
    .filter((r) => r.on)
    .map((r) =>
      r.int
        ? { name: r.name, kind: 'int' as const, low: Math.ceil(Number(r.low)), high: Math.floor(Number(r.high)), ...(r.log ? { log: true } : {}) }
        : { name: r.name, kind: 'float' as const, low: Number(r.low), high: Number(r.high), ...(r.log ? { log: true } : {}) },
    );
}
