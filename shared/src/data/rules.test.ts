import { describe, expect, it } from 'vitest';
import { DataCheckReport, DataRule } from '../schema/data-rules.js';
import { checkRule, checkRules, describeRule } from './rules.js';

const rows = [
  { age: 34, sex: 'F', id: 'A1', result: 'yes' },
  { age: 150, sex: 'M', id: 'A2', result: 'no' },
  { age: 130, sex: 'x', id: 'A2', result: 'no' },
  { age: -2, sex: 'F', id: 'A3', result: 'no' },
  { age: 'NA', sex: '', id: 'A4', result: 'no' },
  { age: 'old', sex: 'M', id: 'A5', result: 'no' },
];

describe('data tests', () => {
  it('range: counts values above, below and not numbers, in a sentence with the allowed range', () => {
    const r = checkRule(rows, { id: 'r', kind: 'range', column: 'age', min: 0, max: 120 });
    expect(r).toMatchObject({ passed: false, failing: 4 });
    expect(r.sentence).toBe('2 rows have age above 120, 1 row has age below 0, 1 row has age that is not a number; allowed 0–120.');
    expect(checkRule(rows.slice(0, 1), { id: 'r', kind: 'range', column: 'age', max: 120 })).toMatchObject({ passed: true, sentence: 'Every age is within 120 or less.' });
  });

  it('allowed values: compares trimmed text, skips missing ones, names the worst offenders', () => {
    const r = checkRule(rows, { id: 'a', kind: 'allowed', column: 'sex', values: ['F', 'M '] });
    expect(r).toMatchObject({ passed: false, failing: 1 });
    expect(r.sentence).toContain('1 row has a sex not allowed (“x”); allowed F, M');
  });

  it('not missing counts empty and NA cells', () => {
    expect(checkRule(rows, { id: 'n', kind: 'not_missing', column: 'age' })).toMatchObject({ passed: false, failing: 1, sentence: '1 row has no age; every row needs one.' });
  });

  it('unique counts every row of a repeated value and never quotes the value', () => {
    const r = checkRule(rows, { id: 'u', kind: 'unique', column: 'id' });
    expect(r).toMatchObject({ passed: false, failing: 2 });
    expect(r.sentence).not.toContain('A2');
  });

  it('rows at least N and class share at least X', () => {
    expect(checkRule(rows, { id: 'm', kind: 'min_rows', min: 10 })).toMatchObject({ passed: false, sentence: 'This version has 6 rows; at least 10 are needed.' });
    expect(checkRule(rows, { id: 'm', kind: 'min_rows', min: 6 }).passed).toBe(true);
    const share = checkRule(rows, { id: 'c', kind: 'class_share', column: 'result', min: 0.2 });
    expect(share).toMatchObject({ passed: false });
    expect(share.sentence).toBe('“yes” is 16.7% of the rows; at least 20% is needed. Collect more rows of that class.');
    expect(checkRule(rows, { id: 'c', kind: 'class_share', column: 'result', min: 0.5, value: 'no' }).passed).toBe(true);
    expect(checkRule([], { id: 'c', kind: 'class_share', column: 'result', min: 0.1 }).passed).toBe(false);
  });

  it('a report passes only when every rule does, and a rule on a missing column fails with what to do', () => {
    const ok = checkRules(rows, ['age', 'sex', 'id', 'result'], [{ id: 'm', kind: 'min_rows', min: 3 }], 5);
    expect(ok).toEqual({ passed: true, checkedAt: 5, results: [expect.objectContaining({ ruleId: 'm', passed: true })] });
    const bad = checkRules(rows, ['age'], [{ id: 'g', kind: 'not_missing', column: 'sex' }], 5);
    expect(bad.passed).toBe(false);
    expect(bad.results[0].sentence).toBe('This version has no column “sex”; change or remove the rule.');
    expect(checkRules(rows, [], [], 1).passed).toBe(true);
  });

  it('the rule schema refuses what the checker could not read', () => {
    expect(DataRule.safeParse({ id: 'x', kind: 'class_share', column: 'a', min: 2 }).success).toBe(false);
    expect(DataRule.safeParse({ id: 'x', kind: 'allowed', column: 'a', values: [] }).success).toBe(false);
    expect(DataRule.safeParse({ id: 'x', kind: 'sometimes', column: 'a' }).success).toBe(false);
    expect(describeRule({ id: 'r', kind: 'range', column: 'age', min: 0, max: 120 })).toBe('age between 0 and 120');
  });
});

describe('a report through sync', () => {
  it('keeps its sentences as messages when parsed (as every store and pull parses it), so each device says them in its language', () => {
    const report = checkRules(
      rows,
      ['age', 'sex', 'id', 'result'],
      [
        { id: 'r', kind: 'range', column: 'age', min: 0, max: 120 },
        { id: 's', kind: 'allowed', column: 'sex', values: ['F', 'M'] },
      ],
      5,
    );
    const parsed = DataCheckReport.parse(JSON.parse(JSON.stringify(report)));
    expect(parsed).toEqual(report);
    expect(parsed.results[0].said?.map((m) => m.key)).toContain('data.result.allowedRange');
    expect(DataCheckReport.safeParse({ ...report, results: [{ ...report.results[0], said: [{ key: 'error.other' }] }] }).success).toBe(false);
  });
});
