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

/** Which environment variable sets each setting (the one place that names them). */
const ENV: Record<Exclude<keyof z.input<typeof ConfigSchema>, 'version'>, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'OUTPOST_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  webDir: 'OUTPOST_WEB_DIR',
  adminToken: 'OUTPOST_ADMIN_TOKEN',
  ratePerMinute: 'OUTPOST_RATE_PER_MINUTE',
  failuresPerSource: 'OUTPOST_FAILURES_PER_SOURCE',
  failuresPerTarget: 'OUTPOST_FAILURES_PER_TARGET',
  failureWindowSeconds: 'OUTPOST_FAILURE_WINDOW_SECONDS',
  trustProxy: 'OUTPOST_TRUST_PROXY',
  corsOrigins: 'OUTPOST_CORS_ORIGINS',
  maxBlobBytes: 'OUTPOST_MAX_BLOB_BYTES',
  maxOrgBlobBytes: 'OUTPOST_MAX_ORG_BLOB_BYTES',
  uploadTtlHours: 'OUTPOST_UPLOAD_TTL_HOURS',
};

/** Read and check the settings once; a wrong one stops the server with a sentence naming its variable. */
export function readConfig(env: NodeJS.ProcessEnv, version: string): Config {
  const input: Record<string, unknown> = { version };
  for (const [key, name] of Object.entries(ENV)) input[key] = env[name] || undefined;
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${ENV[i.path[0] as keyof typeof ENV] ?? i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`The server's settings are not valid (${msg}). Fix these environment variables (docs/server.md lists them) and start again.`);
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
