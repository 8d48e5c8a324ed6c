#!/usr/bin/env node
// Compile the server for the container image: server/src/index.ts (the server) and admin.ts (the
// admin CLI), with shared/ and every package inlined, into one ES module each. Only PGlite stays
// outside: it loads its WebAssembly and data files from beside its own module, so the image copies
// node_modules/@electric-sql/pglite as installed by `npm ci`. The output folder must sit two levels
// below the repository root (index.ts and admin.ts read ../../package.json for the version).
//
//   node deploy/build-server.mjs [outdir]      (default dist/server)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = process.argv[2] ?? 'dist/server';

await build({
  absWorkingDir: root,
  entryPoints: ['server/src/index.ts', 'server/src/admin.ts'],
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: 'tsconfig.json', // for the @shared/* path alias
  // pg-native is pg's optional C binding (not installed); PGlite must stay a real package (see above).
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg-native'],
  // CommonJS packages (pg, selfsigned) call require() on Node's modules; an ES module has none.
  banner: { js: "import { createRequire as __outpostRequire } from 'node:module'; const require = __outpostRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
