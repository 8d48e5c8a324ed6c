import { Hono, type Context } from 'hono';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import type { Db } from './store/db.js';
import { onError, notFound } from './middleware/errors.js';
import { enrollRoutes } from './routes/enroll.js';
import { MONITOR_BODY_LIMIT, syncRoutes } from './routes/sync.js';
import { blobRoutes } from './routes/blobs.js';
import { DEFAULT_BLOB_LIMITS } from './store/blobs.js';
import { adminRoutes } from './routes/admin.js';
import { registryRoutes } from './routes/registry.js';
import { consoleRoutes } from './routes/console.js';
import { STYLE_HASH } from './routes/console-page.js';
import { webRoutes } from './routes/web.js';
import { certificateRoutes } from './routes/certificate.js';
import { rateLimit } from './middleware/rate-limit.js';
import { failureThrottle, type ThrottleLimits } from './middleware/throttle.js';
import { DEFAULT_BODY_LIMIT, guardBodies } from './middleware/body-limit.js';
import { apiCors } from './middleware/cors.js';
import { API_CSP, APP_CSP, consoleCsp, securityHeaders } from './middleware/security-headers.js';
import { openApiDocument } from './openapi.js';
import { PREDICT_BODY_LIMIT, serveRoutes } from './routes/serve.js';
import { adminImportRoutes, importBodyLimit } from './routes/admin-import.js';
import { consoleImportRoutes } from './routes/console-import.js';
import { ServedModels } from './serving/loader.js';
import { deploymentRoutes, projectPredictRoutes } from './routes/deployments.js';
import { announceProtocol } from './middleware/protocol.js';
import { clientAddress as connectionAddress, requestOrigin, type ClientAddress } from './middleware/client-address.js';

export interface AppDeps {
  db: Db;
  config: {
    adminToken: string;
    version: string;
    webDir?: string;
    ratePerMinute?: number;
    failuresPerSource?: number;
    failuresPerTarget?: number;
    failureWindowSeconds?: number;
    trustProxy?: boolean;
    corsOrigins?: string[];
    maxBlobBytes?: number;
    maxOrgBlobBytes?: number;
  };
  now?: () => number;
  /** Where a request came from (throttles count per source); from the connection by default. */
  clientAddress?: ClientAddress;
  /** The certificate (DER) phones install to trust this server's HTTPS, served at /outpost-ca.cer. */
  certificateAuthority?: Uint8Array;
  /** The loaded models that serve predictions (one per app by default). */
  models?: ServedModels;
}

// The routes whose bodies may be larger than the app-wide default; each applies its limit itself too.
const LARGER_BODIES = [
  { method: 'POST', path: /^\/api\/sync\/push$/, maxSize: 2 * PUSH_LIMITS.maxBytes },
  { method: 'PUT', path: /^\/api\/blobs\/[^/]+$/, maxSize: 1024 * 1024 },
  { method: 'POST', path: /^\/api\/sync\/monitors$/, maxSize: MONITOR_BODY_LIMIT },
  { method: 'POST', path: /^\/api\/models\/versions\/[^/]+\/predict$/, maxSize: PREDICT_BODY_LIMIT },
  { method: 'POST', path: /^\/api\/projects\/[^/]+\/predict$/, maxSize: PREDICT_BODY_LIMIT },
];
// Model imports (admin API and console) take a model file of up to the blob limit.
const IMPORT_PATHS = /^(\/api\/admin\/orgs\/[^/]+\/models|\/console\/models\/import)$/;

const CONSOLE_CSP = consoleCsp(STYLE_HASH);
const cspFor = (path: string) => (path === '/console' || path.startsWith('/console/') ? CONSOLE_CSP : path.startsWith('/api/') ? API_CSP : APP_CSP);

/** The whole HTTP surface. Tests drive it with `app.request()`; index.ts serves it. */
export function createApp({ db, config, now = Date.now, clientAddress, certificateAuthority, models = new ServedModels() }: AppDeps) {
  const trustProxy = config.trustProxy ?? false;
  const address = clientAddress ?? connectionAddress(trustProxy);
  const ownOrigin = (c: Context) => requestOrigin(c, trustProxy);
  const limits: ThrottleLimits = {
    perSource: config.failuresPerSource ?? 10,
    perTarget: config.failuresPerTarget ?? 200,
    windowMs: (config.failureWindowSeconds ?? 600) * 1000,
  };
  const throttle = (target: string) => failureThrottle(db, target, limits, address, now);

  const blobLimits = {
    maxBlobBytes: config.maxBlobBytes ?? DEFAULT_BLOB_LIMITS.maxBlobBytes,
    maxOrgBlobBytes: config.maxOrgBlobBytes ?? DEFAULT_BLOB_LIMITS.maxOrgBlobBytes,
  };
  const app = new Hono();
  app.onError(onError);
  const bodies = [...LARGER_BODIES, { method: 'POST', path: IMPORT_PATHS, maxSize: importBodyLimit(blobLimits) }];
  app.use('*', securityHeaders(cspFor), guardBodies(DEFAULT_BODY_LIMIT, bodies));
  const api = new Hono();
  api.use('*', announceProtocol());
  // The admin API gets no CORS at all (adminRoutes refuses other origins outright).
  const cors = apiCors(config.corsOrigins ?? []);
  for (const path of ['/health', '/openapi.json', '/enroll', '/sync/*', '/blobs/*', '/registry/*', '/models/*', '/deployments/*', '/projects/*'])
    api.use(path, cors);
  api.get('/health', (c) => c.json({ status: 'ok', store: db.kind, version: config.version }));
  const openApi = openApiDocument(config.version);
  api.get('/openapi.json', (c) => c.json(openApi));
  api.route('/enroll', enrollRoutes(db, now, throttle('enroll')));
  const limit = rateLimit(db, config.ratePerMinute ?? 600, now);
  api.route('/sync', syncRoutes(db, now, limit));
  api.route('/blobs', blobRoutes(db, limit, { limits: blobLimits, now }));
  api.route('/registry', registryRoutes(db, now, throttle('person-login'), limit));
  api.route('/models', serveRoutes(db, models, now, limit));
  api.route('/deployments', deploymentRoutes(db, now, limit));
  api.route('/projects', projectPredictRoutes(db, models, now, limit));
  // Before the rest of the admin API and the console: their body limits are far below a model file's.
  api.route('/admin', adminImportRoutes(db, config.adminToken, now, { throttle: throttle('admin'), ownOrigin }, blobLimits, config.version));
  api.route('/admin', adminRoutes(db, config.adminToken, now, { throttle: throttle('admin'), ownOrigin }));
  api.notFound(notFound);
  app.route('/api', api);
  app.route('/console/models', consoleImportRoutes({ db, now, trustProxy, limits: blobLimits, appVersion: config.version }));
  app.route('/console', consoleRoutes({ db, now, throttle: throttle('console-login'), trustProxy }));
  app.route('/', certificateRoutes(certificateAuthority));
  if (config.webDir) app.route('/', webRoutes(config.webDir));
  app.notFound(notFound);
  return app;
}
