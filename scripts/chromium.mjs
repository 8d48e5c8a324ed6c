// Finds Debian's Chromium for the end-to-end tests, installing it with apt when it is missing and
// we may (root). Never downloads a browser build of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium() {
  return CANDIDATES.find((p) => p && existsSync(p));
}

export function ensureChromium() {
  let found = findChromium();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const apt = spawnSync('which', ['apt-get']).status === 0;
  if (!isRoot || !apt) {
    throw new Error("Chromium is not installed. Install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH, then run npm test again.");
  }
  console.log('Installing Chromium from Debian packages (apt-get install chromium)…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  found = findChromium();
  if (!found) throw new Error('apt-get installed chromium but no binary was found at /usr/bin/chromium.');
  return found;
}

/** Flags that keep Chromium quiet on a closed network and reproducible across runs. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
