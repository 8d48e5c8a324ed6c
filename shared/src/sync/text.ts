/**
 * Text PostgreSQL can store. Postgres refuses U+0000 in `text` and `jsonb`, and `jsonb` refuses a
 * UTF-16 surrogate that is not part of a pair (a string cut in the middle of an emoji, or bytes
 * read as the wrong encoding). Such input must be refused where it enters, with the path of the
 * offending value, rather than reach the database and fail there (a device retries a failed push
 * for ever, so one such record would block its queue for good).
 */

/** Deepest nesting of arrays and objects a synced record may have (a tfjs model topology needs ~10). */
export const MAX_RECORD_DEPTH = 64;

/** True when `s` holds U+0000 or a lone surrogate (the well-formedness test of ES2024's `isWellFormed`, plus NUL). */
export function hasUnstorableText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** `s` with each NUL and lone surrogate replaced by U+FFFD, so it can be stored and shown. */
export function toStorableText(s: string): string {
  if (!hasUnstorableText(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += s[i] + s[i + 1];
      i++;
    } else out += c === 0 || (c >= 0xd800 && c <= 0xdfff) ? '\ufffd' : s[i];
  }
  return out;
}

export interface UnstorableText {
  /** Where the problem is, e.g. `inputs.note` or `columns.3.name` ('' for the value itself). */
  path: string;
  problem: 'text' | 'depth';
}

/**
 * The first string or object key in `value` that PostgreSQL cannot store (NUL or a lone
 * surrogate), or the first place nested deeper than `maxDepth`; undefined when all is storable.
 * Walks with an explicit stack, so a value nested thousands deep cannot overflow the call stack.
 */
export function findUnstorableText(value: unknown, maxDepth = MAX_RECORD_DEPTH): UnstorableText | undefined {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (hasUnstorableText(v)) return { path: printPath(path), problem: 'text' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= maxDepth) return { path: printPath(path), problem: 'depth' };
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      if (hasUnstorableText(k)) return { path: printPath([...path, k]), problem: 'text' };
      stack.push({ v: x, path: [...path, k] });
    }
  }
  return undefined;
}

function printPath(path: string[]): string {
  return toStorableText(path.join('.')).slice(0, 120);
}

/** A sentence naming where a record holds what the server cannot store. */
export function unstorableSentence(u: UnstorableText): string {
  const where = u.path ? `“${u.path}”` : 'the record';
  return u.problem === 'depth'
    ? `${where} is nested more than ${MAX_RECORD_DEPTH} levels deep, which the server does not store.`
    : `${where} contains a character the server cannot store (a NUL character or half of an emoji, often from a damaged file). Correct it on the device and save again.`;
}
