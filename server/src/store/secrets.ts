import { createHash, randomBytes } from 'node:crypto';

/** Credentials are stored only as SHA-256 hashes; the secret itself is shown once. */
export const hashSecret = (s: string): string => createHash('sha256').update(s).digest('hex');

export const newToken = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

// No 0/O, 1/I/L: codes are read aloud and typed on phones.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A human-friendly one-time code like `K7QM-3XHP` (about 40 bits). */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(8);
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

export const normaliseCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
