import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * Charts for the console as inline SVG drawn on the server: no script runs in the console (its
 * CSP allows none), and SVG presentation attributes are not styles, so the console's style hash
 * still covers everything. Each chart carries a text alternative.
 */

const W = 640;
const num = (x: number) => (Number.isFinite(x) ? +x.toFixed(2) : 0);

export interface DayPoint {
  day: string;
  predictions: number;
  quality: number | null;
}

/** Predictions a day as bars, and the quality measure a day as a line with points (0..1 unless `unit` is false). */
export function dailyChart(points: DayPoint[], qualityName: string, unit: boolean): HtmlEscapedString | Promise<HtmlEscapedString> {
  const H = 200;
  const top = 14;
  const bottom = H - 28;
  const left = 44;
  const right = W - 44;
  if (!points.length) return html`<p>No days counted yet.</p>`;
  const maxN = Math.max(1, ...points.map((p) => p.predictions));
  const qs = points.map((p) => p.quality).filter((q): q is number => q !== null && Number.isFinite(q));
  const qMin = unit ? 0 : Math.min(0, ...qs);
  const qMax = unit ? 1 : Math.max(1e-9, ...qs);
  const step = (right - left) / points.length;
  const x = (i: number) => left + step * (i + 0.5);
  const yN = (n: number) => bottom - ((bottom - top) * n) / maxN;
  const yQ = (q: number) => bottom - ((bottom - top) * (q - qMin)) / (qMax - qMin || 1);
  const line = points
    .map((p, i) => (p.quality === null ? null : `${num(x(i))},${num(yQ(p.quality))}`))
    .filter(Boolean)
    .join(' ');
  const label = `Predictions a day (bars, up to ${maxN}) and ${qualityName} a day (line), ${points[0].day} to ${points[points.length - 1].day}`;
  return html`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${label}">
    <line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#8a9590" />
    ${points.map(
      (p, i) =>
        html`<rect
          x="${num(x(i) - step * 0.35)}"
          y="${num(yN(p.predictions))}"
          width="${num(step * 0.7)}"
          height="${num(bottom - yN(p.predictions))}"
          fill="#c9d6d0"
        >
          <title>${p.day}: ${p.predictions} predictions</title>
        </rect>`,
    )}
    ${line ? html`<polyline points="${line}" fill="none" stroke="#0b3d2e" stroke-width="2" />` : ''}
    ${points.map((p, i) => (p.quality === null ? '' : html`<circle cx="${num(x(i))}" cy="${num(yQ(p.quality))}" r="3" fill="#0b3d2e"><title>${p.day}: ${qualityName} ${p.quality.toFixed(3)}</title></circle>`))}
    <text x="2" y="${top + 4}" font-size="11" fill="#111">${qMax.toFixed(unit ? 1 : 2)}</text>
    <text x="2" y="${bottom}" font-size="11" fill="#111">${qMin.toFixed(unit ? 1 : 2)}</text>
    <text x="${right + 4}" y="${top + 4}" font-size="11" fill="#555">${maxN}</text>
    <text x="${left}" y="${H - 8}" font-size="11" fill="#111">${points[0].day}</text>
    <text x="${right}" y="${H - 8}" font-size="11" fill="#111" text-anchor="end">${points[points.length - 1].day}</text>
  </svg>`;
}

/** Horizontal bars of a value per name (PSI per input), with the threshold drawn as a line. */
export function barsChart(items: { name: string; value: number }[], threshold: number, what: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (!items.length) return html`<p>Nothing to draw yet.</p>`;
  const ROW = 18;
  const left = 170;
  const right = W - 60;
  const H = items.length * ROW + 10;
  const max = Math.max(threshold * 1.5, ...items.map((i) => i.value));
  const x = (v: number) => left + ((right - left) * Math.max(0, v)) / max;
  const over = items.filter((i) => i.value >= threshold).map((i) => i.name);
  const label = `${what} per input; ${over.length ? `at or above ${threshold}: ${over.join(', ')}` : `none at or above ${threshold}`}`;
  return html`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${label}">
    ${items.map(
      (it, i) =>
        html`<text x="${left - 6}" y="${i * ROW + 14}" font-size="11" fill="#111" text-anchor="end">${it.name.slice(0, 28)}</text>
          <rect x="${left}" y="${i * ROW + 4}" width="${num(x(it.value) - left)}" height="12" fill="${it.value >= threshold ? '#9b1c1c' : '#0b3d2e'}" />
          <text x="${num(x(it.value) + 4)}" y="${i * ROW + 14}" font-size="11" fill="#111">${it.value.toFixed(3)}</text>`,
    )}
    <line x1="${num(x(threshold))}" y1="0" x2="${num(x(threshold))}" y2="${H}" stroke="#b45309" stroke-dasharray="4 3" />
  </svg>`;
}
