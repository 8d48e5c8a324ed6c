const noFrameMs = 500;

/**
 * Resolves once the browser has painted the frame after this call: code the first screen does not
 * need is asked for then, so its download and evaluation do not hold up that first paint. A page
 * in the background paints nothing, so there it resolves at once (or when the page is hidden); a
 * tab behind another may get no frames while it still says it is visible, so a short timer stands
 * in for the frame there (a person typing into that tab must not wait for a paint that never comes).
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (document.visibilityState === 'hidden') return resolve();
    const done = () => {
      document.removeEventListener('visibilitychange', hidden);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, noFrameMs);
    const hidden = () => {
      if (document.visibilityState === 'hidden') done();
    };
    document.addEventListener('visibilitychange', hidden);
    requestAnimationFrame(() => setTimeout(done, 0));
  });
}
