import { isMissing, type Row } from '../data/columns.js';
import { agreement, decideAll, type Agreement, type Decision } from './decide.js';
import type { Label } from './label.js';

/** One item waiting for a person's label: the first row that is it, and how many rows are it. */
export interface QueueItem {
  item: string;
  index: number;
  rows: number;
}

/** A decided label that differs from what the current version's rows hold. */
export interface LabelChange {
  index: number;
  value: string;
}

export interface LabelView {
  /** Items without a label in the column that this person has not labelled yet, in row order. */
  queue: QueueItem[];
  /** Every labelled item of the current rows, decided (decide.ts). */
  decisions: Decision[];
  agreement: Agreement;
  /** Items of the current rows whose labellers disagree (a majority decides some of them), for review. */
  conflicts: Decision[];
  /** Labelled items no row of the current version is (removed, or changed, elsewhere): shown, never written. */
  gone: Decision[];
  /** The rows the decided labels would change: one dataset version makes them all. */
  changes: LabelChange[];
  /** Items that changes would label. */
  changedItems: number;
  /** Labels to offer: the dataset's own (photos), the column's values, then labels people gave. */
  choices: string[];
}

const cellText = (v: Row[string]): string | null => (isMissing(v) ? null : String(v));

/**
 * What the labeling screen shows for one dataset column, from the current version's rows, their
 * item keys (items.ts) and every label record of the dataset: pure, so every device with the
 * same records shows the same decisions, agreement and conflicts. `me` is the labeller's id.
 * Labels for an item no current row is are listed in `gone` and never become a change, so a label
 * can never land on another row.
 */
export function labelView(opts: {
  rows: readonly Row[];
  keys: readonly string[];
  column: string;
  labels: readonly Label[];
  me: string;
  offered?: readonly string[];
}): LabelView {
  const { rows, keys, column, me } = opts;
  const labels = opts.labels.filter((l) => l.column === column);
  const mine = new Set(labels.filter((l) => l.by === me && !l.review).map((l) => l.item));
  const present = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const at = present.get(k);
    if (at) at.push(i);
    else present.set(k, [i]);
  });
  const all = decideAll(labels);
  const decisions = all.filter((d) => present.has(d.item));
  const gone = all.filter((d) => !present.has(d.item));
  const queue: QueueItem[] = [];
  for (const [item, at] of present) {
    if (mine.has(item) || at.every((i) => cellText(rows[i][column]) !== null)) continue;
    queue.push({ item, index: at[0], rows: at.length });
  }
  queue.sort((a, b) => a.index - b.index);
  const changes: LabelChange[] = [];
  let changedItems = 0;
  for (const d of decisions) {
    if (d.value === null) continue;
    const at = present.get(d.item)!.filter((i) => cellText(rows[i][column]) !== d.value);
    if (at.length) changedItems++;
    for (const index of at) changes.push({ index, value: d.value });
  }
  changes.sort((a, b) => a.index - b.index);
  const choices: string[] = [];
  const offer = (v: string | null) => {
    if (v !== null && v.trim() && !choices.includes(v.trim()) && choices.length < 24) choices.push(v.trim());
  };
  for (const v of opts.offered ?? []) offer(v);
  for (const r of rows) offer(cellText(r[column]));
  for (const l of labels) offer(l.value);
  return {
    queue,
    decisions,
    agreement: agreement(decisions),
    conflicts: decisions.filter((d) => new Set(d.votes.map((v) => v.value)).size > 1),
    gone,
    changes,
    changedItems,
    choices,
  };
}
