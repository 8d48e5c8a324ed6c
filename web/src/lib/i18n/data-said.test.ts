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
import { readCsv, rowsNotFitSaid, type BadRowsError } from '../data/parse-csv.js';
import { readJson, readJsonLines } from '../data/parse-json.js';
import { parseCsvFile } from '../data/csv.js';
import { inProcessWorker } from '../ml/in-process-worker.js';
import type { SaidError } from '../said-error.js';
import { userMessage } from '../messages.js';
import { speakWith } from './speaking.js';
import type { Message } from './catalogue.js';
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
    // The choices, and the UTF-16 forms a file is found in without being offered.
    expect(Object.keys(ENCODING_WORDS).sort()).toEqual([...ENCODINGS.map((e) => e.id), 'utf-16le', 'utf-16be'].sort());
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

describe('import refusals in every language', () => {
  /** The error a reader throws. */
  const caught = (f: () => unknown): SaidError => {
    try {
      f();
    } catch (e) {
      return e as SaidError;
    }
    throw new Error('nothing thrown');
  };
  /** Said in every language with no key left unsaid and no placeholder left unformatted (the JSON examples keep their braces). */
  const saidEverywhere = (build: (say: (m: Message) => string) => Message) => {
    for (const locale of Object.keys(catalogues) as (keyof typeof catalogues)[]) {
      const inLocale = (m: Message) => say(m, locale);
      expect(inLocale(build(inLocale))).not.toMatch(/⟦|\{[A-Za-z_]/);
    }
  };
  const refusals = () => {
    const ragged = caught(() => readCsv('a,b,c\n1,2\n3,4,5\n6,7,8,9\n', { maxRows: 100 })) as BadRowsError;
    const many = caught(() => readCsv('a,b\n' + Array.from({ length: 10 }, () => '1').join('\n'), { maxRows: 100 })) as BadRowsError;
    const quote = caught(() => readCsv('a,b\n1,2\n3,"four\n5,6\n', { maxRows: 100 })) as BadRowsError;
    const lines = caught(() => readJsonLines('{"a": 1}\n{"a": \n[1]\n', { maxRows: 100 })) as BadRowsError;
    const nested = caught(() => readJson('[{"a": {"b": {"c": 1}}}]', 100));
    const nestedLine = caught(() => readJsonLines('{"a": {"b": {"c": 1}}}\n', { maxRows: 100 }));
    const list = caught(() => readJson('[{"a": 1}, {"a": [1, 2]}]', 100));
    const noList = caught(() => readJson('{"name": "clinic"}', 100));
    const notObject = caught(() => readJson('[1, 2]', 100));
    return { ragged, many, quote, lines, nested, nestedLine, list, noList, notObject };
  };

  it('the English said is the English sentence, word for word', () => {
    const r = refusals();
    expect(r.ragged.message).toBe(
      '2 rows do not fit (line 2: too few values (2 of 3); line 4: too many values (4 of 3)). Every row needs as many values as the header has columns (3). Leave those rows out, or fix them and choose the file again.',
    );
    expect(r.many.message).toMatch(/^10 rows do not fit \(line 2: too few values \(1 of 2\); .*line 6: too few values \(1 of 2\); and 5 more\)\. Every row/);
    expect(r.quote.message).toBe(
      'One row does not fit (line 3: a quote is not closed). A value starts with a quote that never ends; close the quote in the file and choose it again.',
    );
    expect(r.lines.message).toBe(
      '2 rows do not fit (line 2: not valid JSON; line 3: not an object). Each line must hold one object, such as {"age": 34}. Leave those lines out, or fix them and choose the file again.',
    );
    expect(r.nested.message).toBe(
      '“a.b” is nested more than one level deep (item 1); Outpost reads objects one level deep (such as “patient.age”). Flatten the file, or export it as CSV.',
    );
    expect(r.nestedLine.message).toMatch(/^“a.b” is nested more than one level deep \(line 1\);/);
    expect(r.list.message).toBe('“a” holds a list (item 2); Outpost reads one value per column. Join the list into one text value, or export the data as CSV.');
    expect(r.noList.message).toBe('The JSON file holds no list of rows. Outpost reads a list of objects, [{"age": 34, …}, …], or {"rows": [ … ]}.');
    expect(r.notObject.message).toBe('Item 1 is not an object with named values. Each row must look like {"age": 34, "sex": "F"}.');
    for (const e of Object.values(r)) expect(say(e.said)).toBe(e.message);
    // Each row's reason says its English words.
    for (const b of [...r.ragged.details.badRows, ...r.quote.details.badRows, ...r.lines.details.badRows]) expect(say(b.said!)).toBe(b.reason);
  });

  it('French says its own words, rows and reasons included', () => {
    const r = refusals();
    const fr1 = (m: Message) => say(m, 'fr');
    expect(fr1(rowsNotFitSaid(r.ragged.details.badRows, r.ragged.details.what, fr1))).toBe(
      '2 lignes ne conviennent pas (ligne 2 : trop peu de valeurs (2 sur 3) ; ligne 4 : trop de valeurs (4 sur 3)). Chaque ligne doit avoir autant de valeurs que l’en-tête a de colonnes (3). Laissez ces lignes de côté, ou corrigez-les et choisissez à nouveau le fichier.',
    );
    expect(fr1(r.nested.said)).toBe(
      '« a.b » est imbriqué sur plus d’un niveau (élément 1) ; Outpost lit les objets sur un seul niveau (comme « patient.age »). Aplatissez le fichier, ou exportez-le en CSV.',
    );
    expect(fr1(r.notObject.said)).toMatch(/^L’élément 1 n’est pas un objet .*\{"age": 34, "sex": "F"\}\.$/);
    expect(fr1({ key: 'error.notUtf8', values: { encoding: fr1({ key: ENCODING_WORDS['windows-1252']! }) } })).toMatch(/^Le fichier n’est pas du texte UTF-8/);
  });

  it('every language says every refusal with nothing left unformatted', () => {
    const r = refusals();
    for (const e of [r.ragged, r.many, r.quote, r.lines]) saidEverywhere((s) => rowsNotFitSaid(e.details.badRows, e.details.what, s));
    for (const e of [r.nested, r.nestedLine, r.list, r.noList, r.notObject]) saidEverywhere(() => e.said);
    for (const id of Object.keys(ENCODING_WORDS)) saidEverywhere((s) => ({ key: 'error.notUtf8', values: { encoding: s({ key: ENCODING_WORDS[id]! }) } }));
  });

  it('through the worker, the page says the refusal in the language on screen and keeps its English message', async () => {
    const w = await inProcessWorker(() => import('../data/csv.worker.js'));
    const latin = new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x2c, 0x31, 0x0a]);
    speakWith('fr', fr);
    try {
      const ragged = await parseCsvFile(new Blob(['a,b,c\n1,2\n3,4,5\n']), undefined, { createWorker: w.create }).catch((e: unknown) => e);
      expect(userMessage(ragged)).toBe(
        'Une ligne ne convient pas (ligne 2 : trop peu de valeurs (2 sur 3)). Chaque ligne doit avoir autant de valeurs que l’en-tête a de colonnes (3). Laissez ces lignes de côté, ou corrigez-les et choisissez à nouveau le fichier.',
      );
      expect((ragged as Error).message).toBe(
        'One row does not fit (line 2: too few values (2 of 3)). Every row needs as many values as the header has columns (3). Leave those rows out, or fix them and choose the file again.',
      );
      const dropped = await parseCsvFile(new Blob(['a,b,c\n1,2\n3,4,5\n']), undefined, { createWorker: w.create, choices: { dropBadRows: true } });
      expect(dropped.dropped[0]?.said).toEqual({ key: 'error.rowTooFew', values: { count: 2, columns: 3 } });
      const notUtf8 = await parseCsvFile(new Blob([latin]), undefined, { createWorker: w.create }).catch((e: unknown) => e);
      expect(userMessage(notUtf8)).toBe(
        'Le fichier n’est pas du texte UTF-8 (il semble être en Europe de l’Ouest (Windows-1252, Latin-1)). Exportez-le depuis votre tableur en « CSV UTF-8 » et réessayez.'.replace(
          'Europe de l’Ouest (Windows-1252, Latin-1)',
          say({ key: 'data.enc.windows1252' }, 'fr'),
        ),
      );
      expect((notUtf8 as Error).message).toBe(
        'The file is not UTF-8 text (it looks like Western European (Windows-1252, Latin-1)). Export it from your spreadsheet as “CSV UTF-8” and try again.',
      );
      const nested = await parseCsvFile(new Blob(['[{"a": {"b": {"c": 1}}}]']), undefined, { fileName: 'x.json', createWorker: w.create }).catch(
        (e: unknown) => e,
      );
      expect(userMessage(nested)).toMatch(/^« a\.b » est imbriqué/);
    } finally {
      speakWith('en', en);
    }
  });
});
