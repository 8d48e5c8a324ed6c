// Types for chromium.mjs, which the test script (plain Node) and the TypeScript tests both use.
/** The first Chromium found on this machine (CHROMIUM_PATH, then the usual paths), if any. */
export function findChromium(): string | undefined;
/** The path of a Chromium to drive: Debian's, installed with apt-get when missing and run as root. */
export function ensureChromium(): string;
/** Flags that keep Chromium quiet on a closed network and reproducible across runs. */
export const CHROMIUM_ARGS: string[];
