import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DataRule, RuleResult } from '@shared/schema/data-rules.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import type { ColumnInfo, DatasetMeta, Project } from '@shared/schema/records.js';
import { agreement, byTime, decideAll, type Agreement, type Decision } from '@shared/labels/decide.js';
import type { Label } from '@shared/labels/label.js';
import { describeRule } from '@shared/data/rules.js';
import { projectPersonal, publicColumns, type PersonalChoice } from '@shared/data/privacy.js';
import type { Db } from '../store/db.js';
import { datasetLabels, projectData } from '../store/console-data.js';
import type { ConsoleVars } from '../middleware/console-session.js';
import { messageView, page, projectNav, when } from './console-page.js';

/**
 * A project's data in the console: each dataset with its columns (personal ones marked, never a
 * value of theirs), its data tests and the current version's check, its versions and whether their
 * rows are shared, and the labels people gave on their phones, with the agreement and the
 * disagreements computed by the same shared functions as on the phones (shared/src/labels/).
 * Read-only; needs a signed-in session (consoleRoutes).
 */

type Env = { Variables: ConsoleVars };
type Personal = Record<string, PersonalChoice>;

export const dataPath = (projectId: string) => `/console/projects/${encodeURIComponent(projectId)}/data`;
const csvPath = (projectId: string, datasetId: string) => `${dataPath(projectId)}/${encodeURIComponent(datasetId)}/labels.csv`;

/** The most disagreements listed per labelled column (the CSV has every label). */
export const CONFLICTS_SHOWN = 100;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const short = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));
const bytes = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);
const markWords = (m: PersonalChoice) => (m === 'never' ? 'personal: never sent' : 'personal: sent as a code');

/**
 * The columns to treat as personal for one dataset: the project's marks (any dataset, the
 * stricter winning, as the phones decide) and every column a version's shared rows left out or
 * hashed (marked at the time, perhaps unmarked since: its values stay out of the console too).
 */
function personalOf(marks: Personal, versions: DatasetVersion[]): Personal {
  const out: Personal = { ...marks };
  for (const v of versions) {
    for (const c of v.rows?.removed ?? []) out[c] = 'never';
    for (const c of v.rows?.hashed ?? []) out[c] ??= 'hash';
  }
  return out;
}

// Only summaries of columns that are not personal: publicColumns has already dropped a personal
// column's values; this is the second lock. Free text and dates show no values at all.
function valuesOf(c: ColumnInfo, personal: Personal): string {
  if (personal[c.name]) return '—';
  if (c.type === 'numeric' && c.min !== undefined && c.max !== undefined)
    return `${short(c.min)} to ${short(c.max)}${c.mean !== undefined ? `, mean ${short(c.mean)}` : ''}`;
  if (c.type === 'categorical' && c.top?.length)
    return (
      c.top
        .slice(0, 5)
        .map(([v, n]) => `${v} (${n})`)
        .join(', ') + (c.top.length > 5 ? ', …' : '')
    );
  return '—';
}

function columnsView(columns: ColumnInfo[], personal: Personal, name: string) {
  if (!columns.length) return html`<p class="muted">No column summary synced yet.</p>`;
  return html`<div class="wrap">
    <table aria-label="Columns of ${name}">
      <tr>
        <th>Column</th>
        <th>Type</th>
        <th>Missing</th>
        <th>Distinct</th>
        <th>Values</th>
      </tr>
      ${publicColumns(columns, personal).map(
        (c) =>
          html`<tr>
            <td><code>${c.name}</code>${personal[c.name] ? html` <strong>(${markWords(personal[c.name])})</strong>` : ''}</td>
            <td>${c.type}</td>
            <td>${c.missing}</td>
            <td>${c.distinct}</td>
            <td>${valuesOf(c, personal)}</td>
          </tr>`,
      )}
    </table>
  </div>`;
}

// A rule's own words can hold values (allowed values, a class, bounds): on a personal column only
// the kinds that name none are said.
const ruleColumn = (r: DataRule) => ('column' in r ? r.column : undefined);
const ruleWords = (r: DataRule, personal: Personal) => {
  const column = ruleColumn(r);
  return column && personal[column] && r.kind !== 'not_missing' && r.kind !== 'unique' ? `a test on the personal column ${column}` : describeRule(r);
};

function testsView(d: DatasetMeta, current: DatasetVersion | undefined, personal: Personal) {
  const rules = d.rules ?? [];
  const report = current?.checks;
  const byId = new Map(rules.map((r) => [r.id, r]));
  // A result's sentence can quote values (rows not allowed, a class's share): said only when its
  // rule is known and not on a personal column.
  const sentence = (x: RuleResult) => {
    const rule = byId.get(x.ruleId);
    const column = rule && ruleColumn(rule);
    if (rule && !(column && personal[column])) return x.sentence;
    return x.passed ? 'Passed.' : `${plural(x.failing, 'row')} failing.`;
  };
  const failed = report?.results.filter((x) => !x.passed).length ?? 0;
  return html`<h3>Data tests (${rules.length})</h3>
    ${
      rules.length
        ? html`<ul>
            ${rules.map((r) => html`<li>${ruleWords(r, personal)}</li>`)}
          </ul>`
        : html`<p class="muted">No data tests declared.</p>`
    }
    ${
      !current
        ? ''
        : !report
          ? html`<p>Version ${current.number} has not been checked (it was made before its tests, or the dataset has none).</p>`
          : html`<p>
                <strong
                  >${report.passed ? `Version ${current.number} passed all ${plural(report.results.length, 'test')}` : `Version ${current.number} failed ${failed} of ${plural(report.results.length, 'test')}`}</strong
                >
                (checked ${when(report.checkedAt)}).
              </p>
              ${
                report.results.length
                  ? html`<div class="wrap">
                      <table aria-label="Check of version ${current.number} of ${d.name}">
                        <tr>
                          <th>Test</th>
                          <th>Result</th>
                          <th>What it found</th>
                        </tr>
                        ${report.results.map((x) => {
                          const rule = byId.get(x.ruleId);
                          return html`<tr>
                            <td>${rule ? ruleWords(rule, personal) : 'a test removed since'}</td>
                            <td>${x.passed ? 'passed' : html`<strong class="alert">failed</strong>`}</td>
                            <td>${sentence(x)}</td>
                          </tr>`;
                        })}
                      </table>
                    </div>`
                  : ''
              }`
    }`;
}

function sharedWords(v: DatasetVersion): string {
  if (v.rows === undefined) return 'kept on the phone';
  if (v.rows === null) return 'withdrawn (a column in them was marked personal after they were sent)';
  const out = [`shared (${bytes(v.rows.size)}`];
  if (v.rows.removed.length) out.push(`${plural(v.rows.removed.length, 'personal column')} left out`);
  if (v.rows.hashed.length) out.push(`${plural(v.rows.hashed.length, 'personal column')} as codes`);
  return `${out.join(', ')})`;
}

function versionsView(d: DatasetMeta, versions: DatasetVersion[]) {
  if (!versions.length)
    return html`<h3>Versions (0)</h3>
      <p class="muted">No version synced yet.</p>`;
  const byId = new Map(versions.map((v) => [v.id, v]));
  const name = (id: string) => (byId.has(id) ? `version ${byId.get(id)!.number}` : 'a version not synced here');
  const parent = (v: DatasetVersion) =>
    `${v.parentId ? name(v.parentId) : '— (the first)'}${v.mergedFrom?.length ? `; merged with ${v.mergedFrom.map(name).join(', ')}` : ''}`;
  const sorted = [...versions].sort((a, b) => b.number - a.number || b.createdAt - a.createdAt);
  return html`<h3>Versions (${versions.length})</h3>
    <div class="wrap">
      <table aria-label="Versions of ${d.name}">
        <tr>
          <th>Version</th>
          <th>What changed</th>
          <th>Rows</th>
          <th>Made by</th>
          <th>When</th>
          <th>Rows on the server</th>
          <th>Came from</th>
        </tr>
        ${sorted.map(
          (v) =>
            html`<tr>
              <td>${v.number}${v.id === d.versionId ? ' (current)' : ''}</td>
              <td>${v.change.sentence || v.change.kind}</td>
              <td>${v.rowCount}</td>
              <td>${v.createdBy || '—'}</td>
              <td>${when(v.createdAt)}</td>
              <td>${sharedWords(v)}</td>
              <td>${parent(v)}</td>
            </tr>`,
        )}
      </table>
    </div>`;
}

/** One labelled column: its records, decisions, agreement and disagreements (as the phones compute them). */
export interface ColumnLabels {
  column: string;
  items: number;
  people: number;
  labels: number;
  reviews: number;
  agreement: Agreement;
  conflicts: Decision[];
}

/** The labels of one dataset, per column in code-point order, through the shared decision rule and agreement. */
export function columnLabels(labels: readonly Label[]): ColumnLabels[] {
  const byColumn = new Map<string, Label[]>();
  for (const l of labels) {
    const list = byColumn.get(l.column);
    if (list) list.push(l);
    else byColumn.set(l.column, [l]);
  }
  return [...byColumn.keys()].sort().map((column) => {
    const recs = byColumn.get(column)!;
    const votes = recs.filter((l) => !l.review);
    const decisions = decideAll(recs);
    return {
      column,
      items: decisions.length,
      people: new Set(votes.map((l) => l.by)).size,
      labels: votes.length,
      reviews: recs.length - votes.length,
      agreement: agreement(decisions),
      // As the phone's list to review: every item whose labellers' newest labels differ.
      conflicts: decisions.filter((d) => new Set(d.votes.map((v) => v.value)).size > 1),
    };
  });
}

function agreementWords(a: Agreement): string {
  if (!a.shared) return 'No item has labels from two people yet, so agreement cannot be measured.';
  const plain = `People agreed on ${a.agreed} of ${plural(a.shared, 'item')} labelled by two or more.`;
  if (a.kappa === null) return `${plain} Agreement beyond chance cannot be worked out: everyone used the same label.`;
  const method = a.method === 'cohen' ? 'Cohen’s kappa' : 'Fleiss’ kappa';
  return `${plain} Agreement beyond chance: ${a.kappa.toFixed(3)} (${method}, over ${plural(a.kappaItems, 'item')} with ${a.raters} labels each; 1 is full agreement, 0 no better than chance).`;
}

const statusWords = (d: Decision) =>
  d.status === 'reviewed'
    ? `Reviewed: “${d.review?.value}” (${d.review?.name})`
    : d.status === 'majority'
      ? `Most people said “${d.value}”`
      : 'No majority: waits for a review';

function conflictsView(c: ColumnLabels, personal: boolean) {
  if (!c.conflicts.length) return html`<p>Nobody disagrees on ${c.column}.</p>`;
  if (personal) return html`<p>${plural(c.conflicts.length, 'item')} with different labels; ${c.column} is a personal column, so its labels are not shown.</p>`;
  const shown = c.conflicts.slice(0, CONFLICTS_SHOWN);
  return html`<div class="wrap">
      <table aria-label="Disagreements on ${c.column}">
        <tr>
          <th>Item</th>
          <th>Labels (newest of each person)</th>
          <th>Now</th>
        </tr>
        ${shown.map(
          (d) =>
            html`<tr>
              <td><code>${d.item}</code></td>
              <td>${d.votes.map((v, i) => html`${i ? html`<br />` : ''}“${v.value}” by ${v.name || v.by} (${when(v.at)})`)}</td>
              <td>${statusWords(d)}</td>
            </tr>`,
        )}
      </table>
    </div>
    ${c.conflicts.length > shown.length ? html`<p>And ${c.conflicts.length - shown.length} more (the CSV has every label).</p>` : ''}`;
}

function labelsView(projectId: string, d: DatasetMeta, labels: Label[], personal: Personal) {
  if (!labels.length)
    return html`<h3>Labels</h3>
      <p class="muted">Nobody has labelled this dataset yet (Label tab on a phone).</p>`;
  const columns = columnLabels(labels);
  return html`<h3>Labels</h3>
    <div class="wrap">
      <table aria-label="Labels of ${d.name}">
        <tr>
          <th>Column</th>
          <th>Items labelled</th>
          <th>People</th>
          <th>Labels given</th>
          <th>Reviews</th>
          <th>Disagreements</th>
        </tr>
        ${columns.map(
          (c) =>
            html`<tr>
              <td><code>${c.column}</code></td>
              <td>${c.items}</td>
              <td>${c.people}</td>
              <td>${c.labels}</td>
              <td>${c.reviews}</td>
              <td>${c.conflicts.length}</td>
            </tr>`,
        )}
      </table>
    </div>
    ${columns.map(
      (c) =>
        html`<h4>Agreement on ${c.column}</h4>
          <p>${agreementWords(c.agreement)}</p>
          ${conflictsView(c, !!personal[c.column])}`,
    )}
    <p><a href="${csvPath(projectId, d.id)}" download>Download the labels (CSV: item, column, value, who, when)</a></p>`;
}

function datasetView(projectId: string, d: DatasetMeta, versions: DatasetVersion[], labels: Label[], marks: Personal) {
  const current = versions.find((v) => v.id === d.versionId);
  const personal = personalOf(marks, versions);
  const columns = current?.columns ?? d.columns;
  const summary = [
    current ? `Version ${current.number}` : d.versionId ? 'Its current version has not synced yet' : 'No version yet',
    plural(current?.rowCount ?? d.rowCount, 'row'),
    plural(columns.length, 'column'),
  ].join(' · ');
  return html`<section>
    <h2>${d.name}</h2>
    <p>${summary}${d.target ? html` · target <code>${d.target}</code>` : ''} · from ${d.fileName || 'a form'}, imported ${when(d.createdAt)}</p>
    ${columnsView(columns, personal, d.name)} ${testsView(d, current, personal)} ${versionsView(d, versions)} ${labelsView(projectId, d, labels, personal)}
  </section>`;
}

// RFC 4180 quoting; a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR, but not a
// plain number such as -1) gets a leading apostrophe.
const csvCell = (s: string) => {
  const safe = /^[=+\-@\t\r]/.test(s) && !/^[-+]?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Every label of a dataset as CSV, oldest first; labels of personal columns are left out. */
export function labelsCsv(labels: readonly Label[], personal: Personal): string {
  const lines = [['item', 'column', 'value', 'by', 'name', 'at', 'review'].join(',')];
  for (const l of [...labels].sort(byTime))
    if (!personal[l.column]) lines.push([l.item, l.column, l.value, l.by, l.name, when(l.at), l.review ? 'yes' : ''].map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The front page's list of projects, each with the links to its pages. */
export const projectsSection = (projects: Project[]) =>
  html`<h2>Projects (${projects.length})</h2>
    ${
      projects.length
        ? html`<div class="wrap">
            <table>
              <tr>
                <th>Project</th>
                <th>Pages</th>
              </tr>
              ${projects.map(
                (p) =>
                  html`<tr>
                    <td>${p.name}</td>
                    <td>${projectNav(p.id, undefined, `Pages of ${p.name}`)}</td>
                  </tr>`,
              )}
            </table>
          </div>`
        : html`<p class="muted">None yet. A project is made on a phone, and arrives with its next sync.</p>`
    }`;

/** The Data pages of the console (signed-in; see consoleRoutes). */
export function dataConsoleRoutes(db: Db) {
  return new Hono<Env>()
    .get('/projects/:projectId/data', async (c) => {
      const org = c.get('org')!;
      const projectId = c.req.param('projectId');
      const data = await projectData(db, org.id, projectId);
      if (!data) return c.html(messageView('Data', 'There is no project with that id in this organisation.'), 404);
      const marks = projectPersonal(data.allDatasets);
      const sections = [];
      for (const d of data.datasets) {
        const labels = (await datasetLabels(db, org.id, d.id)).filter((l) => l.projectId === projectId);
        sections.push(
          datasetView(
            projectId,
            d,
            data.versions.filter((v) => v.datasetId === d.id),
            labels,
            marks,
          ),
        );
      }
      const p = data.project;
      return c.html(
        page(
          `Data of ${p.name}`,
          html`<p><a href="/console">Back</a></p>
            ${projectNav(projectId, 'data')}
            <h1>Data of ${p.name}</h1>
            <p>
              ${plural(data.datasets.length, 'dataset')}, as the phones last synced them. Rows stay on the phones
              ${p.shareRows ? 'but this project shares them (personal columns left out or as codes)' : 'unless the project shares them'}. Personal columns are
              marked; their values are never shown here.
            </p>
            ${data.unread ? html`<p class="muted">${plural(data.unread, 'record')} could not be read and ${data.unread === 1 ? 'is' : 'are'} left out.</p>` : ''}
            ${sections.length ? sections : html`<p class="muted">No dataset yet. A dataset is imported on a phone (Data tab).</p>`}`,
        ),
      );
    })
    .get('/projects/:projectId/data/:datasetId/labels.csv', async (c) => {
      const org = c.get('org')!;
      const projectId = c.req.param('projectId');
      const data = await projectData(db, org.id, projectId);
      const d = data?.datasets.find((x) => x.id === c.req.param('datasetId'));
      if (!data || !d) return c.html(messageView('Labels', 'There is no dataset with that id in this project.'), 404);
      const personal = personalOf(
        projectPersonal(data.allDatasets),
        data.versions.filter((v) => v.datasetId === d.id),
      );
      const labels = (await datasetLabels(db, org.id, d.id)).filter((l) => l.projectId === projectId);
      const file = `labels-${d.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'dataset'}.csv`;
      return c.body(labelsCsv(labels, personal), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
      });
    });
}
