import { z } from 'zod';

/** A record id: UUIDv7 made on the device (or any id up to 64 characters from older records). */
export const Id = z.string().min(1).max(64);

/**
 * Ranges checked where data enters (every synced record passes through these schemas on the
 * server and on the device), so one record can never break a page that shows it: a time past
 * `MAX_MILLIS` (2100-01-01) or before 1970 is refused, as is a count, size or version no device
 * could produce. Numbers are finite (zod refuses Infinity and NaN; `int()` means a safe integer).
 */
export const MAX_MILLIS = 4_102_444_800_000;
/** Epoch milliseconds from 1970 up to (not including) 2100-01-01. */
export const Millis = z.number().int().min(0).max(MAX_MILLIS);
/** Rows, values, labels counted on a device. */
export const Count = z.number().int().min(0).max(1_000_000_000);
/** A duration in milliseconds, at most a year. */
export const DurationMs = z
  .number()
  .min(0)
  .max(366 * 86_400_000);
/** A blob's size in bytes, at most 4 GiB (the server's own limit per blob is lower). */
export const ByteSize = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32);
