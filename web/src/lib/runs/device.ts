import type { RunDevice } from '@shared/schema/records.js';

interface NavigatorHints {
  userAgent?: string;
  platform?: string;
  hardwareConcurrency?: number;
  deviceMemory?: number;
  userAgentData?: { platform?: string };
}

/**
 * The device and browser a run trains on, from what the browser tells (Chromium adds memory and
 * the user-agent data's platform; others leave those out). Recorded on every run so that a figure
 * that differs between two devices can be explained.
 */
export function thisDevice(nav: NavigatorHints | undefined = globalThis.navigator as NavigatorHints | undefined): RunDevice {
  const platform = nav?.userAgentData?.platform || nav?.platform || undefined;
  const cores = nav?.hardwareConcurrency;
  const memory = nav?.deviceMemory;
  return {
    userAgent: (nav?.userAgent ?? 'unknown').slice(0, 500),
    ...(platform ? { platform: platform.slice(0, 100) } : {}),
    ...(Number.isInteger(cores) && cores! >= 1 && cores! <= 1024 ? { cores } : {}),
    ...(typeof memory === 'number' && memory >= 0 && memory <= 4096 ? { memoryGb: memory } : {}),
  };
}
