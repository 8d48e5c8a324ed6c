import type { RetrainRules } from '../schema/monitoring.js';
import type { VersionMonitor } from './version.js';
import type { Said } from '../said.js';

/** Outpost's default retraining rules: on drift, or when quality falls below the monitor's alert level, or after 200 new outcomes. */
export const RETRAIN_DEFAULTS: RetrainRules = { onDrift: true, qualityBelow: null, newOutcomes: 200 };

/** The message keys of the retraining reasons, in the device's catalogues. */
export type RetrainKey = 'monitor.retrain.drift' | 'monitor.retrain.quality' | 'monitor.retrain.outcomes';

interface Reason {
  said: Said<RetrainKey>;
  english: string;
}

function reasonsOf(monitor: VersionMonitor, rules: RetrainRules): Reason[] {
  const reasons: Reason[] = [];
  const f = monitor.figures;
  if (!f) return reasons;
  const drift = monitor.states.find((s) => s.key === 'drift');
  if (rules.onDrift && drift?.state === 'alert')
    reasons.push({ said: { key: 'monitor.retrain.drift' }, english: 'Recent cases differ from the ones the model learned from (drift).' });
  const q = monitor.states.find((s) => s.key === 'quality');
  const bar = rules.qualityBelow;
  if (q && q.state !== 'unknown' && f.quality.value !== null) {
    const low = bar === null ? q.state === 'alert' : f.quality.metric === 'mae' || f.quality.metric === 'rmse' ? f.quality.value > bar : f.quality.value < bar;
    if (low) {
      const values = { metric: f.quality.metric, value: f.quality.value.toFixed(3), outcomes: f.quality.outcomes };
      reasons.push({
        said: { key: 'monitor.retrain.quality', values },
        english: `The model is right less often than it should be (${values.metric} ${values.value} over ${values.outcomes} outcomes).`,
      });
    }
  }
  const labelled = f.quality.outcomes + f.quality.unknown;
  if (rules.newOutcomes !== null && labelled >= rules.newOutcomes) {
    reasons.push({
      said: { key: 'monitor.retrain.outcomes', values: { count: labelled } },
      english: `${labelled} real results have been recorded since this version was made: enough to learn from.`,
    });
  }
  return reasons;
}

/**
 * Why a version should be retrained, by the project's rules (empty: no reason). `qualityBelow`
 * null means "below the quality monitor's alert level". Each reason is a sentence for the person
 * (English, for the server's console).
 */
export function retrainReasons(monitor: VersionMonitor, rules: RetrainRules = RETRAIN_DEFAULTS): string[] {
  return reasonsOf(monitor, rules).map((r) => r.english);
}

/** The same reasons as messages (said.ts), for a screen in any language. */
export function retrainReasonsSaid(monitor: VersionMonitor, rules: RetrainRules = RETRAIN_DEFAULTS): Said<RetrainKey>[] {
  return reasonsOf(monitor, rules).map((r) => r.said);
}
