// The console's Data page of a project: its datasets, their versions and whether their rows are
// shared, the labels with the agreement the phones compute (the same shared functions), the
// disagreements, a CSV of the labels, never a value of a personal column, and refused without a
// session or for another organisation. On every test store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement, decideAll } from '@shared/labels/decide.js';
import type { Label } from '@shared/labels/label.js';
import { createApp } from '../app.js';
import { STORES } from '../store/test-stores.js';
import type { Db } from '../store/db.js';
import { createOrg } from '../store/orgs.js';
import { T0, insertRecord, modelVersion, project } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';
import { labelsCsv } from './console-data.js';

// Values of personal columns: none of them may ever be on the page or in the CSV.
const SECRETS = ['0803-555-1234', 'Amina Bello', '0803-555-9999', 'Musa Ibrahim'];

const column = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, type, missing: 0, distinct: 3, invalid: 0, ...extra });
const columns = [
  column('age', 'numeric', { min: 1, max: 90, mean: 31.5 }),
  column('town', 'categorical', {
    top: [
      ['Kano', 7],
      ['<Zaria>', 3],
    ],
  }),
  // A summary made before the column was marked: it still holds the values.
  column('phone', 'categorical', { top: [['0803-555-1234', 1]] }),
  column('carer', 'categorical', { top: [['Amina Bello', 2]] }),
  column('outcome', 'categorical', { top: [['referred', 4]] }),
];
const change = (kind: string, sentence: string) => ({ kind, rowsAdded: 0, rowsRemoved: 0, rowsChanged: 0, columnsAdded: [], columnsRemoved: [], sentence });
const version = (id: string, number: number, parentId: string | null, extra: Record<string, unknown> = {}) => ({
  id,
  projectId: 'p1',
  datasetId: 'd1',
  number,
  parentId,
  hash: String(number).repeat(64),
  rowCount: 10 + number,
  columns,
  change: change(number === 1 ? 'import' : 'labels', number === 1 ? 'Imported 11 rows.' : `Changed ${number} rows (labels).`),
  createdAt: T0 + number,
  createdBy: `Nurse <i>${number}</i>`,
  ...extra,
});
const rules = [
  { id: 'r1', kind: 'range', column: 'age', min: 0, max: 120 },
  { id: 'r2', kind: 'allowed', column: 'phone', values: ['0803-555-1234'] },
  { id: 'r3', kind: 'not_missing', column: 'carer' },
];
const checks = {
  passed: false,
  checkedAt: T0 + 5,
  results: [
    { ruleId: 'r1', kind: 'range', passed: true, failing: 0, sentence: 'Every age is between 0 and 120.' },
    { ruleId: 'r2', kind: 'allowed', passed: false, failing: 1, sentence: '1 row has a phone not allowed (“0803-555-9999”); allowed 0803-555-1234.' },
    { ruleId: 'gone', kind: 'allowed', passed: false, failing: 2, sentence: 'Rows with carer “Musa Ibrahim” are not allowed.' },
  ],
};

let n = 0;
const label = (item: string, by: string, value: string, col = 'outcome', extra: Partial<Label> = {}): Label => ({
  id: `l${String(++n).padStart(5, '0')}`,
  projectId: 'p1',
  datasetId: 'd1',
  column: col,
  item,
  value,
  by,
  name: by[0].toUpperCase() + by.slice(1),
  at: T0 + n,
  ...extra,
});
// Two people on "outcome" (Cohen's kappa), with a disagreement on row:5; three on "severity" (Fleiss').
const ada = ['referred', 'referred', 'home', 'home', 'referred', 'home'];
const bo = ['referred', 'home', 'home', 'home', 'referred', '<script>x</script>'];
const outcome = ada.flatMap((v, i) => [label(`row:${i}`, 'ada', v), label(`row:${i}`, 'bo', bo[i])]);
const severity = [
  ['mild', 'mild', 'mild'],
  ['mild', 'severe', 'mild'],
  ['severe', 'severe', 'severe'],
  ['mild', 'severe', '=HYPERLINK("x")'],
].flatMap((vs, i) => vs.map((v, j) => label(`entry:e${i}`, ['ada', 'bo', 'cy'][j], v, 'severity')));
const review = label('row:5', 'lead', 'home', 'outcome', { review: true, name: 'Lead' });
const personalLabels = [label('row:1', 'ada', '0803-555-9999', 'phone'), label('row:1', 'bo', 'Musa Ibrahim', 'phone')];
const labels = [...outcome, ...severity, review, ...personalLabels];

describe.each(STORES)('console: a project’s data ($name)', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let adminKey: string;
  let otherKey: string;

  beforeAll(async () => {
    db = await factory.open();
    app = createApp({
      db,
      config: { adminToken: 'console-data-admin-0123456789', version: 't', failuresPerSource: 1e6, failuresPerTarget: 1e6 },
      now: () => T0,
    });
    const org = await createOrg(db, 'Data');
    adminKey = org.adminKey;
    otherKey = (await createOrg(db, 'Elsewhere')).adminKey;
    const id = org.org.id;
    await insertRecord(db, id, 'projects', 'p1', { ...project('p1', 'Referrals'), shareRows: true });
    await insertRecord(db, id, 'projects', 'p2', project('p2', 'Growth <charts>'));
    await insertRecord(db, id, 'projects', 'p3', { ...project('p3', 'Gone'), deleted: true });
    await insertRecord(db, id, 'model_versions', 'mv1', modelVersion('mv1', 'a'.repeat(64)));
    await insertRecord(db, id, 'datasets', 'd1', {
      id: 'd1',
      projectId: 'p1',
      name: 'Visits <b>2026</b>',
      fileName: 'visits.csv',
      hash: 'c'.repeat(64),
      rowCount: 12,
      columns,
      target: 'outcome',
      createdAt: T0,
      versionId: 'v2',
      rules,
      personal: { phone: 'never' },
    });
    // A dataset whose current version has not reached the server yet.
    await insertRecord(db, id, 'datasets', 'd2', {
      id: 'd2',
      projectId: 'p1',
      name: 'Weights',
      fileName: 'weights.csv',
      hash: 'f'.repeat(64),
      rowCount: 4,
      columns: [column('kg', 'numeric')],
      createdAt: T0 + 1,
      versionId: 'w9',
    });
    // A deleted dataset: not listed, but its mark still makes "carer" personal across the project.
    await insertRecord(db, id, 'datasets', 'd0', {
      id: 'd0',
      projectId: 'p1',
      name: 'Old register',
      fileName: 'old.csv',
      hash: 'd'.repeat(64),
      rowCount: 1,
      columns: [],
      createdAt: T0,
      deleted: true,
      personal: { carer: 'hash' },
    });
    await insertRecord(db, id, 'dataset_versions', 'v1', version('v1', 1, null));
    const shared = { format: 'outpost-rows-1', hash: 'e'.repeat(64), size: 2048, removed: ['phone'], hashed: ['carer'] };
    await insertRecord(db, id, 'dataset_versions', 'v2', version('v2', 2, 'v1', { rows: shared, checks }));
    await insertRecord(db, id, 'dataset_versions', 'v3', version('v3', 3, 'v2', { rows: null }));
    await insertRecord(db, id, 'dataset_versions', 'v4', version('v4', 4, 'v3', { deleted: true, change: change('clean', 'Dropped the column town.') }));
    await insertRecord(db, id, 'dataset_versions', 'odd', { id: 'odd', projectId: 'p1', number: 'x' });
    for (const l of labels) await insertRecord(db, id, 'labels', l.id, l);
  });
  afterAll(async () => db.drop());

  it('lists the dataset, its columns, tests, check and versions, with what is shared of each', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const res = await admin.get('/console/projects/p1/data');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Data of Referrals');
    expect(text).toContain('Visits &lt;b&gt;2026&lt;/b&gt;');
    expect(text).not.toContain('<b>2026</b>');
    expect(text).toContain('Version 2 · 12 rows · 5 columns');
    expect(text).not.toContain('Old register');
    expect(text).toContain('2 datasets, as the phones last synced them.');
    expect(text).toContain('Its current version has not synced yet · 4 rows · 1 column');
    expect(text).toContain('No version synced yet.');
    expect(text).toContain('Nobody has labelled this dataset yet');
    // Columns: the personal ones marked, values only of the others (escaped).
    expect(text).toContain('<code>phone</code> <strong>(personal: never sent)</strong>');
    expect(text).toContain('<code>carer</code> <strong>(personal: sent as a code)</strong>');
    expect(text).toContain('1 to 90, mean 31.50');
    expect(text).toContain('Kano (7), &lt;Zaria&gt; (3)');
    // Tests and the current version's check.
    expect(text).toContain('age between 0 and 120');
    expect(text).toContain('a test on the personal column phone');
    expect(text).toContain('carer is never empty');
    expect(text).toContain('Version 2 failed 2 of 3 tests');
    expect(text).toContain('Every age is between 0 and 120.');
    expect(text).toContain('1 row failing.');
    // Versions: newest first, deleted and unreadable ones left out.
    expect(text).toContain('Versions (3)');
    expect(text).toContain('Changed 3 rows (labels).');
    expect(text).toContain('Changed 2 rows (labels).');
    expect(text).toContain('Imported 11 rows.');
    expect(text).not.toContain('Dropped the column town.');
    expect(text).toContain('1 record could not be read');
    expect(text).toContain('Nurse &lt;i&gt;2&lt;/i&gt;');
    expect(text).toContain('kept on the phone');
    expect(text).toContain('shared (2.0 KB, 1 personal column left out, 1 personal column as codes)');
    expect(text).toContain('withdrawn (a column in them was marked personal after they were sent)');
    expect(text).toContain('<td>2 (current)</td>');
    expect(text).toContain('— (the first)');
    expect(text.indexOf('Changed 3 rows')).toBeLessThan(text.indexOf('Imported 11 rows.'));
    for (const s of SECRETS) expect(text).not.toContain(s);
  });

  it('shows the agreement the shared functions compute, and lists each disagreement with every label and who gave it', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const text = (await (await admin.get('/console/projects/p1/data')).text()).replace(/&quot;/g, '"');
    const two = agreement(decideAll([...outcome, review]));
    const three = agreement(decideAll(severity));
    expect(two.method).toBe('cohen');
    expect(three.method).toBe('fleiss');
    expect(text).toContain(`People agreed on ${two.agreed} of ${two.shared} items labelled by two or more.`);
    expect(text).toContain(`Agreement beyond chance: ${two.kappa!.toFixed(3)} (Cohen’s kappa, over 6 items with 2 labels each`);
    expect(text).toContain(`Agreement beyond chance: ${three.kappa!.toFixed(3)} (Fleiss’ kappa, over 4 items with 3 labels each`);
    // The disagreement on row:1 waits for a review; row:5 was reviewed; the label typed is escaped.
    expect(text).toMatch(
      /<code>row:1<\/code><\/td>\s*<td>“referred” by Ada \([^)]+\)<br \/>“home” by Bo \([^)]+\)<\/td>\s*<td>No majority: waits for a review<\/td>/,
    );
    expect(text).toContain('“&lt;script&gt;x&lt;/script&gt;” by Bo');
    expect(text).not.toContain('<script>');
    expect(text).toContain('Reviewed: “home” (Lead)');
    expect(text).toContain('Most people said “mild”');
    expect(text).toContain('1 item with different labels; phone is a personal column, so its labels are not shown.');
    expect(text).toContain('href="/console/projects/p1/data/d1/labels.csv"');
    for (const s of SECRETS) expect(text).not.toContain(s);
  });

  it('gives the labels as CSV, oldest first, formulas defused and personal columns left out', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const res = await admin.get('/console/projects/p1/data/d1/labels.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="labels-Visits-b-2026-b-.csv"');
    const csv = await res.text();
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('item,column,value,by,name,at,review');
    expect(lines).toHaveLength(1 + outcome.length + severity.length + 1);
    expect(lines[1]).toBe(`row:0,outcome,referred,ada,Ada,${new Date(outcome[0].at).toISOString()},`);
    expect(csv).toContain(`entry:e3,severity,"'=HYPERLINK(""x"")",cy,Cy,`);
    expect(csv).toContain('row:5,outcome,home,lead,Lead,');
    expect(csv).toBe(labelsCsv(labels, { phone: 'never', carer: 'hash' }));
    for (const s of SECRETS) expect(csv).not.toContain(s);
  });

  it('is linked from the project’s other pages and the front page', async () => {
    const admin = await consoleSignIn(app, adminKey);
    for (const path of ['/console', '/console/projects/p1/plan', '/console/projects/p1/deployment', '/console/versions/mv1'])
      expect(await (await admin.get(path)).text()).toContain('href="/console/projects/p1/data"');
    // A project with no model version yet is reached from the front page's list of projects.
    const front = await (await admin.get('/console')).text();
    expect(front).toContain('Projects (2)');
    expect(front).toContain('<td>Growth &lt;charts&gt;</td>');
    expect(front).toContain('href="/console/projects/p2/data"');
    // p3 is deleted: no link to it (a bare 'p3' could appear by chance in a random token on the page).
    expect(front).not.toContain('/console/projects/p3/');
    expect(front).not.toContain('<td>Gone</td>');
    const empty = await (await admin.get('/console/projects/p2/data')).text();
    expect(empty).toContain('No dataset yet.');
  });

  it('refuses people who are not signed in and another organisation', async () => {
    expect(await (await app.request('/console/projects/p1/data')).text()).toContain('Sign in first.');
    expect(await (await app.request('/console/projects/p1/data/d1/labels.csv')).text()).toContain('Sign in first.');
    const other = await consoleSignIn(app, otherKey);
    const page = await other.get('/console/projects/p1/data');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('There is no project with that id in this organisation.');
    expect((await other.get('/console/projects/p1/data/d1/labels.csv')).status).toBe(404);
    const admin = await consoleSignIn(app, adminKey);
    expect((await admin.get('/console/projects/p1/data/d0/labels.csv')).status).toBe(404);
  });
});
