import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '../scripts/chromium.mjs';

// The built app served by the real server on PGlite in a fresh data directory, driven in Debian's
// Chromium at a phone-sized viewport with touch.
const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.E2E_PORT ?? 8797);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'outpost-e2e-'));
process.env.E2E_DATA_DIR = dataDir;
export const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? join(root, '.outpost-test/playwright.json') }]],
  use: {
    baseURL,
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    isMobile: true,
    // An English-speaking browser: the app follows its languages, and the tests find elements by English names.
    locale: 'en-US',
    serviceWorkers: 'allow',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  outputDir: process.env.E2E_OUTPUT_DIR ?? join(root, 'test-results'),
  webServer: {
    command: 'npx tsx server/src/index.ts',
    cwd: root,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      PORT: String(port),
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_WEB_DIR: process.env.E2E_WEB_DIR ?? join(root, 'web/dist'),
      OUTPOST_ADMIN_TOKEN: 'e2e-admin-token-0123456789',
    },
    stdout: 'pipe',
  },
});
