import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('./package.json', import.meta.url)), 'utf8'));
// The app's sources and index.html live in web/; icons, the manifest's images and the sample
// datasets in public/ at the top; the build goes to web/dist, which the server serves.
const root = fileURLToPath(new URL('./web', import.meta.url));
const publicDir = fileURLToPath(new URL('./public', import.meta.url));
const shared = fileURLToPath(new URL('./shared/src', import.meta.url));

/**
 * Every compressible file of the build is also written as .gz and .br beside it, which the server
 * sends to browsers that accept them (server/src/routes/web.ts): a 2G link carries a third of the
 * bytes, and nothing is compressed per request.
 */
function precompress(): Plugin {
  let outDir = '';
  const files = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])) : [];
  const gz = promisify(gzip);
  const br = promisify(brotliCompress);
  return {
    name: 'outpost-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        // Only files named by their content (assets/) and the samples: index.html and sw.js stay as
        // they are, so one replaced in place is never shadowed by a stale compressed copy.
        const todo = [...files(join(outDir, 'assets')), ...files(join(outDir, 'samples'))].filter(
          (f) => /\.(js|mjs|css|svg|json|wasm|csv|txt)$/.test(f) && statSync(f).size > 1024,
        );
        await Promise.all(
          todo.map(async (f) => {
            const raw = readFileSync(f);
            const size = raw.length;
            // Brotli's best level is slow on the larger files (the WASM runtimes); a middle level loses little there.
            const quality = size > 2 ** 18 ? 5 : constants.BROTLI_MAX_QUALITY;
            const [g, b] = await Promise.all([
              gz(raw, { level: 9 }),
              br(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: size } }),
            ]);
            if (g.length < size) writeFileSync(`${f}.gz`, g);
            if (b.length < size) writeFileSync(`${f}.br`, b);
          }),
        );
      },
    },
  };
}

export default defineConfig({
  root,
  publicDir,
  resolve: {
    // ONNX Runtime Web's WASM-only build (no WebGL/WebGPU code) for the browser; Node resolves its own.
    alias: [
      { find: '@shared', replacement: shared },
      { find: /^onnxruntime-web$/, replacement: 'onnxruntime-web/wasm' },
    ],
  },
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
  },
  server: {
    // The dev server forwards the API to a server started with `npm run serve`.
    proxy: { '/api': 'http://localhost:8787' },
    // Cross-origin isolated as the real server serves it, so WASM threads work in development too.
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  plugins: [
    svelte(),
    precompress(),
    VitePWA({
      // A new release waits until the person chooses to reload, so nothing in flight is lost.
      registerType: 'prompt',
      injectRegister: null,
      // Our own service worker (web/src/app/sw.ts): Workbox precaching plus a Background Sync wake-up.
      strategies: 'injectManifest',
      srcDir: 'src/app',
      filename: 'sw.ts',
      includeAssets: ['icons/*.png', 'samples/*.csv'],
      manifest: {
        name: 'Outpost — offline ML workbench',
        short_name: 'Outpost',
        description: 'Import data, train, run and monitor models on this device, with or without a network.',
        start_url: './',
        scope: './',
        display: 'standalone',
        orientation: 'any',
        background_color: '#ffffff',
        theme_color: '#0b3d2e',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        // The app shell, the ML runtimes' WASM and the sample datasets, so everything works offline.
        globPatterns: ['**/*.{js,css,html,wasm,png,svg,csv,webmanifest}'],
        // ONNX Runtime's WASM is cached on first use instead (sw.ts), not downloaded by every phone.
        globIgnores: ['**/ort-wasm*.wasm'],
        maximumFileSizeToCacheInBytes: 20 * 1024 * 1024,
      },
    }),
  ],
});
