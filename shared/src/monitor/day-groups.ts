import { OTHER_GROUP, type DaySummary } from './summary.js';

/** A key that is a salted code already (64 hex digits, saltedHash), or the "(other)" bucket: kept as it is. */
export const keptGroup = (key: string): boolean => key === OTHER_GROUP || /^[0-9a-f]{64}$/.test(key);

/** The group names of a day that are raw values of its protected attribute. */
export function rawGroups(s: DaySummary): string[] {
  return [...new Set([...Object.keys(s.groups), ...Object.keys(s.groupPredictions)])].filter((k) => !keptGroup(k));
}

const addRows = (a: number[][], b: number[][]): number[][] => {
  const out = a.map((row) => [...row]);
  b.forEach((row, i) => row.forEach((n, j) => ((out[i] ??= [])[j] = (out[i][j] ?? 0) + n)));
  return out;
};

/**
 * A day's fairness groups once their attribute is marked personal: each raw group name becomes
 * its code (`codes`, the salted hash the log now holds, so groups still compare across devices and
 * with predictions logged after the mark, their counts added where both are there), or is dropped
 * with its counts when it has no code (`never`, or no salt: the log holds null, which counts in no
 * group). The summary is not changed in place; the same summary is returned when nothing changes.
 */
export function withoutRawGroups(s: DaySummary, codes: ReadonlyMap<string, string> | null): DaySummary {
  if (!rawGroups(s).length) return s;
  const name = (k: string) => (keptGroup(k) ? k : codes?.get(k));
  const groups: DaySummary['groups'] = {};
  for (const [k, m] of Object.entries(s.groups)) {
    const to = name(k);
    if (to) groups[to] = groups[to] ? addRows(groups[to], m) : m.map((row) => [...row]);
  }
  const groupPredictions: DaySummary['groupPredictions'] = {};
  for (const [k, counts] of Object.entries(s.groupPredictions)) {
    const to = name(k);
    if (!to) continue;
    const held = (groupPredictions[to] ??= {});
    for (const [label, n] of Object.entries(counts)) held[label] = (held[label] ?? 0) + n;
  }
  return { ...s, groups, groupPredictions };
}
