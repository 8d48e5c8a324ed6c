/**
 * Resolves once the browser has painted the frame after this call (or after 200 ms, in a page
 * opened in the background, which paints nothing): code the first screen does not need is asked
 * for then, so its download and evaluation do not hold up that first paint.
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 200);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}
