import type { ModelFamily, TrainParams } from '@shared/schema/records.js';
import type { SearchParam } from '@shared/search/space.js';
import { FAMILIES, SETTING_FAMILIES, spaceFamilies } from '@shared/study/families.js';
import { defaultSpace, SEARCHABLE, SETTING_LIMITS, type Searchable } from '@shared/study/trials.js';

type Numeric = Exclude<Searchable, 'family'>;

/** One setting's row on the search form: whether to try values for it, and over which range. */
export interface SpaceRow {
  name: Numeric;
  on: boolean;
  low: number;
  high: number;
  log: boolean;
  /** Whole numbers only (rows per step, rounds, layers, size, trees, depth, leaf size). */
  int: boolean;
}

/** The kind-of-model row: whether the search chooses the kind, and among which kinds. */
export interface FamilyRow {
  on: boolean;
  picked: Record<ModelFamily, boolean>;
}

// Ranges offered for the settings the default space leaves out: rounds 10 to 100; a penalty from
// a thousandth to 100 (log, around scikit-learn's 1); 10 to 200 trees (log), 2 to 16 questions
// deep, leaves of 1 to 20 rows (log), around FOREST_DEFAULTS.
const OFFERED: Partial<Record<Numeric, Omit<SpaceRow, 'name' | 'int'>>> = {
  epochs: { on: false, low: 10, high: 100, log: false },
  l2: { on: true, low: 1e-3, high: 100, log: true },
  trees: { on: true, low: 10, high: 200, log: true },
  maxDepth: { on: true, low: 2, high: 16, log: false },
  minLeaf: { on: false, low: 1, high: 20, log: true },
};

/** The form's rows: the default space ticked, the other kinds' main settings ticked, rounds and leaf size offered but not ticked. */
export function defaultRows(): SpaceRow[] {
  const space = defaultSpace();
  return SEARCHABLE.filter((n): n is Numeric => n !== 'family').map((name) => {
    const int = SETTING_LIMITS[name].int;
    const p = space.find((s) => s.name === name);
    if (p && p.kind !== 'choice') return { name, on: true, low: p.low, high: p.high, log: p.log ?? false, int };
    return { name, int, ...(OFFERED[name] ?? { on: false, low: 1, high: 10, log: false }) };
  });
}

/** Not choosing the kind by default: the search tries the Train form's kind; ticking offers all three. */
export const defaultFamilies = (): FamilyRow => ({ on: false, picked: { network: true, linear: true, forest: true } });

const familyParam = (f: FamilyRow): SearchParam[] => (f.on ? [{ name: 'family', kind: 'choice', choices: FAMILIES.filter((x) => f.picked[x]) }] : []);

/** The rows of the kinds of model the search can try (the others' settings would change nothing). */
export function shownRows(rows: SpaceRow[], families: FamilyRow, base: Pick<TrainParams, 'family'>): SpaceRow[] {
  const kinds = spaceFamilies(familyParam(families), base);
  return rows.filter((r) => SETTING_FAMILIES[r.name].some((f) => kinds.includes(f)));
}

/**
 * The space the form describes: the kind of model first when the search chooses it, then the
 * ticked rows of the kinds it can try (whole-number settings as the whole numbers inside the range typed).
 */
export function rowsToSpace(rows: SpaceRow[], families: FamilyRow, base: Pick<TrainParams, 'family'>): SearchParam[] {
  return [
    ...familyParam(families),
    ...shownRows(rows, families, base)
      .filter((r) => r.on)
      .map((r) =>
        r.int
          ? { name: r.name, kind: 'int' as const, low: Math.ceil(Number(r.low)), high: Math.floor(Number(r.high)), ...(r.log ? { log: true } : {}) }
          : { name: r.name, kind: 'float' as const, low: Number(r.low), high: Number(r.high), ...(r.log ? { log: true } : {}) },
      ),
  ];
}
