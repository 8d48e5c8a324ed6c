import type { Outcome, OutcomeValue } from '../schema/monitoring.js';
import type { FeaturePipeline } from '../schema/pipeline.js';
import { isMissing, toNumber, type Cell } from '../data/columns.js';

/**
 * Whether outcome `a` supersedes `b` for the same prediction: the later `recordedAt` wins, and on
 * the same millisecond the greater id (ids are UUIDv7, so the one made later). Every device picks
 * the same outcome whatever order they arrive in.
 */
export function supersedes(a: Pick<Outcome, 'id' | 'recordedAt'>, b: Pick<Outcome, 'id' | 'recordedAt'>): boolean {
  return a.recordedAt > b.recordedAt || (a.recordedAt === b.recordedAt && a.id > b.id);
}

/** The outcome that counts among those recorded for one prediction (the others are its history). */
export function latestOutcome<T extends Pick<Outcome, 'id' | 'recordedAt'>>(outcomes: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const o of outcomes) if (!best || supersedes(o, best)) best = o;
  return best;
}

export type ParsedOutcome = { ok: true; value: OutcomeValue } | { ok: false; message: string };

/**
 * Read what a person typed (or a CSV cell) as the outcome of a model's prediction: one of the
 * model's labels for a classification (matched ignoring case and spaces around it, and stored in
 * the model's spelling), a number for a regression. Anything else is refused with a sentence.
 */
export function parseOutcome(raw: Cell, pipeline: Pick<FeaturePipeline, 'target'>): ParsedOutcome {
  if (isMissing(raw)) return { ok: false, message: 'The outcome is empty. Type or choose the real result.' };
  const t = pipeline.target;
  if (t.kind === 'categorical') {
    const typed = String(raw).trim().toLowerCase();
    const label = t.labels.find((l) => l.trim().toLowerCase() === typed);
    if (label === undefined) {
      const shown = t.labels.slice(0, 8).map((l) => `“${l}”`);
      return { ok: false, message: `“${String(raw).trim().slice(0, 40)}” is not one of this model's answers: use ${shown.join(', ')}.` };
    }
    return { ok: true, value: label };
  }
  const n = toNumber(raw);
  if (n === null) return { ok: false, message: `“${String(raw).trim().slice(0, 40)}” is not a number; the outcome of this model is a number.` };
  return { ok: true, value: n };
}
