/**
 * Keep the screen on while a long job runs (a search can take an hour): a phone that sleeps
 * suspends the page and its worker. The lock is asked again whenever the page becomes visible,
 * because the browser releases it when the page is hidden. Where the Screen Wake Lock API is
 * missing or refused (low battery, an insecure origin), the job runs on and simply pauses with
 * the phone.
 */
export function holdWakeLock(): { release(): void } {
  const api = (globalThis.navigator as Navigator | undefined)?.wakeLock;
  if (!api || typeof document === 'undefined') return { release() {} };
  let sentinel: WakeLockSentinel | null = null;
  let released = false;
  const ask = () => {
    if (released || document.visibilityState !== 'visible') return;
    api
      .request('screen')
      .then((s) => {
        if (released) void s.release();
        else sentinel = s;
      })
      .catch(() => {});
  };
  document.addEventListener('visibilitychange', ask);
  ask();
  return {
    release() {
      released = true;
      document.removeEventListener('visibilitychange', ask);
      void sentinel?.release().catch(() => {});
      sentinel = null;
    },
  };
}
