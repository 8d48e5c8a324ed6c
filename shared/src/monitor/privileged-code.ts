import { saltedHash } from '../data/privacy.js';
import type { FairnessSettings } from '../schema/monitoring.js';

/**
 * The monitor settings with the fairness check's privileged value also as the project's salted
 * hash (`privilegedCode`), so a protected attribute marked personal "hash" (logged as codes, see
 * privacy.ts `loggablePredictions`) still finds its privileged group. Unchanged when the project
 * has no salt or no fairness check. Async because the hash is SHA-256 by Web Crypto.
 */
export async function withPrivilegedCode<T extends { fairness?: FairnessSettings }>(
  settings: T,
  salt: string | undefined,
): Promise<T & { fairness?: FairnessSettings & { privilegedCode?: string } }> {
  if (!salt || !settings.fairness) return settings;
  return { ...settings, fairness: { ...settings.fairness, privilegedCode: await saltedHash(salt, settings.fairness.privileged) } };
}
