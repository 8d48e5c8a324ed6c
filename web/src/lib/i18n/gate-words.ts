import type { GateResult } from '@shared/registry/gates.js';
import { say } from './i18n.svelte.js';
import { gateSentence } from './gate-sentence.js';

/** A promotion gate's result in the person's language: what was checked, then how it went (GateResult.said). */
export function gateWords(r: GateResult): string {
  return gateSentence(r.said, say);
}

/** The failed gates as one sentence in the person's language, or null when all passed (gateFailure's words). */
export function gateFailureWords(results: readonly GateResult[]): string | null {
  const failed = results.filter((r) => !r.passed);
  return failed.length ? say({ key: 'gates.notPromoted', values: { reasons: failed.map(gateWords).join(' ') } }) : null;
}
