#!/usr/bin/env node
// `npm test`: every test. Unit, property and contract tests (vitest: shared, server with PGlite and
// Postgres, web modules), then the built app end to end in Debian's Chromium (Playwright).
// It finds or installs Chromium itself, and says plainly what it could not run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureChromium } from './chromium.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.outpost-test');
mkdirSync(out, { recursive: true });
const env = { ...process.env };
const notRun = [];

// Postgres: the store's contract suite runs against it when reachable. In CI it must be.
env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
try {
  const c = new pg.Client({ connectionString: env.TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  await c.query('select 1');
  await c.end();
  console.log(`Postgres reachable at ${env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}: the store suite runs on PGlite and Postgres.`);
} catch (e) {
  if (process.env.CI === 'true') {
    console.error(`CI needs Postgres for the store contract suite, but ${env.TEST_DATABASE_URL} is unreachable: ${e.message}`);
    process.exit(1);
  }
  notRun.push(`the Postgres variant of the store contract suite (${e.message}); set TEST_DATABASE_URL to run it`);
  env.TEST_DATABASE_URL = '';
}

const counts = { passed: 0, failed: 0, skipped: 0 };
function run(label, cmd, args, extraEnv = {}) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  return r.status ?? 1;
}

// 0. types: TypeScript everywhere and the Svelte components
const types = run('type check (tsc, svelte-check)', 'npm', ['run', '--silent', 'typecheck']);
if (types !== 0) counts.failed += 1;

// 0b. lint: the parts' import boundaries and formatting
const lint = run('lint (ESLint, Prettier)', 'npm', ['run', '--silent', 'lint']);
if (lint !== 0) counts.failed += 1;

// 1. vitest
const vitestJson = join(out, 'vitest.json');
const unit = run('unit, property and contract tests (vitest)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (existsSync(vitestJson)) {
  const j = JSON.parse(readFileSync(vitestJson, 'utf8'));
  counts.passed += j.numPassedTests ?? 0;
  counts.failed += j.numFailedTests ?? 0;
  counts.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}
if (unit !== 0 && counts.failed === 0) counts.failed += 1;

// 2. build the PWA, 3. end to end in Chromium
let e2e = 0;
let chromium;
try {
  chromium = ensureChromium();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const build = run('build the app (vite)', 'npx', ['vite', 'build', '--config', 'vite.config.ts', '--logLevel', 'warn']);
if (build !== 0) {
  counts.failed += 1;
} else {
  const e2eJson = join(out, 'playwright.json');
  e2e = run('end-to-end tests (Playwright, Chromium)', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'], {
    CHROMIUM_PATH: chromium,
    PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
  });
  if (existsSync(e2eJson)) {
    const s = JSON.parse(readFileSync(e2eJson, 'utf8')).stats ?? {};
    counts.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    counts.failed += s.unexpected ?? 0;
    counts.skipped += s.skipped ?? 0;
  }
  if (e2e !== 0 && !existsSync(e2eJson)) counts.failed += 1;
}

console.log('');
for (const n of notRun) console.log(`NOT RUN: ${n}`);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(types !== 0 || lint !== 0 || unit !== 0 || build !== 0 || e2e !== 0 ? 1 : 0);
