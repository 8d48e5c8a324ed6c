import { OutpostError } from '@shared/errors.js';
import type { OutpostDb } from '../db/db.js';
import { recordOutcomes, type OutcomeReport } from '../db/monitoring.js';
import type { CaseResult } from './serve.js';
import { SaidError } from '../said-error.js';

/**
 * Keep a person's decision on a served case as its result until the real one is known: an outcome
 * with source `decision` against every prediction of the case (shadow's hidden one too, so the new
 * version is compared with people), recorded, counted and synced like any outcome. A value that is
 * not one of the model's answers is refused with a sentence and nothing is stored.
 */
export async function recordDecision(
  db: OutpostDb,
  result: Pick<CaseResult, 'projectId' | 'predictionIds'>,
  value: string | number,
  now = Date.now(),
): Promise<OutcomeReport> {
  if (!result.predictionIds.length) {
    throw new SaidError('bad_request', { key: 'error.noAnswer' });
  }
  const report = await recordOutcomes(
    db,
    result.projectId,
    result.predictionIds.map((predictionId) => ({ predictionId, value, source: 'decision' as const })),
    now,
  );
  // One refusal means the value is not an answer of the model (each entry is checked the same way): say it once.
  if (report.refused.length && !report.recorded) throw new OutpostError('bad_request', report.refused[0].message);
  return report;
}
