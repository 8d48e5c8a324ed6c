import { createHash, randomBytes } from 'node:crypto';

/** Credentials are stored only as SHA-256 hashes; the secret itself is shown once. */
export const hashSecret = (s: string): string => createHash('sha256').update(s).digest('hex');

export const newToken = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

// No 0/O, 1/I/L: codes are read aloud and typed on phones.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/**
 * Characters in a code: 31^10 is about 2^49.5. At the enrollment throttle's 200 failures per ten
 * minutes for the whole server, a week of guessing finds one given live code with odds of 1 in 4e9.
 */
export const CODE_LENGTH = 10;
// Bytes at or above the largest multiple of the alphabet's size are drawn again, so that every
// character is equally likely (a plain `byte % 31` favours the first eight characters).
const UNBIASED_BELOW = 256 - (256 % CODE_ALPHABET.length);

/** A human-friendly one-time code like `K7QMR-3XHPW`: ten characters, about 49.5 bits. */
export function newEnrollmentCode(random: (n: number) => Uint8Array = randomBytes): string {
  const chars: string[] = [];
  while (chars.length < CODE_LENGTH) {
    for (const b of random(CODE_LENGTH)) if (b < UNBIASED_BELOW && chars.length < CODE_LENGTH) chars.push(CODE_ALPHABET[b % CODE_ALPHABET.length]);
  }
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

export const normaliseCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
