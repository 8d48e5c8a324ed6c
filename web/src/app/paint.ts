/**
 * Resolves once the browser has painted the frame after this call: code the first screen does not
 * need is asked for then, so its download and evaluation do not hold up that first paint. A page
 * in the background paints nothing, so there it resolves at once (or when the page is hidden).
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (document.visibilityState === 'hidden') return resolve();
    const done = () => {
      document.removeEventListener('visibilitychange', hidden);
      resolve();
    };
    const hidden = () => {
      if (document.visibilityState === 'hidden') done();
    };
    document.addEventListener('visibilitychange', hidden);
    requestAnimationFrame(() => setTimeout(done, 0));
  });
}
