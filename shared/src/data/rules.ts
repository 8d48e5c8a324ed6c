import type { DataCheckReport, DataRule, RuleResult } from '../schema/data-rules.js';
import { isMissing, toNumber, type Row } from './columns.js';
import type { Said } from '../said.js';

/** The message keys of a rule in plain words (describeRuleSaid), in the device's catalogues. */
export type RuleKey =
  | 'data.rule.between'
  | 'data.rule.atLeast'
  | 'data.rule.atMost'
  | 'data.rule.oneOf'
  | 'data.rule.notMissing'
  | 'data.rule.unique'
  | 'data.rule.minRows'
  | 'data.rule.classValue'
  | 'data.rule.classEvery';

/** The message keys of a result's sentences, in the device's catalogues. */
export type ResultKey =
  | 'data.result.above'
  | 'data.result.below'
  | 'data.result.notNumber'
  | 'data.result.allowedRange'
  | 'data.result.inRange'
  | 'data.result.notAllowed'
  | 'data.result.allAllowed'
  | 'data.result.empty'
  | 'data.result.noneEmpty'
  | 'data.result.repeated'
  | 'data.result.allOnce'
  | 'data.result.tooFewRows'
  | 'data.result.enoughRows'
  | 'data.result.classNone'
  | 'data.result.classLow'
  | 'data.result.classNeeded'
  | 'data.result.classEvery'
  | 'data.result.noColumn';

/**
 * A rule's result with its sentence also as messages (see said.ts): whole sentences, said one
 * after the other, with the same facts as `sentence` (the English kept for the server's console).
 * `said` is kept with the result and syncs with it; a result made before it existed is shown by
 * its English `sentence`.
 */
export type SaidRuleResult = Omit<RuleResult, 'said'> & { said?: Said<ResultKey>[] };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const have = (n: number) => (n === 1 ? 'has' : 'have');
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000));
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const num = (x: number) => Number(fmt(x));
/** A range's bounds as message values: `bounds` says which of min and max it has. */
const bounds = (r: { min?: number; max?: number }) => ({
  bounds: r.min !== undefined && r.max !== undefined ? 'both' : r.min !== undefined ? 'min' : 'max',
  min: num(r.min ?? 0),
  max: num(r.max ?? 0),
});

function range(rows: Row[], r: Extract<DataRule, { kind: 'range' }>): SaidRuleResult {
  let below = 0;
  let above = 0;
  let notNumber = 0;
  for (const row of rows) {
    const v = row[r.column];
    if (isMissing(v)) continue;
    const n = toNumber(v);
    if (n === null) notNumber++;
    else if (r.min !== undefined && n < r.min) below++;
    else if (r.max !== undefined && n > r.max) above++;
  }
  const allowed =
    r.min !== undefined && r.max !== undefined ? `${fmt(r.min)}–${fmt(r.max)}` : r.min !== undefined ? `${fmt(r.min)} or more` : `${fmt(r.max ?? 0)} or less`;
  const parts: string[] = [];
  if (above) parts.push(`${plural(above, 'row')} ${have(above)} ${r.column} above ${fmt(r.max!)}`);
  if (below) parts.push(`${plural(below, 'row')} ${have(below)} ${r.column} below ${fmt(r.min!)}`);
  if (notNumber) parts.push(`${plural(notNumber, 'row')} ${have(notNumber)} ${r.column} that is not a number`);
  const failing = above + below + notNumber;
  const column = r.column;
  const said: Said<ResultKey>[] = failing
    ? [
        ...(above ? [{ key: 'data.result.above', values: { count: above, column, max: num(r.max!) } } as const] : []),
        ...(below ? [{ key: 'data.result.below', values: { count: below, column, min: num(r.min!) } } as const] : []),
        ...(notNumber ? [{ key: 'data.result.notNumber', values: { count: notNumber, column } } as const] : []),
        { key: 'data.result.allowedRange', values: bounds(r) },
      ]
    : [{ key: 'data.result.inRange', values: { column, ...bounds(r) } }];
  return result(r, failing, failing ? `${parts.join(', ')}; allowed ${allowed}.` : `Every ${r.column} is within ${allowed}.`, failing === 0, said);
}

function allowedValues(rows: Row[], r: Extract<DataRule, { kind: 'allowed' }>): SaidRuleResult {
  const ok = new Set(r.values.map((v) => v.trim()));
  const seen = new Map<string, number>();
  for (const row of rows) {
    const v = row[r.column];
    if (isMissing(v)) continue;
    const k = String(v).trim();
    if (!ok.has(k)) seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const failing = [...seen.values()].reduce((a, b) => a + b, 0);
  const examples = [...seen.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k]) => `“${k}”`)
    .join(', ');
  const allowed = r.values.slice(0, 8).join(', ') + (r.values.length > 8 ? ', …' : '');
  return result(
    r,
    failing,
    failing ? `${plural(failing, 'row')} ${have(failing)} a ${r.column} not allowed (${examples}); allowed ${allowed}.` : `Every ${r.column} is one of the allowed values.`,
    failing === 0,
    [
      failing
        ? { key: 'data.result.notAllowed', values: { count: failing, column: r.column, examples, allowed } }
        : { key: 'data.result.allAllowed', values: { column: r.column } },
    ],
  );
}

function notMissing(rows: Row[], r: Extract<DataRule, { kind: 'not_missing' }>): SaidRuleResult {
  const failing = rows.filter((row) => isMissing(row[r.column])).length;
  return result(r, failing, failing ? `${plural(failing, 'row')} ${have(failing)} no ${r.column}; every row needs one.` : `Every row has a ${r.column}.`, failing === 0, [
    failing ? { key: 'data.result.empty', values: { count: failing, column: r.column } } : { key: 'data.result.noneEmpty', values: { column: r.column } },
  ]);
}

function unique(rows: Row[], r: Extract<DataRule, { kind: 'unique' }>): SaidRuleResult {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const v = row[r.column];
    if (isMissing(v)) continue;
    const k = String(v).trim();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let failing = 0;
  let values = 0;
  for (const n of counts.values())
    if (n > 1) {
      failing += n;
      values++;
    }
  // The repeated values themselves are not named: a unique column is often an id or a name.
  return result(
    r,
    failing,
    failing ? `${plural(failing, 'row')} share ${plural(values, 'value')} of ${r.column}; each ${r.column} must appear once.` : `Every ${r.column} appears once.`,
    failing === 0,
    [failing ? { key: 'data.result.repeated', values: { count: failing, values, column: r.column } } : { key: 'data.result.allOnce', values: { column: r.column } }],
  );
}

function minRows(rows: Row[], r: Extract<DataRule, { kind: 'min_rows' }>): SaidRuleResult {
  const short = rows.length < r.min;
  return result(r, 0, short ? `This version has ${plural(rows.length, 'row')}; at least ${r.min} are needed.` : `${plural(rows.length, 'row')}, at least ${r.min}.`, !short, [
    { key: short ? 'data.result.tooFewRows' : 'data.result.enoughRows', values: { count: rows.length, min: r.min } },
  ]);
}

function classShare(rows: Row[], r: Extract<DataRule, { kind: 'class_share' }>): SaidRuleResult {
  const counts = new Map<string, number>();
  let total = 0;
  for (const row of rows) {
    const v = row[r.column];
    if (isMissing(v)) continue;
    const k = String(v).trim();
    counts.set(k, (counts.get(k) ?? 0) + 1);
    total++;
  }
  const classes = r.value !== undefined ? [r.value.trim()] : [...counts.keys()].sort();
  const low = classes.map((c) => [c, total ? (counts.get(c) ?? 0) / total : 0] as const).filter(([, s]) => s < r.min);
  const passed = total > 0 && low.length === 0;
  const sentence = !total
    ? `No row has a ${r.column}; at least ${pct(r.min)} of each class is needed.`
    : low.length
      ? `${low
          .slice(0, 3)
          .map(([c, s]) => `“${c}” is ${pct(s)} of the rows`)
          .join(', ')}; at least ${pct(r.min)} is needed. Collect more rows of ${low.length === 1 ? 'that class' : 'those classes'}.`
      : `Every class of ${r.column} is at least ${pct(r.min)} of the rows.`;
  const said: Said<ResultKey>[] = !total
    ? [{ key: 'data.result.classNone', values: { column: r.column, min: r.min } }]
    : low.length
      ? [
          ...low.slice(0, 3).map(([c, s]) => ({ key: 'data.result.classLow', values: { value: c, share: Math.round(s * 1000) / 1000 } }) as const),
          { key: 'data.result.classNeeded', values: { count: low.length, min: r.min } },
        ]
      : [{ key: 'data.result.classEvery', values: { column: r.column, min: r.min } }];
  return result(r, 0, sentence, passed, said);
}

function result(r: DataRule, failing: number, sentence: string, passed: boolean, said: Said<ResultKey>[]): SaidRuleResult {
  return { ruleId: r.id, kind: r.kind, passed, failing, sentence: sentence.slice(0, 500), said };
}

/** A result's sentences as messages, or undefined when it came without them (then show `sentence`). */
export function resultSaid(r: RuleResult): Said<ResultKey>[] | undefined {
  const said = (r as SaidRuleResult).said;
  return Array.isArray(said) && said.length ? said : undefined;
}

/** One rule on a version's rows. */
export function checkRule(rows: Row[], rule: DataRule): SaidRuleResult {
  switch (rule.kind) {
    case 'range':
      return range(rows, rule);
    case 'allowed':
      return allowedValues(rows, rule);
    case 'not_missing':
      return notMissing(rows, rule);
    case 'unique':
      return unique(rows, rule);
    case 'min_rows':
      return minRows(rows, rule);
    case 'class_share':
      return classShare(rows, rule);
  }
}

/**
 * Every declared rule on a version's rows, in the order declared. A value counts as missing by
 * the one rule of the import (isMissing), and as a number by toNumber, so a rule reads a cell as
 * training does. A rule on a column the version does not have fails with a sentence that says so
 * (a dropped column must not silently pass its tests). Sentences never quote the values of a
 * unique column (often an id or a name).
 */
export function checkRules(rows: Row[], columns: string[], rules: DataRule[], now: number): DataCheckReport {
  const have = new Set(columns);
  const results = rules.map((r) =>
    'column' in r && !have.has(r.column)
      ? result(r, 0, `This version has no column “${r.column}”; change or remove the rule.`, false, [{ key: 'data.result.noColumn', values: { column: r.column } }])
      : checkRule(rows, r),
  );
  return { passed: results.every((r) => r.passed), results, checkedAt: now };
}

/** A rule in plain words, for the list of a dataset's tests ("age between 0 and 120"). */
export function describeRule(r: DataRule): string {
  switch (r.kind) {
    case 'range':
      return r.min !== undefined && r.max !== undefined
        ? `${r.column} between ${fmt(r.min)} and ${fmt(r.max)}`
        : r.min !== undefined
          ? `${r.column} at least ${fmt(r.min)}`
          : `${r.column} at most ${fmt(r.max ?? 0)}`;
    case 'allowed':
      return `${r.column} is one of ${r.values.slice(0, 8).join(', ')}${r.values.length > 8 ? ', …' : ''}`;
    case 'not_missing':
      return `${r.column} is never empty`;
    case 'unique':
      return `${r.column} appears once per row`;
    case 'min_rows':
      return `at least ${r.min} rows`;
    case 'class_share':
      return r.value !== undefined ? `“${r.value}” is at least ${pct(r.min)} of ${r.column}` : `every class of ${r.column} is at least ${pct(r.min)}`;
  }
}

/** describeRule's words as a message (see said.ts), for a screen in any language. */
export function describeRuleSaid(r: DataRule): Said<RuleKey> {
  switch (r.kind) {
    case 'range':
      return r.min !== undefined && r.max !== undefined
        ? { key: 'data.rule.between', values: { column: r.column, min: num(r.min), max: num(r.max) } }
        : r.min !== undefined
          ? { key: 'data.rule.atLeast', values: { column: r.column, min: num(r.min) } }
          : { key: 'data.rule.atMost', values: { column: r.column, max: num(r.max ?? 0) } };
    case 'allowed':
      return { key: 'data.rule.oneOf', values: { column: r.column, values: `${r.values.slice(0, 8).join(', ')}${r.values.length > 8 ? ', …' : ''}` } };
    case 'not_missing':
      return { key: 'data.rule.notMissing', values: { column: r.column } };
    case 'unique':
      return { key: 'data.rule.unique', values: { column: r.column } };
    case 'min_rows':
      return { key: 'data.rule.minRows', values: { min: r.min } };
    case 'class_share':
      return r.value !== undefined
        ? { key: 'data.rule.classValue', values: { value: r.value, column: r.column, share: r.min } }
        : { key: 'data.rule.classEvery', values: { column: r.column, share: r.min } };
  }
}
