import { z } from 'zod';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULT_BLOB_LIMITS } from './store/blobs.js';

/** Server configuration, read and validated once at start from the environment. */
export const ConfigSchema = z.object({
  port: z.coerce.number().int().min(1).max(65535).default(8787),
  host: z.string().default('0.0.0.0'),
  dataDir: z.string().default('./data'),
  databaseUrl: z.string().url().optional(),
  webDir: z.string().default('web/dist'),
  adminToken: z.string().min(16).optional(),
  ratePerMinute: z.coerce.number().int().positive().default(600),
  // Failed attempts at enrollment, console sign-in and the admin API (per source, per endpoint).
  failuresPerSource: z.coerce.number().int().positive().default(10),
  failuresPerTarget: z.coerce.number().int().positive().default(200),
  failureWindowSeconds: z.coerce.number().int().positive().default(600),
  trustProxy: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  corsOrigins: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin is scheme://host[:port], without a path'))),
  version: z.string().default('0.0.0'),
  // Blob storage: most bytes per blob (64 MiB), per organisation (2 GiB: stored blobs plus partial
  // uploads' declared totals), and how long an untouched partial upload is kept.
  maxBlobBytes: z.coerce.number().int().positive().default(DEFAULT_BLOB_LIMITS.maxBlobBytes),
  maxOrgBlobBytes: z.coerce.number().int().positive().default(DEFAULT_BLOB_LIMITS.maxOrgBlobBytes),
  uploadTtlHours: z.coerce.number().positive().default(72),
});
export type Config = z.infer<typeof ConfigSchema> & { adminToken: string };

export function readConfig(env: NodeJS.ProcessEnv, version: string): Config {
  const parsed = ConfigSchema.safeParse({
    port: env.PORT || undefined,
    host: env.HOST || undefined,
    dataDir: env.OUTPOST_DATA_DIR || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    webDir: env.OUTPOST_WEB_DIR || undefined,
    adminToken: env.OUTPOST_ADMIN_TOKEN || undefined,
    ratePerMinute: env.OUTPOST_RATE_PER_MINUTE || undefined,
    failuresPerSource: env.OUTPOST_FAILURES_PER_SOURCE || undefined,
    failuresPerTarget: env.OUTPOST_FAILURES_PER_TARGET || undefined,
    failureWindowSeconds: env.OUTPOST_FAILURE_WINDOW_SECONDS || undefined,
    trustProxy: env.OUTPOST_TRUST_PROXY || undefined,
    corsOrigins: env.OUTPOST_CORS_ORIGINS || undefined,
    version,
    maxBlobBytes: env.OUTPOST_MAX_BLOB_BYTES || undefined,
    maxOrgBlobBytes: env.OUTPOST_MAX_ORG_BLOB_BYTES || undefined,
    uploadTtlHours: env.OUTPOST_UPLOAD_TTL_HOURS || undefined,
  });
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`The server's settings are not valid (${msg}). Check PORT, OUTPOST_DATA_DIR, DATABASE_URL and OUTPOST_ADMIN_TOKEN.`);
  }
  const c = parsed.data;
  const dataDir = resolve(c.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return { ...c, dataDir, webDir: resolve(c.webDir), adminToken: c.adminToken ?? adminTokenFile(dataDir) };
}

/** The server admin token (for `npm run admin` against a running server), made once per data dir. */
export function adminTokenFile(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
