import { serve } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { readConfig } from './config.js';
import { openStore } from './store/index.js';
import { createApp } from './app.js';
import { createEnrollmentCode, createFirstOrg } from './store/orgs.js';
import { expireUploads } from './store/blobs.js';
import { serverCertificate, tlsBanner, type ServingCertificate } from './tls.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const config = readConfig(process.env, pkg.version);
// The certificate first: a file that cannot be used stops the server before the store is opened.
let certificate: ServingCertificate | undefined;
try {
  certificate = await serverCertificate(config.tls, config.dataDir);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });

// First start: an organisation to connect to straight away.
const first = await createFirstOrg(db, 'Default');
if (first) {
  const { org, adminKey } = first;
  const { code, expiresAt } = await createEnrollmentCode(db, org.id, 7);
  console.log(
    [
      '',
      `Created organisation "Default" (${org.id}).`,
      `  Enrollment code for a device: ${code}   (one device, until ${expiresAt.slice(0, 10)})`,
      `  Admin key for the console:    ${adminKey}   (shown once; keep it safe)`,
      `  More codes: npm run admin -- create-code ${org.id}`,
      '',
    ].join('\n'),
  );
}

// The whole validated config: createApp takes the settings it knows (limits, throttles, CORS, proxy).
const app = createApp({ db, config, certificateAuthority: certificate?.authority?.der });
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  console.log(`Outpost ${config.version} on http://localhost:${info.port} (store: ${db.kind}${db.kind === 'pglite' ? ` in ${config.dataDir}` : ''})`);
});
// The same app over HTTPS on its own port (phones need a secure context); HTTP stays for what uses it.
const secure =
  certificate &&
  serve(
    {
      fetch: app.fetch,
      port: config.tls.httpsPort,
      hostname: config.host,
      createServer: createHttpsServer,
      serverOptions: { key: certificate.key, cert: certificate.cert },
    },
    () => console.log(tlsBanner(certificate, config.tls.httpsPort, config.port, isIP(config.host) !== 4)),
  );

// Abandoned partial uploads (a device that gave up) are deleted once untouched for uploadTtlHours.
const sweep = setInterval(
  () => void expireUploads(db, Date.now(), config.uploadTtlHours * 3_600_000).catch((e) => console.error('Expiring abandoned uploads failed:', e)),
  3_600_000,
);
sweep.unref();

async function shutdown() {
  clearInterval(sweep);
  server.close();
  secure?.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
