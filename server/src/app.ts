import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Db } from './store/db.js';
import { onError, notFound } from './middleware/errors.js';
import { enrollRoutes } from './routes/enroll.js';
import { syncRoutes } from './routes/sync.js';
import { blobRoutes } from './routes/blobs.js';
import { adminRoutes } from './routes/admin.js';
import { consoleRoutes } from './routes/console.js';
import { webRoutes } from './routes/web.js';
import { rateLimit } from './middleware/limits.js';

export interface AppDeps {
  db: Db;
  config: { adminToken: string; version: string; webDir?: string; ratePerMinute?: number };
  now?: () => number;
}

/** The whole HTTP surface. Tests drive it with `app.request()`; index.ts serves it. */
export function createApp({ db, config, now = Date.now }: AppDeps) {
  const app = new Hono();
  app.onError(onError);
  const api = new Hono();
  api.use('*', cors({ origin: (o) => o, allowHeaders: ['authorization', 'content-type', 'range'], exposeHeaders: ['content-range'], maxAge: 600 }));
  api.get('/health', (c) => c.json({ status: 'ok', store: db.kind, version: config.version }));
  api.route('/enroll', enrollRoutes(db, now));
  const limit = rateLimit(config.ratePerMinute ?? 600, now);
  api.route('/sync', syncRoutes(db, now, limit));
  api.route('/blobs', blobRoutes(db, limit));
  api.route('/admin', adminRoutes(db, config.adminToken, now));
  api.notFound(notFound);
  app.route('/api', api);
  app.route('/console', consoleRoutes(db, now));
  if (config.webDir) app.route('/', webRoutes(config.webDir));
  app.notFound(notFound);
  return app;
}
