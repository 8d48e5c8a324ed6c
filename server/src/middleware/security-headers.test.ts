// Strict security headers on the console, the app and the API; the console's inline style is
// allowed by its hash, which must match the style the page really has (or the browser drops it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { T0 } from '../store/fixtures.js';

let db: Db;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openStore({});
  const webDir = mkdtempSync(join(tmpdir(), 'outpost-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Outpost</title>');
  writeFileSync(join(webDir, 'sw.js'), '');
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'assets/predict.worker-x.js'), 'export {};');
  writeFileSync(join(webDir, 'assets/ort-wasm-simd-threaded-x.wasm'), new Uint8Array([0, 97, 115, 109]));
  app = createApp({ db, config: { adminToken: 'headers-admin-token-0123456789', version: 't', webDir }, now: () => T0 });
});
afterAll(async () => db.close());

const directives = (res: Response) =>
  new Map(
    (res.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v.join(' ')]),
  );

function expectBaseHeaders(res: Response) {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
}

describe('security headers', () => {
  it('the console: no scripts, its one inline style by hash, forms only to itself, never framed', async () => {
    const res = await app.request('/console');
    expectBaseHeaders(res);
    const csp = directives(res);
    const style = /<style>([\s\S]*?)<\/style>/.exec(await res.text())![1];
    expect(Object.fromEntries(csp)).toEqual({
      'default-src': "'none'",
      'style-src': `'sha256-${createHash('sha256').update(style).digest('base64')}'`,
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
    });
    // No inline style attributes either: they would need 'unsafe-inline'.
    expect(await (await app.request('/console')).text()).not.toMatch(/ style="/);
  });

  it('the app: scripts and workers from the server only (WebAssembly allowed), sync to any https server or localhost, never framed', async () => {
    for (const path of ['/', '/projects/p1']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expectBaseHeaders(res);
      const csp = directives(res);
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self' 'wasm-unsafe-eval'");
      expect(csp.get('worker-src')).toBe("'self' blob:");
      expect(csp.get('connect-src')).toMatch(/^'self' https: http:\/\/localhost:\*/);
      expect(csp.get('img-src')).toBe("'self' data: blob:");
      expect(csp.get('style-src')).toBe("'self' 'unsafe-inline'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'self'");
      expect(csp.get('manifest-src')).toBe("'self'");
    }
  });

  it('the app is cross-origin isolated: the page, the service worker, worker scripts and WASM, so workers get threads too', async () => {
    for (const path of ['/', '/projects/p1', '/sw.js', '/assets/predict.worker-x.js', '/assets/ort-wasm-simd-threaded-x.wasm']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expectBaseHeaders(res);
    }
  });

  it('the API: nothing may load or frame its answers, errors included', async () => {
    for (const path of ['/api/health', '/api/nothing', '/api/sync/pull']) {
      const res = await app.request(path);
      expectBaseHeaders(res);
      expect(directives(res).get('default-src')).toBe("'none'");
    }
  });
});
