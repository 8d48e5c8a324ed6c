import type { RetrainRules } from '../schema/monitoring.js';
import type { VersionMonitor } from './version.js';

/** Outpost's default retraining rules: on drift, or when quality falls below the monitor's alert level, or after 200 new outcomes. */
export const RETRAIN_DEFAULTS: RetrainRules = { onDrift: true, qualityBelow: null, newOutcomes: 200 };

/**
 * Why a version should be retrained, by the project's rules (empty: no reason). `qualityBelow`
 * null means "below the quality monitor's alert level". Each reason is a sentence for the person.
 */
export function retrainReasons(monitor: VersionMonitor, rules: RetrainRules = RETRAIN_DEFAULTS): string[] {
  const reasons: string[] = [];
  const f = monitor.figures;
  if (!f) return reasons;
  const drift = monitor.states.find((s) => s.key === 'drift');
  if (rules.onDrift && drift?.state === 'alert') reasons.push('Recent cases differ from the ones the model learned from (drift).');
  const q = monitor.states.find((s) => s.key === 'quality');
  const bar = rules.qualityBelow;
  if (q && q.state !== 'unknown' && f.quality.value !== null) {
    const low = bar === null ? q.state === 'alert' : f.quality.metric === 'mae' || f.quality.metric === 'rmse' ? f.quality.value > bar : f.quality.value < bar;
    if (low)
      reasons.push(`The model is right less often than it should be (${f.quality.metric} ${f.quality.value.toFixed(3)} over ${f.quality.outcomes} outcomes).`);
  }
  const labelled = f.quality.outcomes + f.quality.unknown;
  if (rules.newOutcomes !== null && labelled >= rules.newOutcomes) {
    reasons.push(`${labelled} real results have been recorded since this version was made: enough to learn from.`);
  }
  return reasons;
}
