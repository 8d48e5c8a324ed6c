import type { ModelVersion } from '../schema/records.js';
import type { FeatureSpec, NumericFeature } from '../schema/pipeline.js';
import type { EvaluationReport, SliceEvaluation } from '../metrics/evaluation-schema.js';

/**
 * A model card (Mitchell et al., "Model Cards for Model Reporting", FAT* 2019) for one model
 * version: what it is for and what it must not be used for (written by a person), where it came
 * from, the data it reads, its figures on the held-out test split beside the baseline, by slice
 * with their bootstrap intervals, its decision threshold, its quantization, and the limits Outpost
 * can state by itself. One standalone HTML page: inline CSS, no script (a Content-Security-Policy
 * forbids any), every value escaped, printable on paper.
 */

/** A slice with fewer test rows than this: its figure says little (the card lists it as a limit). */
export const SLICE_FLOOR = 30;
/** A test split smaller than this: every figure on it is uncertain (the card says so). */
export const FEW_TEST_ROWS = 100;
/** Categories of one input listed on the card; the rest are counted. */
const MAX_CATEGORIES_SHOWN = 30;

/** The project a version belongs to, as the card names it. */
export interface CardProject {
  name: string;
  description?: string;
}

// HTML built from parts that are escaped unless they are already HTML (`Html`): a value can only
// become markup by passing through `html` itself, so no field of a record can inject a tag.
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
function part(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}
function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}

const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
// UTC, so the same version prints the same card wherever it is exported.
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const kb = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`);
const LOWER_IS_BETTER = new Set(['mae', 'rmse']);

/** The model family and its file format as the card names them (docs/model-families.md). */
export function formatWords(a: ModelVersion['artifacts']): string {
  if (a.format === 'onnx') return 'ONNX';
  if (a.format === 'outpost-trees') return `Random forest of ${a.trees} decision trees (Outpost trees, JSON)`;
  return a.family === 'linear' ? 'Linear model (TensorFlow.js Layers, one dense layer)' : 'TensorFlow.js Layers';
}

function paragraphs(text: string): Html {
  return html`${text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => html`<p>${p}</p>`)}`;
}

function header(v: ModelVersion, project?: CardProject): Html {
  return html`<header>
    <p class="kicker">Model card${project ? html` · ${project.name}` : ''}</p>
    <h1>${v.modelName} <span class="muted">version ${v.version}</span></h1>
    <dl class="facts">
      <dt>Stage</dt>
      <dd>${v.stage}</dd>
      <dt>Task</dt>
      <dd>${v.task}</dd>
      <dt>Created</dt>
      <dd>${utc(v.createdAt)}</dd>
      <dt>Format</dt>
      <dd>${formatWords(v.artifacts)}, ${kb(v.weightsSize)}</dd>
      <dt>Weights SHA-256</dt>
      <dd><code>${v.weightsHash}</code></dd>
    </dl>
    ${project?.description ? html`<p>${project.description}</p>` : ''}
  </header>`;
}

function purpose(v: ModelVersion): Html {
  const none = (what: string) => html`<p class="note">No ${what} has been written for this version yet. Ask the person who made it before relying on it.</p>`;
  return html`<section>
    <h2>Intended use</h2>
    ${v.card?.intendedUse.trim() ? paragraphs(v.card.intendedUse) : none('intended use')}
    <h2>Limitations</h2>
    ${v.card?.limitations.trim() ? paragraphs(v.card.limitations) : none('list of limitations')}
  </section>`;
}

function origin(v: ModelVersion): Html {
  const i = v.imported;
  const where = i
    ? html`<p>
        Imported from the file <code>${i.fileName}</code> (${i.format})${i.by ? html` by ${i.by}` : ''} on
        ${utc(i.at)}.${v.artifacts.format === 'onnx' && v.artifacts.producer ? html` Made by ${v.artifacts.producer}${v.artifacts.opset ? html`, opset ${v.artifacts.opset}` : ''}.` : ''}
      </p>`
    : v.runId
      ? html`<p>Trained in Outpost (run <code>${v.runId}</code>) with app version ${v.appVersion}.</p>`
      : html`<p>Registered with app version ${v.appVersion}; the run it came from is not recorded.</p>`;
  return html`<section>
    <h2>Where it came from</h2>
    ${where}
  </section>`;
}

const PART_WORDS: Record<NonNullable<NumericFeature['source']>['part'], string> = {
  year: 'the year',
  month: 'the month (1–12)',
  day: 'the day of the month',
  weekday: 'the weekday (1 is Monday)',
  yearday: 'the day of the year',
  length: 'the length in characters',
  words: 'the number of words',
};

function featureDetail(f: FeatureSpec): Html {
  if (f.kind === 'numeric' && f.source) {
    const order = f.source.order
      ? f.source.order === 'mdy'
        ? ', dates such as 03/04/2024 read month first'
        : ', dates such as 03/04/2024 read day first'
      : '';
    return html`${PART_WORDS[f.source.part]} of “${f.source.column}”${order}; mean ${num(f.mean)}, standard deviation ${num(f.std)}; a missing value counts as
    ${num(f.impute)}`;
  }
  if (f.kind === 'numeric') return html`mean ${num(f.mean)}, standard deviation ${num(f.std)}; a missing value counts as ${num(f.impute)}`;
  const shown = f.categories.slice(0, MAX_CATEGORIES_SHOWN).join(', ');
  const more = f.categories.length - MAX_CATEGORIES_SHOWN;
  return html`${f.categories.length} categories: ${shown}${more > 0 ? ` and ${more} more` : ''}; a missing or new value counts as “${f.impute}”`;
}

function data(v: ModelVersion): Html {
  const t = v.pipeline.target;
  const input = v.artifacts.input;
  const trainRows = v.reference?.ofRows;
  const testRows = v.evaluation?.evaluation.n;
  return html`<section>
    <h2>Data</h2>
    ${
      input?.kind === 'tensor'
        ? html`<p>
            Reads one tensor of shape [${input.shape.join(' × ')}]${input.layout ? ` (${input.layout})` : ''}, scaled as x × ${input.scale} + ${input.offset}.
          </p>`
        : ''
    }
    ${
      v.pipeline.features.length
        ? html`<table aria-label="Inputs">
            <thead>
              <tr>
                <th>Input</th>
                <th>Kind</th>
                <th>What the model learned of it</th>
              </tr>
            </thead>
            <tbody>
              ${v.pipeline.features.map(
                (f) =>
                  html`<tr>
                    <td>${f.name}</td>
                    <td>${f.kind}</td>
                    <td>${featureDetail(f)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
    <p>
      Target: <strong>${t.name}</strong>,
      ${t.kind === 'categorical' ? html`one of ${t.labels.length} labels: ${t.labels.join(', ')}` : html`a number (mean ${num(t.mean)}, standard deviation ${num(t.std)})`}.
    </p>
    <p>Training rows: ${trainRows ?? 'not recorded'} · Test rows (kept apart from training): ${testRows ?? 'none'}</p>
  </section>`;
}

function metricRows(r: EvaluationReport): Html {
  const e = r.evaluation;
  const b = r.baseline;
  const row = (name: string, model: string, baseline: string) =>
    html`<tr>
      <td>${name}</td>
      <td class="num">${model}</td>
      <td class="num">${baseline}</td>
    </tr>`;
  if (e.task === 'classification') {
    const cb = b?.strategy === 'most_frequent' ? b : undefined;
    return html`${row('accuracy', num(e.accuracy), num(cb?.accuracy))}
    ${
      e.binary
        ? html`${row(`precision (${e.binary.positive})`, num(e.binary.precision), num(cb?.binary?.precision))}
          ${row(`recall (${e.binary.positive})`, num(e.binary.recall), num(cb?.binary?.recall))}
          ${row(`F1 (${e.binary.positive})`, num(e.binary.f1), num(cb?.binary?.f1))} ${row('ROC AUC', num(e.binary.auc), '0.500')}
          ${row('average precision', num(e.binary.averagePrecision), '—')} ${row('Brier score', num(e.binary.brier), '—')}`
        : ''
    }
    ${row('F1, macro average', num(e.macro.f1), num(cb?.macro.f1))} ${row('F1, weighted average', num(e.weighted.f1), num(cb?.weighted.f1))}
    ${row('log loss', num(e.logLoss), num(cb?.logLoss))}`;
  }
  const rb = b?.strategy === 'mean' ? b : undefined;
  return html`${row('MAE', num(e.mae), num(rb?.mae))} ${row('RMSE', num(e.rmse), num(rb?.rmse))} ${row('R²', num(e.r2), num(rb?.r2))}`;
}

function confusion(r: EvaluationReport): Html {
  const e = r.evaluation;
  if (e.task !== 'classification' || e.labels.length > 12) return html``;
  return html`<table aria-label="Confusion matrix">
    <caption>
      Rows: the true label; columns: the model's answer.
    </caption>
    <thead>
      <tr>
        <th></th>
        ${e.labels.map((l) => html`<th class="num">${l}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${e.confusion.map(
        (cells, i) =>
          html`<tr>
            <th>${e.labels[i]}</th>
            ${cells.map((c) => html`<td class="num">${c}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function sliceTable(s: SliceEvaluation): Html {
  return html`<h3>${s.column} <span class="muted">(${s.metric})</span></h3>
    <table aria-label="Slices of ${s.column}">
      <thead>
        <tr>
          <th>Group</th>
          <th class="num">Test rows</th>
          <th class="num">${s.metric}</th>
          <th class="num">${Math.round(s.level * 100)}% interval</th>
        </tr>
      </thead>
      <tbody>
        ${s.slices.map(
          (x) =>
            html`<tr${x.n < SLICE_FLOOR ? html` class="thin"` : ''}><td>${x.name}</td><td class="num">${x.n}</td><td class="num">${num(x.value)}</td><td class="num">${num(x.low)} – ${num(x.high)}</td></tr>`,
        )}
      </tbody>
    </table>`;
}

function evaluation(v: ModelVersion): Html {
  const r = v.evaluation;
  if (!r) {
    return html`<section>
      <h2>How well it does</h2>
      <p class="note">This version has no report on a test split.${v.metrics ? ' Its figures below are from the validation rows seen during training.' : ''}</p>
      ${
        v.metrics
          ? v.metrics.task === 'classification'
            ? html`<p>Validation accuracy ${num(v.metrics.accuracy)}, F1 (${v.metrics.f1Average}) ${num(v.metrics.f1)}.</p>`
            : html`<p>Validation MAE ${num(v.metrics.mae)}, RMSE ${num(v.metrics.rmse)}, R² ${num(v.metrics.r2)}.</p>`
          : ''
      }
    </section>`;
  }
  const b = r.baseline;
  const baselineWords = b
    ? b.strategy === 'most_frequent'
      ? 'always answering the most common label of the training rows'
      : 'always answering the mean of the training rows'
    : '';
  const resamples = [...new Set(r.slices.map((s) => s.resamples))];
  const seeds = [...new Set(r.slices.map((s) => s.seed))];
  return html`<section>
    <h2>How well it does</h2>
    <p>On ${r.evaluation.n} test rows kept apart from training${b ? html`, beside a baseline of ${baselineWords}` : ''}.</p>
    <table aria-label="Test metrics">
      <thead>
        <tr>
          <th>Measure</th>
          <th class="num">Model</th>
          <th class="num">Baseline</th>
        </tr>
      </thead>
      <tbody>
        ${metricRows(r)}
      </tbody>
    </table>
    ${confusion(r)}
    ${
      r.slices.length
        ? html`<h2>By group</h2>
            <p>
              Each input's groups of test rows, with percentile bootstrap intervals of ${resamples.join(' or ')} resamples (seed ${seeds.join(', ')}). Groups
              under ${SLICE_FLOOR} rows are shaded: their figures say little.
            </p>
            ${r.slices.map(sliceTable)}`
        : ''
    }
  </section>`;
}

function decisionAndSize(v: ModelVersion): Html {
  const d = v.decision;
  const q = v.quantized;
  const t = v.pipeline.target;
  const positive = t.kind === 'categorical' ? t.labels[1] : undefined;
  const change = q?.full !== undefined && q.quantized !== undefined ? q.quantized - q.full : undefined;
  return html`<section>
    <h2>Decision threshold</h2>
    ${
      d
        ? html`<p>
            Answers “${positive}” when its probability reaches <strong>${num(d.threshold)}</strong>, chosen for a missed case costing ${d.missCost} and a false
            alarm costing ${d.falseAlarmCost}: an expected cost of ${num(d.expectedCost)} per case on the test rows.
          </p>`
        : html`<p>
            ${positive && t.kind === 'categorical' && t.labels.length === 2 ? html`None chosen: “${positive}” is answered from a probability of 0.500.` : 'The label with the highest probability is answered.'}
          </p>`
    }
    <h2>Smaller weights</h2>
    ${
      q
        ? html`<p>
            Also kept as ${q.dtype} weights (${kb(q.weightsSize)} instead of
            ${kb(v.weightsSize)}).${
              change !== undefined
                ? html` ${q.metric ?? 'The headline metric'} on the test rows: ${num(q.full)} with the full weights, ${num(q.quantized)} with these
                  (${change >= 0 ? '+' : ''}${num(change, 4)}).`
                : ''
            }
          </p>`
        : html`<p>Not quantized: devices download the full weights.</p>`
    }
  </section>`;
}

/**
 * What the records themselves say the version should not be trusted for: few test rows, groups
 * under SLICE_FLOOR rows, groups whose whole interval lies on the worse side of the overall figure,
 * no better than the baseline, a quantization that lost more than 0.01, and no test report.
 */
export function automaticLimits(v: ModelVersion): string[] {
  const out: string[] = [];
  const r = v.evaluation;
  if (!r) {
    out.push('It was not evaluated on rows kept apart from training: how it does on new cases is not known.');
  } else {
    const e = r.evaluation;
    if (e.n < FEW_TEST_ROWS) out.push(`Only ${e.n} test rows: every figure here is uncertain.`);
    const overall = e.task === 'classification' ? e.accuracy : e.mae;
    for (const s of r.slices) {
      const thin = s.slices.filter((x) => x.n < SLICE_FLOOR);
      if (thin.length) out.push(`${s.column}: ${thin.map((x) => `“${x.name}” (${x.n} rows)`).join(', ')} had fewer than ${SLICE_FLOOR} test rows.`);
      // Only against the same measure as the overall figure (accuracy, or MAE).
      if (s.metric !== (e.task === 'classification' ? 'accuracy' : 'mae')) continue;
      const worse = s.slices.filter(
        (x) => x.n >= SLICE_FLOOR && x.low !== null && x.high !== null && (LOWER_IS_BETTER.has(s.metric) ? x.low > overall : x.high < overall),
      );
      for (const x of worse)
        out.push(`${s.column} “${x.name}”: ${s.metric} ${num(x.value)} (interval ${num(x.low)} – ${num(x.high)}), worse than ${num(overall)} overall.`);
    }
    const b = r.baseline;
    if (e.task === 'classification' && b?.strategy === 'most_frequent' && e.accuracy <= b.accuracy)
      out.push(`Its accuracy (${pct(e.accuracy)}) is no better than always answering the most common label (${pct(b.accuracy)}).`);
    if (e.task === 'regression' && b?.strategy === 'mean' && e.mae >= b.mae)
      out.push(`Its MAE (${num(e.mae)}) is no better than always answering the mean (${num(b.mae)}).`);
  }
  const q = v.quantized;
  if (q?.full !== undefined && q.quantized !== undefined && q.full - q.quantized > 0.01)
    out.push(`The ${q.dtype} weights lose ${num(q.full - q.quantized)} of ${q.metric ?? 'the headline metric'} against the full ones.`);
  return out;
}

const STYLE = `
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin: 0.2rem 0 0.6rem; }
  h2 { font-size: 1.15rem; margin: 1.4rem 0 0.4rem; border-bottom: 1px solid #ccc; padding-bottom: 0.15rem; }
  h3 { font-size: 1rem; margin: 0.9rem 0 0.3rem; }
  .kicker { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem; color: #555; margin: 0; }
  .muted { color: #666; font-weight: normal; }
  .note { background: #fff4cc; padding: 0.4rem 0.6rem; border-radius: 4px; }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0; }
  .facts dt { color: #555; }
  .facts dd { margin: 0; overflow-wrap: anywhere; }
  table { border-collapse: collapse; margin: 0.4rem 0; width: 100%; }
  caption { text-align: left; color: #555; font-size: 0.85rem; }
  th, td { border-bottom: 1px solid #e2e2e2; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
  .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tr.thin td { color: #777; background: #f4f4f4; }
  code { font-size: 0.85em; overflow-wrap: anywhere; }
  footer { margin-top: 2rem; color: #666; font-size: 0.8rem; }
  @media print { body { margin: 0; max-width: none; font-size: 11pt; } section, table { break-inside: avoid; } .note { border: 1px solid #aaa; } }
`;

/**
 * The model card of a version as one standalone HTML page (see the module comment). `project`
 * adds the project's name and description. Pure: the same version prints the same page.
 */
export function modelCardHtml(version: ModelVersion, project?: CardProject): string {
  const v = version;
  const limits = automaticLimits(v);
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <title>Model card: ${v.modelName} v${v.version}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        ${header(v, project)} ${purpose(v)} ${origin(v)} ${data(v)} ${evaluation(v)} ${decisionAndSize(v)}
        <section>
          <h2>Limits Outpost found by itself</h2>
          ${
            limits.length
              ? html`<ul>
                  ${limits.map((l) => html`<li>${l}</li>`)}
                </ul>`
              : html`<p>None found in the records. That does not mean there are none.</p>`
          }
        </section>
        <footer>Made by Outpost from the version's own records (schema ${v.schemaVersion}, app ${v.appVersion}). Version id <code>${v.id}</code>.</footer>
      </body>
    </html> `.text;
}
