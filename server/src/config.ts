import { z } from 'zod';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULT_BLOB_LIMITS } from './store/blobs.js';
import { isCertificateName } from './tls.js';

const list = (v: string) =>
  v
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

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
  // HTTPS beside HTTP (docs/lan-https.md): off, a certificate the server makes itself, or the operator's.
  tls: z.enum(['off', 'auto', 'custom']).optional(),
  httpsPort: z.coerce.number().int().min(1).max(65535).optional(),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  tlsNames: z
    .string()
    .default('')
    .transform(list)
    .pipe(z.array(z.string().refine(isCertificateName, 'each entry is a host name or an IP address, comma-separated'))),
});

/** HTTPS, resolved: `auto` when only OUTPOST_HTTPS_PORT is set, `custom` when only the files are. */
export interface TlsSettings {
  mode: 'off' | 'auto' | 'custom';
  httpsPort: number;
  certFile?: string;
  keyFile?: string;
  /** Names and addresses the auto certificate carries besides the machine's own (OUTPOST_TLS_NAMES). */
  names: string[];
}
type TlsInput = 'tls' | 'httpsPort' | 'tlsCert' | 'tlsKey' | 'tlsNames';
export type Config = Omit<z.infer<typeof ConfigSchema>, TlsInput> & { adminToken: string; tls: TlsSettings };

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
  tls: 'OUTPOST_TLS',
  httpsPort: 'OUTPOST_HTTPS_PORT',
  tlsCert: 'OUTPOST_TLS_CERT',
  tlsKey: 'OUTPOST_TLS_KEY',
  tlsNames: 'OUTPOST_TLS_NAMES',
};

/** Read and check the settings once; a wrong one stops the server with a sentence naming its variable. */
export function readConfig(env: NodeJS.ProcessEnv, version: string): Config {
  const input: Record<string, unknown> = { version };
  for (const [key, name] of Object.entries(ENV)) input[key] = env[name] || undefined;
  const parsed = ConfigSchema.safeParse(input);
  const problems = parsed.success ? tlsProblems(parsed.data) : parsed.error.issues.map((i) => ({ key: i.path[0] as keyof typeof ENV, message: i.message }));
  if (!parsed.success || problems.length) {
    const msg = problems.map((p) => `${ENV[p.key] ?? String(p.key)}: ${p.message}`).join('; ');
    throw new Error(`The server's settings are not valid (${msg}). Fix these environment variables (docs/server.md lists them) and start again.`);
  }
  const { tls: _mode, httpsPort, tlsCert, tlsKey, tlsNames, ...c } = parsed.data;
  const dataDir = resolve(c.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const tlsSettings: TlsSettings = {
    mode: tlsMode(parsed.data),
    httpsPort: httpsPort ?? 8443,
    ...(tlsCert ? { certFile: resolve(tlsCert) } : {}),
    ...(tlsKey ? { keyFile: resolve(tlsKey) } : {}),
    names: tlsNames,
  };
  return { ...c, dataDir, webDir: resolve(c.webDir), adminToken: c.adminToken ?? adminTokenFile(dataDir), tls: tlsSettings };
}

type Parsed = z.infer<typeof ConfigSchema>;
const tlsMode = (c: Parsed): TlsSettings['mode'] => c.tls ?? (c.tlsCert || c.tlsKey ? 'custom' : c.httpsPort ? 'auto' : 'off');

/** Settings that are each valid but do not fit together: said once, each naming its variable. */
function tlsProblems(c: Parsed): { key: keyof typeof ENV; message: string }[] {
  const mode = tlsMode(c);
  const problems: { key: keyof typeof ENV; message: string }[] = [];
  if (mode === 'custom') {
    if (!c.tlsCert) problems.push({ key: 'tlsCert', message: 'OUTPOST_TLS=custom needs the certificate file (PEM, full chain)' });
    if (!c.tlsKey) problems.push({ key: 'tlsKey', message: 'OUTPOST_TLS=custom needs the private key file (PEM)' });
    if (c.tlsNames.length) problems.push({ key: 'tlsNames', message: 'only OUTPOST_TLS=auto makes a certificate with extra names; yours has its own' });
  } else {
    for (const key of ['tlsCert', 'tlsKey'] as const)
      if (c[key]) problems.push({ key, message: `is set but OUTPOST_TLS is ${mode}: set OUTPOST_TLS=custom to serve your own certificate, or unset it` });
  }
  if (mode === 'off') {
    if (c.httpsPort) problems.push({ key: 'httpsPort', message: 'is set but OUTPOST_TLS is off: unset one of them' });
    if (c.tlsNames.length) problems.push({ key: 'tlsNames', message: 'is set but OUTPOST_TLS is off: set OUTPOST_TLS=auto' });
  } else if ((c.httpsPort ?? 8443) === c.port) problems.push({ key: 'httpsPort', message: `must differ from PORT (${c.port}): HTTP stays on PORT` });
  return problems;
}

/** The server admin token (for `npm run admin` against a running server), made once per data dir. */
export function adminTokenFile(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
