// sacrebleu 2.6.0's BLEU tokenizers (sacrebleu/tokenizers/tokenizer_13a.py, tokenizer_re.py,
// tokenizer_intl.py, tokenizer_char.py, tokenizer_none.py), ported regex for regex.
import { codePoints, pySplit } from './python-text.js';

/** The tokenizers of sacrebleu's BLEU that need no external model: '13a' (the default), 'intl', 'char' and 'none'. */
export type BleuTokenizer = '13a' | 'intl' | 'char' | 'none';

// tokenizer_re.TokenizerRegexp: mteval-v13a's language-dependent part for Western languages.
const RE_13A: readonly [RegExp, string][] = [
  // ASCII punctuation and symbols except . , ' - and the digits and letters: { to ~, [ to `, space to &, ( to +, : to @, and /.
  [/([{-~[-` -&(-+:-@/])/gu, ' $1 '],
  // period and comma unless preceded by a digit
  [/([^0-9])([.,])/gu, '$1 $2 '],
  // period and comma unless followed by a digit
  [/([.,])([^0-9])/gu, ' $1 $2'],
  // dash when preceded by a digit
  [/([0-9])(-)/gu, '$1 $2 '],
];

// tokenizer_intl.TokenizerV14International (mteval-v14's international tokenization).
const RE_INTL: readonly [RegExp, string][] = [
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  [/(\p{S})/gu, ' $1 '],
];

function applyAll(line: string, rules: readonly [RegExp, string][]): string {
  let out = line;
  for (const [re, replacement] of rules) out = out.replace(re, replacement);
  return pySplit(out).join(' ');
}

/**
 * sacrebleu's '13a' tokenizer (Tokenizer13a, equivalent to mteval-v13a.pl as WMT uses it): drops
 * `<skipped>` and `-\n`, turns newlines into spaces, unescapes &quot; &amp; &lt; &gt; (only when the
 * line has an `&`), pads the line with a space on each side, splits off ASCII punctuation and
 * symbols, splits `.` and `,` unless between digits and `-` after a digit, and joins the tokens
 * with single spaces.
 */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  return applyAll(` ${s} `, RE_13A);
}

/**
 * sacrebleu's 'intl' tokenizer (TokenizerV14International, mteval-v14.pl): splits Unicode
 * punctuation (\p{P}) from a neighbouring non-digit and pads every symbol (\p{S}). The Unicode
 * tables are the JavaScript engine's rather than Python's `regex` module's, which can differ for
 * characters added in recent Unicode versions.
 */
export function tokenizeIntl(line: string): string {
  return applyAll(line, RE_INTL);
}

/** sacrebleu's tokenization of one segment for BLEU by the named tokenizer ('char' puts a space between code points; 'none' leaves it). */
export function tokenizeForBleu(line: string, tokenizer: BleuTokenizer): string {
  switch (tokenizer) {
    case '13a':
      return tokenize13a(line);
    case 'intl':
      return tokenizeIntl(line);
    case 'char':
      return codePoints(line).join(' ');
    case 'none':
      return line;
  }
}
