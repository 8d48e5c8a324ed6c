import { cohensKappa, fleissKappa } from '../stats/agreement.js';
import type { Label } from './label.js';

/**
 * How the labels of one item become the dataset's label (docs/labels.md), recomputed the same way
 * on every device from the append-only records, whatever order they arrived in:
 * - each labeller's vote is their newest label of the item (greatest `at`, then greatest id);
 * - the newest review decides (`reviewed`);
 * - otherwise one vote decides (`single`), the same vote from everyone (`agreed`), or a vote held
 *   by more than half of the labellers (`majority`);
 * - otherwise the item is a `conflict` and has no decided label until someone reviews it.
 */
export type DecisionStatus = 'single' | 'agreed' | 'majority' | 'conflict' | 'reviewed';

export interface Vote {
  by: string;
  name: string;
  value: string;
  at: number;
}

export interface Decision {
  item: string;
  /** Each labeller's newest label, by labeller id in code-point order. */
  votes: Vote[];
  status: DecisionStatus;
  /** The label the item gets, or null for a conflict nobody has reviewed. */
  value: string | null;
  /** The review that decided, when one did. */
  review?: Vote;
}

/** Records in the order they happened: by `at`, then by id (ids break ties the same everywhere). */
export function byTime(a: Label, b: Label): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const vote = (l: Label): Vote => ({ by: l.by, name: l.name, value: l.value, at: l.at });

/** The decision for one item from all its records (of one dataset column). */
export function decideItem(item: string, records: readonly Label[]): Decision {
  const sorted = [...records].sort(byTime);
  const newest = new Map<string, Label>();
  let review: Label | undefined;
  for (const l of sorted) {
    if (l.review) review = l;
    else newest.set(l.by, l);
  }
  const votes = [...newest.values()].sort((a, b) => (a.by < b.by ? -1 : a.by > b.by ? 1 : 0)).map(vote);
  if (review) return { item, votes, status: 'reviewed', value: review.value, review: vote(review) };
  if (!votes.length) return { item, votes, status: 'conflict', value: null };
  if (votes.length === 1) return { item, votes, status: 'single', value: votes[0].value };
  const counts = new Map<string, number>();
  for (const v of votes) counts.set(v.value, (counts.get(v.value) ?? 0) + 1);
  if (counts.size === 1) return { item, votes, status: 'agreed', value: votes[0].value };
  const [top, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (n * 2 > votes.length) return { item, votes, status: 'majority', value: top };
  return { item, votes, status: 'conflict', value: null };
}

/** The decision of every item the records name (for one dataset column), by item key in code-point order. */
export function decideAll(records: readonly Label[]): Decision[] {
  const byItem = new Map<string, Label[]>();
  for (const l of records) {
    const list = byItem.get(l.item);
    if (list) list.push(l);
    else byItem.set(l.item, [l]);
  }
  return [...byItem.keys()].sort().map((item) => decideItem(item, byItem.get(item)!));
}

/** Every record of one item, oldest first: the item's history, nothing left out. */
export function itemHistory(records: readonly Label[], item: string): Label[] {
  return records.filter((l) => l.item === item).sort(byTime);
}

export interface Agreement {
  /** Items labelled by at least two people. */
  shared: number;
  /** Of those, items where everyone gave the same label. */
  agreed: number;
  /** People who labelled at least one shared item. */
  labellers: number;
  /** Agreement beyond chance, or null when it cannot be computed (no shared item, or one label used by everyone). */
  kappa: number | null;
  /** Cohen's kappa for two labellers, Fleiss' kappa for more. */
  method: 'cohen' | 'fleiss' | null;
  /** Items the kappa is computed over (Fleiss: those labelled by `raters` people each). */
  kappaItems: number;
  /** Labels per item in the kappa (2 for Cohen's). */
  raters: number;
}

/**
 * Agreement between labellers over the items at least two of them labelled (their newest votes,
 * reviews left aside). Two labellers: Cohen's kappa (Cohen 1960; scikit-learn's
 * cohen_kappa_score) over the items both labelled. More: Fleiss' kappa (Fleiss 1971; statsmodels'
 * fleiss_kappa), which needs the same number of labels per item, over the items labelled by the
 * most common number of people (the larger number when two are as common), categories being every
 * label used. Plain agreement (`agreed` of `shared`) counts every shared item.
 */
export function agreement(decisions: readonly Decision[]): Agreement {
  const shared = decisions.filter((d) => d.votes.length >= 2);
  const agreed = shared.filter((d) => new Set(d.votes.map((v) => v.value)).size === 1).length;
  const people = new Set(shared.flatMap((d) => d.votes.map((v) => v.by)));
  const none: Agreement = { shared: shared.length, agreed, labellers: people.size, kappa: null, method: null, kappaItems: 0, raters: 0 };
  if (!shared.length) return none;
  if (people.size === 2) {
    const [p, q] = [...people].sort();
    const a = shared.map((d) => d.votes.find((v) => v.by === p)!.value);
    const b = shared.map((d) => d.votes.find((v) => v.by === q)!.value);
    const k = cohensKappa(a, b);
    return { ...none, kappa: Number.isFinite(k) ? k : null, method: 'cohen', kappaItems: shared.length, raters: 2 };
  }
  const often = new Map<number, number>();
  for (const d of shared) often.set(d.votes.length, (often.get(d.votes.length) ?? 0) + 1);
  const [m] = [...often].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0];
  const items = shared.filter((d) => d.votes.length === m);
  const categories = [...new Set(items.flatMap((d) => d.votes.map((v) => v.value)))].sort();
  const table = items.map((d) => categories.map((c) => d.votes.filter((v) => v.value === c).length));
  const k = fleissKappa(table);
  return { ...none, kappa: Number.isFinite(k) ? k : null, method: 'fleiss', kappaItems: items.length, raters: m };
}
