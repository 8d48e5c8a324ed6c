import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Serve the built PWA. The service worker and index.html are never cached by the browser's HTTP
 * cache (so a new release is seen); hashed assets are immutable. Unknown paths get index.html.
 */
export function webRoutes(webDir: string) {
  const app = new Hono();
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) {
    return app.get('*', (c) =>
      c.html(
        '<!doctype html><title>Outpost</title><p>The app has not been built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.</p>',
        503,
      ),
    );
  }
  const root = relative(process.cwd(), webDir) || '.';
  app.use('*', async (c, next) => {
    await next();
    const p = c.req.path;
    if (p === '/' || p.endsWith('.html') || p.endsWith('sw.js') || p.endsWith('.webmanifest') || p.includes('workbox-')) {
      c.header('cache-control', 'no-cache');
    } else if (p.startsWith('/assets/')) {
      c.header('cache-control', 'public, max-age=31536000, immutable');
    }
  });
  // The build writes .br and .gz beside each text file (vite.config.ts): sent to browsers that accept them.
  app.use('*', serveStatic({ root, precompressed: true }));
  app.get('*', (c) => c.html(readFileSync(index, 'utf8')));
  return app;
}
