import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { DRIFT_PSI, type FleetVersion } from '@shared/monitor/fleet.js';
import type { VersionMonitor } from '@shared/monitor/version.js';
import type { Device } from '../store/orgs.js';
import { barsChart, dailyChart } from './console-charts.js';
import { page, when } from './console-page.js';

/** The console's monitoring: every version's fleet figures on the front page, one page per version with charts and devices. */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);
const fix = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const STATE = { ok: 'ok', warning: 'warning', alert: 'ALERT' } as const;

const nameOf = (devices: Device[], id: string) => devices.find((d) => d.id === id)?.name ?? id;
const qualityOf = (m: VersionMonitor) => (m.figures ? `${m.figures.quality.metric} ${fix(m.figures.quality.value)}` : '—');
const monitorHref = (id: string) => `/console/versions/${encodeURIComponent(id)}/monitor`;

/** The front page's monitoring table: one row per model version with day counts. */
export function fleetTable(fleet: FleetVersion[], devices: Device[]): Html {
  return html`<h2>Monitoring (${fleet.length})</h2>
    ${
      fleet.length
        ? html`<div class="wrap">
            <table aria-label="Monitoring">
              <tr>
                <th>Model</th>
                <th>Predictions</th>
                <th>Real results</th>
                <th>Quality</th>
                <th>Failures</th>
                <th>p95</th>
                <th>Drift (PSI)</th>
                <th>Fairness</th>
                <th>Devices alerting</th>
                <th></th>
              </tr>
              ${fleet.map((f) => {
                const fig = f.fleet.figures;
                return html`<tr>
                  <td>${f.version.modelName} v${f.version.version} (${f.version.stage})</td>
                  <td>${fig?.predictions ?? 0}</td>
                  <td>${fig?.quality.outcomes ?? 0}</td>
                  <td>${qualityOf(f.fleet)}</td>
                  <td>${pct(fig?.errorRate)}</td>
                  <td>${fig ? `≤ ${fig.latencyP95Ms.toPrecision(3)} ms` : '—'}</td>
                  <td class="${f.drifted ? 'alert' : ''}">${f.drifted ? 'drifted: ' : ''}${f.driftedInputs.length} input(s) ≥ ${DRIFT_PSI}</td>
                  <td>${fig?.fairness ? fix(fig.fairness.score, 0) : '—'}</td>
                  <td class="${f.alerting.length ? 'alert' : ''}">${f.alerting.length ? f.alerting.map((id) => nameOf(devices, id)).join(', ') : 'none'}</td>
                  <td><a href="${monitorHref(f.version.id)}">Details</a></td>
                </tr>`;
              })}
            </table>
          </div>`
        : html`<p>No device has sent monitor counts yet; they come with each sync.</p>`
    }`;
}

function devicesOf(f: FleetVersion, devices: Device[]): Html {
  return html`<h2>Devices</h2>
    <div class="wrap">
      <table aria-label="Devices of this version">
        <tr>
          <th>Device</th>
          <th>State</th>
          <th>Monitors needing a look</th>
          <th>Predictions</th>
          <th>Real results</th>
          <th>Quality</th>
          <th>p95</th>
          <th>Drift (device's test)</th>
          <th>Verdict sent</th>
        </tr>
        ${f.devices.map((d) => {
          const state = d.verdict?.state === 'alert' || d.monitor.overall === 'alert' ? 'alert' : (d.verdict?.state ?? d.monitor.overall);
          const flagged = [
            ...new Set([...(d.verdict?.alerts ?? []), ...d.monitor.states.filter((s) => s.state === 'alert' || s.state === 'warning').map((s) => s.key)]),
          ];
          const drift = d.verdict?.drift;
          return html`<tr>
            <td>${nameOf(devices, d.deviceId)}</td>
            <td class="${state === 'alert' ? 'alert' : ''}">${STATE[state]}</td>
            <td>${flagged.join(', ') || 'none'}</td>
            <td>${d.monitor.figures?.predictions ?? 0}</td>
            <td>${d.monitor.figures?.quality.outcomes ?? 0}</td>
            <td>${qualityOf(d.monitor)}</td>
            <td>${d.monitor.figures ? `≤ ${d.monitor.figures.latencyP95Ms.toPrecision(3)} ms` : '—'}</td>
            <td>${drift ? `${drift.drifted ? 'drifted' : 'no drift'} (${drift.driftedColumns}/${drift.testedColumns})` : '—'}</td>
            <td>${d.verdict ? when(d.verdict.at) : '—'}</td>
          </tr>`;
        })}
      </table>
    </div>`;
}

/** One version's fleet monitoring: figures, day by day, monitors, drift, fairness, business figures and devices. */
export function versionMonitorView(f: FleetVersion, devices: Device[]): Html {
  const fig = f.fleet.figures;
  const metric = fig?.quality.metric ?? 'accuracy';
  const psi = (fig?.inputs ?? []).filter((i) => i.psi !== null).map((i) => ({ name: i.name, value: i.psi as number }));
  return page(
    `${f.version.modelName} v${f.version.version}`,
    html`<p><a href="/console">Back</a></p>
      <h1>${f.version.modelName} v${f.version.version} · fleet</h1>
      <p>${f.project?.name ?? ''} · ${f.devices.length} device(s) · stage ${f.version.stage}</p>
      ${
        fig
          ? html`<dl aria-label="Fleet figures">
              <dt>Predictions</dt>
              <dd>${fig.predictions} (${fig.errors} failed, ${pct(fig.errorRate)})</dd>
              <dt>Real results recorded</dt>
              <dd>${fig.quality.outcomes} (${fig.waiting} still waiting)</dd>
              <dt>Quality</dt>
              <dd>${qualityOf(f.fleet)}${fig.quality.accuracy !== undefined ? `, accuracy ${fix(fig.quality.accuracy)}` : ''}</dd>
              <dt>Speed</dt>
              <dd>p50 ≤ ${fig.latencyP50Ms.toPrecision(3)} ms, p95 ≤ ${fig.latencyP95Ms.toPrecision(3)} ms</dd>
              <dt>Inputs</dt>
              <dd>
                missing ${pct(fig.missingShare)}, out of range ${pct(fig.outOfRangeShare)}, unseen ${pct(fig.unseenShare)}, wrong type ${pct(fig.invalidShare)}
              </dd>
            </dl>`
          : ''
      }
      <h2>Day by day</h2>
      ${dailyChart(
        f.fleet.daily.map((d) => ({ day: d.day, predictions: d.predictions, quality: d.quality })),
        metric,
        metric !== 'mae' && metric !== 'rmse',
      )}
      <h2>Monitors</h2>
      <div class="wrap">
        <table aria-label="Fleet monitors">
          <tr>
            <th>Monitor</th>
            <th>State</th>
            <th>What it says</th>
          </tr>
          ${f.fleet.states.map(
            (s) =>
              html`<tr>
                <td>${s.title}</td>
                <td class="${s.state === 'alert' ? 'alert' : ''}">${s.state}</td>
                <td>${s.detail}</td>
              </tr>`,
          )}
        </table>
      </div>
      <h2>Drift across the fleet</h2>
      <p>
        PSI of each input over every device's counts added up, against the training reference's deciles (drift at ${DRIFT_PSI} or more;
        ${f.drifted ? 'at least half of the inputs drifted: the data has drifted' : 'fewer than half of the inputs drifted'}). Prediction PSI
        ${fix(fig?.predictionPsi)}, outcome PSI ${fix(fig?.outcomePsi)}. Devices also test their own recent window with Evidently's tests (below).
      </p>
      ${barsChart(psi, DRIFT_PSI, 'PSI')}
      <h2>Fairness</h2>
      ${
        fig?.fairness
          ? html`<p>
              Fairness score ${fix(fig.fairness.score, 1)} (${f.project?.fairness?.attribute}: “${fig.fairness.privileged}” privileged,
              “${fig.fairness.favourable}” favourable; flagged below 80): disparate impact ${fix(fig.fairness.disparateImpact)}, statistical parity difference
              ${fix(fig.fairness.statisticalParityDifference)}, equal opportunity difference ${fix(fig.fairness.equalOpportunityDifference)}, average odds
              difference ${fix(fig.fairness.averageOddsDifference)}.
            </p>`
          : html`<p>No fairness check is set for this project, or no prediction carries its group column yet.</p>`
      }
      <h2>Business figures</h2>
      ${
        f.fleet.kpis.length
          ? html`<ul>
              ${f.fleet.kpis.map((k) => html`<li>${k.kpi.name}: ${k.value} ${k.kpi.unit} (${k.cases} cases)</li>`)}
            </ul>`
          : html`<p>None defined for this project.</p>`
      }
      ${devicesOf(f, devices)}`,
  );
}
