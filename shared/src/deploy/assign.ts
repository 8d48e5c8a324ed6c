import type { DeploymentState, Arm } from '../schema/deployment.js';

type Row = Record<string, unknown>;

/**
 * A subject's key: the row's value in the key column as text, trimmed; null when the column is
 * missing, empty or not a string or finite number. A number and its usual text agree (12 and "12"
 * are the same patient); "12.0" is a different key from 12, as it would be to a person reading it.
 */
export function subjectKey(row: Row, keyColumn: string): string | null {
  const v = row[keyColumn];
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/**
 * Where a subject falls in [0, 1): the first 48 bits of SHA-256 of `outpost-canary`, the project id
 * and the key (each on its own line, UTF-8), divided by 2^48. The same on every device and the
 * server, and easy to reproduce elsewhere (Python: `int(hashlib.sha256(b"outpost-canary\n" + pid +
 * b"\n" + key).hexdigest()[:12], 16) / 2**48`). A subject is given the challenger while its point is
 * below the canary's share, so raising the share only ever moves subjects onto the challenger:
 * nobody flips back and forth during a ramp.
 */
export async function assignmentPoint(projectId: string, key: string): Promise<number> {
  const bytes = new TextEncoder().encode(`outpost-canary\n${projectId}\n${key}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + digest[i];
  return n / 2 ** 48;
}

/** The canary's share now: the ramp's value at its step (0 when the state is not a canary). */
export function canaryShare(state: DeploymentState): number {
  if (state.mode !== 'canary' || !state.canary) return 0;
  return state.canary.ramp[Math.min(state.canary.step, state.canary.ramp.length - 1)];
}

/**
 * Which arm answers this row under a canary: the challenger when the subject's point is below the
 * share, else the champion. A row without a key gets the champion (`keyMissing`), and is counted.
 * Outside canary mode the champion answers (shadow runs the challenger beside it; see plan.ts).
 */
export async function canaryArm(projectId: string, state: DeploymentState, row: Row): Promise<{ arm: Arm; keyMissing: boolean }> {
  if (state.mode !== 'canary' || !state.canary) return { arm: 'champion', keyMissing: false };
  const key = subjectKey(row, state.canary.keyColumn);
  if (key === null) return { arm: 'champion', keyMissing: true };
  return { arm: (await assignmentPoint(projectId, key)) < canaryShare(state) ? 'challenger' : 'champion', keyMissing: false };
}
