/// <reference lib="webworker" />
// The service worker: precaches the app shell, the ML runtimes' WASM and the samples so the app
// opens and works with no network; serves index.html for every in-app navigation; and uses
// Background Sync only as a wake-up call: the sync engine itself runs in the page.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//, /^\/console/] }));

// ONNX Runtime's WASM (14 MB) is not precached for everyone: it is fetched the first time this
// device runs an ONNX model (or receives one) and kept from then on, so it works offline after.
// The file name carries its build hash, so a kept copy is never stale.
const ONNX_CACHE = 'outpost-onnx-runtime';
registerRoute(
  ({ url }) => url.origin === self.location.origin && /\/ort-wasm[^/]*\.wasm$/.test(url.pathname),
  async ({ request }) => {
    const cache = await caches.open(ONNX_CACHE);
    const hit = await cache.match(request);
    if (hit) return hit;
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    return res;
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
