/// <reference lib="webworker" />
// The service worker: precaches the app shell, the ML runtimes' WASM and the samples so the app
// opens and works with no network; serves index.html for every in-app navigation; and uses
// Background Sync only as a wake-up call: the sync engine itself runs in the page.
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

/**
 * Cross-origin isolation (the server's headers, middleware/security-headers.ts), which gives the
 * page and its workers WebAssembly threads. A document or worker script answered from a cache is
 * isolated only if the cached answer carries these; one cached before the server sent them would
 * not, so they are added where missing.
 */
const ISOLATION_HEADERS: Record<string, string> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

function isolated(res: Response): Response {
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || res.headers.get('cross-origin-embedder-policy') === 'require-corp') return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

addPlugins([{ handlerWillRespond: async ({ response }) => isolated(response) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//, /^\/console/] }));

// ONNX Runtime's WASM (14 MB) and its loader are not precached for everyone: they are fetched
// the first time this device runs an ONNX model (or receives one) and kept from then on, so they
// work offline after. The file names carry their build hash, so a kept copy is never stale.
const ONNX_CACHE = 'outpost-onnx-runtime';
registerRoute(
  ({ url }) => url.origin === self.location.origin && /\/ort-wasm[^/]*\.(wasm|mjs)$/.test(url.pathname),
  async ({ request }) => {
    const cache = await caches.open(ONNX_CACHE);
    const hit = await cache.match(request);
    if (hit) return isolated(hit);
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    return isolated(res);
  },
);
// The first install controls open pages at once; a later release waits until the person agrees.
clientsClaim();

self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

/** Tag the page registers when a sync fails for want of a network. */
const WAKE_TAG = 'outpost-sync';

// Where the Background Sync API exists (Chromium), the browser fires this when connectivity
// returns, even if the page has been in the background: tell every open page to sync now.
self.addEventListener('sync', (event) => {
  const e = event as ExtendableEvent & { tag: string };
  if (e.tag !== WAKE_TAG) return;
  e.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((clients) => {
      for (const c of clients) c.postMessage({ type: 'outpost-sync-wake' });
    }),
  );
});
