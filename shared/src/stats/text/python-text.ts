// Python's string primitives that the reference implementations (sacrebleu, rouge-score) are built
// on. JavaScript's differ in small ways that change scores: `\s` is not Python's whitespace, and a
// JavaScript string is indexed by UTF-16 code unit where Python counts code points.

/**
 * The characters for which Python 3's str.isspace() is true (checked over all of Unicode with
 * CPython 3.11): ASCII \t \n \v \f \r, the separators U+001C..U+001F, space, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and U+3000. Unlike JavaScript's `\s` it includes
 * U+001C..U+001F and U+0085 and excludes U+FEFF.
 */
// eslint-disable-next-line no-control-regex -- U+001C..U+001F are whitespace to Python, which is the point.
export const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

const WHITESPACE_RUN = new RegExp(PY_WHITESPACE.source, 'gu');
const TRAILING_WHITESPACE = new RegExp(`${PY_WHITESPACE.source}$`, 'u');

/** Python's str.split() with no separator: the runs of non-whitespace (PY_WHITESPACE), no empty strings. */
export function pySplit(s: string): string[] {
  return s.split(WHITESPACE_RUN).filter((w) => w !== '');
}

/** Python's str.rstrip() with no argument: trailing PY_WHITESPACE removed. */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING_WHITESPACE, '');
}

/** The code points of `s`, as Python indexes a str (an astral character is one element, not two). */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Adds one to `key`'s count. */
export function countUp(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
