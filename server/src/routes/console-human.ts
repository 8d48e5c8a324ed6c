import { Hono } from 'hono';
import { html } from 'hono/html';
import type { HumanMetrics, RatingStudy } from '@shared/schema/human.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { agreementSentence, humanHeadline, preferenceSentence, studyResults, type StudyResult } from '@shared/metrics/human.js';
import type { Db } from '../store/db.js';
import { projectStudyRecords, projectVersionRecords, studyRatingRecords, versionRecord } from '../store/human.js';
import type { ConsoleVars } from '../middleware/console-session.js';
import { messageView, page, when } from './console-page.js';

/**
 * Human evaluation in the console: a version's project's blind rating studies with their results,
 * computed by the same function as on the devices (shared/src/metrics/human.ts) from every synced
 * rating, and the version's human baseline. Read-only; needs a signed-in session (consoleRoutes).
 */

type Env = { Variables: ConsoleVars };
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');
const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

const figures = (m: HumanMetrics) =>
  m.task === 'classification'
    ? `accuracy ${fixed(m.accuracy)}, macro F1 ${fixed(m.macro.f1)}${m.binary ? `, recall (${m.binary.positive}) ${fixed(m.binary.recall)}` : ''}`
    : `MAE ${fixed(m.mae)}, RMSE ${fixed(m.rmse)}, R² ${fixed(m.r2)}`;

function baselineView(v: ModelVersion) {
  const h = v.humanBaseline;
  if (!h) return html`<p>No human baseline recorded for this version yet (Models tab on a device → “How people do”).</p>`;
  return html`<p>
      People: ${humanHeadline(h.metrics)}${h.model ? html`; the model on the same cases: ${humanHeadline(h.model)}` : ''}. Recorded ${when(h.recordedAt)} from
      column <code>${h.decisionColumn}</code> against <code>${h.targetColumn}</code>${h.skipped ? `, ${h.skipped} rows left out` : ''}.
    </p>
    <p>People: ${figures(h.metrics)}${h.model ? html`<br />Model: ${figures(h.model)}` : ''}</p>`;
}

function studyView(s: RatingStudy, r: StudyResult, name: (id: string) => string) {
  const a = name(s.versionA);
  const b = name(s.versionB);
  return html`<h2>${s.name}</h2>
    <p>
      ${a} (A) against ${b} (B) · made ${when(s.createdAt)} by ${s.by ?? 'device'}${s.datasetName ? ` on ${s.datasetName}` : ''} · ${s.items.length} cases (from
      ${s.compared} rows, ${s.disagreements} answered differently)${s.closed ? ' · closed' : ''}
    </p>
    <p><strong>${preferenceSentence(r, a, b)}</strong></p>
    <p>${agreementSentence(r.agreement)}</p>
    <div class="wrap">
      <table aria-label="Results of ${s.name}">
        <tr>
          <th>Cases rated</th>
          <th>Raters</th>
          <th>Ratings</th>
          <th>Preferred A</th>
          <th>Preferred B</th>
          <th>The same</th>
          <th>A among A or B (Wilson 95%)</th>
          <th>By case (bootstrap)</th>
        </tr>
        <tr>
          <td>${r.ratedItems} of ${r.items}</td>
          <td>${r.raters}</td>
          <td>${r.ratings}</td>
          <td>${r.wins.a}</td>
          <td>${r.wins.b}</td>
          <td>${r.wins.same}</td>
          <td>${r.preference ? `${pct(r.preference.share)} [${pct(r.preference.low)}–${pct(r.preference.high)}], n ${r.preference.n}` : '—'}</td>
          <td>
            ${r.byItem ? `${pct(r.byItem.share)} [${pct(r.byItem.low)}–${pct(r.byItem.high)}], ${r.byItem.resamples} resamples, seed ${r.byItem.seed}` : '—'}
          </td>
        </tr>
      </table>
    </div>`;
}

/** The human evaluation pages of the console (signed-in; see consoleRoutes). */
export function humanConsoleRoutes(db: Db) {
  return new Hono<Env>().get('/versions/:id/ratings', async (c) => {
    const org = c.get('org')!;
    const v = await versionRecord(db, org.id, c.req.param('id'));
    if (!v) return c.html(messageView('Human evaluation', 'This organisation has no model version with that id.'), 404);
    const versions = new Map((await projectVersionRecords(db, org.id, v.projectId)).map((x) => [x.id, x]));
    const name = (id: string) => {
      const x = versions.get(id);
      return x ? `${x.modelName} v${x.version}` : `version ${id.slice(0, 8)}`;
    };
    const studies = await projectStudyRecords(db, org.id, v.projectId);
    const ratings = await studyRatingRecords(
      db,
      org.id,
      studies.map((s) => s.id),
    );
    return c.html(
      page(
        'Human evaluation',
        html`<p><a href="/console/versions/${encodeURIComponent(v.id)}">Back to the version</a></p>
          <h1>Human evaluation: ${name(v.id)}</h1>
          ${baselineView(v)}
          <h2>Blind rating studies of this project (${studies.length})</h2>
          <p>
            Raters saw each case's two answers in an order drawn for them and that case, never which version gave which. Preference counts each rater's newest
            choice per case; “the same” is left out of the share.
          </p>
          ${studies.length ? studies.map((s) => studyView(s, studyResults(s, ratings), name)) : html`<p>None yet. A study is made on a device (Models tab → Compare two versions).</p>`}`,
      ),
    );
  });
}
