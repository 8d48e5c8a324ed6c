import { createMiddleware } from 'hono/factory';

const policy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');

/**
 * The app's Content-Security-Policy. Scripts come only from the server ('wasm-unsafe-eval' lets
 * the ML runtimes compile their WebAssembly; no eval of JavaScript). connect-src allows any https:
 * origin and http://localhost because a person types the server to sync with in Settings: that
 * server may be another host than the one that served the app, and on a laptop it is often
 * http://localhost:PORT. Svelte sets style attributes, hence 'unsafe-inline' for styles only.
 */
export const APP_CSP = policy({
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'worker-src': "'self' blob:",
  'connect-src': "'self' https: http://localhost:* http://127.0.0.1:*",
  'img-src': "'self' data: blob:",
  'style-src': "'self' 'unsafe-inline'",
  'frame-ancestors': "'none'",
  'base-uri': "'self'",
  'form-action': "'self'",
  'manifest-src': "'self'",
  'object-src': "'none'",
});

/** The console: no scripts at all, its one inline style by hash, forms only to itself. */
export const consoleCsp = (styleHash: string) =>
  policy({
    'default-src': "'none'",
    'style-src': `'${styleHash}'`,
    'form-action': "'self'",
    'frame-ancestors': "'none'",
    'base-uri': "'none'",
  });

/** JSON and blobs are never documents: nothing may load or frame them. */
export const API_CSP = policy({ 'default-src': "'none'", 'frame-ancestors': "'none'" });

/**
 * Cross-origin isolation, so the page and its workers get SharedArrayBuffer and WebAssembly threads
 * (ONNX Runtime and TensorFlow.js run multi-threaded only then). require-corp rather than
 * credentialless: everything the app loads is from its own origin, and Safari knows only
 * require-corp. Cross-origin sync servers are reached with CORS, which these do not affect; the
 * resource policy only stops other sites embedding our answers with no-cors loads.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Headers every answer carries: its Content-Security-Policy (chosen by `cspFor` from the path),
 * no MIME sniffing, no Referer sent to other sites (URLs may hold ids), no framing, and
 * cross-origin isolation. A dedicated worker is isolated only if its own script answer says so,
 * hence on every answer, not just the page.
 */
export const securityHeaders = (cspFor: (path: string) => string) =>
  createMiddleware(async (c, next) => {
    await next();
    c.header('content-security-policy', cspFor(c.req.path));
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) c.header(k, v);
  });
