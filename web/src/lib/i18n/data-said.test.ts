import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Said } from '@shared/said.js';
import { checkRule, checkRules, describeRule, describeRuleSaid, resultSaid } from '@shared/data/rules.js';
import type { DataRule } from '@shared/schema/data-rules.js';
import { changeSaid, describeChange } from '@shared/data/versions.js';
import { personalWarnings } from '@shared/data/privacy.js';
import { inferColumns, validateDataset } from '@shared/data/columns.js';
import { ENCODING_WORDS, SEPARATORS, SEPARATOR_WORDS } from '../data/separators.js';
import { ENCODINGS } from '../data/decode.js';
import { lineageReason } from './data-words.js';
import { formatMessage } from './format.js';
import type { MessageKey } from './catalogue.js';
import en from './catalogues/en.js';
import fr from './catalogues/fr.js';
import ha from './catalogues/ha.js';
import yo from './catalogues/yo.js';
import ig from './catalogues/ig.js';
import pcm from './catalogues/pcm.js';
import sw from './catalogues/sw.js';

const catalogues = { en, fr, ha, yo, ig, pcm, sw };
const say = (s: Said, locale: keyof typeof catalogues = 'en') => formatMessage(locale, catalogues[locale], en, s.key as MessageKey, s.values);
const sayAll = (s: Said[] | undefined, locale: keyof typeof catalogues = 'en') => (s ?? []).map((x) => say(x, locale)).join(' ');
/** Every language says it without a marker for a key it could not format. */
const everywhere = (s: Said[]) => {
  for (const locale of Object.keys(catalogues) as (keyof typeof catalogues)[]) expect(sayAll(s, locale)).not.toMatch(/⟦|\{|\}/);
};

const rows = [
  { age: 34, sex: 'F', id: 'A1', result: 'yes' },
  { age: 150, sex: 'M', id: 'A2', result: 'no' },
  { age: 130, sex: 'x', id: 'A2', result: 'no' },
  { age: -2, sex: 'F', id: 'A3', result: 'no' },
  { age: 'NA', sex: '', id: 'A4', result: 'no' },
  { age: 'old', sex: 'M', id: 'A5', result: 'no' },
];

describe('data tests in every language', () => {
  const rules: DataRule[] = [
    { id: 'r', kind: 'range', column: 'age', min: 0, max: 120 },
    { id: 'r2', kind: 'range', column: 'age', max: 120 },
    { id: 'a', kind: 'allowed', column: 'sex', values: ['F', 'M'] },
    { id: 'n', kind: 'not_missing', column: 'age' },
    { id: 'u', kind: 'unique', column: 'id' },
    { id: 'm', kind: 'min_rows', min: 10 },
    { id: 'c', kind: 'class_share', column: 'result', min: 0.2 },
    { id: 'c2', kind: 'class_share', column: 'result', min: 0.5, value: 'no' },
  ];

  it('a rule in plain words says what describeRule says', () => {
    for (const r of rules) expect(say(describeRuleSaid(r))).toBe(describeRule(r).replace('16.7%', '16.7%'));
  });

  it('a result says the facts of its English sentence', () => {
    const [range, below120, allowed, missing, unique, short, share, shareOne] = rules.map((r) => checkRule(rows, r));
    expect(sayAll(resultSaid(range))).toBe('2 rows have age above 120. 1 row has age below 0. 1 row has age that is not a number. Allowed: 0–120.');
    expect(sayAll(resultSaid(checkRule(rows.slice(0, 1), rules[1])))).toBe('Every age is within 120 or less.');
    expect(below120.passed).toBe(false);
    expect(sayAll(resultSaid(allowed))).toBe('1 row has a sex not allowed (“x”). Allowed: F, M.');
    expect(sayAll(resultSaid(missing))).toBe('1 row has no age; every row needs one.');
    expect(sayAll(resultSaid(unique))).toBe('2 rows share 1 value of id; each id must appear once.');
    expect(sayAll(resultSaid(short))).toBe('This version has 6 rows; at least 10 are needed.');
    expect(sayAll(resultSaid(share))).toBe('“yes” is 16.7% of the rows. At least 20% is needed: collect more rows of that class.');
    expect(sayAll(resultSaid(shareOne))).toBe('Every class of result is at least 50% of the rows.');
    const gone = checkRules(rows, ['age'], [{ id: 'g', kind: 'not_missing', column: 'sex' }], 5).results[0];
    expect(sayAll(resultSaid(gone))).toBe('This version has no column “sex”; change or remove the rule.');
    for (const r of [range, allowed, missing, unique, short, share, shareOne, gone]) everywhere(resultSaid(r)!);
    for (const r of rules) everywhere([describeRuleSaid(r)]);
  });

  it('a result without its messages (synced from elsewhere) has none to say', () => {
    const { said: _, ...synced } = checkRule(rows, rules[0]);
    expect(resultSaid(synced)).toBeUndefined();
  });
});

describe("a version's change in every language", () => {
  const none = { rowsAdded: 0, rowsRemoved: 0, columnsAdded: [], columnsRemoved: [] };
  const cases: [ReturnType<typeof describeChange>, string][] = [
    [
      describeChange('import', { ...none, rowsAdded: 569, columnsAdded: Array.from({ length: 31 }, (_, i) => `c${i}`) }, 569, 31),
      'Imported 569 rows and 31 columns.',
    ],
    [describeChange('clean', { ...none, rowsRemoved: 12 }, 557, 31, 'with missing values'), 'Removed 12 rows with missing values.'],
    [describeChange('clean', { ...none, columnsRemoved: ['phone'] }, 10, 3), 'Removed column “phone”.'],
    [describeChange('labels', { ...none, rowsChanged: 1 }, 10, 3), 'Changed 1 row (labels).'],
    [
      describeChange('merge', { ...none, rowsAdded: 2, rowsRemoved: 1, columnsAdded: ['a', 'b'] }, 10, 3),
      'Added 2 rows. Removed 1 row. Added columns “a”, “b”.',
    ],
    [describeChange('entries', none, 10, 3), 'No rows or columns changed.'],
  ];

  it('says the facts of the English sentence, from the record alone', () => {
    for (const [change, words] of cases) {
      expect(sayAll(changeSaid(change))).toBe(words);
      everywhere(changeSaid(change));
    }
    // The English sentence names the same rows and columns.
    expect(cases[4][0].sentence).toBe('Added 2 rows; removed 1 row; added columns “a”, “b”.');
  });
});

describe('a column that looks personal, in every language', () => {
  it('says what the English sentence says', () => {
    const rows = [{ name: 'Amina Bello', phone: '08031234567', email: 'a@b.org', nin: 1 }];
    const w = personalWarnings(rows, ['name', 'phone', 'email', 'nin']);
    expect(w.map((x) => x.said.values?.kind)).toEqual(['name', 'phone', 'email', 'id']);
    expect(say(w[0].said)).toBe(w[0].sentence.replace("people's", 'people’s'));
    for (const x of w) everywhere([x.said]);
  });
});

describe("a file's check before import, in every language", () => {
  it('says each issue with the facts of its English message', () => {
    const few = [
      { age: 3, when: '2024-01-02', sex: 'F', same: 1, y: 'a' },
      { age: 'x', when: 'soon', sex: '', same: 1, y: 'a' },
      { age: 5, when: '2024-02-03', sex: 'M', same: 1, y: '' },
      { age: 7, when: '2024-03-04', sex: 'F', same: 1, y: 'b' },
    ];
    const cols = inferColumns(few, ['age', 'when', 'sex', 'same', 'y']);
    const issues = [...validateDataset(few, cols, 'y').issues, ...validateDataset(few, cols.slice(0, 1), 'nothing').issues];
    const keys = issues.map((i) => i.said.key);
    for (const k of [
      'data.issue.fewRows',
      'data.issue.oneColumn',
      'data.issue.missing',
      'data.issue.constant',
      'data.issue.noTarget',
      'data.issue.targetMissing',
      'data.issue.smallClass',
    ])
      expect(keys).toContain(k);
    const english: Record<string, string> = {
      'data.issue.fewRows': 'Only 4 rows: at least 10 are needed to train and check a model. Add rows to the file.',
      'data.issue.constant': '“same” has the same value in every row and tells the model nothing; leave it out.',
      'data.issue.noTarget': 'There is no column “nothing”. Pick the target column again.',
      'data.issue.smallClass': 'The class “b” has only 1 row; every class needs at least two. Remove it or add examples.',
    };
    for (const i of issues) {
      if (english[i.said.key]) expect([say(i.said), i.message]).toEqual([english[i.said.key], english[i.said.key]]);
      everywhere([i.said]);
    }
  });

  it('a number whose mark reads either way, and dates that read either way', () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({
      people: ['1,250', '2,500', '3,750'][i % 3],
      visit: ['03/04/2024', '05/06/2024', '07/08/2024'][i % 3],
    }));
    const cols = inferColumns(rows, ['people', 'visit']);
    const issues = validateDataset(rows, cols).issues;
    expect(issues.map((i) => i.said.key)).toEqual(['data.issue.markText', 'data.issue.dateEitherWay']);
    // The English catalogue says what the English message says.
    for (const i of issues) {
      expect(say(i.said)).toBe(i.message);
      everywhere([i.said]);
    }
  });
});

describe('separator and encoding names', () => {
  it('every separator and every encoding a person can choose has words in the catalogues', () => {
    expect(Object.keys(SEPARATOR_WORDS).sort()).toEqual([...SEPARATORS].sort());
    expect(Object.keys(ENCODING_WORDS).sort()).toEqual(ENCODINGS.map((e) => e.id).sort());
    // The English catalogue names each encoding as decode.ts does.
    for (const e of ENCODINGS) expect(say({ key: ENCODING_WORDS[e.id]! })).toBe(e.label);
    for (const k of [...Object.values(SEPARATOR_WORDS), ...Object.values(ENCODING_WORDS)]) everywhere([{ key: k }]);
  });
});

describe('lineage reasons', () => {
  it('every reason runSplitRows gives has a message that says the same in English', () => {
    const source = readFileSync(fileURLToPath(new URL('../db/lineage.ts', import.meta.url)), 'utf8');
    const reasons = [...source.matchAll(/reason: '([^']+)'/g)].map((m) => m[1]!);
    expect(reasons.length).toBe(4);
    for (const r of reasons) {
      const m = lineageReason(r);
      expect({ r, key: m?.key }).toEqual({ r, key: expect.stringMatching(/^data\.lineage\./) });
      expect(say(m!)).toBe(r);
      everywhere([m!]);
    }
    expect(lineageReason('Something else.')).toBeUndefined();
  });
});
