import { psiEdges } from '../stats/psi.js';

/**
 * The inner edges of Outpost's PSI bins for a reference sample (stats/psi.ts: the reference's
 * deciles, repeated edges merged), without the outer -Infinity and +Infinity, which JSON cannot
 * carry: a profile keeps these and `numericBin` puts a value in [edge(i-1), edge(i)).
 */
export function innerPsiEdges(reference: readonly number[]): number[] {
  return reference.length ? psiEdges(reference).slice(1, -1) : [];
}
