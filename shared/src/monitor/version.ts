import type { ProjectMonitoring } from '../schema/monitoring.js';
import { defaultQualityMetric, kpiFigure, quality, versionFigures, type KpiFigure, type VersionFigures } from './figures.js';
import { monitorStates, thresholdsFor, worstState, type MonitorState, type StateInputs } from './states.js';
import { totalOf, type DaySummary, type SummaryModel } from './summary.js';

/**
 * A model version's whole monitor from its day counts and its project's settings: the figures
 * over every day, each monitor's state, the business figures, and the quality day by day. The
 * device's monitor screen and the server's fleet view both build theirs here.
 */
export interface VersionMonitor {
  figures: VersionFigures | undefined;
  states: MonitorState[];
  overall: 'ok' | 'warning' | 'alert';
  perDay: number;
  kpis: KpiFigure[];
  /** Day by day: predictions, outcomes and the quality metric (null on days without outcomes). */
  daily: { day: string; predictions: number; outcomes: number; quality: number | null }[];
}

const DAY_MS = 86_400_000;

/** Days from the first to the last day counted, both included (at least 1). */
export function daysSpanned(days: readonly DaySummary[]): number {
  if (!days.length) return 1;
  const sorted = days.map((d) => Date.parse(`${d.day}T00:00:00Z`)).sort((a, b) => a - b);
  return Math.max(1, Math.round((sorted[sorted.length - 1] - sorted[0]) / DAY_MS) + 1);
}

/** Days of the same date added together (several devices' counts of one day), in date order. */
export function byDay(days: readonly DaySummary[]): DaySummary[] {
  const groups = new Map<string, DaySummary[]>();
  for (const d of days) groups.set(d.day, [...(groups.get(d.day) ?? []), d]);
  return [...groups.keys()].sort().map((k) => totalOf(groups.get(k)!)!);
}

export function versionMonitor(m: SummaryModel, settings: ProjectMonitoring, days: readonly DaySummary[], drift?: StateInputs['drift']): VersionMonitor {
  const total = totalOf(days);
  const figureSettings = { qualityMetric: settings.qualityMetric, fairness: settings.fairness };
  const figures = total ? versionFigures(total, m, figureSettings) : undefined;
  const perDay = total ? total.predictions / daysSpanned(days) : 0;
  const metric = settings.qualityMetric ?? defaultQualityMetric(m);
  const states = figures ? monitorStates({ figures, thresholds: thresholdsFor(settings.monitorThresholds, metric), perDay, drift }) : [];
  return {
    figures,
    states,
    overall: worstState(states),
    perDay,
    kpis: total ? (settings.kpis ?? []).map((k) => kpiFigure(k, total, m)) : [],
    // Only quality is needed per day: the full figures of hundreds of days would make a long log slow to open.
    daily: byDay(days).map((d) => ({ day: d.day, predictions: d.predictions, outcomes: d.outcomes, quality: quality(d, m, metric).value })),
  };
}
