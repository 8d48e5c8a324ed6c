import { OutpostError } from '@shared/errors.js';
import { SaidError } from '../said-error.js';

/** Encodings a person can choose for a file that is not UTF-8, as TextDecoder names them. */
export const ENCODINGS = [
  { id: 'windows-1252', label: 'Western European (Windows-1252, Latin-1)' },
  { id: 'windows-1250', label: 'Central European (Windows-1250)' },
  { id: 'windows-1251', label: 'Cyrillic (Windows-1251)' },
  { id: 'macintosh', label: 'Older Mac (Mac Roman)' },
  { id: 'utf-8', label: 'UTF-8 (damaged characters shown as �)' },
] as const;

export function encodingLabel(id: string): string {
  return ENCODINGS.find((e) => e.id === id)?.label ?? id;
}

/** The question the preview asks when a file is not UTF-8: what it was read as and what that shows. */
export interface EncodingQuestion {
  suggested: string;
  /** Distinct non-ASCII characters as read (é à ç), at most 12. */
  accents: string[];
  /** A few words holding them, so a person can tell "Benoît" from "BenoÃ®t". */
  words: string[];
}

export interface Decoded {
  text: string;
  encoding: string;
  /** Present when the file was not UTF-8 and no encoding was chosen: the preview must ask. */
  question?: EncodingQuestion;
}

function bomOf(b: Uint8Array): string | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return null;
}

/** UTF-16 without a byte-order mark: ASCII text leaves every other byte zero. */
function utf16Without(b: Uint8Array): string | null {
  const n = Math.min(b.length, 4096) & ~1;
  if (n < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  const half = n / 2;
  if (oddZero > 0.4 * half && evenZero < 0.05 * half) return 'utf-16le';
  if (evenZero > 0.4 * half && oddZero < 0.05 * half) return 'utf-16be';
  return null;
}

const KNOWN_BINARY: { magic: number[]; what: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx or Word file is one)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], what: 'an older Excel (.xls) or Word file' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG picture' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG photo' },
  { magic: [0x47, 0x49, 0x46, 0x38], what: 'a GIF picture' },
  { magic: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], what: 'an SQLite database' },
  { magic: [0x1f, 0x8b], what: 'a compressed (gzip) file' },
];

const SAVE_AS = 'In your spreadsheet, choose Save as (or Download as) and pick “CSV UTF-8”, then import that file.';

/**
 * Refuse a file that is not text before decoding it: known formats by their first bytes (ZIP,
 * Excel, PDF, pictures, databases), anything else by NUL or control bytes in its first 8 KB.
 * UTF-16 text (zero bytes every other byte) is text, and is let through.
 */
export function refuseBinary(b: Uint8Array): void {
  if (bomOf(b) || utf16Without(b)) return;
  const known = KNOWN_BINARY.find((k) => k.magic.every((m, i) => b[i] === m));
  if (known) throw new OutpostError('csv_malformed', `This file is ${known.what}, not a table of text. ${SAVE_AS}`);
  const n = Math.min(b.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) throw new SaidError('csv_malformed', { key: 'error.fileBinary' });
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) control++;
  }
  if (control > n * 0.02) throw new SaidError('csv_malformed', { key: 'error.fileBinary' });
}

/** How plausible a decoding is: letters beyond ASCII count for it, control and odd symbols against. */
function plausibility(text: string): number {
  let score = 0;
  for (const ch of text.slice(0, 200_000)) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) continue;
    if (/\p{L}/u.test(ch)) score += 1;
    else if (c < 0xa0 || ch === '\ufffd') score -= 5;
    else score -= 1;
  }
  return score;
}

function question(text: string, suggested: string): EncodingQuestion {
  const accents = new Set<string>();
  const words: string[] = [];
  for (const w of text.slice(0, 500_000).split(/[\s,;|\t"]+/)) {
    if (!/[^ -~]/.test(w)) continue;
    for (const ch of w) if (ch.codePointAt(0)! >= 0x80 && accents.size < 12) accents.add(ch);
    if (words.length < 5 && !words.includes(w) && w.length <= 40) words.push(w);
    if (accents.size >= 12 && words.length >= 5) break;
  }
  return { suggested, accents: [...accents], words };
}

/**
 * Decode a file's bytes to text. A byte-order mark decides (UTF-8, UTF-16 LE or BE) and is
 * dropped; otherwise valid UTF-8 is UTF-8. When the bytes are not, nothing is guessed silently:
 * the text is read in the encoding chosen, or else the likeliest single-byte one (the one whose
 * non-ASCII characters are most often letters; Windows-1252 on a tie), and a question comes back
 * with the characters and words as read, for the person to confirm or change.
 */
export function decodeBytes(bytes: ArrayBuffer | Uint8Array, chosen?: string): Decoded {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const bom = bomOf(b) ?? utf16Without(b);
  if (bom && !chosen) return { text: new TextDecoder(bom).decode(b), encoding: bom };
  let utf8: string | null = null;
  try {
    utf8 = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    // Not UTF-8: asked below.
  }
  if (utf8 !== null && (!chosen || chosen === 'utf-8')) return { text: utf8, encoding: 'utf-8' };
  // Candidates are scored on the first 256 KB; only the likeliest decodes the whole file.
  let likeliest: { id: string; score: number } | null = null;
  const head = b.subarray(0, 256 * 1024);
  for (const { id } of ENCODINGS) {
    if (id === 'utf-8' || utf8 !== null) continue;
    const score = plausibility(new TextDecoder(id).decode(head));
    if (!likeliest || score > likeliest.score) likeliest = { id, score };
  }
  if (!chosen) {
    const text = new TextDecoder(likeliest!.id).decode(b);
    return { text, encoding: likeliest!.id, question: question(text, likeliest!.id) };
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(chosen);
  } catch {
    throw new SaidError('bad_request', { key: 'error.encodingUnknown', values: { name: chosen } });
  }
  const text = decoder.decode(b).replace(/^\uFEFF/, '');
  // A chosen encoding of a file that is not UTF-8 still shows what it reads as.
  return { text, encoding: decoder.encoding, ...(likeliest ? { question: question(text, likeliest.id) } : {}) };
}
